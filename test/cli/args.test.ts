import { describe, expect, it } from "vitest";
import { DuraboxError } from "../../src/base/errors.js";
import { HELP, parseCommandLine, type ServeArguments } from "../../src/cli/args.js";
import { normalizeOptions } from "../../src/options.js";

const durableObjectsOf = (...argv: string[]): unknown => (parseCommandLine(argv) as ServeArguments).options.durableObjects;

describe("--do NAME=Class[@script][:sqlite]", () => {
  it("marks a class SQLite-backed with :sqlite, with or without @script", () => {
    expect(durableObjectsOf("--do", "A=Room:sqlite", "-o", "B=Ledger@billing:sqlite", "-o", "C=Store", "-o", "D=Api@api")).toEqual({
      A: { className: "Room", useSQLite: true },
      B: { className: "Ledger", scriptName: "billing", useSQLite: true },
      C: { className: "Store" },
      D: { className: "Api", scriptName: "api" },
    });
  });

  it("gives options normalizeOptions resolves to a SQLite-backed class", () => {
    const { options } = parseCommandLine(["--do", "ROOM=Room:sqlite", "--do", "STORE=Store"]) as ServeArguments;
    const normalized = normalizeOptions({ ...options, script: "export class Room {} export class Store {}" });
    expect(Object.fromEntries(normalized.workers[0]!.storageKinds)).toEqual({ Room: "sqlite", Store: "key-value" });
  });

  it.each([
    ["A=Room:kv", '--do A=Room:kv: the only suffix is ":sqlite" (a SQLite-backed class), for example --do A=Room:sqlite.'],
    [
      "A=Room:sqlite:sqlite",
      '--do A=Room:sqlite:sqlite: the only suffix is ":sqlite" (a SQLite-backed class), for example --do A=Room:sqlite.',
    ],
    ["A=:sqlite", "--do A= needs a class name, for example --do A=Counter."],
  ])("refuses %s", (value, message) => {
    expect(() => parseCommandLine(["--do", value])).toThrow(new DuraboxError("ERR_OPTIONS", message));
  });

  it("is in --help", () => {
    expect(HELP).toContain("--do NAME=Class[@script][:sqlite]");
    expect(HELP).toMatch(/:sqlite makes the class\s+SQLite-backed/);
  });
});
