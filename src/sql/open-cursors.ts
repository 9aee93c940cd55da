/**
 * The cursors of one database whose statements are still stepping. An
 * unfinished statement holds a read on its tables, so SQLite would refuse to
 * drop them ("database table is locked"); production's deleteAll() cancels
 * such queries instead, and their cursors then throw. Cursors a user dropped
 * unfinished are forgotten once collected (their statements reset then).
 */
export interface Cancelable {
  /** Stops the statement (it is reset) and makes every later read throw `message`. */
  cancel(message: string): void;
}

interface Entry {
  readonly cursor: WeakRef<Cancelable>;
  /** Resets the statement, for a cursor already collected. */
  readonly reset: () => void;
}

/** How many entries may gather before collected cursors are swept out. */
const SWEEP_AT = 64;

export const DATABASE_DELETED = "SQLite query was canceled because the database was deleted.";

export class OpenCursors {
  private readonly entries = new Set<Entry>();
  private sweepAt = SWEEP_AT;

  /** Tracks a cursor until `finished` is called with the returned token. */
  add(cursor: Cancelable, reset: () => void): object {
    const entry: Entry = { cursor: new WeakRef(cursor), reset };
    this.entries.add(entry);
    if (this.entries.size >= this.sweepAt) this.sweep();
    return entry;
  }

  finished(token: object): void {
    this.entries.delete(token as Entry);
  }

  /** Whether a cursor still steps (a user may read it later). */
  get any(): boolean {
    this.sweep();
    return this.entries.size > 0;
  }

  /** Cancels every unfinished cursor with `message`. */
  cancelAll(message: string): void {
    const entries = [...this.entries];
    this.entries.clear();
    for (const entry of entries) {
      const cursor = entry.cursor.deref();
      if (cursor === undefined) entry.reset();
      else cursor.cancel(message);
    }
  }

  private sweep(): void {
    for (const entry of this.entries) {
      if (entry.cursor.deref() !== undefined) continue;
      this.entries.delete(entry);
      entry.reset();
    }
    this.sweepAt = Math.max(SWEEP_AT, 2 * this.entries.size);
  }
}
