/** The worker the facet tests run: a parent object that starts named child facets (agents-style) and calls them over RPC. */
export const facetsScript = /* js */ `
  import { DurableObject } from "cloudflare:workers";

  export class Counter extends DurableObject {
    increment() {
      const value = (this.ctx.storage.kv.get("value") ?? 0) + 1;
      this.ctx.storage.kv.put("value", value);
      return value;
    }
    value() { return this.ctx.storage.kv.get("value") ?? null; }
    identity() { return { id: String(this.ctx.id), name: this.ctx.id.name ?? null, type: typeof this.ctx.id }; }
    remember(v) { this.memory = v; }
    recall() { return this.memory ?? null; }
    props() { this.ctx.props.seen = (this.ctx.props.seen ?? 0) + 1; return this.ctx.props; }
    setAlarm() { return this.ctx.storage.setAlarm(Date.now() + 60_000); }
    async setAlarmCaught() {
      try { await this.ctx.storage.setAlarm(Date.now() + 60_000); } catch { return "caught"; }
      return "no error";
    }
    alarm() {}
    sqlTable() {
      this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS t (v TEXT)");
      this.ctx.storage.sql.exec("INSERT INTO t VALUES ('row')");
      return this.ctx.storage.sql.exec("SELECT count(*) AS n FROM t").one().n;
    }
    fetch(request) { return new Response("facet " + new URL(request.url).pathname); }
  }

  export class Other extends DurableObject {
    peek() { return this.ctx.storage.kv.get("value") ?? null; }
  }

  export class Nested extends DurableObject {
    child(name) { return this.ctx.facets.get(name, () => ({ class: this.ctx.exports.Counter })); }
    increment(name) { return this.child(name).increment(); }
    value(name) { return this.child(name).value(); }
    own() { return this.ctx.storage.kv.get("own") ?? null; }
    setOwn(v) { this.ctx.storage.kv.put("own", v); }
    nest(remaining) {
      if (remaining === 0) {
        try { this.ctx.facets.get("deeper", () => ({ class: this.ctx.exports.Nested })); return "no error"; }
        catch (e) { return e.constructor.name + ": " + e.message; }
      }
      return this.ctx.facets.get("n", () => ({ class: this.ctx.exports.Nested })).nest(remaining - 1);
    }
  }

  export class Parent extends DurableObject {
    calls = 0;
    facet(name, className = "Counter", id) {
      return this.ctx.facets.get(name, async () => {
        this.calls++;
        return { class: this.ctx.exports[className], ...(id === "parent-id" ? { id: this.ctx.id } : id !== undefined && { id }) };
      });
    }
    increment(name) { return this.facet(name).increment(); }
    value(name) { return this.facet(name).value(); }
    callbackCalls() { return this.calls; }
    call(name, method, ...args) { return this.facet(name)[method](...args); }
    callAs(name, className, id, method) { return this.facet(name, className, id)[method](); }
    nestedIncrement(name, child) { return this.facet(name, "Nested").increment(child); }
    nestedValue(name, child) { return this.facet(name, "Nested").value(child); }
    ownId() { return { id: String(this.ctx.id), name: this.ctx.id.name }; }
    ownProps() { return this.ctx.props; }
    async withProps(name, props) {
      const facet = this.ctx.facets.get(name, () => ({ class: this.ctx.exports.Counter(props === undefined ? undefined : { props }) }));
      const seen = await facet.props();
      return { seen, given: props ?? null, exported: [typeof this.ctx.exports.Counter, String(this.ctx.exports.Counter({}))] };
    }
    own() { return this.ctx.storage.kv.get("own") ?? null; }
    setOwn(v) { this.ctx.storage.kv.put("own", v); }

    async abortThenCall(name, reason) {
      const old = this.facet(name);
      await old.increment();
      this.ctx.facets.abort(name, reason === undefined ? new Error("test abort facet") : reason);
      const fresh = this.facet(name, "Other");
      const peeked = await fresh.peek();
      const oldCall = await old.increment().then(() => "no error", (e) => e.message);
      return { peeked, oldCall };
    }
    remember(name, v) { return this.facet(name).remember(v); }
    recall(name) { return this.facet(name).recall(); }
    deleteFacet(name) { this.ctx.facets.delete(name); }
    cloneFacet(src, dst) { this.ctx.facets.clone(src, dst); }
    async deleteThenCall(name) {
      const old = this.facet(name);
      await old.increment();
      this.ctx.facets.delete(name);
      return old.increment().then(() => "no error", (e) => e.message);
    }
    tryName(method, name) {
      try {
        if (method === "get") this.ctx.facets.get(name, () => ({ class: this.ctx.exports.Counter }));
        else if (method === "clone") this.ctx.facets.clone(name, "ok");
        else this.ctx.facets[method](name, "reason");
        return "ok";
      } catch (e) { return e.constructor.name + ": " + e.message; }
    }
    nest(remaining) { return this.facet("n", "Nested").nest(remaining - 1); }
    async sendStub(name) {
      const stub = this.facet(name);
      try { await this.ctx.exports.Parent.getByName("other").receive(stub); return "no error"; }
      catch (e) { return e.name + ": " + e.message; }
    }
    receive() {}
    async facetFetch(name, path) { return (await this.facet(name).fetch("http://facet" + path)).text(); }
    async badStartup(kind) {
      const options = kind === "class" ? { class: Counter } : kind === "null" ? null : { class: this.ctx.exports.Counter, id: 5 };
      const stub = this.ctx.facets.get("bad-" + kind, () => options);
      return stub.increment().then(() => "no error", (e) => e.constructor.name + ": " + e.message);
    }
    async deleteAllStorage() { await this.ctx.storage.deleteAll(); }
    abortSelf() { this.ctx.abort("parent aborted"); }
    async heldStubAfterAbort(name) {
      this.held = this.facet(name);
      await this.held.increment();
    }
  }

  export default { fetch() { return new Response("ok"); } };
`;

/** The RPC surface of the test's Parent object. */
export interface ParentStub {
  ownProps(): Promise<unknown>;
  withProps(name: string, props: object | undefined): Promise<{ seen: unknown; given: unknown; exported: [string, string] }>;
  increment(name: string): Promise<number>;
  value(name: string): Promise<number | null>;
  callbackCalls(): Promise<number>;
  call(name: string, method: string, ...args: unknown[]): Promise<unknown>;
  callAs(name: string, className: string, id: string | undefined, method: string): Promise<unknown>;
  nestedIncrement(name: string, child: string): Promise<number>;
  nestedValue(name: string, child: string): Promise<number | null>;
  ownId(): Promise<{ id: string; name: string }>;
  own(): Promise<unknown>;
  setOwn(v: unknown): Promise<void>;
  abortThenCall(name: string, reason?: string): Promise<{ peeked: unknown; oldCall: string }>;
  remember(name: string, v: unknown): Promise<void>;
  recall(name: string): Promise<unknown>;
  deleteFacet(name: string): Promise<void>;
  cloneFacet(src: string, dst: string): Promise<void>;
  deleteThenCall(name: string): Promise<string>;
  tryName(method: string, name: string): Promise<string>;
  nest(remaining: number): Promise<string>;
  sendStub(name: string): Promise<string>;
  facetFetch(name: string, path: string): Promise<string>;
  badStartup(kind: string): Promise<string>;
  deleteAllStorage(): Promise<void>;
  abortSelf(): Promise<void>;
}

export const facetsOptions = {
  script: facetsScript,
  compatibilityDate: "2026-04-01",
  durableObjects: { PARENT: { className: "Parent", useSQLite: true } },
} as const;
