import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { AuditEntry, AuditLog as AuditLogView } from '../../../shared/contract/admin-api.js';

export interface AuditInput {
  /** Unix milliseconds. */
  readonly at: number;
  /** The token's name; never the token. */
  readonly actor: string;
  readonly action: string;
  readonly integrationId: string | null;
  /** Ids, modes, reasons: callers never put secret values or tokens here. */
  readonly details: Record<string, unknown>;
}

interface AuditRow {
  seq: number;
  at: number;
  actor: string;
  action: string;
  integration_id: string | null;
  details: string;
  prev_hash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/**
 * JSON with object keys sorted at every level, so that the same entry always hashes the same,
 * whatever order its details were built in.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return canonicalJson((value as { toJSON: () => unknown }).toJSON());
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  const fields = Object.keys(value)
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined && typeof (value as Record<string, unknown>)[key] !== 'function')
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
  return `{${fields.join(',')}}`;
}

/** The hash of one entry: it covers the previous entry's hash, so changing any entry breaks every link after it. */
export function entryHash(prevHash: string, entry: { seq: number; at: number; actor: string; action: string; integrationId: string | null; details: unknown }): string {
  const fields = { seq: entry.seq, at: entry.at, actor: entry.actor, action: entry.action, integrationId: entry.integrationId, details: entry.details };
  return createHash('sha256').update(prevHash).update(canonicalJson(fields)).digest('hex');
}

/**
 * The node's append-only, sha256-chained log of admin actions. The chain has no key: it shows that
 * a stored entry was changed or removed, not who did it; an attacker able to rewrite the file can
 * rewrite the chain too.
 */
export class AuditLog {
  private readonly last: Database.Statement<[], Pick<AuditRow, 'seq' | 'hash'>>;
  private readonly insert: Database.Statement<[AuditRow]>;
  private readonly all: Database.Statement<[], AuditRow>;
  private readonly appendInTransaction: (input: AuditInput) => AuditEntry;

  constructor(db: Database.Database) {
    this.last = db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1');
    this.insert = db.prepare(`INSERT INTO audit (seq, at, actor, action, integration_id, details, prev_hash, hash)
      VALUES (@seq, @at, @actor, @action, @integration_id, @details, @prev_hash, @hash)`);
    this.all = db.prepare('SELECT seq, at, actor, action, integration_id, details, prev_hash, hash FROM audit ORDER BY seq');
    // Reading the tail and inserting the next entry in one transaction keeps the chain linear.
    this.appendInTransaction = db.transaction((input: AuditInput) => {
      const tail = this.last.get();
      const seq = (tail?.seq ?? 0) + 1;
      const prevHash = tail?.hash ?? GENESIS_HASH;
      const detailsText = canonicalJson(input.details);
      // Hashed as it will read back from the table, so verification recomputes exactly this.
      const details = JSON.parse(detailsText) as Record<string, unknown>;
      const hash = entryHash(prevHash, { ...input, seq, details });
      this.insert.run({ seq, at: input.at, actor: input.actor, action: input.action, integration_id: input.integrationId, details: detailsText, prev_hash: prevHash, hash });
      return toEntry({ seq, at: input.at, actor: input.actor, action: input.action, integration_id: input.integrationId, details: detailsText, prev_hash: prevHash, hash });
    });
  }

  append(input: AuditInput): AuditEntry {
    return this.appendInTransaction(input);
  }

  /** Every entry, oldest first, and whether the chain still verifies (else the seq of the first entry that does not). */
  read(): AuditLogView {
    const entries: AuditEntry[] = [];
    let expectedPrev = GENESIS_HASH;
    let brokenAt: number | undefined;
    for (const row of this.all.iterate()) {
      const entry = toEntry(row);
      entries.push(entry);
      if (brokenAt === undefined && !verifies(row, entry, expectedPrev)) brokenAt = row.seq;
      expectedPrev = row.hash;
    }
    return { entries, chain: brokenAt === undefined ? { verified: true } : { verified: false, brokenAt } };
  }
}

function verifies(row: AuditRow, entry: AuditEntry, expectedPrev: string): boolean {
  if (row.prev_hash !== expectedPrev) return false;
  const recomputed = entryHash(row.prev_hash, { seq: row.seq, at: row.at, actor: row.actor, action: row.action, integrationId: row.integration_id, details: entry.details });
  return recomputed === row.hash;
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    seq: row.seq,
    at: new Date(row.at).toISOString(),
    actor: row.actor,
    action: row.action,
    integrationId: row.integration_id,
    details: parseDetails(row.details),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** A row whose details were overwritten with something that is not a JSON object still reads (and fails verification). */
function parseDetails(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : { unreadable: text };
  } catch {
    return { unreadable: text };
  }
}
