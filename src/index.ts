export { Durabox, type ResponsePromise } from "./durabox.js";
export type { DuraboxOptions, DurableObjectBindingOptions } from "./options.js";
export { DuraboxError, type DuraboxErrorCode } from "./base/errors.js";
export { type RepairReport, type RepairedLog, type RepairedDatabase } from "./storage/backends/file-repair.js";
export { repairPersistenceDirectory } from "./sql/sqlite-repair.js";
export { DurableObjectId } from "./objects/id.js";
export { DurableObjectNamespace, type NewUniqueIdOptions, type GetStubOptions } from "./objects/namespace.js";
export { DurableObjectStub } from "./objects/stub.js";
export { DurableObjectState } from "./objects/state.js";
export { DurableObjectStorage } from "./storage/storage.js";
export type { ObjectStorage } from "./objects/object-storage.js";
export type { SqlStorage } from "./sql/sql-storage.js";
export type { SqlStorageCursor } from "./sql/cursor.js";
export type { SyncKvStorage } from "./sql/sync-kv.js";
export type {
  ReadOptions as DurableObjectGetOptions,
  WriteOptions as DurableObjectPutOptions,
  StorageListOptions as DurableObjectListOptions,
} from "./storage/host.js";
export { DurableObjectTransaction } from "./storage/transaction.js";
export { DurableObject, WorkerEntrypoint, RpcTarget } from "./rpc/classes.js";
export type { ExecutionContext } from "./worker/contracts.js";
export { D1Database } from "./bindings/d1/database.js";
export { D1DatabaseSession, type D1SessionBookmark, type D1SessionConstraint } from "./bindings/d1/session.js";
export { D1PreparedStatement } from "./bindings/d1/statement.js";
export type { D1Result, D1Response, D1Meta, D1ExecResult } from "./bindings/d1/meta.js";
export { readD1Migrations, type D1Migration } from "./bindings/d1/migrations.js";
export type {
  KVNamespace,
  KVGetOptions,
  KVGetWithMetadataResult,
  KVListKey,
  KVListOptions,
  KVListResult,
  KVPutOptions,
  KVValueType,
} from "./bindings/kv/namespace.js";
export type { CacheStorage } from "./bindings/cache/cache-storage.js";
export type { Cache, CacheQueryOptions } from "./bindings/cache/cache.js";
export type { R2Bucket, R2Objects } from "./bindings/r2/bucket.js";
export type { R2Object, R2ObjectBody, R2Checksums, R2HTTPMetadata } from "./bindings/r2/objects.js";
export type { R2MultipartUpload, R2UploadedPart } from "./bindings/r2/multipart.js";
export type {
  R2Conditional,
  R2GetOptions,
  R2ListOptions,
  R2MultipartOptions,
  R2PutOptions,
  R2PutValue,
  R2Range,
} from "./bindings/r2/types.js";
