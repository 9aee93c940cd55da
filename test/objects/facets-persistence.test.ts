import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Durabox, type DurableObjectNamespace } from "../../src/index.js";
import { TestRuntime } from "../../src/testing/test-runtime.js";
import { facetsOptions, type ParentStub } from "./facets-worker.js";

function parentOf(env: Record<string, unknown>, name = "p"): ParentStub {
  return (env.PARENT as DurableObjectNamespace).getByName(name) as unknown as ParentStub;
}

async function opened(dir: string): Promise<{ mf: Durabox; p: ParentStub; id: string }> {
  const mf = new Durabox({ ...facetsOptions, durableObjectsPersist: dir });
  const ns = (await mf.getDurableObjectNamespace("PARENT")) as DurableObjectNamespace;
  return { mf, p: ns.getByName("p") as unknown as ParentStub, id: ns.idFromName("p").toString() };
}

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)));
}

describe("facets under per-test rollback", () => {
  it("a test's facet writes, clones and deletes are undone; what an outer scope wrote stays", async () => {
    const runtime = new TestRuntime(facetsOptions);
    const p = parentOf(runtime.env);
    runtime.enterScope(); // a describe block
    expect(await p.increment("a")).toBe(1);
    runtime.enterScope(); // a test
    expect(await p.increment("a")).toBe(2);
    expect(await p.increment("made-in-test")).toBe(1);
    await p.nestedIncrement("n", "x");
    await p.cloneFacet("a", "copy");
    await runtime.exitScope();
    expect(await p.value("a")).toBe(1);
    expect(await p.value("made-in-test")).toBeNull();
    expect(await p.value("copy")).toBeNull();
    expect(await p.nestedValue("n", "x")).toBeNull();

    runtime.enterScope(); // another test deletes a facet the block made
    await p.deleteFacet("a");
    expect(await p.value("a")).toBeNull();
    await runtime.exitScope();
    expect(await p.value("a")).toBe(1);
    await runtime.exitScope();
    expect(await p.value("a")).toBeNull();
    await runtime.dispose();
  });

  it("a facet's memory ends with the test: the next test's call starts it again", async () => {
    const runtime = new TestRuntime(facetsOptions);
    const p = parentOf(runtime.env);
    runtime.enterScope();
    await p.remember("a", "alive");
    expect(await p.recall("a")).toBe("alive");
    await runtime.exitScope();
    runtime.enterScope();
    expect(await p.recall("a")).toBeNull();
    await runtime.exitScope();
    await runtime.dispose();
  });
});

describe("facets persisted to a directory", () => {
  it("keeps each facet's database in its parent's directory and finds it again in the next runtime", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "durabox-facets-"));
    const first = await opened(dir);
    await first.p.increment("a");
    await first.p.increment("a");
    await first.p.nestedIncrement("n", "x");
    await first.p.setOwn("parent's");
    await first.mf.dispose();

    const namespaceDir = readdirSync(dir).filter((name) => !name.startsWith("."));
    expect(namespaceDir).toHaveLength(1);
    const objectDir = path.join(dir, namespaceDir[0]!, first.id);
    expect(
      filesUnder(objectDir)
        .filter((file) => file.endsWith(".sqlite"))
        .sort(),
    ).toEqual([
      "db.sqlite",
      path.join("facets", "a", "db.sqlite"),
      path.join("facets", "n", "db.sqlite"),
      path.join("facets", "n", "facets", "x", "db.sqlite"),
    ]);

    const second = await opened(dir);
    expect(await second.p.value("a")).toBe(2);
    expect(await second.p.nestedValue("n", "x")).toBe(1);
    expect(await second.p.own()).toBe("parent's");
    await second.mf.dispose();
  });

  it("names that look like paths, and 256-byte names, stay distinct and inside the parent's directory", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "durabox-facets-"));
    const names = ["..", ".", "../../escape", "a/b", "A", "a", "%41", "~x", "€".repeat(85), "y".repeat(256), "y".repeat(255)];
    const first = await opened(dir);
    for (const [i, name] of names.entries()) {
      for (let n = 0; n <= i; n++) await first.p.increment(name);
    }
    await first.mf.dispose();
    // Nothing was written outside the object's directory.
    const namespaceDir = readdirSync(dir).filter((name) => !name.startsWith("."));
    expect(namespaceDir).toHaveLength(1);
    expect(existsSync(path.join(dir, "escape"))).toBe(false);
    const objectDir = path.join(dir, namespaceDir[0]!, first.id);
    expect(filesUnder(objectDir).filter((file) => file.endsWith("db.sqlite"))).toHaveLength(names.length + 1);

    const second = await opened(dir);
    for (const [i, name] of names.entries()) expect(await second.p.value(name)).toBe(i + 1);
    await second.mf.dispose();
  });

  it("delete() and the parent's deleteAll() reach facets stored by an earlier runtime, not yet used in this one", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "durabox-facets-"));
    const first = await opened(dir);
    await first.p.increment("a");
    await first.p.nestedIncrement("n", "x");
    await first.p.increment("b");
    await first.mf.dispose();

    const second = await opened(dir);
    await second.p.deleteFacet("n");
    await second.p.cloneFacet("a", "c");
    await second.mf.dispose();

    const third = await opened(dir);
    expect(await third.p.nestedValue("n", "x")).toBeNull();
    expect(await third.p.value("c")).toBe(1);
    await third.mf.dispose();

    const fourth = await opened(dir);
    await fourth.p.deleteAllStorage();
    await fourth.mf.dispose();

    const fifth = await opened(dir);
    expect([await fifth.p.value("a"), await fifth.p.value("b"), await fifth.p.value("c")]).toEqual([null, null, null]);
    await fifth.mf.dispose();
  });

  it("a test runtime over a directory reads stored facets and, by default, leaves them as they were", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "durabox-facets-"));
    const first = await opened(dir);
    await first.p.increment("stored");
    await first.mf.dispose();

    const runtime = new TestRuntime({ ...facetsOptions, durableObjectsPersist: dir });
    const p = parentOf(runtime.env);
    expect(await p.increment("stored")).toBe(2);
    expect(await p.increment("new")).toBe(1);
    await runtime.dispose();

    const again = await opened(dir);
    expect([await again.p.value("stored"), await again.p.value("new")]).toEqual([1, null]);
    await again.mf.dispose();
  });

  it("with durableObjectsPersistWrites, what a test scope wrote to facets is undone on disk, the rest kept", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "durabox-facets-"));
    const runtime = new TestRuntime({ ...facetsOptions, durableObjectsPersist: dir, durableObjectsPersistWrites: true });
    const p = parentOf(runtime.env);
    expect(await p.increment("kept")).toBe(1);
    runtime.enterScope();
    expect(await p.increment("kept")).toBe(2);
    expect(await p.increment("undone")).toBe(1);
    await runtime.exitScope();
    await runtime.dispose();

    const again = await opened(dir);
    expect([await again.p.value("kept"), await again.p.value("undone")]).toEqual([1, null]);
    await again.mf.dispose();
  });
});
