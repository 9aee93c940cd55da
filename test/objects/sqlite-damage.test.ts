import { execFile, spawn } from "node:child_process";
import { cpSync, mkdtempSync, openSync, readFileSync, readdirSync, closeSync, writeSync, truncateSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { nodeOfMajor } from "../helpers/matrix.js";
import { flipByte } from "../helpers/damage.js";

const fixture = fileURLToPath(new URL("../../fixtures/persistence/sqlite-wal.mjs", import.meta.url));

interface ReadOutcome {
  id: string;
  ids?: number[];
  error?: { code: string | undefined; message: string; name: string };
}

function read(node: string, dir: string): Promise<ReadOutcome> {
  return new Promise((resolve, reject) => {
    execFile(node, [fixture, "read", dir], { env: { ...process.env, NODE_OPTIONS: "" } }, (error, stdout, stderr) =>
      error ? reject(new Error(`${fixture} read failed: ${stderr}`)) : resolve(JSON.parse(stdout) as ReadOutcome),
    );
  });
}

/** A directory whose object's 60 rows are all still in the -wal: the writer is killed before any checkpoint. */
async function writtenAndKilled(): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), "durabox-wal-"));
  const child = spawn(process.execPath, [fixture, "write", dir], { env: { ...process.env, NODE_OPTIONS: "" } });
  await new Promise<void>((resolve) => child.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("written") && resolve()));
  child.kill("SIGKILL");
  await new Promise((resolve) => child.once("close", resolve));
  return dir;
}

function objectFiles(dir: string): string {
  const namespace = path.join(dir, "%23Rows");
  return path.join(namespace, readdirSync(namespace)[0]!);
}

function snapshot(dir: string): Record<string, string> {
  const files = objectFiles(dir);
  return Object.fromEntries(
    readdirSync(files)
      .filter((name) => name.startsWith("db.sqlite") && !name.endsWith("-shm"))
      .map((name) => [name, readFileSync(path.join(files, name)).toString("base64")]),
  );
}

let written: string;
beforeAll(async () => {
  written = await writtenAndKilled();
}, 60_000);

function copy(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "durabox-wal-copy-"));
  cpSync(written, dir, { recursive: true });
  return dir;
}

// Node 20 opens the database with better-sqlite3, Node 24 with node:sqlite.
describe.each([20, 24])("a SQLite-backed object's damaged files (Node %i)", (major) => {
  it("a damaged frame before the end of the -wal: ERR_STORAGE_CORRUPT naming the file and object, the files left untouched", async () => {
    const node = await nodeOfMajor(major);
    const dir = copy();
    const wal = path.join(objectFiles(dir), "db.sqlite-wal");
    expect(statSync(wal).size).toBeGreaterThan(200_000);
    flipByte(wal, Math.floor(statSync(wal).size / 3));
    const before = snapshot(dir);
    for (let attempt = 0; attempt < 2; attempt++) {
      const { error, id } = await read(node, dir);
      expect(error?.code).toBe("ERR_STORAGE_CORRUPT");
      expect(error?.name).toBe("DuraboxError");
      expect(error?.message).toContain(
        `The SQLite database ${path.join(objectFiles(dir), "db.sqlite")} of Durable Object ${id} of #Rows is damaged`,
      );
      expect(error?.message).toMatch(/fails its checksum, and a whole committed frame follows/);
      // Refused, and disposing the runtime did not checkpoint or delete the -wal.
      expect(snapshot(dir)).toEqual(before);
    }
  }, 60_000);

  it("a torn tail (the last frame cut short, as a crash leaves it) opens, with every whole commit", async () => {
    const dir = copy();
    const wal = path.join(objectFiles(dir), "db.sqlite-wal");
    truncateSync(wal, statSync(wal).size - 100);
    const { ids, error } = await read(await nodeOfMajor(major), dir);
    expect(error).toBeUndefined();
    expect(ids!.length).toBeGreaterThanOrEqual(59);
    expect(ids).toEqual(Array.from({ length: ids!.length }, (_, i) => i + 1));
  }, 60_000);

  it("a damaged db.sqlite: a durabox error naming the file and the object, not SQLite's bare message", async () => {
    const node = await nodeOfMajor(major);
    const dir = copy();
    // Opened and disposed once: everything checkpointed into db.sqlite, the -wal gone.
    expect((await read(node, dir)).ids).toHaveLength(60);
    const db = path.join(objectFiles(dir), "db.sqlite");
    const fd = openSync(db, "r+");
    writeSync(fd, Buffer.from("this is no SQLite header at all."), 0, 32, 0);
    closeSync(fd);
    const { error, id } = await read(node, dir);
    expect(error?.code).toBe("ERR_STORAGE_CORRUPT");
    expect(error?.name).toBe("DuraboxError");
    expect(error?.message).toContain(
      `The SQLite database ${db} of Durable Object ${id} of #Rows is damaged: file is not a database: SQLITE_NOTADB`,
    );
  }, 60_000);
});
