/**
 * Bytes of rejected requests' bodies an integration may capture per minute. Past the budget a
 * rejection is still logged, without its capture: a flood of forged 1 MB bodies then costs a log
 * line each, not disk. Keys are integration ids (a fixed, configured set), so the map stays small.
 */
export class CaptureBudget {
  private readonly spent = new Map<string, { minute: number; bytes: number }>();

  take(integrationId: string, bytes: number, perMinute: number, now: number): boolean {
    const minute = Math.floor(now / 60_000);
    let entry = this.spent.get(integrationId);
    if (!entry || entry.minute !== minute) {
      entry = { minute, bytes: 0 };
      this.spent.set(integrationId, entry);
    }
    if (entry.bytes + bytes > perMinute) return false;
    entry.bytes += bytes;
    return true;
  }
}
