import type { JwsKeySetView } from '../../shared/contract/admin-api.js';

/** Unknown key ids remembered for the key-set view; the least recently seen is forgotten first. */
const MAX_UNKNOWN_KIDS = 50;

/** Which keys verified deliveries and which unknown key ids were presented, for the key-set view. */
export class KeyUsage {
  private readonly verified = new Map<string, { count: number; lastAt: number }>();
  private readonly unknownKids = new Map<string, { count: number; lastSeenAt: number }>();

  private readonly looked = new WeakSet<object>();

  constructor(private readonly now: () => number) {}

  /**
   * True the first time a request (known by its headers object) is verified. The pipeline verifies a
   * failed request again (retired keys, diagnoses on altered bodies); those looks must not count twice,
   * and a diagnosis that verifies an altered body is not a delivery verified by that key.
   */
  firstLook(headers: object): boolean {
    if (this.looked.has(headers)) return false;
    this.looked.add(headers);
    return true;
  }

  verifiedBy(kid: string): void {
    const entry = this.verified.get(kid) ?? { count: 0, lastAt: 0 };
    // Keys come from the operator's JWKS, so this map is as bounded as the key set.
    this.verified.set(kid, { count: entry.count + 1, lastAt: this.now() });
  }

  unknown(kid: string): void {
    const entry = this.unknownKids.get(kid) ?? { count: 0, lastSeenAt: 0 };
    // Kids are the sender's text: bounded, least recently seen forgotten first.
    this.unknownKids.delete(kid);
    if (this.unknownKids.size >= MAX_UNKNOWN_KIDS) {
      const stalest = this.unknownKids.keys().next().value;
      if (stalest !== undefined) this.unknownKids.delete(stalest);
    }
    this.unknownKids.set(kid.slice(0, 200), { count: entry.count + 1, lastSeenAt: this.now() });
  }

  view(): Pick<JwsKeySetView, 'verifiedByKid' | 'unknownKids'> {
    const iso = (ms: number) => new Date(ms).toISOString();
    return {
      verifiedByKid: [...this.verified].map(([kid, { count, lastAt }]) => ({ kid, count, lastAt: iso(lastAt) })),
      unknownKids: [...this.unknownKids].map(([kid, { count, lastSeenAt }]) => ({ kid, count, lastSeenAt: iso(lastSeenAt) })),
    };
  }
}

