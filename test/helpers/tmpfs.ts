import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * A real small file system (tmpfs) to fill up or make read-only, where this
 * process may mount one (root, or CAP_SYS_ADMIN); elsewhere a loud skip.
 */
export interface Tmpfs {
  readonly dir: string;
  /** Makes `subdirectory` (an existing directory inside) read-only, through a read-only bind mount over it. */
  bindReadOnly(subdirectory: string): void;
  /** Makes the whole file system read-only (nothing may be open for writing on it). */
  remountReadOnly(): void;
  unmount(): void;
}

function run(args: string[]): void {
  const result = spawnSync("mount", args, { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`mount ${args.join(" ")} failed: ${result.stderr}`);
}

export function mountTmpfs(sizeKb: number): Tmpfs | undefined {
  const dir = mkdtempSync(path.join(tmpdir(), "durabox-tmpfs-"));
  const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${sizeKb}k`, "tmpfs", dir], { encoding: "utf8" });
  if (mounted.status !== 0) {
    console.warn(
      `\n!!! SKIPPING the full-disk and read-only tests: cannot mount a tmpfs here (${mounted.stderr?.trim() || mounted.error}). !!!\n`,
    );
    return undefined;
  }
  const binds: string[] = [];
  return {
    dir,
    bindReadOnly(subdirectory) {
      run(["--bind", subdirectory, subdirectory]);
      binds.push(subdirectory);
      run(["-o", "remount,bind,ro", subdirectory]);
    },
    remountReadOnly() {
      run(["-o", "remount,ro", dir]);
    },
    unmount() {
      for (const bind of binds.splice(0).reverse()) spawnSync("umount", ["-l", bind]);
      spawnSync("umount", ["-l", dir]);
    },
  };
}
