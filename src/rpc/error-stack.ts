import { fileURLToPath, pathToFileURL } from "node:url";

/**
 * The stack of an error a caller receives over RPC: the frames of the code
 * that threw it (the user's object) and of the call's site, without
 * durabox's own frames in between, which would otherwise fill V8's ten. An
 * error durabox raises for the call (a missing member) then still points at
 * the user's line that made the call. Production keeps no stack at all; this
 * is for the person reading a failed test.
 */

const OWN_DIRECTORY = ((): string => {
  // src/rpc/ in the sources; the bundled dist/ file's own folder in a build.
  const here = new URL(".", import.meta.url);
  return fileURLToPath(here.pathname.endsWith("/rpc/") ? new URL("..", here) : here);
})();
const OWN_URL = pathToFileURL(OWN_DIRECTORY).href;

/** How many frames beyond the limit the capture may need to reach past durabox's own. */
const OWN_FRAMES = 40;

function frameLines(stack: unknown): string[] {
  if (typeof stack !== "string") return [];
  return stack.split("\n").filter((line) => /^\s+at /.test(line));
}

function isOwnFrame(line: string): boolean {
  return line.includes(OWN_DIRECTORY) || line.includes(OWN_URL) || line.includes("(node:") || /\bat node:/.test(line);
}

/** Sets `copy.stack` to its own first line, the original's frames and the call site's, durabox's left out. */
export function restack(copy: object, original: unknown): void {
  const limit = Error.stackTraceLimit;
  if (typeof limit !== "number" || limit <= 0) return;
  const site: { stack?: string } = {};
  Error.stackTraceLimit = limit + OWN_FRAMES;
  try {
    Error.captureStackTrace(site, restack);
  } finally {
    Error.stackTraceLimit = limit;
  }
  const originalStack = typeof original === "object" && original !== null ? (original as { stack?: unknown }).stack : undefined;
  const frames = [...new Set([...frameLines(originalStack), ...frameLines(site.stack)].filter((line) => !isOwnFrame(line)))];
  let header: string;
  try {
    header = String(copy);
  } catch {
    header = "Error";
  }
  Object.defineProperty(copy, "stack", {
    value: [header, ...frames.slice(0, limit)].join("\n"),
    writable: true,
    configurable: true,
    enumerable: false,
  });
}
