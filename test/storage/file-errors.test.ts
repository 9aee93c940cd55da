import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DuraboxError } from "../../src/base/errors.js";
import { FileBackend, directoryName } from "../../src/storage/backends/file.js";
import { deserialize, serialize } from "../../src/storage/codec.js";
import { runtimeWith } from "../helpers/runtime.js";
import { mountTmpfs, type Tmpfs } from "../helpers/tmpfs.js";

const address = { namespace: "tests#Obj", id: "e".repeat(64) };
const other = { namespace: "tests#Obj", id: "f".repeat(64) };
const canMount = (() => {
  const probe = mountTmpfs(64);
  probe?.unmount();
  return probe !== undefined;
})();

let mounted: Tmpfs | undefined;
afterEach(() => {
  mounted?.unmount();
  mounted = undefined;
});

function caught(fn: () => unknown): DuraboxError {
  try {
    fn();
  } catch (error) {
    return error as DuraboxError;
  }
  throw new Error("expected a throw");
}

describe.skipIf(!canMount)("file backend on a real full or read-only file system", () => {
  it("a full disk: ERR_STORAGE naming the directory and the object, nothing half-written, writes resume once there is space", async () => {
    mounted = mountTmpfs(128)!;
    const root = path.join(mounted.dir, "data");
    const backend = new FileBackend(root);
    const store = backend.object(address);
    // Leave the disk nearly full.
    writeFileSync(path.join(mounted.dir, "filler"), Buffer.alloc(100 * 1024));
    const value = serialize("v".repeat(3000));
    let stored = 0;
    let error: DuraboxError | undefined;
    while (error === undefined) {
      error = (() => {
        try {
          store.commit({ puts: [[`k${stored}`, value]] });
          stored++;
          return undefined;
        } catch (thrown) {
          return thrown as DuraboxError;
        }
      })();
    }
    expect(stored).toBeGreaterThan(0);
    expect(error).toBeInstanceOf(DuraboxError);
    expect(error.code).toBe("ERR_STORAGE");
    expect(error.message).toContain(`Durable Object storage write failed for object ${address.id} of tests#Obj in ${root}`);
    expect(error.message).toContain("Nothing was half-written");
    expect(error.message).toContain("The disk (or your quota) is full: free some space, then retry");
    expect((error.cause as NodeJS.ErrnoException).code).toBe("ENOSPC");
    // Setting an alarm needs the alarm file: refused the same way, the alarm unchanged.
    const alarmError = caught(() => store.commit({ alarm: 123_456 }));
    expect(alarmError.code).toBe("ERR_STORAGE");
    expect(await store.getAlarm()).toBeNull();
    // What was acknowledged reads back, now and after a reopen, with no partial record left.
    expect(await store.list({})).toHaveLength(stored);
    const logSize = statSync(path.join(root, directoryName(address.namespace), address.id, "log")).size;
    backend.close();
    const reopened = new FileBackend(root);
    const again = reopened.object(address);
    expect((await again.list({})).length).toBe(stored);
    expect(await again.getAlarm()).toBeNull();
    expect(statSync(path.join(root, directoryName(address.namespace), address.id, "log")).size).toBe(logSize);
    // Space again: writing resumes.
    rmSync(path.join(mounted.dir, "filler"));
    await again.commit({ puts: [["after", serialize(1)]], alarm: 123_456 });
    expect(deserialize((await again.get(["after"]))[0]!)).toBe(1);
    expect(await again.getAlarm()).toBe(123_456);
    reopened.close();
  });

  it("a full disk through the storage API: put rejects with ERR_STORAGE, the object keeps working", async () => {
    mounted = mountTmpfs(128)!;
    const backend = new FileBackend(path.join(mounted.dir, "data"));
    class Obj {}
    const { runtime, ns } = runtimeWith({ Obj }, { backend });
    const storage = runtime.storage(ns("Obj").idFromName("full"));
    await storage.put("small", 1);
    writeFileSync(path.join(mounted.dir, "filler"), Buffer.alloc(100 * 1024));
    await expect(storage.put("big", "x".repeat(60_000))).rejects.toMatchObject({ code: "ERR_STORAGE", cause: { code: "ENOSPC" } });
    expect(await storage.get("big")).toBeUndefined();
    expect(await storage.get("small")).toBe(1);
    await runtime.dispose();
  });

  it("a read-only directory: ERR_STORAGE naming the directory and the object, saying what to do", async () => {
    mounted = mountTmpfs(256)!;
    const root = path.join(mounted.dir, "data");
    const first = new FileBackend(root);
    await first.object(address).commit({ puts: [["a", serialize(1)]] });
    first.close();
    const namespaceDir = path.join(root, directoryName(address.namespace));
    mounted.bindReadOnly(namespaceDir);

    const backend = new FileBackend(root);
    const existing = caught(() => backend.object(address).get(["a"]));
    expect(existing).toBeInstanceOf(DuraboxError);
    expect(existing.code).toBe("ERR_STORAGE");
    expect(existing.message).toContain(`Durable Object storage opening the object failed for object ${address.id} of tests#Obj in ${root}`);
    expect(existing.message).toContain("Nothing stored was changed.");
    expect(existing.message).toContain(
      `The file system holding ${root} is read-only: make it writable, or give durableObjectsPersist a writable directory.`,
    );
    expect((existing.cause as NodeJS.ErrnoException).code).toBe("EROFS");
    const fresh = caught(() => backend.object(other).commit({ puts: [["b", serialize(2)]] }));
    expect(fresh.code).toBe("ERR_STORAGE");
    expect((fresh.cause as NodeJS.ErrnoException).code).toBe("EROFS");
    expect(readdirSync(namespaceDir)).toEqual([address.id]);
    backend.close();

    // The whole file system read-only: refused at start, naming the directory.
    mounted.unmount();
    mounted = mountTmpfs(64)!;
    mkdirSync(path.join(mounted.dir, "data"));
    mounted.remountReadOnly();
    const refused = caught(() => new FileBackend(path.join(mounted!.dir, "data")));
    expect(refused.code).toBe("ERR_STORAGE");
    expect(refused.message).toContain(`Durable Object storage start (locking the directory) failed in ${path.join(mounted.dir, "data")}`);
    expect(refused.message).toContain("is read-only");
  });
});
