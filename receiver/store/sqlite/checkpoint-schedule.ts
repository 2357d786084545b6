/**
 * WAL frames past which a commit checkpoints itself. The checkpoint thread copies frames as they come, but
 * the WAL restarts from its beginning only at a commit that finds every frame copied, which a steady load
 * rarely leaves between two commits: this backstop copies the few frames left, so the WAL restarts, and
 * bounds it when the checkpoint thread falls behind.
 */
export const BACKSTOP_CHECKPOINT_FRAMES = 8_000;
/** Past this many frames in the WAL the backstop is near. */
const NEAR_BACKSTOP_FRAMES = BACKSTOP_CHECKPOINT_FRAMES * 0.75;
/** How much sooner the checkpoint thread comes back when the backstop is near. */
const NEAR_BACKSTOP_SPEED_UP = 10;

/**
 * How long the checkpoint thread waits before its next checkpoint, given the WAL's frames after this one.
 * Every checkpoint copies the pages every commit rewrites (the right edges of the B-trees, page 1) once
 * more, a 4 KB write each to the database file, so checkpoints are rare; but the backstop copies, inside a
 * commit that every 202 of its batch waits for, whatever the thread has not copied yet, so near the
 * backstop they come often and leave it little.
 */
export function nextCheckpointDelayMs(intervalMs: number, walFrames: number): number {
  return walFrames > NEAR_BACKSTOP_FRAMES ? intervalMs / NEAR_BACKSTOP_SPEED_UP : intervalMs;
}
