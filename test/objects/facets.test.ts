import { afterEach, describe, expect, it } from "vitest";
import { Durabox, type DurableObjectNamespace } from "../../src/index.js";
import { facetsOptions, type ParentStub } from "./facets-worker.js";

let mf: Durabox | undefined;
afterEach(async () => {
  await mf?.dispose();
  mf = undefined;
});

async function parent(name = "p"): Promise<ParentStub> {
  mf ??= new Durabox(facetsOptions);
  const ns = (await mf.getDurableObjectNamespace("PARENT")) as DurableObjectNamespace;
  return ns.getByName(name) as unknown as ParentStub;
}

describe("ctx.facets.get()", () => {
  it("gives named child objects, each with storage of its own, reached over RPC", async () => {
    const p = await parent();
    expect(await p.increment("a")).toBe(1);
    expect(await p.increment("a")).toBe(2);
    expect(await p.increment("b")).toBe(1);
    expect([await p.value("a"), await p.value("b")]).toEqual([2, 1]);
    // The parent's own storage is not the facets'.
    expect(await p.own()).toBeNull();
    // Another parent's facet of the same name is another object.
    expect(await (await parent("q")).value("a")).toBeNull();
  });

  it("a facet sees its parent's ctx.id (same hex and name) unless the startup options give an id", async () => {
    const p = await parent("named");
    const own = await p.ownId();
    expect(await p.call("a", "identity")).toEqual({ id: own.id, name: "named", type: "object" });
    expect(await p.callAs("s", "Counter", "abc", "identity")).toEqual({ id: "abc", name: null, type: "string" });
    expect(await p.callAs("d", "Counter", "parent-id", "identity")).toEqual({ id: own.id, name: "named", type: "object" });
  });

  it("calls the startup callback once per run, on the first call, not while the facet runs", async () => {
    const p = await parent();
    expect(await p.callbackCalls()).toBe(0);
    await p.increment("a");
    await p.increment("a");
    await p.value("a");
    expect(await p.callbackCalls()).toBe(1);
    await p.increment("b");
    expect(await p.callbackCalls()).toBe(2);
  });

  it("ctx.props: {} for an object reached through its namespace; a facet's a copy of X({ props }) (conformance/tests/platform.test.ts)", async () => {
    const p = await parent();
    expect(await p.ownProps()).toEqual({});
    const given = { user: "ada", roles: ["admin"] };
    const first = await p.withProps("a", given);
    expect(first).toEqual({
      seen: { user: "ada", roles: ["admin"], seen: 1 },
      given,
      exported: ["function", "[object DurableObjectClass]"],
    });
    // The same run: the callback is not called again, so the first props stay (and the facet's own change to them).
    expect((await p.withProps("a", { user: "bob" })).seen).toEqual({ user: "ada", roles: ["admin"], seen: 2 });
    expect((await p.withProps("b", undefined)).seen).toEqual({ seen: 1 });
    await expect(p.withProps("c", 42 as never)).rejects.toThrow("ctx.exports entries take { props } as an object, got number.");
  });

  it("keeps a facet's memory while it runs: every stub of one name reaches the same instance", async () => {
    const p = await parent();
    await p.remember("a", "kept");
    expect(await p.recall("a")).toBe("kept");
  });

  it("a facet answers fetch()", async () => {
    expect(await (await parent()).facetFetch("a", "/path")).toBe("facet /path");
  });

  it("facets nest: a facet's own facets have storage of their own", async () => {
    const p = await parent();
    expect(await p.nestedIncrement("n", "x")).toBe(1);
    expect(await p.nestedIncrement("n", "x")).toBe(2);
    expect(await p.nestedIncrement("n", "y")).toBe(1);
    expect(await p.nestedValue("n", "x")).toBe(2);
    // The parent's facet "x" is not the nested one.
    expect(await p.value("x")).toBeNull();
  });

  it("refuses startup options that do not name a class of the worker, with what is allowed", async () => {
    const p = await parent();
    expect(await p.badStartup("class")).toMatch(
      /^TypeError: A facet's startup options need \{ class: ctx\.exports\.<ClassName> \}.*class was a class itself/,
    );
    expect(await p.badStartup("null")).toMatch(
      /^TypeError: The startup callback of ctx\.facets\.get\("bad-null"\) must return \{ class, id\? \}, but it returned null/,
    );
    expect(await p.badStartup("id")).toMatch(/^TypeError: .*returned an id that is neither a DurableObjectId nor a string \(got number\)/);
  });
});

describe("ctx.facets.abort(), delete(), clone()", () => {
  it("abort(): the old stub's calls fail with the reason, the next get() starts again (another class may read the storage)", async () => {
    const p = await parent();
    expect(await p.abortThenCall("a")).toEqual({ peeked: 1, oldCall: "test abort facet" });
    // A reason that is not an Error becomes one's message.
    expect(await p.abortThenCall("b", "because")).toEqual({ peeked: 1, oldCall: "because" });
    expect(await p.callbackCalls()).toBe(4);
  });

  it("delete(): calls through the old stub fail with workerd's message; the storage is gone, the facet's facets' too", async () => {
    const p = await parent();
    expect(await p.deleteThenCall("a")).toBe("Facet was deleted.");
    expect(await p.value("a")).toBeNull();
    await p.nestedIncrement("n", "x");
    await p.deleteFacet("n");
    expect(await p.nestedValue("n", "x")).toBeNull();
    // A name that never existed is fine.
    await expect(p.deleteFacet("never")).resolves.toBeUndefined();
  });

  it("clone(): copies the storage and the facet's facets; the copy is independent; a clone over a facet replaces it", async () => {
    const p = await parent();
    await p.increment("src");
    await p.nestedIncrement("nsrc", "x");
    await p.call("nsrc", "setOwn", "mine");
    await p.cloneFacet("src", "dst");
    expect(await p.value("dst")).toBe(1);
    await p.cloneFacet("nsrc", "ndst");
    expect(await p.nestedValue("ndst", "x")).toBe(1);
    expect(await p.call("ndst", "own")).toBe("mine");
    // Independent copies.
    await p.increment("dst");
    expect([await p.value("src"), await p.value("dst")]).toEqual([1, 2]);
    // Over an existing facet: its data (and its own facets) are replaced.
    await p.nestedIncrement("target", "old");
    await p.cloneFacet("nsrc", "target");
    expect(await p.nestedValue("target", "old")).toBeNull();
    expect(await p.nestedValue("target", "x")).toBe(1);
    // From a facet that never existed: the destination is emptied.
    await p.cloneFacet("never", "dst");
    expect(await p.value("dst")).toBeNull();
  });

  it("clone(x, x) stops the facet (its memory goes) and keeps its storage", async () => {
    const p = await parent();
    await p.increment("self");
    await p.remember("self", "alive");
    await p.cloneFacet("self", "self");
    expect(await p.recall("self")).toBeNull();
    expect(await p.value("self")).toBe(1);
  });

  it("the parent's deleteAll() deletes its facets' storage", async () => {
    const p = await parent();
    await p.increment("a");
    await p.nestedIncrement("n", "x");
    await p.deleteAllStorage();
    expect(await p.value("a")).toBeNull();
    expect(await p.nestedValue("n", "x")).toBeNull();
  });

  it("the parent's abort ends its facets' runs: their storage stays, their memory goes", async () => {
    const p = await parent();
    await p.increment("a");
    await p.remember("a", "alive");
    await expect(p.abortSelf()).rejects.toThrow("parent aborted");
    expect(await p.recall("a")).toBeNull();
    expect(await p.value("a")).toBe(1);
  });
});

describe("facet limits, as workerd has them", () => {
  it("a name is at most 256 bytes of UTF-8, not empty, in every method", async () => {
    const p = await parent();
    const tooLong = "TypeError: Facet name is too long (max 256 characters).";
    for (const method of ["get", "abort", "delete", "clone"]) {
      expect(await p.tryName(method, "x".repeat(257))).toBe(tooLong);
      expect(await p.tryName(method, "")).toBe("Error: Facet name cannot be empty");
    }
    expect(await p.tryName("get", "x".repeat(256))).toBe("ok");
    // 86 characters of 3 bytes each: 258 bytes.
    expect(await p.tryName("get", "€".repeat(86))).toBe(tooLong);
  });

  it("nests to depth 4 including the root Durable Object", async () => {
    const p = await parent();
    // Root -> n -> n -> n (depth 3) may not have a facet of its own.
    expect(await p.nest(3)).toBe("Error: Facet nesting depth limit exceeded. The maximum depth including the root Durable Object is 4.");
    expect(await p.nest(2)).toBe("no error");
  });

  it("a facet cannot set an alarm: the call fails with workerd's message even if the facet catches it", async () => {
    const p = await parent();
    await expect(p.call("a", "setAlarm")).rejects.toThrow("Facets currently cannot set alarms.");
    await expect(p.call("b", "setAlarmCaught")).rejects.toThrow("Facets currently cannot set alarms.");
  });

  it("a facet's stub cannot be sent over RPC", async () => {
    expect(await (await parent()).sendStub("a")).toBe("DataCloneError: Stubs pointing to Durable Object facets are not serializable.");
  });

  it("a facet's storage is SQLite: sql.exec works there", async () => {
    const p = await parent();
    expect(await p.call("a", "sqlTable")).toBe(1);
    expect(await p.call("a", "sqlTable")).toBe(2);
  });
});
