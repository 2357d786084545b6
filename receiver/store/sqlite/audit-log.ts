import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { AuditEntry, AuditLog as AuditLogView, AuditQuery } from '../../../shared/contract/admin-api.js';

export interface AuditInput {
  /** Unix milliseconds. */
  readonly at: number;
  /** The token's name; never the token. */
  readonly actor: string;
  readonly action: string;
  readonly integrationId: string | null;
  /** Ids, modes, reasons: callers never put secret values or tokens here. */
  readonly details: Record<string, unknown>;
  /** Who sat at the console (sanitised `X-Hookwarden-Person`), when the caller said. */
  readonly person?: string | null;
}

interface AuditRow {
  seq: number;
  at: number;
  actor: string;
  action: string;
  integration_id: string | null;
  details: string;
  person: string | null;
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

/**
 * The hash of one entry: it covers the previous entry's hash, so changing any entry breaks every link after it.
 * `person` is hashed only when present, so entries written before it existed still verify.
 */
export function entryHash(
  prevHash: string,
  entry: { seq: number; at: number; actor: string; action: string; integrationId: string | null; details: unknown; person?: string | null },
): string {
  const fields = {
    seq: entry.seq,
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    integrationId: entry.integrationId,
    details: entry.details,
    ...(entry.person == null ? {} : { person: entry.person }),
  };
  return createHash('sha256').update(prevHash).update(canonicalJson(fields)).digest('hex');
}

const COLUMNS = 'seq, at, actor, action, integration_id, details, person, prev_hash, hash';
/** Rows read per step of the chain check, so a long chain is never all in memory. */
const VERIFY_BATCH = 5_000;

/**
 * The node's append-only, sha256-chained log of admin actions. The chain has no key: it shows that
 * a stored entry was changed or removed, not who did it; an attacker able to rewrite the file can
 * rewrite the chain too.
 *
 * Reading is paged (newest first). The whole chain is verified incrementally: a checkpoint in memory
 * says up to which seq it verified, so each read hashes only what was appended since, plus the page
 * it returns (an entry altered after it was checked is still caught when it is read).
 */
export class AuditLog {
  private readonly last: Database.Statement<[], Pick<AuditRow, 'seq' | 'hash'>>;
  private readonly insert: Database.Statement<[AuditRow]>;
  private readonly after: Database.Statement<[number, number], AuditRow>;
  private readonly before: Database.Statement<[number, number], AuditRow>;
  private readonly atSeq: Database.Statement<[number], Pick<AuditRow, 'hash'>>;
  private readonly appendInTransaction: Database.Transaction<(input: AuditInput) => AuditEntry>;
  /** Verified from the start up to `seq`, whose hash is `hash`; `brokenAt` once a break is found. */
  private checkpoint: { seq: number; hash: string; brokenAt?: number } = { seq: 0, hash: GENESIS_HASH };

  constructor(db: Database.Database) {
    this.last = db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1');
    this.insert = db.prepare(`INSERT INTO audit (${COLUMNS})
      VALUES (@seq, @at, @actor, @action, @integration_id, @details, @person, @prev_hash, @hash)`);
    this.after = db.prepare(`SELECT ${COLUMNS} FROM audit WHERE seq > ? ORDER BY seq LIMIT ?`);
    this.before = db.prepare(`SELECT ${COLUMNS} FROM audit WHERE seq < ? ORDER BY seq DESC LIMIT ?`);
    this.atSeq = db.prepare('SELECT hash FROM audit WHERE seq = ?');
    // Reading the tail and inserting the next entry in one transaction keeps the chain linear.
    this.appendInTransaction = db.transaction((input: AuditInput) => {
      const tail = this.last.get();
      const seq = (tail?.seq ?? 0) + 1;
      const prevHash = tail?.hash ?? GENESIS_HASH;
      const detailsText = canonicalJson(input.details);
      // Hashed as it will read back from the table, so verification recomputes exactly this.
      const details = JSON.parse(detailsText) as Record<string, unknown>;
      const person = input.person ?? null;
      const hash = entryHash(prevHash, { ...input, person, seq, details });
      const row: AuditRow = { seq, at: input.at, actor: input.actor, action: input.action, integration_id: input.integrationId, details: detailsText, person, prev_hash: prevHash, hash };
      this.insert.run(row);
      return toEntry(row);
    });
  }

  append(input: AuditInput): AuditEntry {
    // IMMEDIATE takes the write lock before reading the tail: a deferred transaction would read a snapshot
    // that the writer thread's next commit makes stale, and its upgrade to writing fails at once with
    // "database is locked" instead of waiting (SQLite does not retry a stale snapshot).
    return this.appendInTransaction.immediate(input);
  }

  /**
   * A page of entries, newest first, older than `cursor` when given; `nextCursor` pages further back.
   * `chain` is the state of the whole chain, not only of the page.
   */
  read(query: Partial<AuditQuery> = {}): AuditLogView {
    const limit = query.limit ?? 200;
    const rows = this.before.all(query.cursor === undefined ? Number.MAX_SAFE_INTEGER : Number(query.cursor), limit);
    const entries = rows.map(toEntry);
    let brokenAt = this.verifyToTail();
    // The page itself is checked again against its stored links: it may have changed since the checkpoint passed it.
    const hashOf = new Map(rows.map((row) => [row.seq, row.hash]));
    rows.forEach((row, index) => {
      const previous = row.seq === 1 ? GENESIS_HASH : (hashOf.get(row.seq - 1) ?? this.atSeq.get(row.seq - 1)?.hash ?? '');
      if (!verifies(row, entries[index] as AuditEntry, previous) && (brokenAt === undefined || row.seq < brokenAt)) brokenAt = row.seq;
    });
    const oldest = rows.at(-1)?.seq;
    return {
      entries,
      chain: brokenAt === undefined ? { verified: true } : { verified: false, brokenAt },
      nextCursor: rows.length === limit && oldest !== undefined && oldest > 1 ? String(oldest) : null,
    };
  }

  /** Hashes the entries appended since the checkpoint; the first break found is remembered. */
  private verifyToTail(): number | undefined {
    while (this.checkpoint.brokenAt === undefined) {
      const rows = this.after.all(this.checkpoint.seq, VERIFY_BATCH);
      for (const row of rows) {
        // A gap in seq is a removed entry: the next one's link no longer matches.
        if (!verifies(row, toEntry(row), this.checkpoint.hash)) {
          this.checkpoint = { ...this.checkpoint, brokenAt: row.seq };
          break;
        }
        this.checkpoint = { seq: row.seq, hash: row.hash };
      }
      if (rows.length < VERIFY_BATCH) break;
    }
    return this.checkpoint.brokenAt;
  }
}

function verifies(row: AuditRow, entry: AuditEntry, expectedPrev: string): boolean {
  if (row.prev_hash !== expectedPrev) return false;
  const recomputed = entryHash(row.prev_hash, {
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    action: row.action,
    integrationId: row.integration_id,
    details: entry.details,
    person: row.person,
  });
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
    person: row.person,
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
