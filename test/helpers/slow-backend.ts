import { type ObjectAddress } from "../../src/storage/address.js";
import type {
  CommitResult,
  ListQuery,
  ObjectStore,
  ReadVersion,
  ScheduledAlarm,
  StorageBackend,
  StoredEntry,
  WriteBatch,
} from "../../src/storage/backend.js";

/**
 * A real backend made asynchronous: every call answers after `delayMs` on a
 * timer, as a disk or network store would; writes can be held open by hand
 * to observe the output gate.
 */
export class SlowBackend implements StorageBackend {
  readonly held: (() => void)[] = [];
  holdWrites = false;
  failNextWrite: Error | undefined;

  constructor(
    private readonly inner: StorageBackend,
    private readonly delayMs = 1,
  ) {}

  object(address: ObjectAddress): ObjectStore {
    const store = this.inner.object(address);
    // Evaluated at call time (operations stay in call order), answered later.
    const later = <T>(fn: () => T | Promise<T>): Promise<T> => {
      const value = Promise.resolve().then(fn);
      value.catch(() => {}); // answered later: not an unhandled rejection meanwhile
      const answer = (): void => void value.then(resolve, reject);
      let resolve!: (v: T) => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
      // 0 ms: the next turn of the event loop (setTimeout would wait ~1 ms).
      if (this.delayMs === 0) setImmediate(answer);
      else setTimeout(answer, this.delayMs);
      return promise;
    };
    return {
      get: (keys: readonly string[]) => later(() => store.get(keys)),
      list: (query: ListQuery): Promise<StoredEntry[]> => later(() => store.list(query)),
      getAlarm: () => later(() => store.getAlarm()),
      readVersion: (): Promise<ReadVersion> => later(() => store.readVersion()),
      commit: (batch: WriteBatch): Promise<CommitResult> => {
        const failure = this.failNextWrite;
        this.failNextWrite = undefined;
        if (failure) return later(() => Promise.reject(failure));
        // Applied at once (later reads see it, as production's cache does), confirmed later.
        const result = store.commit(batch);
        if (!this.holdWrites) return later(() => result);
        return new Promise((resolve) => this.held.push(() => resolve(result)));
      },
    };
  }

  releaseWrites(): void {
    for (const release of this.held.splice(0)) release();
  }

  listObjects(namespace: string): Promise<string[]> {
    return Promise.resolve(this.inner.listObjects(namespace));
  }

  listAlarms(): Promise<ScheduledAlarm[]> {
    return Promise.resolve(this.inner.listAlarms());
  }

  close(): Promise<void> {
    return Promise.resolve(this.inner.close());
  }
}
