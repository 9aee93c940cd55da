import { spawn, execFile } from "node:child_process";
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { runAndKill } from "../helpers/killed-writer.js";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Durabox } from "../../src/index.js";
import { DuraboxError } from "../../src/base/errors.js";
import { FileBackend } from "../../src/storage/backends/file.js";
import { serialize, deserialize } from "../../src/storage/codec.js";

const fixtures = fileURLToPath(new URL("../../fixtures/persistence/", import.meta.url));
const run = promisify(execFile);
const temp = (): string => mkdtempSync(path.join(tmpdir(), "durabox-file-"));
const address = { namespace: "tests#Obj", id: "a".repeat(64) };
const utf8 = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Every file under `dir`, relative. */
function walk(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(path.join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`],
  );
}

const awkward = fc.constantFrom("/", "\\", ":", "?", ".", "..", "\u0000", "a", "A", "é", "😀", "\uE000", " ", "%2F", "*", "~");

describe("file backend", () => {
  it("keeps every distinct key distinct and inside its directory, across a reopen, in UTF-8 order", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.string({ unit: awkward, minLength: 0, maxLength: 12 }), { minLength: 1, maxLength: 40 }),
        async (keys) => {
          const dir = temp();
          const long = ["k".repeat(2048), "é".repeat(1024), "../".repeat(600)];
          const all = [...new Set([...keys, ...long])];
          const first = new FileBackend(dir);
          const store = first.object(address);
          store.commit({ puts: all.map((key, i) => [key, serialize(i)] as const) });
          first.close();
          const second = new FileBackend(dir);
          const reopened = second.object(address);
          const listed = (await reopened.list({})).map(([key, value]) => [key, deserialize(value)]);
          expect(listed).toEqual([...all].sort(utf8).map((key) => [key, all.indexOf(key)]));
          expect(walk(dir).sort()).toEqual([".lock", `${encodeURIComponent("tests#Obj")}/${address.id}/log`]);
          second.close();
        },
      ),
      { numRuns: 30 },
    );
  });

  it("keeps every acknowledged batch whole when the process is killed at random moments", async () => {
    const dir = temp();
    let lastAcknowledged = 0;
    for (let round = 0; round < 6; round++) {
      const acknowledged = await runAndKill(path.join(fixtures, "writer.mjs"), dir);
      lastAcknowledged = acknowledged[acknowledged.length - 1]!;

      const mf = new Durabox({ script: "export class Counter {}", durableObjects: { COUNTER: "Counter" }, durableObjectsPersist: dir });
      const ns = await mf.getDurableObjectNamespace("COUNTER");
      const stored = await (await mf.getDurableObjectStorage(ns.idFromName("batches"))).list<number | string>();
      const values = Array.from({ length: 10 }, (_, k) => stored.get(`g:${k}`));
      // One batch, whole: every key of it, and the payload written with it.
      expect(new Set(values).size).toBe(1);
      const batch = values[0] as number;
      expect(stored.get("payload")).toBe("x".repeat(2000) + batch);
      // Everything acknowledged is there (the batch in flight may be too).
      expect(batch).toBeGreaterThanOrEqual(lastAcknowledged);
      expect(batch).toBeLessThanOrEqual(lastAcknowledged + 1);
      await mf.dispose();
    }
    expect(lastAcknowledged).toBeGreaterThan(0);
  });

  it("refuses a second process on the same directory, and takes over a lock whose process died", async () => {
    const dir = temp();
    const holder = spawn(process.execPath, [path.join(fixtures, "hold.mjs"), dir], { env: { ...process.env, NODE_OPTIONS: "" } });
    await new Promise<void>((resolve) => holder.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("holding") && resolve()));
    const refused = (() => {
      try {
        new Durabox({ durableObjectsPersist: dir });
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(DuraboxError);
    expect((refused as DuraboxError).code).toBe("ERR_PERSIST_LOCKED");
    expect((refused as Error).message).toContain(`in use by process ${holder.pid}`);
    holder.kill("SIGKILL");
    await new Promise((resolve) => holder.once("exit", resolve));
    const mf = new Durabox({ durableObjectsPersist: dir });
    await mf.dispose();
  });

  it("refuses a second runtime in the same process until the first is disposed", async () => {
    const dir = temp();
    const first = new Durabox({ durableObjectsPersist: dir });
    expect(() => new Durabox({ durableObjectsPersist: dir })).toThrow(/in use by another Durabox in this process/);
    await first.dispose();
    await new Durabox({ durableObjectsPersist: dir }).dispose();
  });

  it("persists alarms and schedules them again in the next runtime", async () => {
    const dir = temp();
    const options = {
      scriptPath: path.join(fixtures, "counter-worker.mjs"),
      durableObjects: { COUNTER: "Counter" },
      durableObjectsPersist: dir,
    };
    const first = new Durabox({ ...options, durableObjectsAlarms: false });
    const id = (await first.getDurableObjectNamespace("COUNTER")).idFromName("alarm");
    const at = Date.now() + 300;
    await (await first.getDurableObjectStorage(id)).setAlarm(at);
    await first.dispose();

    const second = new Durabox(options);
    const storage = await second.getDurableObjectStorage((await second.getDurableObjectNamespace("COUNTER")).idFromName("alarm"));
    expect(await storage.getAlarm()).toBe(at);
    const deadline = Date.now() + 5000;
    while ((await storage.get("alarmed")) === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(await storage.get<number>("alarmed")).toBeGreaterThanOrEqual(at);
    expect(await storage.getAlarm()).toBeNull();
    await second.dispose();
  });

  it("drops a torn tail left by a crash and keeps what came before", async () => {
    const dir = temp();
    const first = new FileBackend(dir);
    first.object(address).commit({
      puts: [
        ["a", serialize(1)],
        ["b", serialize(2)],
      ],
    });
    first.close();
    const log = path.join(dir, encodeURIComponent("tests#Obj"), address.id, "log");
    const whole = statSync(log).size;
    appendFileSync(log, Buffer.from([0x44, 0x42, 0x58, 0x31, 0xff, 0x00, 0x00, 0x00, 1, 2, 3]));
    const second = new FileBackend(dir);
    const store = second.object(address);
    expect((await store.list({})).map(([key, value]) => [key, deserialize(value)])).toEqual([
      ["a", 1],
      ["b", 2],
    ]);
    expect(statSync(log).size).toBe(whole);
    store.commit({ puts: [["c", serialize(3)]] });
    second.close();
    const third = new FileBackend(dir);
    expect((await third.object(address).list({})).length).toBe(3);
    third.close();
  });

  it("compacts a log that is mostly overwritten, keeping the data", async () => {
    const dir = temp();
    const backend = new FileBackend(dir);
    const store = backend.object(address);
    const value = "v".repeat(200);
    for (let i = 0; i < 20_000; i++) store.commit({ puts: [["hot", serialize(value + i)]] });
    const log = path.join(dir, encodeURIComponent("tests#Obj"), address.id, "log");
    expect(statSync(log).size).toBeLessThan(3 << 20);
    backend.close();
    const reopened = new FileBackend(dir);
    const [hot] = await reopened.object(address).get(["hot"]);
    expect(deserialize(hot!)).toBe(value + 19_999);
    reopened.close();
  });

  it("two processes on one directory: the second is refused, so no increment is lost", async () => {
    const dir = temp();
    const [a, b] = await Promise.allSettled([
      run(process.execPath, [path.join(fixtures, "increment.mjs"), dir, "200"]),
      run(process.execPath, [path.join(fixtures, "increment.mjs"), dir, "200"]),
    ]);
    const outcomes = [a, b].map((r) => r.status);
    // Either both ran one after the other, or one was refused with the lock error.
    const mf = new Durabox({ script: "export class Counter {}", durableObjects: { COUNTER: "Counter" }, durableObjectsPersist: dir });
    const n = await (await mf.getDurableObjectStorage((await mf.getDurableObjectNamespace("COUNTER")).idFromName("c"))).get("n");
    await mf.dispose();
    const fulfilled = outcomes.filter((o) => o === "fulfilled").length;
    expect(n).toBe(200 * fulfilled);
    for (const result of [a, b]) {
      if (result.status === "rejected") expect(String((result.reason as { stderr?: string }).stderr)).toContain("ERR_PERSIST_LOCKED");
    }
    void readFileSync;
  });
});
