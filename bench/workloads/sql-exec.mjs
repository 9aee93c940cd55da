// 8a. sql.exec inside a SQLite-backed object against the same statements on the raw driver (the floor).
// durabox: getDurableObjectStorage(id).sql, the very SqlStorage the object gets as ctx.storage.sql (checked
// below), so the figures are sql.exec's own, without an event around it. The floor: the driver durabox loads
// in this Node, in its default configuration, with each statement prepared once (as a user of the driver
// writes it). Every timed iteration is a batch of BATCH statements, so timer and loop costs stay out.
//  - point select: `exec(SELECT … WHERE id = ?).one()` over 10,000 rows; floor: `get(id)`;
//  - insert, BATCH in one synchronous run: durabox's implicit transaction and its commit (at the end of the
//    run); floor: the same inserts between BEGIN and COMMIT;
//  - insert, one per synchronous run: each insert its own implicit transaction, committed before the next;
//    floor: each insert in autocommit, and (floor only) each between SAVEPOINT and RELEASE, which is what
//    the implicit transaction adds to a lone write.
import {
  COUNT_ITEMS,
  CREATE_ITEMS,
  INSERT_ITEM,
  SEED_ITEM,
  SELECT_ITEM,
  driverDuraboxLoaded,
  itemName,
  itemsOptions,
  rawDriver,
  seedItems,
} from "../lib/sql.mjs";
import { measure } from "../lib/stats.mjs";

const ROWS = 10_000;
const BATCH = 100;

/** Per statement, from the median batch: on a shared machine the mean also carries descheduled time. */
const opsPerSec = (result) => (BATCH * 1000) / result.p50Ms;

/** Times the three batches given each side's statements; checks every row read and the rows written. */
async function timeStatements({ select, insert, insertInRun, insertEachInSavepoint, count }) {
  let n = 0;
  const selected = await measure(
    "point select",
    () => {
      for (let i = 0; i < BATCH; i++) {
        const id = ((n++ * 7919) % ROWS) + 1;
        const row = select(id);
        if (row.id !== id || row.name !== itemName(id)) throw new Error(`select ${id} read ${JSON.stringify(row)}`);
      }
    },
    { sync: true },
  );
  let inserted = 0;
  const inRun = await measure("insert, one run", async () => {
    insertInRun(() => {
      for (let i = 0; i < BATCH; i++) insert("new", inserted++);
    });
    // The run ends: durabox commits here (its implicit transaction's commit is part of the time).
    await Promise.resolve();
  });
  const each = await measure("insert, one per run", async () => {
    for (let i = 0; i < BATCH; i++) {
      insert("new", inserted++);
      await Promise.resolve();
    }
  });
  const inSavepoint =
    insertEachInSavepoint &&
    (await measure("insert, one per run, in a savepoint", async () => {
      for (let i = 0; i < BATCH; i++) {
        insertEachInSavepoint("new", inserted++);
        await Promise.resolve();
      }
    }));
  await Promise.resolve();
  const rows = count();
  if (rows !== ROWS + inserted) throw new Error(`the table holds ${rows} rows, expected ${ROWS + inserted}`);
  const perStatement = (result) => ({
    opsPerSec: opsPerSec(result),
    meanUs: (result.meanMs * 1000) / BATCH,
    rmePct: result.rmePct,
  });
  const s = perStatement(selected);
  const r = perStatement(inRun);
  const e = perStatement(each);
  return {
    selectOpsPerSec: s.opsPerSec,
    selectMeanUs: s.meanUs,
    selectRmePct: s.rmePct,
    insertRunOpsPerSec: r.opsPerSec,
    insertRunMeanUs: r.meanUs,
    insertRunRmePct: r.rmePct,
    insertEachOpsPerSec: e.opsPerSec,
    insertEachMeanUs: e.meanUs,
    insertEachRmePct: e.rmePct,
    ...(inSavepoint && { insertEachSavepointOpsPerSec: opsPerSec(inSavepoint) }),
    maxRmePct: Math.max(s.rmePct, r.rmePct, e.rmePct),
  };
}

async function durabox(Durabox) {
  const mf = new Durabox(itemsOptions());
  const ns = await mf.getDurableObjectNamespace("ITEMS");
  const id = ns.idFromName("bench");
  const sql = (await mf.getDurableObjectStorage(id)).sql;
  // What runInDurableObject does: an event in the object, which hands out its ctx.storage.sql.
  const inside = await mf.runtime.instance(id).deliver(1, (object) => object.ctx.storage.sql);
  if (inside !== sql) throw new Error("getDurableObjectStorage(id).sql is not the object's ctx.storage.sql");
  sql.exec(CREATE_ITEMS);
  seedItems((...values) => sql.exec(SEED_ITEM, ...values), ROWS);
  await Promise.resolve();
  const result = await timeStatements({
    select: (id) => sql.exec(SELECT_ITEM, id).one(),
    insert: (name, value) => sql.exec(INSERT_ITEM, name, value),
    insertInRun: (run) => run(),
    count: () => sql.exec(COUNT_ITEMS).one().n,
  });
  await mf.dispose();
  // Which driver durabox loaded, before the floor's is loaded here.
  const loaded = driverDuraboxLoaded();
  const driver = rawDriver().name;
  if (!driver.startsWith(loaded)) throw new Error(`durabox loaded ${loaded}, the floor would use ${driver}`);
  return { ...result, driver };
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
  const savepoint = db.prepare("SAVEPOINT one");
  const release = db.prepare("RELEASE one");
  const count = db.prepare(COUNT_ITEMS);
  const result = await timeStatements({
    select: (id) => select.get(id),
    insert: (name, value) => insert.run(name, value),
    insertInRun: (run) => {
      begin.run();
      run();
      commit.run();
    },
    insertEachInSavepoint: (name, value) => {
      savepoint.run();
      insert.run(name, value);
      release.run();
    },
    count: () => Number(count.get().n),
  });
  db.close();
  return { ...result, driver: name };
}

export async function run(Runtime, { runtime }) {
  return runtime === "floor" ? floor() : durabox(Runtime);
}
