/** The worker the snapshot tests run: objects that snapshot their storage and restore another's, as Cloudflare's docs show. */
export const RESTORE_SCHEDULED = "Snapshot restore scheduled";

export const snapshotScript = /* js */ `
  import { DurableObject } from "cloudflare:workers";

  export class Store extends DurableObject {
    write(key, value) {
      this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS rows (k TEXT PRIMARY KEY, v TEXT)");
      this.ctx.storage.sql.exec("INSERT OR REPLACE INTO rows VALUES (?, ?)", key, value);
      this.ctx.storage.kv.put(key, value);
    }
    read() {
      const table = this.ctx.storage.sql.exec("SELECT 1 FROM sqlite_master WHERE name = 'rows'").toArray().length > 0;
      return {
        rows: table ? this.ctx.storage.sql.exec("SELECT k, v FROM rows ORDER BY k").toArray() : [],
        kv: Object.fromEntries(this.ctx.storage.kv.list()),
      };
    }
    snapshot(bookmark) { return this.ctx.storage.snapshot(bookmark === undefined ? undefined : { bookmark }); }
    snapshotByString(bookmark) { return this.ctx.storage.snapshot(bookmark); }
    bookmark() { return this.ctx.storage.getCurrentBookmark(); }
    async copy(snapshot, kvData) {
      await this.ctx.onNextSessionRestore(snapshot, kvData === undefined ? undefined : { kvData });
      this.ctx.abort("${RESTORE_SCHEDULED}");
    }
    async copyViaStorage(snapshot) {
      const undo = await this.ctx.storage.onNextSessionRestore(snapshot);
      this.undo = undo;
      this.ctx.abort("${RESTORE_SCHEDULED}");
    }
    async scheduleOnly(snapshot) { return this.ctx.storage.onNextSessionRestore(snapshot); }
    async tryRestore(kind) {
      const target = kind === "object" ? {} : kind === "number" ? 5 : await this.ctx.storage.snapshot();
      const options = kind === "options" ? { kvData: [1] } : undefined;
      return this.ctx.storage.onNextSessionRestore(target, options).then(() => "no error", (e) => e.constructor.name + ": " + e.message);
    }
    trySnapshot(arg) { return this.ctx.storage.snapshot(arg).then(() => "no error", (e) => e.constructor.name + ": " + e.message); }
    setAlarm(time) { return this.ctx.storage.setAlarm(time); }
    getAlarm() { return this.ctx.storage.getAlarm(); }
    alarm() {}
    facetSnapshot() {
      const facet = this.ctx.facets.get("f", () => ({ class: this.ctx.exports.Store }));
      return facet.trySnapshot();
    }
    facetRestore(snapshot) {
      const facet = this.ctx.facets.get("f", () => ({ class: this.ctx.exports.Store }));
      return facet.restoreCaught(snapshot);
    }
    restoreCaught(snapshot) {
      return this.ctx.storage.onNextSessionRestore(snapshot).then(() => "no error", (e) => e.constructor.name + ": " + e.message);
    }
    instanceMark() { return (this.mark ??= Math.random()); }
  }

  export class Legacy extends DurableObject {
    trySnapshot() { return this.ctx.storage.snapshot().then(() => "no error", (e) => e.constructor.name + ": " + e.message); }
  }

  export default { fetch() { return new Response("ok"); } };
`;

export interface StoreStub {
  write(key: string, value: string): Promise<void>;
  read(): Promise<{ rows: { k: string; v: string }[]; kv: Record<string, unknown> }>;
  snapshot(bookmark?: string): Promise<unknown>;
  snapshotByString(bookmark: string): Promise<unknown>;
  bookmark(): Promise<string>;
  copy(snapshot: unknown, kvData?: Record<string, unknown>): Promise<void>;
  copyViaStorage(snapshot: unknown): Promise<void>;
  scheduleOnly(snapshot: unknown): Promise<string>;
  tryRestore(kind: string): Promise<string>;
  trySnapshot(arg?: unknown): Promise<string>;
  setAlarm(time: number): Promise<void>;
  getAlarm(): Promise<number | null>;
  facetSnapshot(): Promise<string>;
  facetRestore(snapshot: unknown): Promise<string>;
  instanceMark(): Promise<number>;
}

export const snapshotOptions = {
  script: snapshotScript,
  compatibilityDate: "2026-04-01",
  durableObjects: { STORE: { className: "Store", useSQLite: true }, LEGACY: "Legacy" },
} as const;
