import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { Readable } from "node:stream";
import type { Durabox } from "../durabox.js";
import { handleUpgrade } from "./websocket-upgrade.js";

/** What the server writes: one line per request, and errors. */
export interface ServerLog {
  info(line: string): void;
  error(line: string): void;
}

const BODYLESS = new Set(["GET", "HEAD"]);

/** The incoming HTTP request as a fetch Request, its body streamed, not buffered. */
function toRequest(req: IncomingMessage, origin: string): Request {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  const method = req.method ?? "GET";
  const init: RequestInit & { duplex?: "half" } = { method, headers };
  if (!BODYLESS.has(method)) {
    init.body = Readable.toWeb(req) as unknown as ReadableStream<Uint8Array>;
    init.duplex = "half";
  }
  return new Request(new URL(req.url ?? "/", origin), init);
}

/** Writes a fetch Response to the HTTP response, streaming its body with backpressure. */
async function send(response: Response, res: ServerResponse, method: string): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of response.headers) {
    if (name === "set-cookie") continue;
    headers[name] = value;
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  res.writeHead(response.status, response.statusText, headers);
  if (response.body === null || method === "HEAD") {
    res.end();
    return;
  }
  for await (const chunk of response.body) {
    if (!res.write(chunk)) await new Promise<void>((resolve) => res.once("drain", resolve));
  }
  res.end();
}

/**
 * Serves the entry worker of `mf` over HTTP with node:http: each request
 * goes to the worker's fetch handler, bodies streamed both ways, one log line
 * per request (method, path, status, milliseconds).
 */
export function serve(mf: Durabox, log: ServerLog): Server {
  const server = createServer((req, res) => {
    const started = performance.now();
    const method = req.method ?? "GET";
    const path = req.url ?? "/";
    const origin = `http://${req.headers.host ?? "localhost"}`;
    const done = (status: number): void => log.info(`${method} ${path} ${status} (${(performance.now() - started).toFixed(1)} ms)`);
    mf.dispatchFetch(toRequest(req, origin))
      .then((response) => send(response, res, method).then(() => done(response.status)))
      .catch((error: unknown) => {
        const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
        log.error(text);
        if (!res.headersSent) {
          res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
          // The stack is logged here, not sent: the client gets what the error says.
          res.end(error instanceof Error ? `${error.name}: ${error.message}` : text);
        } else {
          res.destroy(error instanceof Error ? error : undefined);
        }
        done(500);
      });
  });
  // WebSocket upgrades reach the worker too; a 101 response's socket is coupled to the connection.
  server.on("upgrade", (req: IncomingMessage, socket, head: Buffer) => {
    const started = performance.now();
    const origin = `http://${req.headers.host ?? "localhost"}`;
    const done = (status: number): void =>
      log.info(`${req.method ?? "GET"} ${req.url ?? "/"} ${status} (${(performance.now() - started).toFixed(1)} ms)`);
    handleUpgrade({ mf, toRequest: (incoming) => toRequest(incoming, origin), done, error: (text) => log.error(text) }, req, socket, head);
  });
  return server;
}
