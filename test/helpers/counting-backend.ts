import { type ObjectAddress } from "../../src/storage/address.js";
import type { ObjectStore, StorageBackend } from "../../src/storage/backend.js";

/** Counts every call that reaches a backend, to show what an overlay leaves untouched. */
export function countingBackend(inner: StorageBackend): { backend: StorageBackend; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const count = (name: string): void => void calls.set(name, (calls.get(name) ?? 0) + 1);
  const backend: StorageBackend = {
    object(address: ObjectAddress): ObjectStore {
      const store = inner.object(address);
      return {
        get: (keys) => (count("get"), store.get(keys)),
        list: (query) => (count("list"), store.list(query)),
        getAlarm: () => (count("getAlarm"), store.getAlarm()),
        readVersion: () => (count("readVersion"), store.readVersion()),
        commit: (batch) => (count("commit"), store.commit(batch)),
      };
    },
    listObjects: (namespace) => (count("listObjects"), inner.listObjects(namespace)),
    listAlarms: () => (count("listAlarms"), inner.listAlarms()),
    close: () => inner.close(),
  };
  return { backend, calls };
}
