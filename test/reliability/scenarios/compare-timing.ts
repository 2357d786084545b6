import { createHmac, randomBytes } from 'node:crypto';
import { bytesEqual } from '../../../receiver/schemes/constant-time.js';
import { githubScheme } from '../../../receiver/schemes/github.js';
import type { InboundRequest } from '../../../receiver/schemes/scheme.js';
import { compareByRanks, type RankComparison } from '../harness/rank-test.js';
import type { ReliabilityRow } from '../harness/reliability-row.js';

/** Samples per class; each sample times a batch of calls, so that one sample is far above the timer's resolution. */
const SAMPLES = 300;
/** A difference counts only when it is both significant and large: a busy machine makes small, spurious ones. */
const SIGNIFICANCE = 0.001;
const LARGE_EFFECT = 0.21;

interface TimedPair {
  readonly name: string;
  readonly batch: number;
  readonly wrongFirst: () => unknown;
  readonly wrongLast: () => unknown;
}

/**
 * Does a wrong first byte get refused faster than a wrong last byte? Timed in interleaved pairs (in
 * random order, so both classes share whatever else the machine is doing) and compared with a rank
 * test; it fails only on a significant AND large difference. A deliberately leaky compare is
 * measured the same way to show that the test would see a leak.
 */
export async function compareTiming(): Promise<ReliabilityRow> {
  // Every input is made before timing starts: an allocation inside a timed call would time the garbage collector.
  const digest = randomBytes(32);
  const digestFirstWrong = withWrongByte(digest, 0);
  const digestLastWrong = withWrongByte(digest, 31);
  const secret = randomBytes(20).toString('hex');
  const body = Buffer.from(JSON.stringify({ action: 'opened', number: 1 }));
  const scheme = githubScheme();
  const keys = [{ secretId: 's1', key: scheme.prepareKey(secret) }];
  const mac = createHmac('sha256', secret).update(body).digest('hex');
  const request = (signature: string): InboundRequest => ({ method: 'POST', path: '/hooks/gh', query: '', headers: { 'x-hub-signature-256': `sha256=${signature}` }, body });
  const flip = (hex: string, at: number): string => `${hex.slice(0, at)}${hex[at] === '0' ? '1' : '0'}${hex.slice(at + 1)}`;
  const firstWrong = request(flip(mac, 0));
  const lastWrong = request(flip(mac, mac.length - 1));
  const leakyExpected = randomBytes(4096);
  const leakyFirst = withWrongByte(leakyExpected, 0);
  const leakyLast = withWrongByte(leakyExpected, 4095);

  const pairs: TimedPair[] = [
    { name: 'bytesEqual (32 bytes)', batch: 2_000, wrongFirst: () => bytesEqual(digest, digestFirstWrong), wrongLast: () => bytesEqual(digest, digestLastWrong) },
    { name: 'github verify', batch: 200, wrongFirst: () => scheme.verify(firstWrong, keys), wrongLast: () => scheme.verify(lastWrong, keys) },
  ];
  const control: TimedPair = { name: 'leaky early-exit compare (control)', batch: 50, wrongFirst: () => leakyEquals(leakyExpected, leakyFirst), wrongLast: () => leakyEquals(leakyExpected, leakyLast) };

  const violations: string[] = [];
  const notes: string[] = [];
  let tries = 0;
  for (const pair of pairs) {
    const result = await timePair(pair);
    tries += 2 * SAMPLES * pair.batch;
    notes.push(`${pair.name}: p=${result.p.toExponential(1)}, A=${result.a.toFixed(2)}`);
    if (result.p < SIGNIFICANCE && Math.abs(result.a - 0.5) > LARGE_EFFECT) violations.push(`${pair.name}: a wrong last byte takes measurably longer (p=${result.p.toExponential(1)}, A=${result.a.toFixed(2)})`);
  }
  const seen = await timePair(control);
  notes.push(`control: p=${seen.p.toExponential(1)}, A=${seen.a.toFixed(2)}`);
  if (!(seen.p < SIGNIFICANCE && seen.a - 0.5 > LARGE_EFFECT)) violations.push(`the test did not see the control's leak (p=${seen.p.toExponential(1)}, A=${seen.a.toFixed(2)}): it has no power here`);
  return {
    name: 'timing of a wrong first vs a wrong last byte (rank test)',
    sent: tries,
    acknowledged: 0,
    rejected: tries,
    lost: 0,
    acceptedTwice: 0,
    peakRssMib: process.resourceUsage().maxRSS / 1024,
    violations,
    note: `${SAMPLES} interleaved samples per class; ${notes.join('; ')} (A: chance a last-byte sample is slower; 0.5 = none)`,
  };
}

/** The samples' ranks compared: A above 0.5 means the wrong-last-byte batches took longer. */
async function timePair(pair: TimedPair): Promise<RankComparison> {
  const first: number[] = [];
  const last: number[] = [];
  const time = (call: () => unknown): number => {
    const start = process.hrtime.bigint();
    for (let index = 0; index < pair.batch; index++) call();
    return Number(process.hrtime.bigint() - start);
  };
  for (let warm = 0; warm < 20; warm++) {
    time(pair.wrongFirst);
    time(pair.wrongLast);
  }
  for (let sample = 0; sample < SAMPLES; sample++) {
    if (Math.random() < 0.5) {
      first.push(time(pair.wrongFirst));
      last.push(time(pair.wrongLast));
    } else {
      last.push(time(pair.wrongLast));
      first.push(time(pair.wrongFirst));
    }
    // Let the event loop breathe between samples, so the test's own process stays responsive.
    if (sample % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
  }
  return compareByRanks(last, first);
}

function withWrongByte(bytes: Buffer, at: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] = copy[at]! ^ 1;
  return copy;
}

/** What the constant-time compare must not be: it stops at the first difference. */
function leakyEquals(a: Buffer, b: Buffer): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false;
  return true;
}
