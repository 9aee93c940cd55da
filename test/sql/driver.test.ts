import { describe, expect, it } from "vitest";
import { DuraboxError } from "../../src/base/errors.js";
import { loadSqliteDriver } from "../../src/sql/load-driver.js";
import { sqliteDrivers } from "../helpers/sqlite.js";

const [major, minor] = process.versions.node.split(".").map(Number) as [number, number];
const nodeSqliteUsable = major > 22 || (major === 22 && minor >= 16);

describe("SQLite driver selection", () => {
  it("prefers node:sqlite where this Node has a usable one", () => {
    expect(loadSqliteDriver().name).toBe(nodeSqliteUsable ? "node:sqlite" : "better-sqlite3");
  });

  it.runIf(!nodeSqliteUsable)("names both fixes when a driver is missing", () => {
    let error: unknown;
    try {
      loadSqliteDriver("node:sqlite");
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DuraboxError);
    expect((error as DuraboxError).code).toBe("ERR_SQLITE_UNAVAILABLE");
    expect((error as Error).message).toContain(`Node ${process.version}`);
    expect((error as Error).message).toMatch(/upgrade Node to 22\.16 or later/);
    expect((error as Error).message).toMatch(/npm install --save-dev better-sqlite3@12/);
  });

  it("declares what each driver offers natively", () => {
    for (const driver of sqliteDrivers) {
      if (driver.name === "better-sqlite3") {
        // Built with SQLITE_DQS=0 and no sqlite3_db_config: double-quoted strings are emulated.
        expect(driver.features).toEqual({
          authorizer: false,
          limits: false,
          defensive: false,
          textKeepsNul: true,
          doubleQuotedStrings: false,
        });
      } else {
        // node:sqlite (probed on 22.16-22.23, 24.0-24.22, 26.12): authorizer from 24.10,
        // enableDefensive from 24.12, limits from 24.15; 25.x got them in other minors.
        if (major !== 25) {
          const atLeast = (m: number, n: number) => major > m || (major === m && minor >= n);
          expect(driver.features.authorizer).toBe(atLeast(24, 10));
          expect(driver.features.defensive).toBe(atLeast(24, 12));
          expect(driver.features.limits).toBe(atLeast(24, 15));
        }
        // enableDoubleQuotedStringLiterals: Node 22.10+, so every node:sqlite durabox loads.
        expect(driver.features.doubleQuotedStrings).toBe(true);
      }
      expect(driver.sqliteVersion).toMatch(/^3\.\d+\.\d+$/);
    }
  });
});
