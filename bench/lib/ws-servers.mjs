// The servers the WebSocket echo bench (10a) talks to over loopback, each in a process of its own: durabox's
// CLI server, Miniflare 2's CLI server, and the floor, a raw `ws` echo server.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PEERS_DIR } from "./peer.mjs";
import { RUNTIMES } from "./runtimes.mjs";
import { freePort } from "./redis.mjs";

const BENCH = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
export const ECHO_WORKER = path.join(BENCH, "fixtures", "ws-echo-worker.mjs");

const FLOOR_SERVER = `
  const { WebSocketServer } = require(${JSON.stringify(createRequire(import.meta.url).resolve("ws"))});
  const server = new WebSocketServer({ port: Number(process.argv[1]), host: "127.0.0.1" });
  server.on("connection", (socket) => socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary })));
`;

async function waitForPort(port, child, output) {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${output()}`);
    const open = await new Promise((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => (socket.destroy(), resolve(true)));
      socket.on("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the server did not listen on ${port}:\n${output()}`);
}

/** Starts `side`'s server; resolves to its ws:// URL and a stop function. */
export async function startEchoServer(side) {
  const port = await freePort();
  let args;
  if (side === "floor") args = ["-e", FLOOR_SERVER, String(port)];
  else if (side === "durabox") {
    const cli = path.join(path.dirname(fileURLToPath(RUNTIMES.durabox.entry())), "cli", "main.js");
    args = [cli, ECHO_WORKER, "--do", "ECHO=Echo", "--port", String(port)];
  } else {
    const cli = path.join(path.dirname(createRequire(path.join(PEERS_DIR, "package.json")).resolve("miniflare")), "cli.js");
    args = ["--experimental-vm-modules", "--no-warnings", cli, ECHO_WORKER, "--modules", "--do", "ECHO=Echo", "--port", String(port)];
  }
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  child.stdout.on("data", (d) => (text += d));
  child.stderr.on("data", (d) => (text += d));
  await waitForPort(port, child, () => text);
  return {
    url: `ws://127.0.0.1:${port}/`,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGKILL");
      }),
  };
}
