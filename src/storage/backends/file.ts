import { type ObjectAddress } from "../address.js";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import * as path from "../../base/path.js";
import { MemoryBackend, MemoryObjectStore } from "./memory.js";
import { LogFile, type LogRecord } from "./file-log.js";
import { lockDirectory } from "./file-lock.js";
import { DuraboxError, disposedStorageError } from "../../base/errors.js";
import type {
  CommitResult,
  ListQuery,
  ObjectStore,
  ReadVersion,
  ScheduledAlarm,
  StorageBackend,
  StoredEntry,
  WriteBatch,
} from "../backend.js";

/** Compact once the log is this large and mostly superseded. */
const COMPACT_MIN_BYTES = 1 << 20;

/**
 * Namespace identities become directory names: everything outside
 * [A-Za-z0-9_-] is percent-encoded (dots too, so no name is "." or ".."),
 * which keeps distinct namespaces distinct and inside the root. Ids are hex.
 */
export function directoryName(namespace: string): string {
  return encodeURIComponent(namespace).replace(/[.!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`) || "%";
}

function namespaceFromDirectory(name: string): string {
  return name === "%" ? "" : decodeURIComponent(name);
}

/**
 * Durable Object data in a directory: one directory per object, holding its
 * append-only log (see file-log.ts), replayed into memory when the object is
 * first used, plus an `alarm` file mirroring its alarm so a new runtime can
 * schedule alarms without replaying every log. Keys never become file names,
 * so every key (any Unicode, "/", "..", NUL, 2 KiB) stays distinct and no key
 * can reach outside the directory. Writes are synchronous appends: when a
 * commit returns, a killed process keeps it; a batch is one record, so it is
 * kept whole or not at all. One runtime at a time: the directory is locked.
 */
export class FileBackend implements StorageBackend {
  readonly directory: string;
  readonly #memory = new MemoryBackend();
  readonly #open = new Map<string, FileObjectStore>();
  readonly #release: () => void;
  #closed = false;

  constructor(directory: string) {
    this.directory = path.resolve(directory);
    try {
      mkdirSync(this.directory, { recursive: true });
    } catch (error) {
      throw new DuraboxError("ERR_OPTIONS", `Cannot create the persistence directory ${this.directory}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    this.#release = lockDirectory(this.directory);
  }

  object(address: ObjectAddress): ObjectStore {
    this.#checkOpen();
    const dir = this.#objectDirectory(address);
    let store = this.#open.get(dir);
    if (store === undefined) {
      store = new FileObjectStore(dir, this.#memory.object(address));
      this.#open.set(dir, store);
    }
    return store;
  }

  listObjects(namespace: string): string[] {
    this.#checkOpen();
    const ids: string[] = [];
    for (const id of listDirectory(path.join(this.directory, directoryName(namespace)))) {
      if (!/^[0-9a-f]{64}$/.test(id)) continue;
      const store = this.object({ namespace, id }) as FileObjectStore;
      if (!store.isEmpty) ids.push(id);
    }
    return ids;
  }

  listAlarms(): ScheduledAlarm[] {
    this.#checkOpen();
    const alarms: ScheduledAlarm[] = [];
    for (const namespaceDir of listDirectory(this.directory)) {
      if (namespaceDir.startsWith(".")) continue;
      for (const id of listDirectory(path.join(this.directory, namespaceDir))) {
        let text: string;
        try {
          text = readFileSync(path.join(this.directory, namespaceDir, id, "alarm"), "utf8");
        } catch {
          continue;
        }
        const time = Number(text);
        if (Number.isFinite(time) && time > 0) alarms.push({ namespace: namespaceFromDirectory(namespaceDir), id, time });
      }
    }
    return alarms;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const store of this.#open.values()) store.close();
    this.#open.clear();
    this.#memory.close();
    this.#release();
  }

  #objectDirectory(address: ObjectAddress): string {
    if (!/^[0-9a-f]{64}$/.test(address.id)) throw new TypeError(`Not a Durable Object id: ${address.id}`);
    return path.join(this.directory, directoryName(address.namespace), address.id);
  }

  #checkOpen(): void {
    if (this.#closed) {
      throw disposedStorageError();
    }
  }
}

function listDirectory(directory: string): string[] {
  try {
    return readdirSync(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

/** One object's data: its log on disk and the same data in memory. */
class FileObjectStore implements ObjectStore {
  readonly #directory: string;
  readonly #memory: MemoryObjectStore;
  #log: LogFile | undefined;
  /** The log size at which compaction is next considered. */
  #compactAt = COMPACT_MIN_BYTES;

  constructor(directory: string, memory: MemoryObjectStore) {
    this.#directory = directory;
    this.#memory = memory;
  }

  get isEmpty(): boolean {
    this.#opened();
    return this.#memory.isEmpty;
  }

  get(keys: readonly string[]): (Uint8Array | undefined)[] {
    this.#opened();
    return this.#memory.get(keys);
  }

  list(query: ListQuery): StoredEntry[] {
    this.#opened();
    return this.#memory.list(query);
  }

  getAlarm(): number | null {
    this.#opened();
    return this.#memory.getAlarm();
  }

  readVersion(): ReadVersion {
    this.#opened();
    return this.#memory.readVersion();
  }

  commit(batch: WriteBatch): CommitResult {
    const log = this.#opened();
    if (batch.readSet && this.#memory.conflicts(batch.readSet)) return { ok: false };
    const record: LogRecord = {
      ...(batch.deleteAll && { deleteAll: true }),
      ...(batch.deletes && { deletes: batch.deletes }),
      ...(batch.puts && { puts: batch.puts }),
      ...(batch.alarm !== undefined && { alarm: batch.alarm }),
    };
    // On disk first: if the write fails, memory is untouched and the error is the caller's.
    log.append(record);
    const result = this.#memory.commit({ ...batch, readSet: undefined });
    if (batch.deleteAll || batch.alarm !== undefined) this.#writeAlarmFile();
    if (log.size > this.#compactAt) this.#maybeCompact(log);
    return result;
  }

  close(): void {
    this.#log?.close();
    this.#log = undefined;
  }

  #opened(): LogFile {
    if (this.#log !== undefined) return this.#log;
    mkdirSync(this.#directory, { recursive: true });
    const { log, records } = LogFile.open(path.join(this.#directory, "log"));
    for (const record of records) this.#memory.commit(record);
    this.#log = log;
    // The alarm file mirrors the log; a crash between the two is mended here.
    this.#writeAlarmFile();
    return log;
  }

  #writeAlarmFile(): void {
    const file = path.join(this.#directory, "alarm");
    const alarm = this.#memory.getAlarm();
    if (alarm === null) {
      rmSync(file, { force: true });
      return;
    }
    writeFileSync(`${file}.tmp`, String(alarm));
    renameSync(`${file}.tmp`, file);
  }

  /** Rewrites the log as one snapshot record once most of it is superseded. */
  #maybeCompact(log: LogFile): void {
    let live = 0;
    const puts: StoredEntry[] = [];
    for (const [key, value] of this.#memory.entries()) {
      live += key.length + value.byteLength + 16;
      puts.push([key, value]);
    }
    // Compacting when the log is over twice the live data keeps writes amortised O(1).
    this.#compactAt = 2 * live + COMPACT_MIN_BYTES;
    if (log.size < this.#compactAt) return;
    log.compact({ deleteAll: true, puts, alarm: this.#memory.getAlarm() });
  }
}
