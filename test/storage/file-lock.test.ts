import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { Durabox } from "../../src/index.js";
import { DuraboxError } from "../../src/base/errors.js";

const fixtures = fileURLToPath(new URL("../../fixtures/persistence/", import.meta.url));

/** A directory and a symlink to it (and a symlink to its parent, so the path has no name in common). */
function linked(): { real: string; viaLink: string; viaParentLink: string } {
  const base = mkdtempSync(path.join(tmpdir(), "durabox-lock-"));
  const real = path.join(base, "data");
  mkdirSync(real);
  symlinkSync(real, path.join(base, "link"));
  symlinkSync(base, path.join(base, "parent-link"));
  return { real, viaLink: path.join(base, "link"), viaParentLink: path.join(base, "parent-link", "data") };
}

function refusal(make: () => unknown): DuraboxError {
  try {
    make();
  } catch (error) {
    return error as DuraboxError;
  }
  throw new Error("expected ERR_PERSIST_LOCKED");
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});

async function holder(dir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(fixtures, "hold.mjs"), dir], { env: { ...process.env, NODE_OPTIONS: "" } });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("holding") && resolve());
    child.once("exit", (code) => reject(new Error(`hold.mjs exited with ${code}`)));
  });
  return child;
}

describe("the persistence directory's lock", () => {
  it("refuses a second runtime in this process that reaches the directory through a symlink, and leaves the first one's .lock alone", async () => {
    const { real, viaLink, viaParentLink } = linked();
    const first = new Durabox({ durableObjectsPersist: real });
    const lock = readFileSync(path.join(real, ".lock"), "utf8");
    for (const other of [viaLink, viaParentLink, `${viaLink}/../data`]) {
      const error = refusal(() => new Durabox({ durableObjectsPersist: other }));
      expect(error.code).toBe("ERR_PERSIST_LOCKED");
      expect(error.message).toContain(`The persistence directory ${real} is in use by another Durabox in this process`);
      expect(readFileSync(path.join(real, ".lock"), "utf8")).toBe(lock);
    }
    await first.dispose();
    expect(existsSync(path.join(real, ".lock"))).toBe(false);
    // Free again, by any of its names.
    await new Durabox({ durableObjectsPersist: viaLink }).dispose();
  });

  it("refuses a second copy of durabox in this process (as Jest loads one per test file), by the lock's own identity", async () => {
    const { real, viaLink } = linked();
    const { Durabox: OtherCopy } = (await import("../../dist/index.js")) as unknown as { Durabox: typeof Durabox };
    expect(OtherCopy).not.toBe(Durabox);
    const first = new Durabox({ durableObjectsPersist: real });
    const lock = readFileSync(path.join(real, ".lock"), "utf8");
    for (const other of [real, viaLink]) {
      const error = refusal(() => new OtherCopy({ durableObjectsPersist: other }));
      expect(error.code).toBe("ERR_PERSIST_LOCKED");
      expect(readFileSync(path.join(real, ".lock"), "utf8")).toBe(lock);
    }
    await first.dispose();
    await new OtherCopy({ durableObjectsPersist: viaLink }).dispose();
  });

  it("across processes: a runtime reaching a held directory through a symlink is refused and the holder's .lock stays", async () => {
    const { real, viaLink } = linked();
    const child = await holder(viaLink);
    const lock = readFileSync(path.join(real, ".lock"), "utf8");
    expect(lock.split("\n")[0]).toBe(String(child.pid));
    const error = refusal(() => new Durabox({ durableObjectsPersist: real }));
    expect(error.code).toBe("ERR_PERSIST_LOCKED");
    expect(error.message).toContain(`is in use by process ${child.pid}`);
    expect(readFileSync(path.join(real, ".lock"), "utf8")).toBe(lock);
  });

  it("takes over a stale lock (its process gone, or this pid but no lock of this process: a former process with it)", async () => {
    const { real } = linked();
    for (const pid of [2 ** 22 + 7, process.pid]) {
      writeFileSync(path.join(real, ".lock"), `${pid}\nsomeone-else\n`);
      const mf = new Durabox({ durableObjectsPersist: real });
      expect(readFileSync(path.join(real, ".lock"), "utf8")).toMatch(new RegExp(`^${process.pid}\n[0-9a-f-]{36}\n$`));
      await mf.dispose();
    }
  });

  it("releases only its own lock: a .lock another runtime wrote meanwhile is not deleted at dispose", async () => {
    const { real } = linked();
    const mf = new Durabox({ durableObjectsPersist: real });
    writeFileSync(path.join(real, ".lock"), "1\nanother-runtime\n");
    await mf.dispose();
    expect(readFileSync(path.join(real, ".lock"), "utf8")).toBe("1\nanother-runtime\n");
  });
});
