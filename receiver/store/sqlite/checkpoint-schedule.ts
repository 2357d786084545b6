/**
 * WAL frames past which a commit checkpoints itself. The checkpoint thread copies frames as they come, but
 * the WAL restarts from its beginning only at a commit that finds every frame copied, which a steady load
 * rarely leaves between two commits: this backstop copies the few frames left, so the WAL restarts, and
 * bounds it when the checkpoint thread falls behind.
 */
export const BACKSTOP_CHECKPOINT_FRAMES = 8_000;

/** What the checkpoint thread saw at its last checkpoint. */
export interface WalGrowth {
  /** Frames in the WAL after it. */
  readonly walFrames: number;
  /** Frames the WAL grew by since the checkpoint before, and in how long. */
  readonly newFrames: number;
  readonly sinceMs: number;
}

/** The soonest the thread comes back, as a share of its interval. */
const SOONEST_SHARE = 0.1;
/**
 * The thread comes back after this share of the time the WAL would take to reach the backstop at its last
 * rate: checkpoints close in on it (a half, a quarter… of the way) and meet it first even if the load
 * doubles meanwhile.
 */
const CLOSING_SHARE = 0.5;

/**
 * How long the checkpoint thread waits before its next checkpoint. Every checkpoint copies the pages every
 * commit rewrites (the right edges of the B-trees, page 1) once more, a 4 KB write each to the database
 * file, so checkpoints are rare (`intervalMs`). But the backstop copies whatever the thread has not copied
 * yet inside a commit, which every 202 of its batch waits for: when the WAL grows fast enough to reach it
 * soon, the thread closes in on that moment, so the backstop finds little left to copy.
 */
export function nextCheckpointDelayMs(intervalMs: number, growth: WalGrowth): number {
  const left = BACKSTOP_CHECKPOINT_FRAMES - growth.walFrames;
  const framesPerMs = growth.sinceMs > 0 ? growth.newFrames / growth.sinceMs : 0;
  const untilBackstopMs = left <= 0 ? 0 : framesPerMs === 0 ? Infinity : left / framesPerMs;
  return Math.min(intervalMs, Math.max(intervalMs * SOONEST_SHARE, untilBackstopMs * CLOSING_SHARE));
}
