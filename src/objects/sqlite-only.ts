// What a key-value-backed object gets for the members only SQLite-backed
// objects have: production's message, and how to enable SQLite in durabox.

const HOW_TO_ENABLE =
  " In durabox, make the class SQLite-backed in one of three places: a wrangler migration " +
  '(`[[migrations]] tag = "v1"`, `new_sqlite_classes = ["MyObject"]`), the wrangler `exports` map ' +
  '(`MyObject = { type = "durable-object", storage = "sqlite" }`), or the binding ' +
  '(`durableObjects: { MY_OBJECT: { className: "MyObject", useSQLite: true } }`; CLI: `--do MY_OBJECT=MyObject:sqlite`).';

export const SQL_NOT_ENABLED =
  "SQL is not enabled for this Durable Object class. To enable it, change `new_classes` to `new_sqlite_classes` in your migrations." +
  HOW_TO_ENABLE;

export const KV_NOT_ENABLED = "The storage.kv (synchronous KV) API is only available for SQLite-backed Durable Objects." + HOW_TO_ENABLE;

export const TRANSACTION_SYNC_NOT_ENABLED = "Durable Object is not backed by SQL." + HOW_TO_ENABLE;

export const POINT_IN_TIME_RECOVERY_UNSUPPORTED = "This Durable Object's storage back-end does not implement point-in-time recovery.";

export const SNAPSHOTS_UNSUPPORTED = "This Durable Object's storage back-end does not implement snapshots.";
