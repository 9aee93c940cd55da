import { nodeCrypto } from "../../base/node-crypto.js";
import { existsSync, readdirSync } from "node:fs";
import * as path from "../../base/path.js";
import type { Awaitable } from "../../base/awaitable.js";
import type { IsolatedState } from "../../base/isolated-state.js";
import type { ObjectStore, StorageBackend } from "../../storage/backend.js";
import { FileBackend, namespaceFromDirectory } from "../../storage/backends/file.js";
import { LayeredBackend } from "../../storage/backends/layered.js";
import { MemoryBackend } from "../../storage/backends/memory.js";
import { RedisBackend } from "../../storage/backends/redis.js";
import type { BlobStore } from "./blob-store.js";
import { FileBlobStore } from "./file-blobs.js";
import { MemoryBlobStore } from "./memory-blobs.js";
import { blobsOf, decodeRecord, type StoredObject, type StoredUpload } from "./records.js";
import { RedisBlobStore } from "./redis-blobs.js";

/** Where R2 keeps its data (the normalised `r2Persist`). */
export type R2Persistence =
  { readonly kind: "memory" } | { readonly kind: "file"; readonly directory: string } | { readonly kind: "redis"; readonly url: string };

/** Buckets' records live in the storage backends as objects of these ids (the file backend wants hex ids). */
const OBJECTS_ID = "0".repeat(64);
const UPLOADS_ID = `${"0".repeat(63)}1`;
const NAMESPACE_PREFIX = "r2:";
/** Records are listed this many at a time when every one must be visited. */
const PAGE = 1000;

/**
 * All R2 buckets' data in one runtime: metadata records (objects, multipart
 * uploads) in a storage backend under a LayeredBackend, bodies in a
 * BlobStore. Test isolation layers the records only (O(1) to push or pop);
 * bodies are immutable blobs, so a layer never copies one. A blob is deleted
 * once no view can reach it: when its record goes while no layer is pushed,
 * or when it was written in the innermost layer (a pop drops all of those).
 */
export class R2Storage implements IsolatedState {
  readonly blobs: BlobStore;
  readonly #layered: LayeredBackend;
  /** Blobs written while each layer was innermost. */
  readonly #written: Set<string>[] = [];
  /** Each bucket's two stores, made on first use (every R2 call reads one: no store built per call). */
  readonly #buckets = new Map<string, { readonly objects: ObjectStore; readonly uploads: ObjectStore }>();

  constructor(persistence: R2Persistence) {
    let below: StorageBackend;
    switch (persistence.kind) {
      case "memory":
        below = new MemoryBackend();
        this.blobs = new MemoryBlobStore();
        break;
      case "file": {
        const files = new FileBackend(path.join(persistence.directory, "meta"));
        below = files;
        const blobs = new FileBlobStore(path.join(persistence.directory, "blobs"));
        this.blobs = blobs;
        blobs.sweep(referencedBlobs(files));
        break;
      }
      case "redis": {
        const redis = new RedisBackend(persistence.url);
        below = redis;
        this.blobs = new RedisBlobStore(redis);
        break;
      }
    }
    this.#layered = new LayeredBackend(below);
  }

  /** Object records of a bucket, by key. */
  objects(bucket: string): ObjectStore {
    return this.#storesOf(bucket).objects;
  }

  /** Multipart upload records of a bucket, by upload id. */
  uploads(bucket: string): ObjectStore {
    return this.#storesOf(bucket).uploads;
  }

  #storesOf(bucket: string): { readonly objects: ObjectStore; readonly uploads: ObjectStore } {
    let stores = this.#buckets.get(bucket);
    if (stores === undefined) {
      const namespace = `${NAMESPACE_PREFIX}${bucket}`;
      stores = {
        objects: this.#layered.object({ namespace, id: OBJECTS_ID }),
        uploads: this.#layered.object({ namespace, id: UPLOADS_ID }),
      };
      this.#buckets.set(bucket, stores);
    }
    return stores;
  }

  /** A fresh blob id, remembered as written in the innermost layer. */
  newBlobId(): string {
    const id = nodeCrypto().randomBytes(16).toString("hex");
    this.#written.at(-1)?.add(id);
    return id;
  }

  /** Blobs whose record was just replaced or deleted: deleted where no other view can reach them. */
  release(ids: readonly string[]): Awaitable<void> {
    const innermost = this.#written.at(-1);
    const unreachable = innermost === undefined ? ids : ids.filter((id) => innermost.delete(id));
    if (unreachable.length === 0) return;
    return this.blobs.delete(unreachable);
  }

  pushLayer(): void {
    this.#layered.push();
    this.#written.push(new Set());
  }

  popLayer(): void {
    this.#layered.pop();
    const written = this.#written.pop();
    if (written !== undefined && written.size > 0) {
      // Best effort: a blob left behind is swept at the next start (file persistence).
      void Promise.resolve(this.blobs.delete([...written])).catch(() => {});
    }
  }

  async deleteAll(): Promise<void> {
    for (const { objects, uploads } of this.#buckets.values()) {
      for (const store of [objects, uploads]) {
        const blobs: string[] = [];
        for await (const record of allRecords(store)) blobs.push(...blobsOf(record));
        await store.commit({ deleteAll: true });
        await this.release(blobs);
      }
    }
  }

  async dispose(): Promise<void> {
    await this.#layered.close();
    await this.blobs.close();
  }
}

/** Every record in a store, a page at a time. */
async function* allRecords(store: ObjectStore): AsyncGenerator<StoredObject | StoredUpload> {
  let start: string | undefined;
  for (;;) {
    const page = await store.list({ start, limit: PAGE });
    for (const [, value] of page) yield decodeRecord(value);
    if (page.length < PAGE) return;
    start = `${page.at(-1)![0]}\u0000`;
  }
}

/** The blobs some record in a persistence directory refers to (the file backend answers synchronously). */
function referencedBlobs(files: FileBackend): Set<string> {
  const referenced = new Set<string>();
  const root = files.directory;
  const namespaces = existsSync(root) ? readdirSync(root).filter((name) => !name.startsWith(".")) : [];
  for (const directory of namespaces) {
    const namespace = namespaceFromDirectory(directory);
    for (const id of [OBJECTS_ID, UPLOADS_ID]) {
      const store = files.object({ namespace, id });
      let start: string | undefined;
      for (;;) {
        const page = store.list({ start, limit: PAGE }) as ReturnType<ObjectStore["list"]>;
        if (page instanceof Promise) throw new Error("the file backend answers synchronously");
        for (const [, value] of page) for (const blob of blobsOf(decodeRecord(value))) referenced.add(blob);
        if (page.length < PAGE) break;
        start = `${page.at(-1)![0]}\u0000`;
      }
    }
  }
  return referenced;
}
