import { internal } from "../../base/internal.js";
import { addressFromKey, addressKey, type ObjectAddress } from "../address.js";
import { CommitLog } from "../commit-log.js";
import { changesInRange, mergeListed, widenedQuery, type Change } from "../merge.js";
import { SortedKeyMap } from "../sorted-map.js";
import { andThen, type Awaitable } from "../../base/awaitable.js";
import type {
  AlarmClaim,
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

const TOMBSTONE = null;

/** One object's changes in one layer. */
class LayerObject {
  readonly entries = new SortedKeyMap<Change>();
  readonly log = new CommitLog();
  /** deleteAll ran in this layer: nothing below shows through. */
  cleared = false;
  /** undefined: the alarm below shows through. */
  alarm: number | null | undefined = undefined;
}

type Layer = Map<string, LayerObject>;

const NO_LAYERS: { objects: LayerObject[]; belowVisible: boolean } = Object.freeze({ objects: [], belowVisible: true }) as never;

interface LayeredVersion {
  readonly epoch: number;
  readonly inner: ReadVersion;
}

/**
 * Copy-on-write layers over any backend: the per-test snapshot of the test
 * environments. `push()` starts an empty layer and `pop()` drops the top one,
 * both O(1) whatever is stored below; while layers exist every write lands in
 * the top layer, so the backend below is never changed. Reads merge the
 * layers top-down (a tombstone hides what is below; a deleteAll hides
 * everything below).
 */
export class LayeredBackend implements StorageBackend {
  readonly #below: StorageBackend;
  readonly #layers: Layer[] = [];
  /** Bumped by push and pop: a transaction that spans one conflicts. */
  #epoch = 0;

  constructor(below: StorageBackend) {
    this.#below = below;
  }

  get depth(): number {
    return this.#layers.length;
  }

  push(): void {
    this.#layers.push(new Map());
    this.#epoch++;
  }

  /** Drops the top layer; returns the objects whose alarm it had changed. */
  pop(): ObjectAddress[] {
    const layer = this.#layers.pop();
    if (layer === undefined) throw internal("LayeredBackend.pop() with no layer pushed");
    this.#epoch++;
    const changed: ObjectAddress[] = [];
    for (const [key, object] of layer) {
      if (object.alarm !== undefined || object.cleared) {
        const { namespace, id } = addressFromKey(key);
        changed.push({ namespace, id });
      }
    }
    return changed;
  }

  object(address: ObjectAddress): ObjectStore {
    return new LayeredObjectStore(this, address, this.#below.object(address));
  }

  /** @internal The layers holding this object's changes, top first, down to a cleared one. */
  visibleLayers(address: ObjectAddress): { objects: LayerObject[]; belowVisible: boolean } {
    // No layer (a runtime outside tests): nothing to build per read.
    if (this.#layers.length === 0) return NO_LAYERS;
    const key = addressKey(address);
    const objects: LayerObject[] = [];
    for (let i = this.#layers.length - 1; i >= 0; i--) {
      const object = this.#layers[i]!.get(key);
      if (object === undefined) continue;
      objects.push(object);
      if (object.cleared) return { objects, belowVisible: false };
    }
    return { objects, belowVisible: true };
  }

  /** @internal The top layer's record for this object, created on first write. */
  topObject(address: ObjectAddress): LayerObject | undefined {
    const top = this.#layers[this.#layers.length - 1];
    if (top === undefined) return undefined;
    const key = addressKey(address);
    let object = top.get(key);
    if (object === undefined) {
      object = new LayerObject();
      top.set(key, object);
    }
    return object;
  }

  /** @internal */
  get epoch(): number {
    return this.#epoch;
  }

  sqliteFile(address: ObjectAddress): SqliteFile | undefined {
    return this.#below.sqliteFile?.(address);
  }

  listObjects(namespace: string): Awaitable<string[]> {
    const touched = new Set<string>();
    for (const layer of this.#layers) {
      for (const key of layer.keys()) {
        const { namespace: ns, id } = addressFromKey(key);
        if (ns === namespace) touched.add(id);
      }
    }
    return andThen(this.#below.listObjects(namespace), async (belowIds) => {
      const ids = belowIds.filter((id) => !touched.has(id));
      for (const id of touched) {
        const store = this.object({ namespace, id });
        const [entries, alarm] = await Promise.all([store.list({ limit: 1 }), store.getAlarm()]);
        if (entries.length > 0 || alarm !== null) ids.push(id);
      }
      return ids;
    });
  }

  listAlarms(): Awaitable<ScheduledAlarm[]> {
    return andThen(this.#below.listAlarms(), (below) => {
      const alarms = new Map<string, ScheduledAlarm>();
      for (const alarm of below) alarms.set(addressKey(alarm), alarm);
      for (const layer of this.#layers) {
        for (const [key, object] of layer) {
          if (object.alarm === undefined && !object.cleared) continue;
          const { namespace, id } = addressFromKey(key);
          if (object.alarm === null || object.alarm === undefined) alarms.delete(key);
          else alarms.set(key, { namespace, id, time: object.alarm });
        }
      }
      return [...alarms.values()];
    });
  }

  close(): Awaitable<void> {
    this.#layers.length = 0;
    return this.#below.close();
  }
}

class LayeredObjectStore implements ObjectStore {
  constructor(
    private readonly backend: LayeredBackend,
    private readonly address: ObjectAddress,
    private readonly below: ObjectStore,
  ) {}

  get(keys: readonly string[]): Awaitable<(Uint8Array | undefined)[]> {
    const { objects, belowVisible } = this.backend.visibleLayers(this.address);
    if (objects.length === 0) return this.below.get(keys);
    const values: (Uint8Array | undefined)[] = new Array(keys.length);
    const missing: number[] = [];
    keys.forEach((key, index) => {
      for (const object of objects) {
        const value = object.entries.get(key);
        if (value !== undefined) {
          values[index] = value ?? undefined;
          return;
        }
      }
      if (belowVisible) missing.push(index);
    });
    if (missing.length === 0) return values;
    return andThen(this.below.get(missing.map((i) => keys[i]!)), (found) => {
      missing.forEach((index, j) => (values[index] = found[j]));
      return values;
    });
  }

  list(query: ListQuery): Awaitable<StoredEntry[]> {
    const { objects, belowVisible } = this.backend.visibleLayers(this.address);
    if (objects.length === 0) return this.below.list(query);
    const changes = changesInRange(
      objects.map((object) => object.entries),
      query,
    );
    const below = belowVisible ? this.below.list(widenedQuery(query, changes.size)) : [];
    return andThen(below, (entries) => mergeListed(entries, changes, query));
  }

  getAlarm(): Awaitable<number | null> {
    const { objects, belowVisible } = this.backend.visibleLayers(this.address);
    for (const object of objects) if (object.alarm !== undefined) return object.alarm;
    return belowVisible ? this.below.getAlarm() : null;
  }

  claimAlarm(time: number): Awaitable<AlarmClaim> {
    const { objects, belowVisible } = this.backend.visibleLayers(this.address);
    // An alarm a layer holds is this runtime's alone; one from below is claimed below.
    const fromLayer = !belowVisible || objects.some((object) => object.alarm !== undefined);
    if (fromLayer || this.below.claimAlarm === undefined) return { claimed: true, release() {} };
    return this.below.claimAlarm(time);
  }

  readVersion(): Awaitable<ReadVersion> {
    const epoch = this.backend.epoch;
    const top = this.backend.depth > 0 ? this.backend.topObject(this.address) : undefined;
    if (top !== undefined) return { epoch, inner: top.log.version } satisfies LayeredVersion;
    return andThen(this.below.readVersion(), (inner) => ({ epoch, inner }) satisfies LayeredVersion);
  }

  commit(batch: WriteBatch): Awaitable<CommitResult> {
    if (this.backend.depth === 0 && batch.readSet === undefined) return this.below.commit(batch);
    const since = batch.readSet?.since as LayeredVersion | undefined;
    if (since !== undefined && since.epoch !== this.backend.epoch) return { ok: false };
    if (this.backend.depth === 0) {
      const readSet = batch.readSet && since ? { ...batch.readSet, since: since.inner } : undefined;
      return this.below.commit({ ...batch, readSet });
    }
    // Deleting reports how many keys existed: read them first, then validate
    // and apply in one synchronous step.
    const deletes = batch.deletes ?? [];
    const existing = deletes.length > 0 && !batch.deleteAll ? this.get(deletes) : [];
    return andThen(existing, (values) => {
      if (since !== undefined && this.backend.epoch !== since.epoch) return { ok: false };
      const top = this.backend.topObject(this.address)!;
      if (batch.readSet && top.log.conflicts(batch.readSet, since!.inner as number)) {
        return { ok: false };
      }
      const written: string[] = [];
      if (batch.deleteAll) {
        top.entries.clear();
        top.cleared = true;
        top.alarm = null;
      }
      let deleted = 0;
      deletes.forEach((key, i) => {
        if (values[i] !== undefined) deleted++;
        // Above a cleared layer nothing below shows through: drop, no tombstone.
        if (top.cleared) top.entries.delete(key);
        else top.entries.set(key, TOMBSTONE);
        written.push(key);
      });
      for (const [key, value] of batch.puts ?? []) {
        top.entries.set(key, value);
        written.push(key);
      }
      if (batch.alarm !== undefined) top.alarm = batch.alarm;
      if (batch.deleteAll || written.length > 0 || batch.alarm !== undefined) {
        top.log.record(batch.deleteAll ? "all" : written);
      }
      return { ok: true, deleted };
    });
  }
}
