import type { SqliteDriver } from "../../../src/sql/driver.js";
import { D1Database } from "../../../src/bindings/d1/database.js";
import { D1Store, type D1StoreOptions } from "../../../src/bindings/d1/store.js";

/** A D1 database on `driver`, in memory unless `location` is given; its store for layers and disposal. */
export function openD1(driver: SqliteDriver, options: Omit<D1StoreOptions, "driver"> = {}): { db: D1Database; store: D1Store } {
  const store = new D1Store({ ...options, driver: () => driver });
  return { db: new D1Database(store), store };
}

/** What a promise rejects with (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}
