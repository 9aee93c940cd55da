import type { ListQuery, StoredEntry } from "../storage/backend.js";
import type { SqliteDatabase } from "./database.js";
import type { DriverValue } from "./driver.js";
import type { TransactionStack } from "./transactions.js";

/**
 * The key-value data of a SQLite-backed object, in the hidden table
 * production uses: `_cf_KV (key TEXT PRIMARY KEY, value BLOB) WITHOUT ROWID`,
 * created by the first write (before it, user SQL reading `_cf_KV` gets "no
 * such table"). Keys compare with SQLite's BINARY collation, which compares
 * UTF-8 bytes: the key order of every other backend. Values are bytes (V8
 * serialisation, done by the callers).
 */
export const KV_TABLE = "_cf_KV";

export class KvTable {
  /** The rollback generation at which the table was last known to exist, or -1. */
  private existsAt = -1;
  /**
   * Where the driver cuts text at U+0000, keys travel as UTF-8 bytes cast
   * to TEXT (CAST keeps every byte), and are read back as bytes.
   */
  private readonly nulSafe: boolean;
  private readonly keyParameter: string;
  private readonly keyColumn: string;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly transactions: TransactionStack,
  ) {
    this.nulSafe = db.features.textKeepsNul;
    this.keyParameter = this.nulSafe ? "?" : "CAST(? AS TEXT)";
    this.keyColumn = this.nulSafe ? "key" : "CAST(key AS BLOB)";
  }

  private bindKey(key: string): DriverValue {
    return this.nulSafe || !key.includes("\u0000") ? key : encoder.encode(key);
  }

  private readKey(key: unknown): string {
    return typeof key === "string" ? key : decoder.decode(key as Uint8Array);
  }

  private exists(): boolean {
    if (this.existsAt === this.db.schemaEpoch) return true;
    const found = this.db.hasTable(KV_TABLE);
    if (found) this.existsAt = this.db.schemaEpoch;
    return found;
  }

  /** Opens the implicit transaction and creates the table if needed: every write starts here. */
  private beforeWrite(): void {
    this.transactions.beforeWrite();
    if (this.exists()) return;
    this.db.exec(`CREATE TABLE IF NOT EXISTS ${KV_TABLE} (key TEXT PRIMARY KEY, value BLOB) WITHOUT ROWID`);
    this.existsAt = this.db.schemaEpoch;
  }

  get(key: string): Uint8Array | undefined {
    if (!this.exists()) return undefined;
    return this.db.queryOne(`SELECT value FROM ${KV_TABLE} WHERE key = ${this.keyParameter}`, [this.bindKey(key)])?.[0] as
      Uint8Array | undefined;
  }

  getMany(keys: readonly string[]): (Uint8Array | undefined)[] {
    return keys.map((key) => this.get(key));
  }

  put(key: string, value: Uint8Array): void {
    this.beforeWrite();
    this.db.run(`INSERT OR REPLACE INTO ${KV_TABLE} (key, value) VALUES (${this.keyParameter}, ?)`, [this.bindKey(key), value]);
  }

  putMany(entries: readonly StoredEntry[]): void {
    for (const [key, value] of entries) this.put(key, value);
  }

  /** Whether the key existed. */
  delete(key: string): boolean {
    if (!this.exists()) return false;
    this.transactions.beforeWrite();
    return this.db.run(`DELETE FROM ${KV_TABLE} WHERE key = ${this.keyParameter}`, [this.bindKey(key)]) > 0;
  }

  /** How many of the keys existed. */
  deleteMany(keys: readonly string[]): number {
    let deleted = 0;
    for (const key of keys) if (this.delete(key)) deleted++;
    return deleted;
  }

  /** The entries of a range, in key order (or reverse), read as the caller steps through them. */
  *entries(query: ListQuery): Generator<StoredEntry, void, undefined> {
    if (!this.exists()) return;
    const { sql, values } = this.listStatement(query);
    for (const [key, value] of this.db.iterate(sql, values)) yield [this.readKey(key), value as Uint8Array];
  }

  list(query: ListQuery): StoredEntry[] {
    return [...this.entries(query)];
  }

  private listStatement(query: ListQuery): { sql: string; values: DriverValue[] } {
    const conditions: string[] = [];
    const values: DriverValue[] = [];
    if (query.start !== undefined) {
      conditions.push(`key >= ${this.keyParameter}`);
      values.push(this.bindKey(query.start));
    }
    if (query.end !== undefined) {
      conditions.push(`key < ${this.keyParameter}`);
      values.push(this.bindKey(query.end));
    }
    let sql = `SELECT ${this.keyColumn}, value FROM ${KV_TABLE}`;
    if (conditions.length > 0) sql += ` WHERE ${conditions.join(" AND ")}`;
    sql += query.reverse ? " ORDER BY key DESC" : " ORDER BY key";
    if (query.limit !== undefined) {
      sql += " LIMIT ?";
      values.push(query.limit);
    }
    return { sql, values };
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
