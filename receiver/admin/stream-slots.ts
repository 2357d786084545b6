/** Concurrent live streams: at most `max` in all and `perToken` per token name. */
export interface StreamLimits {
  readonly max: number;
  readonly perToken: number;
}

/** Counts open streams; `acquire` answers the release function, or why there is no slot. */
export class StreamSlots {
  private total = 0;
  private readonly byToken = new Map<string, number>();

  constructor(private readonly limits: StreamLimits) {}

  acquire(token: string): { release: () => void } | { refused: string } {
    const own = this.byToken.get(token) ?? 0;
    if (own >= this.limits.perToken) return { refused: `this token already has ${own} open streams (admin.streams.perToken is ${this.limits.perToken})` };
    if (this.total >= this.limits.max) return { refused: `the node already serves ${this.total} streams (admin.streams.max is ${this.limits.max})` };
    this.total += 1;
    this.byToken.set(token, own + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.total -= 1;
        const left = (this.byToken.get(token) ?? 1) - 1;
        if (left === 0) this.byToken.delete(token);
        else this.byToken.set(token, left);
      },
    };
  }
}
