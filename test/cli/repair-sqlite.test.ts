import { execFile, spawn, type ChildProcess } from "node:child_process";
import { closeSync, cpSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, statSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { flipByte } from "../helpers/damage.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const cli = path.join(root, "dist", "cli", "main.js");
const fixture = path.join(root, "fixtures", "persistence", "sqlite-wal.mjs");
const env = { ...process.env, NODE_OPTIONS: "" };

function run(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { env }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : ((error as { code?: number }).code ?? 1), output: stdout + stderr }),
    );
  });
}

async function read(dir: string): Promise<{ ids?: number[]; error?: { code?: string; message: string } }> {
  return JSON.parse((await run([fixture, "read", dir])).output) as { ids?: number[]; error?: { code?: string; message: string } };
}

const writers: ChildProcess[] = [];
afterEach(() => writers.splice(0).forEach((child) => child.kill("SIGKILL")));

/** A writer of 60 rows, all still in the -wal, left running (it holds the directory's lock). */
async function writing(dir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [fixture, "write", dir], { env });
  writers.push(child);
  await new Promise<void>((resolve) => child.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("written") && resolve()));
  return child;
}

let written: string;
beforeAll(async () => {
  written = mkdtempSync(path.join(tmpdir(), "durabox-repair-sqlite-"));
  const child = await writing(written);
  child.kill("SIGKILL");
  await new Promise((resolve) => child.once("close", resolve));
}, 60_000);

function copy(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "durabox-repair-sqlite-copy-"));
  cpSync(written, dir, { recursive: true });
  return dir;
}

function objectFiles(dir: string): string {
  const namespace = path.join(dir, "%23Rows");
  return path.join(namespace, readdirSync(namespace)[0]!);
}

describe("durabox repair on SQLite-backed objects", () => {
  it("a -wal damaged before its end: keeps every commit before the damage, the originals aside, and says what was dropped", async () => {
    const dir = copy();
    const files = objectFiles(dir);
    const wal = path.join(files, "db.sqlite-wal");
    flipByte(wal, Math.floor(statSync(wal).size / 3));
    const originals = { "db.sqlite": readFileSync(path.join(files, "db.sqlite")), "db.sqlite-wal": readFileSync(wal) };
    expect((await read(dir)).error?.message).toContain("`npx durabox repair");

    const repair = await run([cli, "repair", dir]);
    expect(repair.output).toContain(`durabox repair: read 0 object log(s) and 1 SQLite database(s) in ${dir}`);
    expect(repair.output).toContain(`repaired ${path.join(files, "db.sqlite")} (object `);
    expect(repair.output).toMatch(/fails its checksum, and a whole committed frame follows/);
    const [, kept, dropped] = /kept (\d+) whole commit\(s\) \(\d+ frame\(s\)\); dropped (\d+) commit\(s\) \(\d+ frame\(s\)\)/.exec(
      repair.output,
    )!;
    expect(Number(kept)).toBeGreaterThan(0);
    expect(Number(dropped)).toBeGreaterThan(0);
    expect(repair.code).toBe(0);
    for (const [name, bytes] of Object.entries(originals)) {
      const backup = readdirSync(files).find((file) => new RegExp(`^${name}\\.corrupt-\\d{8}T\\d{6}Z$`).test(file));
      expect(backup, name).toBeDefined();
      expect(readFileSync(path.join(files, backup!)).equals(bytes)).toBe(true);
    }

    const { ids, error } = await read(dir);
    expect(error).toBeUndefined();
    // Every commit before the damage (about a third of the 60), none after it.
    expect(ids!.length).toBeGreaterThan(5);
    expect(ids!.length).toBeLessThan(60);
    expect(ids).toEqual(Array.from({ length: ids!.length }, (_, i) => i + 1));
    expect((await run([cli, "repair", dir])).output).toContain("No damaged log or database: nothing to repair.");
  }, 60_000);

  it("a db.sqlite SQLite cannot read: moved aside, reported unrecoverable, nothing deleted", async () => {
    const dir = copy();
    expect((await read(dir)).ids).toHaveLength(60);
    const db = path.join(objectFiles(dir), "db.sqlite");
    const fd = openSync(db, "r+");
    writeSync(fd, Buffer.from("this is no SQLite header at all."), 0, 32, 0);
    closeSync(fd);
    const damaged = readFileSync(db);
    const repair = await run([cli, "repair", dir]);
    expect(repair.code).toBe(0);
    expect(repair.output).toMatch(/unrecoverable, SQLite cannot read it \(.*not a database.*\): the object starts empty/);
    const backup = readdirSync(objectFiles(dir)).find((file) => /^db\.sqlite\.corrupt-\d{8}T\d{6}Z$/.test(file));
    expect(readFileSync(path.join(objectFiles(dir), backup!)).equals(damaged)).toBe(true);
    expect(existsSync(db)).toBe(false);
    expect((await read(dir)).ids).toBeUndefined();
  }, 60_000);

  it("refuses while a live runtime holds the directory, changing nothing", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "durabox-repair-sqlite-locked-"));
    await writing(dir);
    const wal = path.join(objectFiles(dir), "db.sqlite-wal");
    flipByte(wal, Math.floor(statSync(wal).size / 3));
    const before = readFileSync(wal);
    const repair = await run([cli, "repair", dir]);
    expect(repair.code).not.toBe(0);
    expect(repair.output).toContain(`The persistence directory ${dir} is in use by process `);
    expect(readFileSync(wal).equals(before)).toBe(true);
    expect(readdirSync(objectFiles(dir)).some((file) => file.includes(".corrupt-"))).toBe(false);
  }, 60_000);
});
