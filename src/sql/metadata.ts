import type { SqliteDatabase } from "./database.js";
import type { TransactionStack } from "./transactions.js";

/**
 * The object's own facts in the same database, so they commit and roll back
 * with its data (a test layer's pop() restores the alarm too). The table is
 * production's: `_cf_METADATA (key INTEGER PRIMARY KEY, value BLOB)`, key 1
 * the alarm time in nanoseconds since the epoch, key 2 the local
 * development bookmark counter.
 */
export const METADATA_TABLE = "_cf_METADATA";
const ALARM = 1;
const BOOKMARK = 2;

export class Metadata {
  private existsAt = -1;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly transactions: TransactionStack,
  ) {}

  private exists(): boolean {
    if (this.existsAt === this.db.schemaEpoch) return true;
    const found = this.db.hasTable(METADATA_TABLE);
    if (found) this.existsAt = this.db.schemaEpoch;
    return found;
  }

  private read(key: number): unknown {
    if (!this.exists()) return undefined;
    return this.db.queryOne(`SELECT value FROM ${METADATA_TABLE} WHERE key = ?`, [key])?.[0] ?? undefined;
  }

  private write(key: number, value: bigint | null): void {
    this.transactions.beforeWrite();
    if (!this.exists()) {
      this.db.exec(`CREATE TABLE IF NOT EXISTS ${METADATA_TABLE} (key INTEGER PRIMARY KEY, value BLOB)`);
      this.existsAt = this.db.schemaEpoch;
    }
    // A BigInt binds as an INTEGER (a number would bind as a REAL).
    this.db.run(`INSERT INTO ${METADATA_TABLE} (key, value) VALUES (?, ?) ON CONFLICT DO UPDATE SET value = excluded.value`, [key, value]);
  }

  /** The alarm time in milliseconds since the epoch, or null. */
  getAlarm(): number | null {
    const nanoseconds = this.read(ALARM);
    if (nanoseconds === undefined || nanoseconds === null) return null;
    return typeof nanoseconds === "bigint" ? Number(nanoseconds / 1_000_000n) : Math.round(Number(nanoseconds) / 1e6);
  }

  setAlarm(time: number | null): void {
    this.write(ALARM, time === null ? null : BigInt(Math.trunc(time)) * 1_000_000n);
  }

  /** Production's local-development bookmark: a counter that each getCurrentBookmark() moves on. */
  nextBookmark(): number {
    const current = this.read(BOOKMARK);
    const next = current === undefined || current === null ? 0 : Number(current) + 1;
    this.write(BOOKMARK, BigInt(next));
    return next;
  }
}
