import { type ObjectAddress } from "../address.js";
import { CommitLog } from "../commit-log.js";
import { disposedStorageError } from "../../base/errors.js";
import { SortedKeyMap } from "../sorted-map.js";
import type {
  CommitResult,
  ListQuery,
  ObjectStore,
  ReadSet,
  ReadVersion,
  ScheduledAlarm,
  StorageBackend,
  StoredEntry,
  WriteBatch,
} from "../backend.js";

/**
 * The default backend: every object's data in a B+ tree in this process.
 * Answers synchronously; a commit validates and applies in one synchronous
 * step, so it is atomic with respect to everything else in the process.
 */
export class MemoryBackend implements StorageBackend {
  readonly #objects = new Map<string, Map<string, MemoryObjectStore>>();
  readonly #state = { closed: false };

  object(address: ObjectAddress): MemoryObjectStore {
    checkOpen(this.#state);
    let namespace = this.#objects.get(address.namespace);
    if (namespace === undefined) {
      namespace = new Map();
      this.#objects.set(address.namespace, namespace);
    }
    let store = namespace.get(address.id);
    if (store === undefined) {
      store = new MemoryObjectStore(this.#state);
      namespace.set(address.id, store);
    }
    return store;
  }

  listObjects(namespace: string): string[] {
    const ids: string[] = [];
    for (const [id, store] of this.#objects.get(namespace) ?? []) {
      if (!store.isEmpty) ids.push(id);
    }
    return ids;
  }

  listAlarms(): ScheduledAlarm[] {
    const alarms: ScheduledAlarm[] = [];
    for (const [namespace, stores] of this.#objects) {
      for (const [id, store] of stores) {
        const time = store.getAlarm();
        if (time !== null) alarms.push({ namespace, id, time });
      }
    }
    return alarms;
  }

  close(): void {
    this.#state.closed = true;
    this.#objects.clear();
  }
}

function checkOpen(state: { closed: boolean }): void {
  if (state.closed) {
    throw disposedStorageError();
  }
}

export class MemoryObjectStore implements ObjectStore {
  readonly #entries = new SortedKeyMap<Uint8Array>();
  readonly #log = new CommitLog();
  readonly #backend: { readonly closed: boolean };
  #alarm: number | null = null;

  constructor(backend: { readonly closed: boolean }) {
    this.#backend = backend;
  }

  get isEmpty(): boolean {
    return this.#entries.size === 0 && this.#alarm === null;
  }

  get(keys: readonly string[]): (Uint8Array | undefined)[] {
    checkOpen(this.#backend);
    return keys.map((key) => this.#entries.get(key));
  }

  list(query: ListQuery): StoredEntry[] {
    checkOpen(this.#backend);
    return Array.from(this.#entries.scan(query));
  }

  getAlarm(): number | null {
    return this.#alarm;
  }

  readVersion(): ReadVersion {
    return this.#log.version;
  }

  /** Whether a transaction that read `readSet` may not commit now. */
  conflicts(readSet: ReadSet): boolean {
    return this.#log.conflicts(readSet, readSet.since as number);
  }

  /** Every entry, in key order (what a snapshot of the object writes). */
  entries(): IterableIterator<[string, Uint8Array]> {
    return this.#entries.scan({});
  }

  commit(batch: WriteBatch): CommitResult {
    checkOpen(this.#backend);
    if (batch.readSet && this.conflicts(batch.readSet)) {
      return { ok: false };
    }
    const written: string[] = [];
    if (batch.deleteAll) {
      this.#entries.clear();
      this.#alarm = null;
    }
    let deleted = 0;
    for (const key of batch.deletes ?? []) {
      if (this.#entries.delete(key)) deleted++;
      written.push(key);
    }
    for (const [key, value] of batch.puts ?? []) {
      this.#entries.set(key, value);
      written.push(key);
    }
    if (batch.alarm !== undefined) this.#alarm = batch.alarm;
    // A validation-only commit (a read-only transaction) changes nothing.
    if (batch.deleteAll || written.length > 0 || batch.alarm !== undefined) {
      this.#log.record(batch.deleteAll ? "all" : written);
    }
    return { ok: true, deleted };
  }
}
