import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { DeclaredClasses } from "../../src/config/durable-object-classes.js";
import { readWranglerConfig } from "../../src/config/wrangler.js";
import { optionsError } from "../helpers/options-error.js";

const fixtures = fileURLToPath(new URL("../../fixtures/wrangler/classes/", import.meta.url));
const fixture = (name: string): string => path.join(fixtures, name);

/** The classes as plain data: name to "sqlite" | "key-value" | "unknown" | "removed: ...". */
function summary(classes: DeclaredClasses): Record<string, string> {
  return Object.fromEntries(
    [...classes].map(([name, found]) => [name, found.state === "removed" ? `removed: ${found.removedBy}` : (found.storage ?? "unknown")]),
  );
}

const errorOf = optionsError;

describe("[[migrations]], applied in order", () => {
  for (const file of ["migrations.toml", "migrations.jsonc"]) {
    it(`${file}: creates, renames, deletes and transfers classes`, () => {
      const { classes } = readWranglerConfig(fixture(file));
      expect(summary(classes)).toEqual({
        Store: "key-value",
        // Renamed after being created SQLite-backed: SQLite-backed under its new name, the old name gone.
        Room: "sqlite",
        Chat: 'removed: renamed to "Room" by migration "v3"',
        Scratch: 'removed: deleted by migration "v4"',
        // Transferred in: the storage it had in its worker, unknown to this file.
        Ledger: "unknown",
      });
      const room = classes.get("Room");
      expect(room).toMatchObject({ declaredBy: 'new_sqlite_classes of migration "v2" (as "Chat", renamed by migration "v3")' });
      expect(classes.get("Ledger")).toMatchObject({ transferredFrom: { script: "billing", className: "Ledger" } });
    });
  }

  it("lets a deleted class be created again, with the storage of its new creation", () => {
    expect(summary(readWranglerConfig(fixture("recreated.toml")).classes)).toEqual({ Counter: "sqlite" });
  });

  it("refuses a class created twice, naming both migrations", () => {
    const file = fixture("invalid/created-twice.toml");
    const error = errorOf(() => readWranglerConfig(file));
    expect(error.message).toBe(
      `${file}: class "Counter" is created twice: by new_classes of migration "v1", and again by new_sqlite_classes of migration "v2". A class is created once; to start it afresh, delete it in a migration first.`,
    );
  });

  it("refuses a rename onto a class that exists", () => {
    const error = errorOf(() => readWranglerConfig(fixture("invalid/renamed-onto-existing.toml")));
    expect(error.message).toMatch(
      /class "New" is created twice: by new_sqlite_classes of migration "v1", and again by .*renamed by migration "v2"/,
    );
  });

  it("refuses renaming a class a migration deleted", () => {
    const error = errorOf(() => readWranglerConfig(fixture("invalid/renamed-deleted.toml")));
    expect(error.message).toMatch(/migration "v3" renames class "Old", which was deleted by migration "v2"\.$/);
  });

  it("names a migration without a tag by its index", () => {
    const file = writeConfig("wrangler.json", { migrations: [{ new_classes: ["A"] }, { new_classes: ["A"] }] });
    expect(errorOf(() => readWranglerConfig(file)).message).toContain(
      "by new_classes of migrations[0], and again by new_classes of migrations[1]",
    );
  });
});

describe("the exports map", () => {
  it("exports.jsonc: live entries with their storage, tombstones removed, worker entrypoints skipped", () => {
    expect(summary(readWranglerConfig(fixture("exports.jsonc")).classes)).toEqual({
      Room: "sqlite",
      Store: "key-value",
      Chat: 'removed: renamed to "Room" by exports.Chat',
      Scratch: 'removed: deleted by exports.Scratch (state "deleted")',
      Outgoing: 'removed: transferred to "billing" by exports.Outgoing',
      Incoming: "sqlite",
    });
  });

  it("exports.toml: the same map in TOML", () => {
    expect(summary(readWranglerConfig(fixture("exports.toml")).classes)).toEqual({
      Room: "sqlite",
      Store: "key-value",
      Scratch: 'removed: deleted by exports.Scratch (state "deleted")',
    });
  });

  it("refuses migrations and exports together, naming the file", () => {
    const file = fixture("invalid/both.jsonc");
    expect(errorOf(() => readWranglerConfig(file)).message).toBe(
      `${file}: both "migrations" and "exports" declare Durable Object classes: use one of them ("exports" replaces "migrations"; Cloudflare refuses a config with both).`,
    );
  });

  it("allows migrations beside an exports map with no Durable Object entry", () => {
    const file = writeConfig("wrangler.json", {
      migrations: [{ tag: "v1", new_sqlite_classes: ["Room"] }],
      exports: { Api: { type: "worker" } },
    });
    expect(summary(readWranglerConfig(file).classes)).toEqual({ Room: "sqlite" });
  });

  it("refuses an unknown type, listing the allowed ones", () => {
    const file = fixture("invalid/exports-unknown-type.jsonc");
    expect(errorOf(() => readWranglerConfig(file)).message).toBe(
      `${file}: "exports.Room.type" must be one of "durable-object", "worker", got "durable_object".`,
    );
  });

  it("refuses an unknown storage, listing the allowed ones", () => {
    const file = fixture("invalid/exports-unknown-storage.toml");
    expect(errorOf(() => readWranglerConfig(file)).message).toBe(
      `${file}: "exports.Room.storage" must be one of "sqlite", "legacy-kv", got "kv".`,
    );
  });

  it("refuses a rename whose new name has no live entry", () => {
    const file = fixture("invalid/exports-renamed-no-target.jsonc");
    expect(errorOf(() => readWranglerConfig(file)).message).toBe(
      `${file}: exports.Chat is renamed to "Room", but "exports" has no live entry for "Room": add Room = { type = "durable-object", storage = "sqlite" }.`,
    );
  });
});

function writeConfig(name: string, config: unknown): string {
  const dir = mkdtempSync(path.join(tmpdir(), "durabox-classes-"));
  const file = path.join(dir, name);
  writeFileSync(file, typeof config === "string" ? config : JSON.stringify(config));
  return file;
}

describe("wrong types are errors naming the key and the file", () => {
  const cases: [config: unknown, message: string][] = [
    [{ migrations: {} }, '"migrations" must be an array, got a table.'],
    [{ migrations: ["v1"] }, '"migrations[0]" must be a table like { tag = "v1", new_sqlite_classes = ["Counter"] }, got a string.'],
    [{ migrations: [{ tag: 1 }] }, '"migrations[0].tag" must be a string, got a number.'],
    [{ migrations: [{ tag: "v1", new_classes: "A" }] }, '"migrations[0].new_classes" must be an array, got a string.'],
    [
      { migrations: [{ tag: "v1", new_sqlite_classes: ["A", 2] }] },
      '"migrations[0].new_sqlite_classes[1]" must be a string, got a number.',
    ],
    [{ migrations: [{ tag: "v1", deleted_classes: [null] }] }, '"migrations[0].deleted_classes[0]" must be a string, got null.'],
    [
      { migrations: [{ tag: "v1", renamed_classes: ["A"] }] },
      '"migrations[0].renamed_classes[0]" must be a table like { from = "Old", to = "New" }, got a string.',
    ],
    [
      { migrations: [{ tag: "v1", renamed_classes: [{ from: "A" }] }] },
      '"migrations[0].renamed_classes[0]" needs from, to, like { from = "Old", to = "New" }; "to" is missing.',
    ],
    [
      { migrations: [{ tag: "v1", renamed_classes: [{ from: "A", to: 3 }] }] },
      '"migrations[0].renamed_classes[0].to" must be a string, got a number.',
    ],
    [
      { migrations: [{ tag: "v1", transferred_classes: [{ from: "A", to: "B" }] }] },
      '"migrations[0].transferred_classes[0]" needs from, from_script, to, like { from = "Old", from_script = "other-worker", to = "New" }; "from_script" is missing.',
    ],
    [{ exports: [] }, '"exports" must be a table (an object), got an array.'],
    [{ exports: { A: "sqlite" } }, '"exports.A" must be a table like { type = "durable-object", storage = "sqlite" }, got a string.'],
    [{ exports: { A: { storage: "sqlite" } } }, '"exports.A.type" must be one of "durable-object", "worker", got nothing.'],
    [
      { exports: { A: { type: "durable-object", state: "gone" } } },
      '"exports.A.state" must be one of "created", "deleted", "renamed", "transferred", "expecting-transfer", got "gone".',
    ],
    [{ exports: { A: { type: "durable-object" } } }, '"exports.A.storage" must be one of "sqlite", "legacy-kv", got nothing.'],
    [
      { exports: { A: { type: "durable-object", storage: true } } },
      '"exports.A.storage" must be one of "sqlite", "legacy-kv", got a boolean.',
    ],
    [{ exports: { A: { type: "durable-object", state: "renamed" } } }, '"exports.A" (state "renamed") needs "renamed_to".'],
    [{ exports: { A: { type: "durable-object", state: "transferred" } } }, '"exports.A" (state "transferred") needs "transferred_to".'],
    [
      { exports: { A: { type: "durable-object", state: "expecting-transfer", storage: "sqlite" } } },
      '"exports.A" (state "expecting-transfer") needs "transfer_from".',
    ],
  ];
  it.each(cases)("%j", (config, message) => {
    const file = writeConfig("wrangler.json", config);
    expect(errorOf(() => readWranglerConfig(file)).message).toBe(`${file}: ${message}`);
  });

  it("in TOML too", () => {
    const file = writeConfig("wrangler.toml", '[[migrations]]\ntag = "v1"\nrenamed_classes = [{ from = "A" }]\n');
    expect(errorOf(() => readWranglerConfig(file)).message).toBe(
      `${file}: "migrations[0].renamed_classes[0]" needs from, to, like { from = "Old", to = "New" }; "to" is missing.`,
    );
  });
});
