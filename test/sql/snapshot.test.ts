import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Durabox, type DurableObjectNamespace } from "../../src/index.js";
import { TestRuntime } from "../../src/testing/test-runtime.js";
import { RESTORE_SCHEDULED, snapshotOptions, type StoreStub } from "./snapshot-worker.js";

let mf: Durabox | undefined;
afterEach(async () => {
  await mf?.dispose();
  mf = undefined;
});

async function store(name: string, options: Record<string, unknown> = {}): Promise<StoreStub> {
  mf ??= new Durabox({ ...snapshotOptions, ...options });
  return ((await mf.getDurableObjectNamespace("STORE")) as DurableObjectNamespace).getByName(name) as unknown as StoreStub;
}

/** Cloudflare's documented copy: snapshot the source, restore into the destination, expect the abort. */
async function copyStorage(source: StoreStub, destination: StoreStub, kvData?: Record<string, unknown>): Promise<void> {
  const snapshot = await source.snapshot();
  await expect(destination.copy(snapshot, kvData)).rejects.toThrow(RESTORE_SCHEDULED);
}

describe("ctx.storage.snapshot() and onNextSessionRestore()", () => {
  it("copy one object's whole database (SQL and key-value data) into another, over RPC, replacing what it had", async () => {
    const production = await store("production");
    const preview = await store("preview");
    await production.write("a", "1");
    await production.write("b", "2");
    await preview.write("old", "gone");
    await copyStorage(production, preview);
    // The next call starts the restored session.
    expect(await preview.read()).toEqual({
      rows: [
        { k: "a", v: "1" },
        { k: "b", v: "2" },
      ],
      kv: { a: "1", b: "2" },
    });
    // Independent from then on.
    await preview.write("c", "3");
    expect((await production.read()).kv).toEqual({ a: "1", b: "2" });
  });

  it("takes the snapshot when it is made: later writes to the source are not in it", async () => {
    const source = await store("source");
    await source.write("a", "before");
    const snapshot = await source.snapshot();
    await source.write("a", "after");
    const destination = await store("destination");
    await expect(destination.copy(snapshot)).rejects.toThrow(RESTORE_SCHEDULED);
    expect((await destination.read()).kv).toEqual({ a: "before" });
  });

  it("snapshots as of a bookmark, given as { bookmark } or as the string", async () => {
    const source = await store("source");
    await source.write("a", "1");
    const bookmark = await source.bookmark();
    await source.write("a", "2");
    for (const snapshot of [await source.snapshot(bookmark), await source.snapshotByString(bookmark)]) {
      const destination = await store(`at-bookmark-${Math.random()}`);
      await expect(destination.copy(snapshot)).rejects.toThrow(RESTORE_SCHEDULED);
      expect((await destination.read()).kv).toEqual({ a: "1" });
    }
  });

  it("ctx.storage.onNextSessionRestore() does the same, resolving with a bookmark that undoes it", async () => {
    const source = await store("source");
    await source.write("a", "1");
    const destination = await store("destination");
    await destination.write("mine", "x");
    const undo = await destination.scheduleOnly(await source.snapshot());
    expect(undo).toMatch(/^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/);
    // Nothing changes until the next session.
    expect((await destination.read()).kv).toEqual({ mine: "x" });
    await expect(destination.copyViaStorage(await source.snapshot())).rejects.toThrow(RESTORE_SCHEDULED);
    expect((await destination.read()).kv).toEqual({ a: "1" });
  });

  it("does not carry alarms over: the destination has none after the restore", async () => {
    const source = await store("source", { durableObjectsAlarms: false });
    const later = Date.now() + 3_600_000;
    await source.setAlarm(later);
    await source.write("a", "1");
    const destination = await store("destination");
    await destination.setAlarm(later + 1);
    await copyStorage(source, destination);
    expect(await destination.getAlarm()).toBeNull();
    expect(await source.getAlarm()).toBe(later);
    expect(mf!.runtime.alarms.pending().map((address) => address.id)).toEqual([
      ((await mf!.getDurableObjectNamespace("STORE")) as DurableObjectNamespace).idFromName("source").toString(),
    ]);
  });

  it("puts kvData into the restored database", async () => {
    const source = await store("source");
    await source.write("a", "1");
    const destination = await store("destination");
    await copyStorage(source, destination, { identity: "destination", a: "overridden" });
    expect((await destination.read()).kv).toEqual({ a: "overridden", identity: "destination" });
  });

  it("refuses what is not a snapshot or a bookmark, and bad options, saying what is allowed", async () => {
    const s = await store("s");
    expect(await s.tryRestore("object")).toMatch(
      /^TypeError: onNextSessionRestore\(\) expects a DurableObjectSnapshot from ctx\.storage\.snapshot\(\).*got Object\.$/,
    );
    expect(await s.tryRestore("number")).toMatch(/^TypeError: .*got number\.$/);
    expect(await s.tryRestore("options")).toMatch(
      /^TypeError: onNextSessionRestore\(\)'s kvData must be an object of keys and values, but got an array\.$/,
    );
    expect(await s.trySnapshot(5)).toMatch(
      /^TypeError: snapshot\(\) expects \{ bookmark\?: string \} or a bookmark string, but got a number\.$/,
    );
    expect(await s.trySnapshot("00000000-00000009-00000000-00000000000000000000000000000000")).toMatch(/^RangeError: Unknown bookmark/);
  });

  it("a snapshot is refused in a facet and on a key-value-backed object, with production's messages", async () => {
    const s = await store("s");
    expect(await s.facetSnapshot()).toBe("Error: storage.snapshot() is not available in a facet.");
    expect(await s.facetRestore(await s.snapshot())).toBe("Error: storage.onNextSessionRestore() is not available in a facet.");
    const legacy = ((await mf!.getDurableObjectNamespace("LEGACY")) as DurableObjectNamespace).getByName("l") as unknown as {
      trySnapshot(): Promise<string>;
    };
    expect(await legacy.trySnapshot()).toBe("Error: This Durable Object's storage back-end does not implement snapshots.");
  });
});

describe("snapshots under per-test rollback and on disk", () => {
  it("a restore done in a test is undone with it", async () => {
    const runtime = new TestRuntime(snapshotOptions);
    const ns = runtime.env.STORE as DurableObjectNamespace;
    const source = ns.getByName("source") as unknown as StoreStub;
    const destination = ns.getByName("destination") as unknown as StoreStub;
    runtime.enterScope();
    await source.write("a", "1");
    await destination.write("kept", "yes");
    runtime.enterScope();
    await copyStorage(source, destination);
    expect((await destination.read()).kv).toEqual({ a: "1" });
    await runtime.exitScope();
    expect((await destination.read()).kv).toEqual({ kept: "yes" });
    await runtime.exitScope();
    await runtime.dispose();
  });

  it("a restored object's database is on disk for the next runtime", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "durabox-snapshot-"));
    const source = await store("source", { durableObjectsPersist: dir });
    await source.write("a", "1");
    await copyStorage(source, await store("destination"));
    await mf!.dispose();
    mf = undefined;
    expect((await (await store("destination", { durableObjectsPersist: dir })).read()).kv).toEqual({ a: "1" });
  });
});
