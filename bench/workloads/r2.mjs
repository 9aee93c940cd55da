// 9. R2 put and get of 1 MiB objects, from outside the worker (the binding a test reads and writes), in
// memory and persisted to files: durabox and Miniflare 2 (getR2Bucket), and the floor, the same bytes on
// what a runtime stands on (copy + MD5 for the etag in memory; a temp file renamed into place, then read back).
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { measure } from "../lib/stats.mjs";

export const title = "R2 put and get of 1 MiB objects";
const MiB = 1024 * 1024;
const KEYS = 16;
/** Shorter than the other workloads' 1,500 ms: three sides × four figures × three rounds stay under two minutes. */
const TIMING = { time: 1000, warmupTime: 200 };
const script = "export default { fetch() { return new Response('ok'); } }";

/** Each key's 1 MiB body, distinct so no side can answer from a cache of the last one. */
const bodies = Array.from({ length: KEYS }, (_, k) => new Uint8Array(MiB).fill(k + 1));

async function bucketOf(Runtime, runtime, persist) {
  const options = { script, modules: true, r2Buckets: ["BUCKET"], ...(persist && { r2Persist: persist }) };
  const mf = new Runtime(options);
  return { mf, bucket: await mf.getR2Bucket("BUCKET") };
}

function floorBucket(persist) {
  const memory = new Map();
  return {
    async put(key, body) {
      createHash("md5").update(body).digest("hex");
      if (!persist) return void memory.set(key, body.slice());
      const file = path.join(persist, encodeURIComponent(key));
      writeFileSync(`${file}.tmp`, body);
      renameSync(`${file}.tmp`, file);
    },
    async get(key) {
      const bytes = persist ? readFileSync(path.join(persist, encodeURIComponent(key))) : memory.get(key).slice();
      // One copy at most, as durabox: the bytes' own buffer when it is exactly them.
      const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
      return {
        arrayBuffer: async () => (whole ? bytes.buffer : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)),
      };
    },
  };
}

async function phase(Runtime, runtime, persist) {
  const { mf, bucket } = runtime === "floor" ? { bucket: floorBucket(persist) } : await bucketOf(Runtime, runtime, persist);
  let i = 0;
  const put = await measure(
    "put",
    async () => {
      const k = i++ % KEYS;
      await bucket.put(`object-${k}`, bodies[k]);
    },
    TIMING,
  );
  let j = 0;
  const get = await measure(
    "get",
    async () => {
      const k = j++ % KEYS;
      const bytes = new Uint8Array(await (await bucket.get(`object-${k}`)).arrayBuffer());
      if (bytes.byteLength !== MiB || bytes[MiB - 1] !== k + 1) throw new Error(`object-${k} read back wrong`);
    },
    TIMING,
  );
  await mf?.dispose();
  // One operation moves 1 MiB: operations per second are MiB/s.
  return { putMiBs: put.opsPerSec, getMiBs: get.opsPerSec, putMeanMs: put.meanMs, getMeanMs: get.meanMs };
}

export async function run(Runtime, { runtime }) {
  const memory = await phase(Runtime, runtime, undefined);
  const dir = mkdtempSync(path.join(tmpdir(), "durabox-bench-r2-"));
  try {
    const file = await phase(Runtime, runtime, dir);
    return {
      memoryPutMiBs: memory.putMiBs,
      memoryGetMiBs: memory.getMiBs,
      filePutMiBs: file.putMiBs,
      fileGetMiBs: file.getMiBs,
      memoryPutMeanMs: memory.putMeanMs,
      memoryGetMeanMs: memory.getMeanMs,
      filePutMeanMs: file.putMeanMs,
      fileGetMeanMs: file.getMeanMs,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
