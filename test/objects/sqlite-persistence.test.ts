import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runAndKill } from "../helpers/killed-writer.js";
import { describe, expect, it } from "vitest";
import { Durabox } from "../../src/index.js";

const fixtures = fileURLToPath(new URL("../../fixtures/persistence/", import.meta.url));

/** What a runtime opening `dir` finds of the ledger fixtures/persistence/sqlite-writer.mjs writes. */
async function ledgerIn(
  dir: string,
): Promise<{ slots: { batch: number; payload: string }[]; batches: number[]; last: unknown; asyncLast: unknown }> {
  const mf = new Durabox({
    scriptPath: path.join(fixtures, "ledger-worker.mjs"),
    durableObjects: { LEDGER: { className: "Ledger", useSQLite: true } },
    durableObjectsPersist: dir,
  });
  try {
    const ns = await mf.getDurableObjectNamespace("LEDGER");
    const storage = await mf.getDurableObjectStorage(ns.idFromName("ledger"));
    // Before the first event commits, the constructor's tables do not exist either.
    if (storage.sql.exec("SELECT 1 FROM sqlite_master WHERE name = 'slots'").toArray().length === 0) {
      return { slots: [], batches: [], last: storage.kv.get("last"), asyncLast: await storage.get("async-last") };
    }
    return {
      slots: storage.sql.exec<{ batch: number; payload: string }>("SELECT batch, payload FROM slots ORDER BY k").toArray(),
      batches: storage.sql
        .exec<{ batch: number }>("SELECT batch FROM batches ORDER BY batch")
        .toArray()
        .map((row) => row.batch),
      last: storage.kv.get("last"),
      asyncLast: await storage.get("async-last"),
    };
  } finally {
    await mf.dispose();
  }
}

describe("SQLite-backed objects persisted to a directory", () => {
  it("keep every acknowledged event's writes whole when the process is killed at random moments", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "durabox-sqlite-kill-"));
    let lastAcknowledged = 0;
    for (let round = 0; round < 6; round++) {
      const acknowledged = await runAndKill(path.join(fixtures, "sqlite-writer.mjs"), dir);
      expect(acknowledged[0]).toBe(lastAcknowledged + 1);
      lastAcknowledged = acknowledged[acknowledged.length - 1]!;

      const { slots, batches, last, asyncLast } = await ledgerIn(dir);
      // Every acknowledged event is there (the one in flight may be too), none lost in between.
      const batch = batches.at(-1) ?? 0;
      expect(batch, "the last batch stored").toBeGreaterThanOrEqual(lastAcknowledged);
      expect(batch, "the last batch stored").toBeLessThanOrEqual(lastAcknowledged + 1);
      expect(batches).toEqual(Array.from({ length: batch }, (_, i) => i + 1));
      // Each event's writes whole: every slot and both key-value puts name the last batch appended.
      expect(slots).toEqual(Array.from({ length: 10 }, () => ({ batch, payload: "x".repeat(2000) + batch })));
      expect([last, asyncLast]).toEqual([batch, batch]);
      lastAcknowledged = batch;
    }
    expect(lastAcknowledged).toBeGreaterThan(6);
  }, 60_000);
});
