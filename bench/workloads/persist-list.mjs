// 6b. File persistence: 1,000 keys written and the instance disposed; then, repeatedly, a new
// instance on the same directory opens the object's storage and lists it all. Each repeat is a
// fresh runtime instance (in this process), so nothing read earlier is held in memory.
import { rmSync } from "node:fs";
import { listFromFreshInstances } from "../lib/persistence.mjs";
import { temporaryDirectory } from "../lib/scripts.mjs";

export async function run(Runtime) {
  const directory = temporaryDirectory("list");
  try {
    return await listFromFreshInstances(Runtime, directory);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
