import type { Actor } from './admin-service.js';

export interface Refusal {
  readonly actor: Actor;
  readonly route: string;
  readonly status: 401 | 403 | 429;
  readonly problem: string;
}

/** One audit entry summing up the refusals of one caller in one minute. */
export interface RefusalSummary {
  readonly actor: Actor;
  readonly status: 401 | 403 | 429;
  /** The first refusal's route and problem, and how many there were. */
  readonly route: string;
  readonly problem: string;
  readonly count: number;
  readonly firstAt: string;
  readonly lastAt: string;
  /** Up to a few distinct routes that were tried: enough to see what a guesser was after. */
  readonly routes: readonly string[];
}

interface Pending {
  readonly first: Refusal;
  readonly firstAt: number;
  lastAt: number;
  count: number;
  readonly routes: Set<string>;
}

const WINDOW_MS = 60_000;
const MAX_ROUTES_KEPT = 5;
/** Callers tracked per minute; beyond it every further caller is counted in one entry for source `*`. */
export const MAX_CALLERS_PER_WINDOW = 1_000;

/**
 * Refused admin requests, summed up per caller (token name or anonymous, source address, status) per
 * minute: a guesser from 3,000 addresses writes at most ~1,000 entries a minute, not one per guess.
 * A window is written when the clock leaves it (`flushClosed`, called on every refusal, on every read
 * of the audit log and by the server's timer) or when the node shuts down (`flush`).
 */
export class RefusalAudit {
  private window = Number.NaN;
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly write: (summary: RefusalSummary) => void) {}

  record(refusal: Refusal, now: number): void {
    this.flushClosed(now);
    this.window = Math.floor(now / WINDOW_MS);
    const overflow = this.pending.size >= MAX_CALLERS_PER_WINDOW;
    const caller = overflow ? { ...refusal, actor: { name: '*', sourceIp: '*', person: null } } : refusal;
    const key = `${caller.status}|${caller.actor.name}|${caller.actor.sourceIp}|${caller.actor.person ?? ''}`;
    const entry = this.pending.get(key);
    if (!entry) {
      this.pending.set(key, { first: caller, firstAt: now, lastAt: now, count: 1, routes: new Set([caller.route]) });
      return;
    }
    entry.count += 1;
    entry.lastAt = now;
    if (entry.routes.size < MAX_ROUTES_KEPT) entry.routes.add(caller.route);
  }

  /** Writes the summaries of a minute the clock has left. */
  flushClosed(now: number): void {
    if (this.pending.size > 0 && Math.floor(now / WINDOW_MS) !== this.window) this.flush();
  }

  flush(): void {
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (const entry of entries) {
      this.write({
        actor: entry.first.actor,
        status: entry.first.status,
        route: entry.first.route,
        problem: entry.first.problem,
        count: entry.count,
        firstAt: new Date(entry.firstAt).toISOString(),
        lastAt: new Date(entry.lastAt).toISOString(),
        routes: [...entry.routes],
      });
    }
  }
}
