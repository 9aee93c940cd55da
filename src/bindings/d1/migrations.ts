import { readdir, readFile } from "node:fs/promises";
import * as path from "../../base/path.js";
import { splitStatements } from "../../sql/statements.js";

/** One migration file: its name (`0001_create_users.sql`) and its statements, in order. */
export interface D1Migration {
  name: string;
  queries: string[];
}

/** What applyD1Migrations needs of a database: durabox's D1Database, or one typed by @cloudflare/workers-types. */
export interface D1DatabaseLike {
  prepare(query: string): D1StatementLike;
  batch(statements: D1StatementLike[]): Promise<unknown>;
}
interface D1StatementLike {
  bind(...values: unknown[]): D1StatementLike;
  all(): Promise<{ results: unknown[] }>;
  run(): Promise<unknown>;
}

/**
 * Reads a wrangler `migrations_dir`: every `*.sql` file, sorted by name (so
 * `0001_…` before `0002_…`), split into statements as SQLite splits them
 * (a trigger's body stays whole; comments and blank statements go).
 */
export async function readD1Migrations(migrationsDir: string): Promise<D1Migration[]> {
  if (typeof migrationsDir !== "string" || migrationsDir === "") {
    throw new TypeError("readD1Migrations() expects the path of a migrations directory (wrangler's migrations_dir), as a string.");
  }
  let names: string[];
  try {
    names = (await readdir(migrationsDir, { withFileTypes: true }))
      .filter((entry) => entry.isFile() && entry.name.endsWith(".sql"))
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    throw new Error(
      `readD1Migrations(): cannot read the migrations directory ${path.resolve(migrationsDir)}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  return Promise.all(
    names.map(async (name) => {
      const text = await readFile(path.join(migrationsDir, name), "utf8");
      const queries = splitStatements(text)
        .filter((segment) => !segment.empty)
        .map((segment) => segment.text.trim());
      return { name, queries };
    }),
  );
}

/**
 * Applies the migrations not yet recorded in `migrationsTableName` (wrangler's
 * `d1_migrations` table, the same shape), in order, each in one batch with
 * its record: a migration that fails leaves nothing, and applying twice
 * applies nothing more.
 */
export async function applyD1Migrations(
  db: D1DatabaseLike,
  migrations: readonly D1Migration[],
  migrationsTableName = "d1_migrations",
): Promise<void> {
  if (db === null || typeof db !== "object" || typeof db.prepare !== "function" || typeof db.batch !== "function") {
    throw new TypeError("applyD1Migrations() expects a D1 database binding (env.DB) as its first argument.");
  }
  if (!Array.isArray(migrations) || !migrations.every(isMigration)) {
    throw new TypeError("applyD1Migrations() expects an array of { name, queries } migrations, as readD1Migrations() returns.");
  }
  if (typeof migrationsTableName !== "string" || migrationsTableName === "") {
    throw new TypeError("applyD1Migrations() expects the migrations table's name as a string (default d1_migrations).");
  }
  const table = `"${migrationsTableName.replaceAll('"', '""')}"`;
  await db
    .prepare(
      `CREATE TABLE IF NOT EXISTS ${table} (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)`,
    )
    .run();
  const applied = new Set((await db.prepare(`SELECT name FROM ${table}`).all()).results.map((row) => (row as { name: unknown }).name));
  for (const migration of migrations) {
    if (applied.has(migration.name)) continue;
    await db.batch([
      ...migration.queries.map((query) => db.prepare(query)),
      db.prepare(`INSERT INTO ${table} (name) VALUES (?)`).bind(migration.name),
    ]);
    applied.add(migration.name);
  }
}

function isMigration(value: unknown): value is D1Migration {
  const candidate = value as Partial<D1Migration> | null;
  return (
    typeof candidate === "object" &&
    candidate !== null &&
    typeof candidate.name === "string" &&
    Array.isArray(candidate.queries) &&
    candidate.queries.every((query) => typeof query === "string")
  );
}
