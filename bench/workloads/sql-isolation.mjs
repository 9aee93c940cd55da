// 8c. Per-test isolation of a SQLite-backed object with 0, 10,000 and 100,000 rows stored: one test scope is
// enter + one sql.exec INSERT (committed: an await follows it, as in a test) + exit. durabox, two ways:
//  - the runtime's pushLayer()/popLayer() (a savepoint in every open database), the rows committed below;
//  - TestRuntime's enterScope()/exitScope(), what the environments call around every test (it also evicts
//    live instances and reschedules alarms), the rows stored in its base layer as a suite's beforeAll would.
// The floor: the same savepoint statements on the driver (SAVEPOINT, INSERT, ROLLBACK TO, RELEASE).
// Afterwards every table must hold exactly the rows seeded: each scope's insert was undone.
import { loadTestRuntime } from "../lib/runtimes.mjs";
import { COUNT_ITEMS, CREATE_ITEMS, INSERT_ITEM, SEED_ITEM, driverDuraboxLoaded, itemsOptions, rawDriver, seedItems } from "../lib/sql.mjs";
import { measure } from "../lib/stats.mjs";

export const ROW_COUNTS = [0, 10_000, 100_000];

/** Seeds `rows` through sql.exec in one synchronous run, committed; returns the milliseconds taken. */
async function seed(sql, rows) {
  const start = performance.now();
  sql.exec(CREATE_ITEMS);
  seedItems((...values) => sql.exec(SEED_ITEM, ...values), rows);
  await Promise.resolve();
  return performance.now() - start;
}

/** Times scopes of enter + insert + exit, then checks the table holds `rows` rows again. */
async function timeScopes(rows, count, enter, insert, exit) {
  let n = 0;
  const result = await measure("scope", async () => {
    enter();
    insert(n++);
    await Promise.resolve();
    await exit();
  });
  const left = count();
  if (left !== rows) throw new Error(`${left} rows after the scopes, expected the ${rows} seeded`);
  return { meanUs: result.meanMs * 1000, medianUs: result.p50Ms * 1000, p99Us: result.p99Ms * 1000 };
}

async function durabox(Durabox) {
  const out = {};
  for (const rows of ROW_COUNTS) {
    const mf = new Durabox(itemsOptions());
    const ns = await mf.getDurableObjectNamespace("ITEMS");
    const sql = (await mf.getDurableObjectStorage(ns.idFromName("big"))).sql;
    const seedMs = await seed(sql, rows);
    const layers = await timeScopes(
      rows,
      () => sql.exec(COUNT_ITEMS).one().n,
      () => mf.runtime.pushLayer(),
      (i) => sql.exec(INSERT_ITEM, "scoped", i),
      () => mf.runtime.popLayer(),
    );
    await mf.dispose();
    if (rows === ROW_COUNTS.at(-1)) out.seedMs = seedMs;
    out[`layers${rows}MeanUs`] = layers.meanUs;
    out[`layers${rows}MedianUs`] = layers.medianUs;
    out[`layers${rows}P99Us`] = layers.p99Us;
  }
  const TestRuntime = await loadTestRuntime();
  for (const rows of ROW_COUNTS) {
    const runtime = new TestRuntime(itemsOptions(), { cwd: process.cwd() });
    const sql = runtime.getDurableObjectStorage(runtime.env.ITEMS.idFromName("big")).sql;
    await seed(sql, rows);
    const scopes = await timeScopes(
      rows,
      () => sql.exec(COUNT_ITEMS).one().n,
      () => runtime.enterScope(),
      (i) => sql.exec(INSERT_ITEM, "scoped", i),
      () => runtime.exitScope(),
    );
    await runtime.dispose();
    out[`scopes${rows}MeanUs`] = scopes.meanUs;
    out[`scopes${rows}MedianUs`] = scopes.medianUs;
    out[`scopes${rows}P99Us`] = scopes.p99Us;
  }
  // Which driver durabox loaded, before the floor's is loaded here (only to name it).
  const loaded = driverDuraboxLoaded();
  out.driver = rawDriver().name;
  if (!out.driver.startsWith(loaded)) throw new Error(`durabox loaded ${loaded}, the floor would use ${out.driver}`);
  return out;
}

async function floor() {
  const { name, open } = rawDriver();
  const out = { driver: name };
  for (const rows of ROW_COUNTS) {
    const db = open();
    const start = performance.now();
    db.exec(CREATE_ITEMS);
    const seedRow = db.prepare(SEED_ITEM);
    db.exec("BEGIN");
    seedItems((...values) => seedRow.run(...values), rows);
    db.exec("COMMIT");
    const seedMs = performance.now() - start;
    const [push, insert, rollback, release, count] = [
      "SAVEPOINT layer",
      INSERT_ITEM,
      "ROLLBACK TO layer",
      "RELEASE layer",
      COUNT_ITEMS,
    ].map((sql) => db.prepare(sql));
    const layers = await timeScopes(
      rows,
      () => Number(count.get().n),
      () => push.run(),
      (i) => insert.run("scoped", i),
      () => {
        rollback.run();
        release.run();
      },
    );
    db.close();
    if (rows === ROW_COUNTS.at(-1)) out.seedMs = seedMs;
    out[`layers${rows}MeanUs`] = layers.meanUs;
    out[`layers${rows}MedianUs`] = layers.medianUs;
    out[`layers${rows}P99Us`] = layers.p99Us;
  }
  return out;
}

export async function run(Runtime, { runtime }) {
  return runtime === "floor" ? floor() : durabox(Runtime);
}
