import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readD1Migrations as fromPackage } from "../../../src/index.js";
import { applyD1Migrations, readD1Migrations } from "../../../src/bindings/d1/migrations.js";
import { sqliteDrivers } from "../../helpers/sqlite.js";
import { openD1, rejection } from "./helpers.js";

function migrationsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "durabox-d1-migrations-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const FILES = {
  "0002_add_posts.sql": "-- posts\nCREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), title TEXT);\n",
  "0001_create_users.sql":
    "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n\nCREATE TRIGGER name_upper AFTER INSERT ON users BEGIN UPDATE users SET name = upper(new.name) WHERE id = new.id; END;\n;\n",
  "README.md": "not a migration",
};

describe("readD1Migrations", () => {
  it("reads the .sql files sorted by name, each split into its statements (a trigger's body whole)", async () => {
    const migrations = await readD1Migrations(migrationsDir(FILES));
    expect(migrations).toEqual([
      {
        name: "0001_create_users.sql",
        queries: [
          "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);",
          "CREATE TRIGGER name_upper AFTER INSERT ON users BEGIN UPDATE users SET name = upper(new.name) WHERE id = new.id; END;",
        ],
      },
      {
        name: "0002_add_posts.sql",
        queries: ["-- posts\nCREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), title TEXT);"],
      },
    ]);
    expect(fromPackage).toBe(readD1Migrations);
  });

  it("says which directory it could not read", async () => {
    const missing = path.join(tmpdir(), "durabox-no-such-migrations");
    await expect(readD1Migrations(missing)).rejects.toThrow(`cannot read the migrations directory ${missing}`);
    await expect(readD1Migrations(undefined as never)).rejects.toThrow(TypeError);
  });
});

describe.each(sqliteDrivers.map((driver) => [driver.name, driver] as const))("applyD1Migrations on %s", (_name, driver) => {
  it("applies the migrations in order and records each in d1_migrations, as wrangler does", async () => {
    const { db } = openD1(driver);
    await applyD1Migrations(db, await readD1Migrations(migrationsDir(FILES)));
    await db.prepare("INSERT INTO users (name) VALUES ('ada')").run();
    expect(await db.prepare("SELECT name FROM users").first("name")).toBe("ADA");
    const applied = await db.prepare("SELECT id, name, applied_at FROM d1_migrations ORDER BY id").all<{ id: number; name: string }>();
    expect(applied.results.map(({ id, name }) => [id, name])).toEqual([
      [1, "0001_create_users.sql"],
      [2, "0002_add_posts.sql"],
    ]);
  });

  it("is idempotent: applying again, or with one more migration, applies only what is new", async () => {
    const { db } = openD1(driver);
    const dir = migrationsDir(FILES);
    await applyD1Migrations(db, await readD1Migrations(dir));
    await applyD1Migrations(db, await readD1Migrations(dir));
    writeFileSync(path.join(dir, "0003_more.sql"), "ALTER TABLE posts ADD COLUMN body TEXT;");
    await applyD1Migrations(db, await readD1Migrations(dir));
    expect((await db.prepare("SELECT name FROM d1_migrations").raw()).flat()).toEqual([
      "0001_create_users.sql",
      "0002_add_posts.sql",
      "0003_more.sql",
    ]);
  });

  it("leaves nothing of a migration that fails, and records it not", async () => {
    const { db } = openD1(driver);
    const dir = migrationsDir({ "0001_ok.sql": "CREATE TABLE a (x);", "0002_bad.sql": "CREATE TABLE b (x);\nCREATE TABEL c (x);" });
    const error = await rejection(applyD1Migrations(db, await readD1Migrations(dir)));
    expect(error.message).toBe('D1_ERROR: near "TABEL": syntax error at offset 7: SQLITE_ERROR');
    expect((await db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").raw()).flat()).toEqual([
      "a",
      "d1_migrations",
      "sqlite_sequence",
    ]);
    expect((await db.prepare("SELECT name FROM d1_migrations").raw()).flat()).toEqual(["0001_ok.sql"]);
  });

  it("takes another table name, and refuses what is not a database or migrations", async () => {
    const { db } = openD1(driver);
    await applyD1Migrations(db, [{ name: "one", queries: ["CREATE TABLE t (a)"] }], "schema_history");
    expect(await db.prepare("SELECT name FROM schema_history").first("name")).toBe("one");
    await expect(applyD1Migrations({} as never, [])).rejects.toThrow("expects a D1 database binding (env.DB)");
    await expect(applyD1Migrations(db, [{ name: "x" }] as never)).rejects.toThrow("expects an array of { name, queries } migrations");
  });
});
