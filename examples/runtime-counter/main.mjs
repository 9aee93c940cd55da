// The runtime API on a TypeScript worker: `npm run demo` runs this.
import assert from "node:assert/strict";
import { Durabox } from "durabox";

const mf = new Durabox({
  scriptPath: new URL("./worker.ts", import.meta.url).pathname,
  durableObjects: { COUNTER: "Counter" },
  durableObjectsAlarms: false,
});

// HTTP into the worker, which forwards to the object named by the path.
assert.deepEqual(await mf.dispatchFetch("http://localhost/apples?by=2").json(), { value: 2 });
assert.deepEqual(await mf.dispatchFetch("http://localhost/apples").json(), { value: 3 });

// RPC on a stub, and storage read directly without constructing anything new.
const ns = await mf.getDurableObjectNamespace("COUNTER");
const pears = ns.getByName("pears");
assert.equal(await pears.increment(5), 5);
const storage = await mf.getDurableObjectStorage(ns.idFromName("apples"));
assert.equal(await storage.get("value"), 3);
assert.ok((await storage.getAlarm()) > Date.now());

await mf.dispose();
console.log("runtime-counter: all checks passed");
