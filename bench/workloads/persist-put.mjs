// 6a. File persistence: sequential storage.put over 1,000 rotating keys, from outside the object,
// with durableObjectsPersist set to a fresh temporary directory (removed afterwards). Afterwards a
// new instance on the same directory must read back the last value written to every key.
import { rmSync } from "node:fs";
import { checkLastValues, KEYS } from "../lib/persistence.mjs";
import { counterOptions, temporaryDirectory } from "../lib/scripts.mjs";
import { measure } from "../lib/stats.mjs";

export async function run(Runtime) {
  const directory = temporaryDirectory("put");
  const options = () => ({ ...counterOptions(), durableObjectsPersist: directory });
  try {
    const mf = new Runtime(options());
    const ns = await mf.getDurableObjectNamespace("COUNTER");
    const storage = await mf.getDurableObjectStorage(ns.idFromName("persist"));
    let i = 0;
    const result = await measure("persist put", async () => {
      const returned = await storage.put("k" + (i % KEYS), i);
      if (returned !== undefined) throw new Error(`put returned ${returned}`);
      i++;
    });
    await mf.dispose(); // durabox locks the directory until then

    // Read everything back from disk, in a new instance.
    const reopened = new Runtime(options());
    const ns2 = await reopened.getDurableObjectNamespace("COUNTER");
    const entries = await (await reopened.getDurableObjectStorage(ns2.idFromName("persist"))).list();
    checkLastValues("persist", entries, i);
    await reopened.dispose();
    return { ...result, puts: i, readBack: true };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
