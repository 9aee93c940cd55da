// D1 queries (section "D1" of RESULTS.md): a D1 binding's point select and inserts against the same
// statements on the raw driver (the floor) and on Miniflare 2's beta D1. Every timed iteration is a batch of
// BATCH calls, so timer and loop costs stay out.
//  - point select: `prepare(SELECT … WHERE id = ?).bind(id).first()` over 10,000 rows, awaited one by one
//    (a worker prepares per request); floor: `get(id)` on a statement prepared once;
//  - insert: `prepare(INSERT).bind(…).run()`, awaited one by one, each its own transaction; floor: `run()`
//    in autocommit;
//  - batch: one `db.batch()` of BATCH inserts (one transaction); floor: the inserts between BEGIN and COMMIT.
import { COUNT_ITEMS, CREATE_ITEMS, INSERT_ITEM, SEED_ITEM, SELECT_ITEM, itemName, rawDriver, seedItems } from "../lib/sql.mjs";
import { measure } from "../lib/stats.mjs";

const ROWS = 10_000;
const BATCH = 100;
const opsPerSec = (result) => (BATCH * 1000) / result.p50Ms;

async function timeQueries({ select, insert, insertBatch, count }) {
  let n = 0;
  const selected = await measure("point select", async () => {
    for (let i = 0; i < BATCH; i++) {
      const id = ((n++ * 7919) % ROWS) + 1;
      const row = await select(id);
      if (row.id !== id || row.name !== itemName(id)) throw new Error(`select ${id} read ${JSON.stringify(row)}`);
    }
  });
  let inserted = 0;
  const each = await measure("insert", async () => {
    for (let i = 0; i < BATCH; i++) await insert("new", inserted++);
  });
  const batched = await measure("batch", async () => {
    await insertBatch(Array.from({ length: BATCH }, () => ["new", inserted++]));
  });
  const rows = await count();
  if (rows !== ROWS + inserted) throw new Error(`the table holds ${rows} rows, expected ${ROWS + inserted}`);
  return {
    selectOpsPerSec: opsPerSec(selected),
    insertOpsPerSec: opsPerSec(each),
    batchOpsPerSec: opsPerSec(batched),
    selectMeanUs: (selected.meanMs * 1000) / BATCH,
    insertMeanUs: (each.meanMs * 1000) / BATCH,
    batchMeanUs: (batched.meanMs * 1000) / BATCH,
    maxRmePct: Math.max(selected.rmePct, each.rmePct, batched.rmePct),
  };
}

/** The D1 API both runtimes share (Miniflare 2's beta D1 has prepare, bind, first, run, batch). */
async function onD1(db) {
  await db.prepare(CREATE_ITEMS).run();
  const seed = [];
  seedItems((...values) => seed.push(db.prepare(SEED_ITEM).bind(...values)), ROWS);
  await db.batch(seed);
  return timeQueries({
    select: (id) => db.prepare(SELECT_ITEM).bind(id).first(),
    insert: (name, value) => db.prepare(INSERT_ITEM).bind(name, value).run(),
    insertBatch: (rows) => db.batch(rows.map((values) => db.prepare(INSERT_ITEM).bind(...values))),
    count: async () => (await db.prepare(COUNT_ITEMS).first()).n,
  });
}

async function floor() {
  const { name, open } = rawDriver();
  const db = open();
  db.exec(CREATE_ITEMS);
  const seed = db.prepare(SEED_ITEM);
  db.exec("BEGIN");
  seedItems((...values) => seed.run(...values), ROWS);
  db.exec("COMMIT");
  const select = db.prepare(SELECT_ITEM);
  const insert = db.prepare(INSERT_ITEM);
  const begin = db.prepare("BEGIN");
  const commit = db.prepare("COMMIT");
  const count = db.prepare(COUNT_ITEMS);
  const result = await timeQueries({
    select: (id) => select.get(id),
    insert: (name, value) => insert.run(name, value),
    insertBatch: (rows) => {
      begin.run();
      for (const values of rows) insert.run(...values);
      commit.run();
    },
    count: () => Number(count.get().n),
  });
  db.close();
  return { ...result, driver: name };
}

export async function run(Runtime, { runtime }) {
  if (runtime === "floor") return floor();
  if (runtime === "durabox") {
    const mf = new Runtime({ d1Databases: ["DB"] });
    const result = await onD1(await mf.getD1Database("DB"));
    await mf.dispose();
    return { ...result, driver: rawDriver().name };
  }
  // Miniflare 2 binds D1 only under the beta prefix wrangler 2 gave it, on better-sqlite3 it loads itself.
  const mf = new Runtime({
    script: "export default { fetch() { return new Response('ok'); } }",
    modules: true,
    d1Databases: ["__D1_BETA__DB"],
  });
  const db = (await mf.getBindings()).__D1_BETA__DB;
  const result = await onD1(db);
  await mf.dispose();
  return result;
}
