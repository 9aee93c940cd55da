import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { root } from "./matrix.js";

/**
 * A real npm registry on loopback: Verdaccio (a devDependency), with its
 * storage in `dir` (durabox's own packages are served only as published here;
 * every other package comes through from the npm registry and is kept in
 * `dir`, so later runs read it from disk), and a user to publish as.
 */
export interface LocalRegistry {
  readonly url: string;
  /** An npmrc with the user's token for this registry. */
  readonly userconfig: string;
  stop(): Promise<void>;
}

/** Packages this registry never proxies: only what the test publishes is served under these names. */
export const LOCAL_ONLY = ["durabox", "jest-environment-durabox", "vitest-environment-durabox"];

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, "close");
  return port;
}

function config(dir: string): string {
  const local = LOCAL_ONLY.map((name) => `  "${name}":\n    access: $all\n    publish: $authenticated\n`).join("");
  return [
    `storage: ${JSON.stringify(path.join(dir, "storage"))}`,
    "auth:",
    "  htpasswd:",
    `    file: ${JSON.stringify(path.join(dir, "htpasswd"))}`,
    "uplinks:",
    "  npmjs:",
    "    url: https://registry.npmjs.org/",
    "    timeout: 60s",
    "packages:",
    local.trimEnd(),
    '  "**":',
    "    access: $all",
    "    proxy: npmjs",
    "log: { type: stdout, format: pretty, level: warn }",
    "",
  ].join("\n");
}

export async function startRegistry(dir: string): Promise<LocalRegistry> {
  mkdirSync(dir, { recursive: true });
  // What an earlier run published goes (a version is published once); the proxied packages stay.
  for (const name of LOCAL_ONLY) rmSync(path.join(dir, "storage", name), { recursive: true, force: true });
  rmSync(path.join(dir, "htpasswd"), { force: true });
  const configFile = path.join(dir, "config.yaml");
  writeFileSync(configFile, config(dir));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(root, "node_modules", "verdaccio", "bin", "verdaccio"), "--config", configFile, "--listen", `127.0.0.1:${port}`],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Verdaccio exited (${child.exitCode}):\n${output}`);
    try {
      if ((await fetch(`${url}-/ping`)).ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`Verdaccio did not answer on ${url} within 60 s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  // A user, as `npm adduser` makes one: its token publishes.
  const response = await fetch(`${url}-/user/org.couchdb.user:rehearsal`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "rehearsal", password: "rehearsal-password", type: "user", roles: [] }),
  });
  const { token } = (await response.json()) as { token?: string };
  if (token === undefined) throw new Error(`Verdaccio made no user (${response.status}):\n${output}`);
  const userconfig = path.join(dir, "npmrc");
  writeFileSync(userconfig, `registry=${url}\n//127.0.0.1:${port}/:_authToken=${token}\n`);
  return {
    url,
    userconfig,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill();
      await once(child, "exit");
    },
  };
}
