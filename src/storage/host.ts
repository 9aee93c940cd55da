import type { Awaitable } from "../base/awaitable.js";

// The contract between storage and whatever it belongs to (an object with
// gates, or a test reaching storage from outside). Storage and transactions
// both speak it; neither imports the other for it.

/** storage.list() options: a range in UTF-8 key order. */
export interface ListOptions {
  start?: string;
  startAfter?: string;
  end?: string;
  prefix?: string;
  reverse?: boolean;
  limit?: number;
}

export interface ReadOptions {
  allowConcurrency?: boolean;
  noCache?: boolean;
}
export interface WriteOptions extends ReadOptions {
  allowUnconfirmed?: boolean;
}
export type StorageListOptions = ListOptions & ReadOptions;

/**
 * @internal
 * What storage needs from the object it belongs to: its gates, and its alarm
 * scheduling. Storage reached from outside (a test helper) has no gates.
 */
export interface StorageHost {
  /** Holds back new events until `value` is there (unless allowConcurrency). */
  read<T>(value: Awaitable<T>, options?: ReadOptions): Promise<T>;
  /**
   * A write whose caller needs no answer (put, deleteAll, setAlarm): in an
   * object it resolves at once, as production's cached writes do, while the
   * output gate holds outgoing messages until it is confirmed (unless
   * allowUnconfirmed).
   */
  write(confirmed: Awaitable<void>, options?: WriteOptions): Promise<void>;
  /** A write whose answer the caller needs (delete's count, a commit's outcome). */
  writeWithResult<T>(result: Awaitable<T>, options?: WriteOptions): Promise<T>;
  /** Resolves when every write so far is confirmed. */
  sync(): Promise<void>;
  /** Throws (or rejects) unless the object's class has an alarm() handler. */
  checkAlarmHandler(): Awaitable<void>;
  /** Told after the stored alarm changed. */
  alarmChanged(time: number | null): void;
  /** What getAlarm() answers for the stored `time`: inside the object, null while its alarm() runs and has set no other. */
  visibleAlarm(time: number | null): number | null;
  /** Told after deleteAll() (an object's facets are deleted with it). */
  deletedAll?(): void;
}
