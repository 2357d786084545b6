import type Database from 'better-sqlite3';

/** The most rows one statement inserts; a bigger batch takes several. 32 of the log's rows bind 672 parameters. */
const MAX_ROWS = 32;

type Value = string | number | bigint | Buffer | null;

/**
 * Rows of one table inserted a batch at a time, through multi-row INSERT statements of 32, 16, 8, 4,
 * 2 and 1 rows (a batch of n rows takes its binary digits: at most n / 32 + 5 statements). Each
 * statement run costs the same whatever its rows: stepping and resetting the statement, and the
 * result object better-sqlite3 builds through V8's slow property path. One run per row was most of
 * that per delivery. Not reentrant: the rows pushed are inserted by the next `insert`.
 */
export class MultiRowInsert {
  /** Index k inserts 2^k rows. */
  private readonly statements: Database.Statement[] = [];
  private readonly values: Value[] = [];
  private rows = 0;

  /** `into`: "table (columns)"; `row`: one row's VALUES tuple, "(?, ?, unhex(?))". */
  constructor(
    db: Database.Database,
    into: string,
    row: string,
    private readonly width: number,
  ) {
    for (let rows = 1; rows <= MAX_ROWS; rows *= 2) this.statements.push(db.prepare(`INSERT INTO ${into} VALUES ${Array.from({ length: rows }, () => row).join(', ')}`));
  }

  /** The array the next row's `width` values are pushed onto, in the statement's order. */
  nextRow(): Value[] {
    this.rows++;
    return this.values;
  }

  /** Inserts the rows pushed since the last insert, in order; the rowid of the first of them (undefined when none). */
  insert(): number | undefined {
    const { values, width } = this;
    let first: number | undefined;
    let done = 0;
    try {
      while (done < this.rows) {
        const power = Math.min(Math.floor(Math.log2(this.rows - done)), this.statements.length - 1);
        const rows = 2 ** power;
        const statement = this.statements[power] as Database.Statement;
        const bound = done === 0 && rows === this.rows ? values : values.slice(done * width, (done + rows) * width);
        // One connection writes the table, in one statement: its rows get consecutive rowids, the last one reported.
        const last = Number(statement.run(bound).lastInsertRowid);
        first ??= last - rows + 1;
        done += rows;
      }
    } finally {
      // A failed insert leaves nothing queued for the next one (its transaction rolls back).
      values.length = 0;
      this.rows = 0;
    }
    return first;
  }
}
