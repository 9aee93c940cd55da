import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DuraboxError } from "../../src/base/errors.js";
import { FileBackend } from "../../src/storage/backends/file.js";
import { repairPersistenceDirectory } from "../../src/storage/backends/file-repair.js";
import { scanLog } from "../../src/storage/backends/file-log-scan.js";
import { encodeRecord, HEADER } from "../../src/storage/backends/file-log-format.js";
import { deserialize, serialize } from "../../src/storage/codec.js";

const temp = (): string => mkdtempSync(path.join(tmpdir(), "durabox-corrupt-"));
const address = { namespace: "tests#Obj", id: "c".repeat(64) };
const objectDir = (dir: string): string => path.join(dir, encodeURIComponent("tests#Obj"), address.id);
const logOf = (dir: string): string => path.join(objectDir(dir), "log");

/** Ten batches, one record each: key k<i> = i; batch 6 also sets the alarm. Returns where each record starts. */
function writeTenRecords(dir: string): number[] {
  const backend = new FileBackend(dir);
  const store = backend.object(address);
  for (let i = 1; i <= 10; i++) store.commit({ puts: [[`k${i}`, serialize(i)]], ...(i === 6 && { alarm: 5000 }) });
  backend.close();
  const starts: number[] = [];
  const bytes = readFileSync(logOf(dir));
  for (let at = 0; at < bytes.length; at += HEADER + bytes.readUInt32LE(at + 4)) starts.push(at);
  expect(starts).toHaveLength(10);
  return starts;
}

function flipBit(file: string, byte: number, bit = 0): Buffer {
  const bytes = readFileSync(file);
  bytes[byte] = bytes[byte]! ^ (1 << bit);
  writeFileSync(file, bytes);
  return bytes;
}

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

async function keysOf(dir: string): Promise<string[]> {
  const backend = new FileBackend(dir);
  try {
    return (await backend.object(address).list({})).map(([key]) => key);
  } finally {
    backend.close();
  }
}

describe("a damaged log", () => {
  it("is refused with ERR_STORAGE_CORRUPT naming the file and the byte, and left untouched", () => {
    const dir = temp();
    const starts = writeTenRecords(dir);
    // One flipped bit in the payload of record 3 of 10.
    const damaged = flipBit(logOf(dir), starts[2]! + HEADER + 5);
    const backend = new FileBackend(dir);
    const store = backend.object(address);
    const error = caught(() => store.list({})) as DuraboxError;
    expect(error).toBeInstanceOf(DuraboxError);
    expect(error.code).toBe("ERR_STORAGE_CORRUPT");
    expect(error.message).toContain(`The Durable Object log ${logOf(dir)} is damaged at byte ${starts[2]} of ${damaged.length}`);
    expect(error.message).toContain(`whole records follow from byte ${starts[3]}`);
    expect(error.message).toContain(`npx durabox repair ${dir}`);
    // Every use refuses; nothing is written, and the object is still listed (it holds data).
    expect(() => store.get(["k1"])).toThrow(error);
    expect(() => store.commit({ puts: [["x", serialize(1)]] })).toThrow(error);
    expect(backend.listObjects("tests#Obj")).toEqual([address.id]);
    backend.close();
    expect(readFileSync(logOf(dir)).equals(damaged)).toBe(true);
  });

  it("tells damage from a torn tail wherever a bit flips (only the last record's length is ambiguous)", () => {
    const records = Array.from({ length: 4 }, (_, i) => encodeRecord({ puts: [[`key${i}`, serialize(`value ${i}`)]], alarm: i }));
    const whole = Buffer.concat(records);
    const lastStart = whole.length - records[3]!.length;
    for (let byte = 0; byte < whole.length; byte++) {
      for (let bit = 0; bit < 8; bit++) {
        const bytes = Buffer.from(whole);
        bytes[byte] = bytes[byte]! ^ (1 << bit);
        const scan = scanLog(bytes);
        if (scan.damage !== undefined) continue;
        // Accepted: only when a flip in the last record's length makes it run past the end (a torn write looks the same).
        expect({ byte, bit, records: scan.records.length }).toEqual({ byte, bit, records: 3 });
        expect(byte >= lastStart + 4 && byte < lastStart + 8).toBe(true);
        expect(scan.validLength).toBe(lastStart);
      }
    }
  });

  it("is refused when its last record is complete in length but its checksum fails", () => {
    const dir = temp();
    const starts = writeTenRecords(dir);
    flipBit(logOf(dir), starts[9]! + HEADER + 3);
    const error = caught(() => new FileBackend(dir).object(address).get(["k1"])) as DuraboxError;
    expect(error.code).toBe("ERR_STORAGE_CORRUPT");
    expect(error.message).toContain(`damaged at byte ${starts[9]}`);
    expect(error.message).toContain("complete in length");
  });

  it("still drops a torn tail, or a tail of zeros the file system allocated but never wrote", async () => {
    for (const tail of [Buffer.from("DBX"), Buffer.alloc(300), encodeRecord({ puts: [["late", serialize(1)]] }).subarray(0, 40)]) {
      const dir = temp();
      writeTenRecords(dir);
      const whole = readFileSync(logOf(dir)).length;
      appendFileSync(logOf(dir), tail);
      expect(await keysOf(dir)).toHaveLength(10);
      expect(readFileSync(logOf(dir)).length).toBe(whole);
    }
  });

  it("is repaired by repairPersistenceDirectory: whole records kept in a new log, the damaged one kept aside", async () => {
    const dir = temp();
    const starts = writeTenRecords(dir);
    // Record 3's length field and record 8's checksum field damaged.
    flipBit(logOf(dir), starts[2]! + 6, 3);
    const damaged = flipBit(logOf(dir), starts[7]! + 9);
    writeFileSync(path.join(objectDir(dir), "alarm"), "1"); // stale: the repair rewrites it from the log

    const report = repairPersistenceDirectory(dir);
    expect(report.checked).toBe(1);
    expect(report.repaired).toHaveLength(1);
    const [repaired] = report.repaired;
    expect(repaired).toMatchObject({ namespace: "tests#Obj", id: address.id, log: logOf(dir), keptRecords: 8 });
    expect(repaired!.lost).toEqual([
      { offset: starts[2], length: starts[3]! - starts[2]! },
      { offset: starts[7], length: starts[8]! - starts[7]! },
    ]);
    expect(path.basename(repaired!.damagedCopy)).toMatch(/^log\.corrupt-\d{8}T\d{6}Z$/);
    expect(readFileSync(repaired!.damagedCopy).equals(damaged)).toBe(true);
    expect(readFileSync(path.join(objectDir(dir), "alarm"), "utf8")).toBe("5000");

    const backend = new FileBackend(dir);
    const store = backend.object(address);
    expect((await store.list({})).map(([key, value]) => [key, deserialize(value)])).toEqual(
      [1, 2, 4, 5, 6, 7, 9, 10].map((i) => [`k${i}`, i]).sort(([a], [b]) => String(a).localeCompare(String(b))),
    );
    expect(await store.getAlarm()).toBe(5000);
    await store.commit({ puts: [["after", serialize(true)]] });
    backend.close();
    expect(await keysOf(dir)).toContain("after");
    // A second run finds nothing to do.
    expect(repairPersistenceDirectory(dir).repaired).toEqual([]);
    expect(readdirSync(objectDir(dir)).filter((name) => name.startsWith("log.corrupt-"))).toHaveLength(1);
  });

  it("is not repaired while a runtime holds the directory", () => {
    const dir = temp();
    writeTenRecords(dir);
    const backend = new FileBackend(dir);
    expect(() => repairPersistenceDirectory(dir)).toThrow(expect.objectContaining({ code: "ERR_PERSIST_LOCKED" }));
    backend.close();
    expect(() => repairPersistenceDirectory(path.join(dir, "missing"))).toThrow(expect.objectContaining({ code: "ERR_OPTIONS" }));
    expect(existsSync(path.join(dir, "missing"))).toBe(false);
  });
});
