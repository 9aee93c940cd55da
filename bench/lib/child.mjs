// Runs one workload on one runtime and prints its result as a JSON line.
// Usage: node [runtime's flags] bench/lib/child.mjs <runtime> <workload>[:<variant>]
import { RUNTIMES } from "./runtimes.mjs";
import { RESULT_MARK } from "./spawn.mjs";

const [runtimeName, part] = process.argv.slice(2);
// A workload with variants runs one per process (bench/workloads/env-setup.mjs: each variant's figure must
// not carry what an earlier one left in the process).
const [workloadName, variant] = part.split(":");
const runtime = RUNTIMES[runtimeName];
if (!runtime) throw new Error(`unknown runtime ${runtimeName}`);
const Runtime = await runtime.load();
const workload = await import(`../workloads/${workloadName}.mjs`);
const result = await workload.run(Runtime, { runtime: runtimeName, variant });
// Miniflare 2 can keep timers alive after dispose(); once the result is out, leave.
process.stdout.write(RESULT_MARK + JSON.stringify(result) + "\n", () => process.exit(0));
