import { describe, expect, it } from "vitest";
import { DEFAULT_CPU_LIMIT_MS } from "../../src/sql/cpu-limit.js";
import { openStorage, sqliteDrivers, thrown } from "../helpers/sqlite.js";

const ENDLESS = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c";

describe.each(sqliteDrivers.map((driver) => [driver.name, driver] as const))("a runaway statement's rows, on %s", (_name, driver) => {
  it("holds cursors to production's CPU limit by default (30 s)", () => {
    expect(DEFAULT_CPU_LIMIT_MS).toBe(30_000);
  });

  it("stops an endless recursive CTE stepped from JavaScript at the CPU limit, naming the statement; timers then run", async () => {
    const { sql } = openStorage(driver, { cpuLimitMs: 200 });
    let timerRan = false;
    setTimeout(() => (timerRan = true), 0);
    const started = performance.now();
    const cursor = sql.exec(ENDLESS);
    const error = thrown(() => {
      for (const row of cursor) void row;
    });
    const took = performance.now() - started;
    expect(error.message).toBe(
      `Worker exceeded CPU time limit. durabox stopped the SQL statement ${JSON.stringify(ENDLESS)} after it stepped rows for 200 ms ` +
        "without yielding (production stops a request at its CPU limit, 30 s by default).",
    );
    expect(took).toBeGreaterThanOrEqual(200);
    expect(took).toBeLessThan(5_000);
    // The cursor is finished with that error; the database serves the next statement.
    expect(thrown(() => cursor.next()).message).toBe(error.message);
    expect(thrown(() => sql.exec(ENDLESS).toArray()).message).toMatch(/^Worker exceeded CPU time limit\./);
    expect(sql.exec("SELECT 1 AS one").one()).toEqual({ one: 1 });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(timerRan).toBe(true);
  });

  it("lets a cursor step for longer in total when the run yields between its rows", async () => {
    const { sql } = openStorage(driver, { cpuLimitMs: 50 });
    const cursor = sql.exec("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000) SELECT x FROM c");
    const started = performance.now();
    let rows = 0;
    for (const row of cursor) {
      void row;
      // Yields every 4096 rows, until the stepping has lasted longer than the limit in all.
      if (++rows % 4096 === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(rows).toBe(100_000);
    expect(performance.now() - started).toBeGreaterThan(50);
  });
});

describe.each(sqliteDrivers.map((driver) => [driver.name, driver] as const))(
  "closing a database with a cursor still stepping, on %s",
  (_name, driver) => {
    it("closes (the runtime's dispose), and the cursor's next read says the database is closed", () => {
      const storage = openStorage(driver);
      const cursor = storage.sql.exec(ENDLESS);
      expect(cursor.next().value).toEqual({ x: 1 });
      storage.close();
      expect(thrown(() => cursor.next()).message).toBe("The SQLite database is closed.");
    });
  },
);
