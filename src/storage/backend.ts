import type { Awaitable } from "../base/awaitable.js";
import type { KeyRange } from "./keys.js";
import type { ObjectAddress } from "./address.js";

export interface StorageBackend {
  /** A handle on one object's data. Cheap and synchronous: no I/O. */
  object(address: ObjectAddress): ObjectStore;
  /** Hex ids of the objects in a namespace that hold data or an alarm. */
  listObjects(namespace: string): Awaitable<string[]>;
  /** Every scheduled alarm, so a new runtime can schedule them again. */
  listAlarms(): Awaitable<ScheduledAlarm[]>;
  close(): Awaitable<void>;
  /**
   * Where a SQLite-backed object's database lives, for backends that keep
   * objects on disk; absent (or undefined) means in memory.
   */
  sqliteFile?(address: ObjectAddress): SqliteFile | undefined;
}

/** A SQLite-backed object's database file, and the alarm mirror a new runtime schedules alarms from. */
export interface SqliteFile {
  readonly path: string;
  mirrorAlarm(time: number | null): void;
  /** The database of a child (a Durable Object facet) named `name`, kept beside this one. */
  facet(name: string): SqliteFile;
  /** The names of the children with a database stored beside this one. */
  facetNames(): string[];
  /**
   * A failure of this database as a DuraboxError naming the file, the directory and the object:
   * ERR_STORAGE, or with `corrupt` ERR_STORAGE_CORRUPT. `code` is the errno or SQLite result code.
   */
  failure(failure: SqliteFailure): Error;
}

/** What went wrong with a SQLite-backed object's database, for SqliteFile.failure(). */
export interface SqliteFailure {
  /** What was being done: "commit", "opening the database". */
  readonly operation: string;
  readonly error: unknown;
  /** What it means for the data. */
  readonly outcome: string;
  readonly code?: string | undefined;
  /** The file is damaged (not merely unwritable): the object is refused until repaired. */
  readonly corrupt?: boolean;
}

export interface ScheduledAlarm extends ObjectAddress {
  readonly time: number;
}

/** A range scan: `start` inclusive, `end` exclusive, in UTF-8 key order. */
export interface ListQuery extends KeyRange {
  readonly reverse?: boolean;
  readonly limit?: number;
}

export type StoredEntry = readonly [key: string, value: Uint8Array];

/**
 * An opaque marker of "the state as of now", taken before a transaction's
 * first read and handed back with its commit. Only the backend that made it
 * can interpret it.
 */
export type ReadVersion = unknown;

/** What a transaction read: its commit must fail if any of it changed since. */
export interface ReadSet {
  readonly since: ReadVersion;
  readonly keys: readonly string[];
  readonly ranges: readonly KeyRange[];
}

/** One atomic change: after a crash, all of it or none of it is stored. */
export interface WriteBatch {
  /** Applied first: every key and the alarm are removed. */
  readonly deleteAll?: boolean;
  readonly deletes?: readonly string[];
  readonly puts?: readonly StoredEntry[];
  /** A time sets the alarm, null deletes it, undefined leaves it. */
  readonly alarm?: number | null;
  /** Optimistic concurrency: commit only if nothing read changed. */
  readonly readSet?: ReadSet;
}

export type CommitResult = { readonly ok: true; /** how many of `deletes` existed */ readonly deleted: number } | { readonly ok: false };

export interface ObjectStore {
  /** Values aligned with `keys`; undefined where a key is missing. */
  get(keys: readonly string[]): Awaitable<(Uint8Array | undefined)[]>;
  list(query: ListQuery): Awaitable<StoredEntry[]>;
  getAlarm(): Awaitable<number | null>;
  readVersion(): Awaitable<ReadVersion>;
  commit(batch: WriteBatch): Awaitable<CommitResult>;
  /**
   * Storage that several runtimes share (Redis), each of which schedules the
   * stored alarms, claims the alarm set for `time` before a runtime runs it,
   * atomically, so one runtime runs it. A claim lapses unless renewed: a
   * runtime that dies mid-alarm leaves it to another (at-least-once, as in
   * production). Storage used by one runtime leaves this out: every alarm is
   * that runtime's.
   */
  claimAlarm?(time: number): Awaitable<AlarmClaim>;
}

export type AlarmClaim =
  | {
      readonly claimed: true;
      /** Ends the claim; with `holdMs`, keeps it that much longer (a retry of the alarm is due then). */
      release(holdMs?: number): void;
    }
  | {
      readonly claimed: false;
      /** When another runtime's claim lapses (ms since the epoch); absent when the alarm is no longer set for that time. */
      readonly heldUntil?: number;
    };
