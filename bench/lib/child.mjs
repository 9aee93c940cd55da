// Runs one workload on one runtime and prints its result as a JSON line.
// Usage: node [runtime's flags] bench/lib/child.mjs <runtime> <workload>
import { RUNTIMES } from "./runtimes.mjs";
import { RESULT_MARK } from "./spawn.mjs";

const [runtimeName, workloadName] = process.argv.slice(2);
const runtime = RUNTIMES[runtimeName];
if (!runtime) throw new Error(`unknown runtime ${runtimeName}`);
const Runtime = await runtime.load();
const workload = await import(`../workloads/${workloadName}.mjs`);
const result = await workload.run(Runtime, { runtime: runtimeName });
// Miniflare 2 can keep timers alive after dispose(); once the result is out, leave.
process.stdout.write(RESULT_MARK + JSON.stringify(result) + "\n", () => process.exit(0));
