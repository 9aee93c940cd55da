import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Durabox } from "../../src/index.js";
import { ObjectRuntime } from "../../src/objects/runtime.js";
import { normalizeOptions, type DuraboxOptions, type NormalizedOptions } from "../../src/options.js";
import { optionsError } from "../helpers/options-error.js";

const fixtures = fileURLToPath(new URL("../../fixtures/wrangler/classes/", import.meta.url));
const fixture = (name: string): string => path.join(fixtures, name);
const script = "export class A {} export class B {} export default { fetch() { return new Response('') } }";

/** Each worker's resolved kinds, as plain data. */
const kinds = (options: NormalizedOptions): Record<string, Record<string, string>> =>
  Object.fromEntries(options.workers.map((worker) => [worker.name, Object.fromEntries(worker.storageKinds)]));

function errorOf(options: DuraboxOptions): string {
  return optionsError(() => normalizeOptions(options)).message;
}

describe("one storage kind per class", () => {
  it("is key-value when no source says", () => {
    expect(kinds(normalizeOptions({ script, durableObjects: { A: "A", B: { className: "B" } } }))).toEqual({
      "": { A: "key-value", B: "key-value" },
    });
  });

  it("takes useSQLite from a binding, and keeps it on the normalised binding", () => {
    const options = normalizeOptions({
      script,
      durableObjects: { A: { className: "A", useSQLite: true }, B: { className: "B", useSQLite: false } },
    });
    expect(kinds(options)).toEqual({ "": { A: "sqlite", B: "key-value" } });
    expect(options.workers[0]!.durableObjects).toEqual([
      { binding: "A", className: "A", scriptName: "", useSQLite: true },
      { binding: "B", className: "B", scriptName: "", useSQLite: false },
    ]);
  });

  it("takes the migrations of the exporting worker's config, for bound and unbound live classes", () => {
    expect(kinds(normalizeOptions({ wranglerConfigPath: fixture("migrations.toml") }))).toEqual({
      chat: { Store: "key-value", Room: "sqlite", Ledger: "key-value" },
    });
  });

  it("takes the exports map", () => {
    expect(kinds(normalizeOptions({ wranglerConfigPath: fixture("exports.jsonc") }))).toEqual({
      chat: { Room: "sqlite", Store: "key-value", Incoming: "sqlite" },
    });
  });

  it("gives a class transferred in the kind it has in its configured source worker", () => {
    const options = normalizeOptions({
      workers: [{ wranglerConfigPath: fixture("migrations.toml") }, { wranglerConfigPath: fixture("billing.toml") }],
    });
    expect(kinds(options)).toEqual({
      chat: { Store: "key-value", Room: "sqlite", Ledger: "sqlite" },
      billing: { Ledger: "sqlite" },
    });
  });

  it("is SQLite-backed when any binding says so and none says otherwise, across workers", () => {
    const options = normalizeOptions({
      workers: [
        { name: "api", script, durableObjects: { A: "A" } },
        { name: "web", script, durableObjects: { API_A: { className: "A", scriptName: "api", useSQLite: true } } },
      ],
    });
    expect(kinds(options)).toEqual({ api: { A: "sqlite" }, web: {} });
  });

  it("agrees with a config that says the same (a binding may repeat what the migrations say)", () => {
    const options = normalizeOptions({
      wranglerConfigPath: fixture("migrations.toml"),
      durableObjects: { ROOM: { className: "Room", useSQLite: true }, STORE: { className: "Store", useSQLite: false } },
    });
    expect(kinds(options).chat).toMatchObject({ Room: "sqlite", Store: "key-value" });
  });
});

describe("disagreement is an error naming both sources", () => {
  it("a binding's useSQLite: false against new_sqlite_classes (renamed)", () => {
    const file = fixture("migrations.toml");
    expect(errorOf({ wranglerConfigPath: file, durableObjects: { ROOM: { className: "Room", useSQLite: false } } })).toBe(
      `Durable Object class "Room" of worker "chat" is declared SQLite-backed by new_sqlite_classes of migration "v2" (as "Chat", renamed by migration "v3") in ${file}, and key-value by durableObjects.ROOM (useSQLite: false): every source naming a class must agree.`,
    );
  });

  it("a binding's useSQLite: true against new_classes", () => {
    const file = fixture("migrations.toml");
    expect(errorOf({ wranglerConfigPath: file, durableObjects: { STORE: { className: "Store", useSQLite: true } } })).toBe(
      `Durable Object class "Store" of worker "chat" is declared SQLite-backed by durableObjects.STORE (useSQLite: true), and key-value by new_classes of migration "v1" in ${file}: every source naming a class must agree.`,
    );
  });

  it("a binding against the exports map's storage", () => {
    const file = fixture("exports.jsonc");
    expect(errorOf({ wranglerConfigPath: file, durableObjects: { ROOM: { className: "Room", useSQLite: false } } })).toContain(
      `SQLite-backed by exports.Room (storage "sqlite") in ${file}, and key-value by durableObjects.ROOM (useSQLite: false)`,
    );
  });

  it("two bindings of the same class, in two workers", () => {
    expect(
      errorOf({
        workers: [
          { name: "api", script, durableObjects: { A: { className: "A", useSQLite: false } } },
          { name: "web", script, durableObjects: { API_A: { className: "A", scriptName: "api", useSQLite: true } } },
        ],
      }),
    ).toBe(
      'Durable Object class "A" of worker "api" is declared SQLite-backed by workers[1].durableObjects.API_A (useSQLite: true), and key-value by workers[0].durableObjects.A (useSQLite: false): every source naming a class must agree.',
    );
  });

  it("a transferred class against its source worker's config", () => {
    expect(
      errorOf({
        workers: [
          { wranglerConfigPath: fixture("migrations.toml"), durableObjects: { LEDGER: { className: "Ledger", useSQLite: false } } },
          { wranglerConfigPath: fixture("billing.toml") },
        ],
      }),
    ).toMatch(
      /class "Ledger" of worker "chat" is declared SQLite-backed by transferred_classes of migration "v5" .* which is new_sqlite_classes of migration "v1" in .*billing\.toml, and key-value by workers\[0\]\.durableObjects\.LEDGER/,
    );
  });
});

describe("a binding to a class the config removed", () => {
  it("names the migration that deleted it", () => {
    const file = fixture("migrations.toml");
    expect(errorOf({ wranglerConfigPath: file, durableObjects: { SCRATCH: "Scratch" } })).toBe(
      `The Durable Object binding "SCRATCH" of worker "chat" uses class "Scratch" of worker "chat", but that class was deleted by migration "v4" in ${file}: bind a class that exists, or create it again in a later migration.`,
    );
  });

  it("in the config's own bindings too", () => {
    expect(errorOf({ wranglerConfigPath: fixture("invalid/bound-deleted.toml") })).toMatch(
      /binding "SCRATCH" of the entry worker uses class "Scratch" of the entry worker, but that class was deleted by migration "v2" in .*bound-deleted\.toml/,
    );
  });

  it("names the rename, for a class renamed away (migrations and exports)", () => {
    expect(errorOf({ wranglerConfigPath: fixture("migrations.toml"), durableObjects: { CHAT: "Chat" } })).toContain(
      'that class was renamed to "Room" by migration "v3"',
    );
    expect(errorOf({ wranglerConfigPath: fixture("exports.jsonc"), durableObjects: { OUT: "Outgoing" } })).toContain(
      'that class was transferred to "billing" by exports.Outgoing',
    );
  });
});

describe("the runtime", () => {
  afterEach(() => vi.restoreAllMocks());

  it("defines each class with its resolved kind", async () => {
    const define = vi.spyOn(ObjectRuntime.prototype, "define");
    const mf = new Durabox({
      wranglerConfigPath: fixture("migrations.toml"),
      durableObjects: { EXTRA: { className: "Store" }, CHAT_SQL: { className: "Ledger", useSQLite: true } },
    });
    try {
      await mf.ready;
      expect(Object.fromEntries(define.mock.calls.map(([spec]) => [spec.identity, spec.storageKind]))).toEqual({
        "chat#Store": "key-value",
        "chat#Room": "sqlite",
        "chat#Ledger": "sqlite",
      });
    } finally {
      await mf.dispose();
    }
  });
});
