import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Durabox } from "../../../src/index.js";
import { TestRuntime } from "../../../src/testing/test-runtime.js";
import { runAndKill } from "../../helpers/killed-writer.js";

const fixtures = fileURLToPath(new URL("../../../fixtures/persistence/", import.meta.url));
const tempDir = (name: string) => mkdtempSync(path.join(tmpdir(), `durabox-d1-${name}-`));

describe("D1 persisted to a directory (d1Persist)", () => {
  it("keeps each database in a SQLite file named by its id, and a new runtime reads it back", async () => {
    const dir = tempDir("persist");
    const first = new Durabox({ d1Databases: { DB: "app/main" }, d1Persist: dir });
    const db = await first.getD1Database("DB");
    await db.exec("CREATE TABLE notes (body TEXT);\nINSERT INTO notes VALUES ('kept')");
    await first.dispose();
    expect(existsSync(path.join(dir, "app%2Fmain.sqlite"))).toBe(true);

    const second = new Durabox({ d1Databases: { OTHER_NAME: "app/main" }, d1Persist: dir });
    expect(await (await second.getD1Database("OTHER_NAME")).prepare("SELECT body FROM notes").first("body")).toBe("kept");
    await second.dispose();
  });

  it("locks the directory as the objects' is: a second runtime on it is refused, one sharing it with durableObjectsPersist is not", async () => {
    const dir = tempDir("lock");
    const first = new Durabox({ d1Databases: ["DB"], d1Persist: dir });
    await (await first.getD1Database("DB")).exec("CREATE TABLE t (a)");
    expect(existsSync(path.join(dir, ".lock"))).toBe(true);
    expect(() => new Durabox({ d1Databases: ["DB"], d1Persist: dir })).toThrow(
      expect.objectContaining({ code: "ERR_PERSIST_LOCKED", message: expect.stringContaining(`${dir} is in use by another Durabox`) }),
    );
    expect(() => new Durabox({ durableObjectsPersist: dir })).toThrow(expect.objectContaining({ code: "ERR_PERSIST_LOCKED" }));
    await first.dispose();
    expect(existsSync(path.join(dir, ".lock"))).toBe(false);
    // One directory for both options: one lock, held once.
    const both = new Durabox({ d1Databases: ["DB"], d1Persist: dir, durableObjectsPersist: dir });
    expect(await (await both.getD1Database("DB")).prepare("SELECT count(*) AS n FROM t").first("n")).toBe(0);
    await both.dispose();
    expect(existsSync(path.join(dir, ".lock"))).toBe(false);
  });

  it("d1Persist: true keeps databases in ./.durabox/d1 under the working directory", async () => {
    const cwd = tempDir("cwd");
    const mf = new Durabox({ d1Databases: ["DB"], d1Persist: true }, { cwd });
    await (await mf.getD1Database("DB")).exec("CREATE TABLE t (a)");
    await mf.dispose();
    expect(existsSync(path.join(cwd, ".durabox", "d1", "DB.sqlite"))).toBe(true);
  });

  it("leaves the file as it was after tests: their writes stay in the test runtime's layers", async () => {
    const dir = tempDir("tests");
    const seed = new Durabox({ d1Databases: ["DB"], d1Persist: dir });
    await (await seed.getD1Database("DB")).exec("CREATE TABLE t (v TEXT);\nINSERT INTO t VALUES ('seed')");
    await seed.dispose();

    const runtime = new TestRuntime({ d1Databases: ["DB"], d1Persist: dir });
    const db = runtime.durabox.internals.binding("d1", "DB");
    expect(await db.prepare("SELECT v FROM t").first("v")).toBe("seed");
    await db.prepare("INSERT INTO t VALUES ('from a test')").run();
    await runtime.dispose();

    const after = new Durabox({ d1Databases: ["DB"], d1Persist: dir });
    expect((await (await after.getD1Database("DB")).prepare("SELECT v FROM t").raw()).flat()).toEqual(["seed"]);
    await after.dispose();
  });

  it("keeps every acknowledged batch whole when the process is killed at random moments", async () => {
    const dir = tempDir("kill");
    let lastAcknowledged = 0;
    for (let round = 0; round < 5; round++) {
      const acknowledged = await runAndKill(path.join(fixtures, "d1-writer.mjs"), dir);
      expect(acknowledged[0]).toBe(lastAcknowledged + 1);
      lastAcknowledged = acknowledged.at(-1)!;

      const mf = new Durabox({ d1Databases: { DB: "ledger" }, d1Persist: dir });
      const db = await mf.getD1Database("DB");
      const batches = (await db.prepare("SELECT batch FROM batches ORDER BY batch").raw<[number]>()).map(([batch]) => batch);
      const slots = await db.prepare("SELECT batch, payload FROM slots ORDER BY k").all();
      await mf.dispose();
      // Every acknowledged batch is there (the one in flight may be too), none lost in between, each whole.
      const batch = batches.at(-1) ?? 0;
      expect(batch, "the last batch stored").toBeGreaterThanOrEqual(lastAcknowledged);
      expect(batch, "the last batch stored").toBeLessThanOrEqual(lastAcknowledged + 1);
      expect(batches).toEqual(Array.from({ length: batch }, (_, i) => i + 1));
      expect(slots.results).toEqual(Array.from({ length: 10 }, () => ({ batch, payload: "x".repeat(2000) + batch })));
      lastAcknowledged = batch;
    }
    expect(lastAcknowledged).toBeGreaterThan(5);
  }, 60_000);
});
