import { describe, expect, it } from 'vitest';
import { releaseBuffer } from '../../../../receiver/store/dedupe/release-buffer.js';
import { rssMb } from '../../../bench/process-stats.js';

const MB = 1024 * 1024;
const rss = () => rssMb(process.pid) * MB;

describe('releasing a buffer', () => {
  it('detaches it: every view reads as empty', () => {
    const view = new Uint32Array(1024).fill(7);
    releaseBuffer(view.buffer);
    expect(view.buffer.byteLength).toBe(0);
    expect(view.length).toBe(0);
  });

  it('gives its memory back while a view of it is still referenced, so no collection could have freed it', async () => {
    const view = new Uint32Array((256 * MB) / 4).fill(7);
    const before = rss();
    releaseBuffer(view.buffer);
    // Freed once the port drops the message, a turn or a few later: wait for it, not for a time.
    for (let waited = 0; rss() > before - 128 * MB && waited < 20_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(before - rss()).toBeGreaterThan(128 * MB);
    expect(view.length).toBe(0);
  });
});
