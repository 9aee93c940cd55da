import { realmShared } from "../base/shared-state.js";

/**
 * What runs when another test file starts in this realm (a runner that runs
 * several files in one realm: Vitest's `isolate: false`). The modules that
 * hand out `env` give each file a new object: a library's cache keyed by
 * `env` (a WeakMap) must not hand one file what it made from another's
 * disposed runtime. Every copy of durabox in the realm registers here.
 */
interface FileStarts {
  files: number;
  readonly listeners: Set<() => void>;
}

const fileStarts = (): FileStarts => realmShared<FileStarts>("testFileStarts", () => ({ files: 0, listeners: new Set() }));

export function onTestFileStart(listener: () => void): void {
  fileStarts().listeners.add(listener);
}

/** A test file starts in this realm: after the realm's first, the listeners hear of it. */
export function testFileStarting(): void {
  const starts = fileStarts();
  if (starts.files++ === 0) return;
  for (const listener of starts.listeners) listener();
}
