import { deserialize } from "../storage/codec.js";
import { parseListOptions, parseSingleKey } from "../storage/arguments.js";
import type { ListOptions } from "../storage/host.js";
import { parseSyncPut } from "./kv-arguments.js";
import type { KvTable } from "./kv-table.js";

/**
 * `ctx.storage.kv` (workers-types SyncKvStorage): the key-value API of a
 * SQLite-backed object, synchronous, over the same `_cf_KV` table as the
 * asynchronous API. Argument rules and messages are the asynchronous API's.
 */
export class SyncKvStorage {
  readonly #table: KvTable;
  readonly #beforeCall: () => void;

  /** @internal Made by SqliteObjectStorage. */
  constructor(table: KvTable, beforeCall: () => void) {
    this.#table = table;
    this.#beforeCall = beforeCall;
  }

  get<T = unknown>(key: string): T | undefined {
    this.#beforeCall();
    const bytes = this.#table.get(parseSingleKey(key, "get"));
    return bytes === undefined ? undefined : (deserialize(bytes) as T);
  }

  put<T>(key: string, value: T): void {
    this.#beforeCall();
    const [storedKey, bytes] = parseSyncPut(key, value);
    this.#table.put(storedKey, bytes);
  }

  delete(key: string): boolean {
    this.#beforeCall();
    return this.#table.delete(parseSingleKey(key, "delete"));
  }

  /** Entries in key order, read from the table as the caller steps through them. */
  list<T = unknown>(options?: ListOptions): IterableIterator<[string, T]> {
    this.#beforeCall();
    const query = parseListOptions(options);
    const table = this.#table;
    return (function* () {
      if (query === null) return;
      for (const [key, bytes] of table.entries(query)) yield [key, deserialize(bytes) as T];
    })();
  }
}
