import { type ObjectAddress } from "../address.js";
import { nodeCrypto } from "../../base/node-crypto.js";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import * as path from "../../base/path.js";
import { MemoryBackend, MemoryObjectStore } from "./memory.js";
import { LogFile, type LogRecord } from "./file-log.js";
import { lockDirectory } from "./file-lock.js";
import { corruptDatabaseError, corruptLogError, fileStorageError, type FailurePlace } from "./file-errors.js";
import { DuraboxError, disposedStorageError } from "../../base/errors.js";
import type {
  CommitResult,
  ListQuery,
  ObjectStore,
  ReadVersion,
  ScheduledAlarm,
  SqliteFile,
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

export function namespaceFromDirectory(name: string): string {
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
    try {
      this.#release = lockDirectory(this.directory);
    } catch (error) {
      throw fileStorageError("start (locking the directory)", { root: this.directory }, error, "Nothing was changed.");
    }
  }

  object(address: ObjectAddress): ObjectStore {
    this.#checkOpen();
    const dir = this.#objectDirectory(address);
    let store = this.#open.get(dir);
    if (store === undefined) {
      store = new FileObjectStore(dir, this.#memory.object(address), { root: this.directory, object: address });
      this.#open.set(dir, store);
    }
    return store;
  }

  listObjects(namespace: string): string[] {
    this.#checkOpen();
    const ids: string[] = [];
    for (const id of this.#list(path.join(this.directory, directoryName(namespace)))) {
      if (!/^[0-9a-f]{64}$/.test(id)) continue;
      const store = this.object({ namespace, id }) as FileObjectStore;
      try {
        if (!store.isEmpty || existsSync(path.join(this.directory, directoryName(namespace), id, SQLITE_FILE))) ids.push(id);
      } catch (error) {
        // A damaged log still holds data: list the object (using it reports the damage).
        if ((error as DuraboxError).code !== "ERR_STORAGE_CORRUPT") throw error;
        ids.push(id);
      }
    }
    return ids;
  }

  /** A SQLite-backed object's database: `db.sqlite` in the object's directory, with the same `alarm` mirror as the log. */
  sqliteFile(address: ObjectAddress): SqliteFile {
    this.#checkOpen();
    return sqliteFileIn(this.#objectDirectory(address), { root: this.directory, object: address });
  }

  listAlarms(): ScheduledAlarm[] {
    this.#checkOpen();
    const alarms: ScheduledAlarm[] = [];
    for (const namespaceDir of this.#list(this.directory)) {
      if (namespaceDir.startsWith(".")) continue;
      for (const id of this.#list(path.join(this.directory, namespaceDir))) {
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

  #list(directory: string): string[] {
    try {
      return listDirectory(directory);
    } catch (error) {
      throw fileStorageError(`listing ${directory}`, { root: this.directory }, error, "Nothing was changed.");
    }
  }
}

/**
 * mkdir -p. Node's recursive mkdir reports ENOENT where the file system is
 * read-only (or forbids it): making the last directory alone gives the real reason.
 */
function makeDirectory(directory: string): void {
  try {
    mkdirSync(directory, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT" || !existsSync(path.dirname(directory))) throw error;
    mkdirSync(directory);
  }
}

/** A directory's entries; none when it is not there. */
export function listDirectory(directory: string): string[] {
  try {
    return readdirSync(directory);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Not there, or a stray file where a directory would be: nothing stored.
    if (code === "ENOENT" || code === "ENOTDIR") return [];
    throw error;
  }
}

/** One object's data: its log on disk and the same data in memory. */
class FileObjectStore implements ObjectStore {
  readonly #directory: string;
  readonly #memory: MemoryObjectStore;
  readonly #place: FailurePlace;
  #log: LogFile | undefined;
  /** Set once the log was found damaged: the object stays refused. */
  #damaged: DuraboxError | undefined;
  /** The log size at which compaction is next considered. */
  #compactAt = COMPACT_MIN_BYTES;

  constructor(directory: string, memory: MemoryObjectStore, place: FailurePlace) {
    this.#directory = directory;
    this.#memory = memory;
    this.#place = place;
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
    const alarmBefore = this.#memory.getAlarm();
    const alarmAfter = batch.alarm !== undefined ? batch.alarm : batch.deleteAll ? null : alarmBefore;
    // On disk first: if a write fails, memory is untouched and the error is the caller's.
    try {
      // The alarm file before the log: should the log write fail, a stale alarm
      // file only makes the next runtime check an alarm that is not there.
      if (alarmAfter !== alarmBefore) this.#writeAlarmFile(alarmAfter);
      log.append(record);
    } catch (error) {
      if (alarmAfter !== alarmBefore) this.#tryWriteAlarmFile(alarmBefore);
      throw fileStorageError(
        "write",
        this.#place,
        error,
        "Nothing was half-written: the batch was not stored, and the object's data is as it was before it.",
      );
    }
    const result = this.#memory.commit({ ...batch, readSet: undefined });
    if (log.size > this.#compactAt) this.#maybeCompact(log);
    return result;
  }

  close(): void {
    this.#log?.close();
    this.#log = undefined;
  }

  #opened(): LogFile {
    if (this.#log !== undefined) return this.#log;
    if (this.#damaged !== undefined) throw this.#damaged;
    const file = path.join(this.#directory, "log");
    try {
      makeDirectory(this.#directory);
      const opened = LogFile.open(file);
      if ("damage" in opened) {
        this.#damaged = corruptLogError(file, opened.size, opened.damage, this.#place);
        throw this.#damaged;
      }
      for (const record of opened.records) this.#memory.commit(record);
      this.#log = opened.log;
      // The alarm file mirrors the log; a crash between the two is mended here
      // (when the disk allows: reading must not need space).
      this.#tryWriteAlarmFile(this.#memory.getAlarm());
      return opened.log;
    } catch (error) {
      throw fileStorageError("opening the object", this.#place, error, "Nothing stored was changed.");
    }
  }

  #writeAlarmFile(alarm: number | null): void {
    writeAlarmMirror(this.#directory, alarm);
  }

  #tryWriteAlarmFile(alarm: number | null): void {
    try {
      this.#writeAlarmFile(alarm);
    } catch {
      // Mended from the log the next time the object is opened.
    }
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
    try {
      log.compact({ deleteAll: true, puts, alarm: this.#memory.getAlarm() });
    } catch {
      // The commit is stored; the log stays as it was. Try again once it has grown as much again.
      this.#compactAt = 2 * log.size;
    }
  }
}

/** A SQLite-backed object's database, beside where a key-value object keeps its log. */
const SQLITE_FILE = "db.sqlite";
/** The directory, beside an object's (or a facet's) database, holding its facets' directories. */
const FACETS_DIRECTORY = "facets";
/** In a facet's directory named by a hash: the facet's name. */
const FACET_NAME_FILE = "name";
/** Longer directory names are hashed, as a name can be 256 bytes and percent-encoding triples it. */
const MAX_FACET_DIRECTORY = 128;

/**
 * A facet's directory: its name percent-encoded as namespaces are (so never "." or ".."), or,
 * when that is long, "~" (which the encoding never leaves bare) and the name's SHA-256, with the
 * name kept in a file. Distinct names get distinct directories, all inside the parent's.
 */
function facetDirectoryName(name: string): string {
  const encoded = directoryName(name);
  return encoded.length <= MAX_FACET_DIRECTORY ? encoded : `~${nodeCrypto().createHash("sha256").update(name).digest("hex")}`;
}

/** The database in `directory`, and its facets' in `directory/facets/<name>/`, made on first use. */
function sqliteFileIn(directory: string, place: FailurePlace): SqliteFile {
  try {
    mkdirSync(directory, { recursive: true });
  } catch (error) {
    throw fileStorageError("creating the object's directory", place, error, "Nothing stored was changed.");
  }
  const facets = path.join(directory, FACETS_DIRECTORY);
  return {
    path: path.join(directory, SQLITE_FILE),
    mirrorAlarm: (time) => writeAlarmMirror(directory, time),
    facet: (name) => {
      const child = path.join(facets, facetDirectoryName(name));
      const file = sqliteFileIn(child, place);
      if (path.basename(child).startsWith("~")) writeFileSync(path.join(child, FACET_NAME_FILE), name);
      return file;
    },
    failure: ({ operation, error, outcome, code, corrupt }) => {
      const file = path.join(directory, SQLITE_FILE);
      if (corrupt) return corruptDatabaseError(file, error instanceof Error ? error.message : String(error), place);
      return fileStorageError(`${operation} of ${file}`, place, error, outcome, code);
    },
    facetNames: () => {
      let entries: string[];
      try {
        entries = readdirSync(facets);
      } catch {
        return [];
      }
      return entries.flatMap((entry) => {
        if (!entry.startsWith("~")) return [namespaceFromDirectory(entry)];
        try {
          return [readFileSync(path.join(facets, entry, FACET_NAME_FILE), "utf8")];
        } catch {
          return [];
        }
      });
    },
  };
}

/** The `alarm` file: the time, rewritten atomically (temp + rename), removed when there is none. */
function writeAlarmMirror(directory: string, alarm: number | null): void {
  const file = path.join(directory, "alarm");
  if (alarm === null) {
    rmSync(file, { force: true });
    return;
  }
  writeFileSync(`${file}.tmp`, String(alarm));
  renameSync(`${file}.tmp`, file);
}
