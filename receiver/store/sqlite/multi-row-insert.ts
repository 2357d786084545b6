import type Database from 'better-sqlite3';

/** The most rows one statement inserts; a bigger batch takes several. 32 of the log's rows bind 672 parameters. */
const MAX_ROWS = 32;

export type RowValue = string | number | bigint | Buffer | null;

/**
 * Rows of one table inserted a batch at a time, through multi-row INSERT statements of 32, 16, 8, 4,
 * 2 and 1 rows (a batch of n rows takes its binary digits: at most n / 32 + 5 statements). A
 * statement run has a cost on top of its rows' (stepping and resetting the statement, the result
 * object better-sqlite3 builds through V8's slow property path) that one run per row paid per row.
 */
export class MultiRowInsert {
  /** Index k inserts 2^k rows. */
  private readonly statements: Database.Statement[] = [];

  /** `into`: "table (columns)"; `row`: one row's VALUES tuple, "(?, ?, unhex(?))" with `width` parameters. */
  constructor(
    db: Database.Database,
    into: string,
    row: string,
    private readonly width: number,
  ) {
    for (let rows = 1; rows <= MAX_ROWS; rows *= 2) this.statements.push(db.prepare(`INSERT INTO ${into} VALUES ${Array.from({ length: rows }, () => row).join(', ')}`));
  }

  /** Inserts rows given one after another, `width` values each, in order; the rowid of the first (undefined when none). */
  insert(values: readonly RowValue[]): number | undefined {
    const { width } = this;
    const total = values.length / width;
    let first: number | undefined;
    let done = 0;
    while (done < total) {
      const power = Math.min(Math.floor(Math.log2(total - done)), this.statements.length - 1);
      const rows = 2 ** power;
      const statement = this.statements[power] as Database.Statement;
      const bound = rows === total ? values : values.slice(done * width, (done + rows) * width);
      // One connection writes the table, in one statement: its rows get consecutive rowids, the last one reported.
      const last = Number(statement.run(bound).lastInsertRowid);
      first ??= last - rows + 1;
      done += rows;
    }
    return first;
  }
}
