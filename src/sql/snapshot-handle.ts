import type { Snapshot } from "./snapshots.js";

/**
 * `DurableObjectSnapshot`: what `ctx.storage.snapshot()` returns, opaque to
 * user code (production's is too). It holds a logical copy of the whole
 * database (sql/snapshots.ts), kept in a WeakMap so nothing about it can be
 * read or forged; the object layer lets it pass over RPC as itself.
 */
export class DurableObjectSnapshot {
  /** @internal Made by storage.snapshot(). */
  constructor() {}

  get [Symbol.toStringTag](): string {
    return "DurableObjectSnapshot";
  }
}

// Per realm copy of durabox: a snapshot is restored by the copy that took it (the runtime's).
const contents = new WeakMap<object, Snapshot>();

export function makeSnapshotHandle(snapshot: Snapshot): DurableObjectSnapshot {
  const handle = new DurableObjectSnapshot();
  contents.set(handle, snapshot);
  return handle;
}

/** The copy a handle holds, or undefined if `value` is not a snapshot storage.snapshot() made here. */
export function snapshotContents(value: unknown): Snapshot | undefined {
  return typeof value === "object" && value !== null ? contents.get(value) : undefined;
}
