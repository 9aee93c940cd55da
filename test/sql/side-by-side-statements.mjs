// Runs SQL statements on a SQLite-backed object through durabox's dist/ and prints, per statement,
// its rows or its error message as JSON. drivers-side-by-side.test.ts runs it on Node 20
// (better-sqlite3, the authorizer emulated) and Node 24 (node:sqlite, the authorizer native).
import { Durabox } from "../../dist/index.js";

const statements = JSON.parse(process.argv[2]);
const mf = new Durabox({
  modules: true,
  script: "export class Room {} export default { fetch() { return new Response(''); } }",
  durableObjects: { ROOM: { className: "Room", useSQLite: true } },
});
try {
  const namespace = await mf.getDurableObjectNamespace("ROOM");
  const storage = await mf.getDurableObjectStorage(namespace.idFromName("a"));
  await storage.put("k", 1); // the runtime's _cf_KV table exists
  const results = statements.map((query) => {
    try {
      return { rows: storage.sql.exec(query).toArray() };
    } catch (error) {
      return { error: error.message };
    }
  });
  process.stdout.write(JSON.stringify({ driverVersion: process.version, results }));
} finally {
  await mf.dispose();
}
