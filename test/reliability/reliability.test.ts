import { afterAll, describe, expect, it } from 'vitest';
import type { ReliabilityRow } from './harness/reliability-row.js';
import { publishSummary, rowPassed } from './harness/summary-table.js';
import { hostileHttp } from './scenarios/hostile-http.js';
import { adminTokenGuessing } from './scenarios/admin-guessing.js';
import { idleStreams } from './scenarios/idle-streams.js';
import { compareTiming } from './scenarios/compare-timing.js';
import { diskFull } from './scenarios/disk-full.js';
import { forgerStorm } from './scenarios/forger-storm.js';
import { forgeryCorpus } from './scenarios/forgery-corpus.js';
import { fleetNodeKillAndReplay } from './scenarios/fleet-node-kill.js';
import { singleNodeKillRounds } from './scenarios/node-kill.js';
import { redisCrash } from './scenarios/redis-crash.js';

/**
 * Faults and attacks against real receiver processes, one row each in a summary table printed at
 * the end and kept in test-artifacts/reliability.md. docs/reliability.md says what each row means.
 * Needs the built bin (`npm run build`).
 */
describe.sequential('reliability', () => {
  const rows: ReliabilityRow[] = [];
  const started = Date.now();
  afterAll(() => publishSummary(rows, (Date.now() - started) / 1000));

  const row = (name: string, run: () => Promise<ReliabilityRow | ReliabilityRow[]>, timeoutMs: number): void => {
    it(name, async () => {
      const produced = [await run()].flat();
      rows.push(...produced);
      for (const each of produced) {
        expect.soft({ row: each.name, lost: each.lost, acceptedTwice: each.acceptedTwice, violations: each.violations }).toEqual({
          row: each.name,
          lost: 0,
          acceptedTwice: 0,
          violations: [],
        });
        expect(rowPassed(each)).toBe(true);
      }
    }, timeoutMs);
  };

  row('kill -9 of a single node under traffic loses nothing acknowledged', singleNodeKillRounds, 150_000);
  row('kill -9 of a fleet node loses nothing, and a replay to every node is a duplicate', fleetNodeKillAndReplay, 180_000);
  row('Redis kill -9 and restart loses nothing acknowledged', redisCrash, 150_000);
  row('a full disk refuses what it cannot store and loses nothing', diskFull, 200_000);
  row('a retry storm of forgers neither spends the rate limit nor fills the disk', forgerStorm, 150_000);
  row('no forgery of any scheme is accepted, and a re-spelled MAC is a duplicate', forgeryCorpus, 90_000);
  row('hostile HTTP is refused and ends no process', hostileHttp, 150_000);
  row('admin token guessing from many addresses is throttled and lets no one in', adminTokenGuessing, 120_000);
  row('thousands of idle SSE clients leave the ingress serving', idleStreams, 150_000);
  row('a wrong first byte and a wrong last byte are refused in the same time', compareTiming, 120_000);
});
