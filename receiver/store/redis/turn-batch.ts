/**
 * Gathers the calls made during one turn of the event loop and runs them as one operation when the
 * turn ends (setImmediate runs after every I/O callback that was ready). Under load, the deliveries
 * whose bodies arrived together claim their keys in one Redis round trip, and the deliveries of one
 * durable commit extend theirs in one: Redis then does one read, one script and one fsync for all
 * of them instead of one each.
 *
 * The operation answers each call in order, or fails, and then every call of the batch fails with
 * the same error.
 */
interface Waiter<O> {
  readonly resolve: (value: O) => void;
  readonly reject: (error: unknown) => void;
}

export class TurnBatch<I, O> {
  private items: I[] = [];
  private waiters: Waiter<O>[] = [];
  private scheduled = false;

  constructor(
    private readonly operation: (items: readonly I[]) => Promise<readonly O[]>,
    /** A batch this large runs at once: bounds one script's time in Redis and one reply's size. */
    private readonly maxItems: number,
  ) {}

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.items.push(item);
      this.waiters.push({ resolve, reject });
      if (this.items.length >= this.maxItems) this.run();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.run());
      }
    });
  }

  private run(): void {
    this.scheduled = false;
    if (this.items.length === 0) return;
    const items = this.items;
    const waiters = this.waiters;
    this.items = [];
    this.waiters = [];
    this.operation(items).then(
      (results) => {
        if (results.length !== waiters.length) {
          const error = new Error(`a batch of ${waiters.length} was answered with ${results.length} results`);
          for (const waiter of waiters) waiter.reject(error);
          return;
        }
        waiters.forEach((waiter, index) => waiter.resolve(results[index] as O));
      },
      (error: unknown) => {
        for (const waiter of waiters) waiter.reject(error);
      },
    );
  }
}
