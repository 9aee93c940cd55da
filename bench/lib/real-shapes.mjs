// The real-shaped suites of bench/real-suites.mjs (issue 22): one worker, written as Cloudflare's docs write one
// for @cloudflare/vitest-plugin, and five suites over it shaped like the public ones. A test file is the same
// source on durabox and on the plugin (imports from `cloudflare:test` and the runner); only the runner's import
// line differs under Jest. The floor is the same number of files and tests, each test trivial.
//
// No test depends on what another test wrote: durabox isolates per test by default, the plugin per file, so a
// suite that passes on both uses its own names per test.

/** The worker: a key-value Durable Object (Counter), a hibernating WebSocket room (Room), a SQLite-backed object
 * with RPC methods (Accounts), and a fetch handler routing to them, to KV and to D1. */
export const WORKER_SOURCE = `import { DurableObject } from "cloudflare:workers";

export interface Env {
  COUNTER: DurableObjectNamespace<Counter>;
  ROOM: DurableObjectNamespace<Room>;
  ACCOUNTS: DurableObjectNamespace<Accounts>;
  KV: KVNamespace;
  DB: D1Database;
}

export class Counter extends DurableObject<Env> {
  async fetch(_request: Request): Promise<Response> {
    return new Response(String(await this.increment()));
  }
  async increment(by = 1): Promise<number> {
    const n = ((await this.ctx.storage.get<number>("n")) ?? 0) + by;
    await this.ctx.storage.put("n", n);
    return n;
  }
}

export class Room extends DurableObject<Env> {
  async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade") !== "websocket") return new Response("expected a WebSocket upgrade", { status: 426 });
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, ["room"]);
    server.serializeAttachment({ user: new URL(request.url).searchParams.get("user") ?? "anonymous" });
    return new Response(null, { status: 101, webSocket: client });
  }
  async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (message === "who") ws.send(JSON.stringify(ws.deserializeAttachment()));
    else if (message === "count") ws.send(String(this.ctx.getWebSockets("room").length));
    else ws.send(\`echo:\${String(message)}\`);
  }
  async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    try {
      ws.close(code, reason);
    } catch {
      // Already closed (the runtime replied to the close).
    }
  }
}

export class Accounts extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS accounts (name TEXT PRIMARY KEY, balance INTEGER NOT NULL)");
  }
  open(name: string, balance: number): void {
    this.ctx.storage.sql.exec("INSERT INTO accounts (name, balance) VALUES (?, ?)", name, balance);
  }
  deposit(name: string, amount: number): number {
    return this.ctx.storage.sql.exec<{ balance: number }>("UPDATE accounts SET balance = balance + ? WHERE name = ? RETURNING balance", amount, name).one().balance;
  }
  balance(name: string): number {
    return this.ctx.storage.sql.exec<{ balance: number }>("SELECT balance FROM accounts WHERE name = ?", name).one().balance;
  }
  // Refuses by returning null, not by throwing: under the plugin an error thrown inside transactionSync by an RPC
  // method is also reported as an uncaught exception, and Vitest fails the run on it though the test expected
  // the rejection (seen with plugin 1.5.1: "Errors 100 errors", every test passed).
  transfer(from: string, to: string, amount: number): { from: number; to: number } | null {
    return this.ctx.storage.transactionSync(() => {
      if (this.balance(from) < amount) return null;
      return { from: this.deposit(from, -amount), to: this.deposit(to, amount) };
    });
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const [, route, name = ""] = url.pathname.split("/");
    if (route === "counter") return env.COUNTER.getByName(name).fetch(request);
    if (route === "ws") return env.ROOM.getByName(name).fetch(request);
    if (route === "kv") {
      if (request.method === "PUT") {
        await env.KV.put(name, await request.text());
        return new Response("stored", { status: 201 });
      }
      const value = await env.KV.get(name);
      return value === null ? new Response("not found", { status: 404 }) : new Response(value);
    }
    if (route === "users") {
      const row = await env.DB.prepare("SELECT id, email, name FROM users WHERE email = ?").bind(name).first();
      return row === null ? new Response("not found", { status: 404 }) : Response.json(row);
    }
    return new Response("not found", { status: 404 });
  },
} satisfies ExportedHandler<Env>;
`;

export const WRANGLER = `{
  "name": "real-suites",
  "main": "src/index.ts",
  "compatibility_date": "2026-11-01",
  "durable_objects": {
    "bindings": [
      { "name": "COUNTER", "class_name": "Counter" },
      { "name": "ROOM", "class_name": "Room" },
      { "name": "ACCOUNTS", "class_name": "Accounts" }
    ]
  },
  "migrations": [{ "tag": "v1", "new_classes": ["Counter"], "new_sqlite_classes": ["Room", "Accounts"] }],
  "kv_namespaces": [{ "binding": "KV", "id": "real-suites-kv" }],
  "d1_databases": [
    { "binding": "DB", "database_name": "real-suites-db", "database_id": "00000000-0000-0000-0000-000000000022", "migrations_dir": "migrations" }
  ]
}
`;

/** The D1 shape's migrations directory: file name to SQL. */
export const MIGRATIONS = {
  "0001_users.sql": `CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT NOT NULL);\n`,
  "0002_posts.sql": `CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), title TEXT NOT NULL);
CREATE INDEX posts_by_user ON posts (user_id);\n`,
  "0003_user_created.sql": `ALTER TABLE users ADD COLUMN created_at TEXT NOT NULL DEFAULT '2026-01-01';\n`,
};

const pad = (n) => String(n).padStart(2, "0");

const wsHelpers = `async function connect(room: string, user: string): Promise<WebSocket> {
  const response = await SELF.fetch(\`https://example.com/ws/\${room}?user=\${user}\`, { headers: { Upgrade: "websocket" } });
  expect(response.status).toBe(101);
  const ws = response.webSocket;
  if (!ws) throw new Error("no webSocket on the 101 response");
  ws.accept();
  return ws;
}

/** The next message, or a rejection after 2 s (a lost message fails the test instead of hanging it). */
function nextMessage(ws: WebSocket): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no message within 2 s")), 2000);
    ws.addEventListener("message", (event) => { clearTimeout(timer); resolve(String(event.data)); }, { once: true });
  });
}
`;

/**
 * The five shapes: each `files` files of `tests` tests; `body(file)` is a test file's text after its imports,
 * `imports` what it takes from `cloudflare:test` and from the runner. `migrations`: the config reads
 * the migrations directory into `TEST_MIGRATIONS`, as the plugin's docs show.
 */
export const SHAPES = {
  "many-small": {
    label: "many small files (40 × 3): a key-value object through SELF.fetch and stubs, KV, runInDurableObject",
    files: 40,
    tests: 3,
    imports: { test: ["env", "SELF", "runInDurableObject"], runner: ["describe", "expect", "it"] },
    body: (f) => `describe("file ${pad(f)}", () => {
  it("counts through the worker's fetch", async () => {
    expect(await (await SELF.fetch("https://example.com/counter/f${f}-a")).text()).toBe("1");
    expect(await (await SELF.fetch("https://example.com/counter/f${f}-a")).text()).toBe("2");
  });

  it("stores a KV value through the worker and reads it from env", async () => {
    const put = await SELF.fetch("https://example.com/kv/key-${f}", { method: "PUT", body: "value ${f}" });
    expect(put.status).toBe(201);
    expect(await env.KV.get("key-${f}")).toBe("value ${f}");
    expect(await (await SELF.fetch("https://example.com/kv/key-${f}")).text()).toBe("value ${f}");
  });

  it("sees the object's storage from inside it", async () => {
    const stub = env.COUNTER.getByName("f${f}-b");
    expect(await (await stub.fetch("https://example.com/")).text()).toBe("1");
    await runInDurableObject(stub, async (_instance, state) => {
      expect(await state.storage.get("n")).toBe(1);
    });
  });
});
`,
  },
  "one-large": {
    label: "one large file (1 × 300): stub.fetch, RPC and KV, a new object per test",
    files: 1,
    tests: 300,
    imports: { test: ["env"], runner: ["describe", "expect", "it"] },
    body: () => `describe("one large file", () => {
  for (let t = 0; t < 300; t++) {
    if (t % 3 === 0)
      it(\`counter \${t} through stub.fetch\`, async () => {
        const stub = env.COUNTER.getByName(\`large-\${t}\`);
        expect(await (await stub.fetch("https://example.com/")).text()).toBe("1");
        expect(await (await stub.fetch("https://example.com/")).text()).toBe("2");
      });
    else if (t % 3 === 1)
      it(\`counter \${t} over RPC\`, async () => {
        const stub = env.COUNTER.getByName(\`large-\${t}\`);
        expect(await stub.increment(2)).toBe(2);
        expect(await stub.increment(3)).toBe(5);
      });
    else
      it(\`KV key \${t}\`, async () => {
        await env.KV.put(\`large-\${t}\`, String(t));
        expect(await env.KV.get(\`large-\${t}\`)).toBe(String(t));
      });
  }
});
`,
  },
  websockets: {
    label: "WebSockets (10 × 5): SELF.fetch upgrades to a hibernating object (ctx.acceptWebSocket), 5 messages each way",
    files: 10,
    tests: 5,
    imports: { test: ["SELF"], runner: ["describe", "expect", "it"] },
    body: (f) => `${wsHelpers}
describe("room file ${pad(f)}", () => {
  for (let t = 0; t < 5; t++) {
    it(\`echoes 5 messages in room \${t}\`, async () => {
      const ws = await connect(\`f${f}-room-\${t}\`, \`user-\${t}\`);
      for (let m = 0; m < 5; m++) {
        const reply = nextMessage(ws);
        ws.send(\`message \${m}\`);
        expect(await reply).toBe(\`echo:message \${m}\`);
      }
      const who = nextMessage(ws);
      ws.send("who");
      expect(JSON.parse(await who)).toEqual({ user: \`user-\${t}\` });
      ws.close(1000, "done");
    });
  }
});
`,
  },
  "rpc-heavy": {
    label: "RPC-heavy (10 × 10): 50 RPC calls per test on a SQLite-backed object's stub",
    files: 10,
    tests: 10,
    imports: { test: ["env"], runner: ["describe", "expect", "it"] },
    body: (f) => `describe("accounts file ${pad(f)}", () => {
  for (let t = 0; t < 10; t++) {
    it(\`moves money with 50 calls, object \${t}\`, async () => {
      const stub = env.ACCOUNTS.getByName(\`f${f}-bank-\${t}\`);
      await stub.open("alice", 100);
      await stub.open("bob", 0);
      for (let i = 0; i < 15; i++) {
        await stub.deposit("alice", 1);
        expect(await stub.transfer("alice", "bob", 2)).toEqual({ from: 100 - i - 1, to: 2 * (i + 1) });
        expect(await stub.balance("bob")).toBe(2 * (i + 1));
      }
      // 2 + 45 calls so far; 50 with these three.
      expect(await stub.transfer("bob", "alice", 1000)).toBeNull();
      expect(await stub.balance("alice")).toBe(85);
      expect(await stub.balance("bob")).toBe(30);
    });
  }
});
`,
  },
  "d1-migrations": {
    label: "D1 (10 × 5): applyD1Migrations(env.DB, env.TEST_MIGRATIONS) in beforeAll, a few queries per test",
    files: 10,
    tests: 5,
    migrations: true,
    imports: { test: ["env", "applyD1Migrations", "SELF"], runner: ["beforeAll", "describe", "expect", "it"] },
    body: (f) => `beforeAll(async () => {
  await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
});

describe("users file ${pad(f)}", () => {
  for (let t = 0; t < 5; t++) {
    it(\`adds user \${t} with posts and reads them back\`, async () => {
      const email = \`f${f}-u\${t}@example.com\`;
      const user = await env.DB.prepare("INSERT INTO users (email, name) VALUES (?, ?) RETURNING id, created_at").bind(email, \`User \${t}\`).first();
      expect(user?.created_at).toBe("2026-01-01");
      await env.DB.batch([
        env.DB.prepare("INSERT INTO posts (user_id, title) VALUES (?, ?)").bind(user?.id, "first"),
        env.DB.prepare("INSERT INTO posts (user_id, title) VALUES (?, ?)").bind(user?.id, "second"),
      ]);
      const { results } = await env.DB.prepare("SELECT p.title FROM posts p JOIN users u ON u.id = p.user_id WHERE u.email = ? ORDER BY p.id").bind(email).all();
      expect(results.map((r) => r.title)).toEqual(["first", "second"]);
      const response = await SELF.fetch(\`https://example.com/users/\${email}\`);
      expect(await response.json()).toMatchObject({ email, name: \`User \${t}\` });
    });
  }
});
`,
  },
};

/** A test file of `shape` for durabox and the plugin: its imports, then the shape's tests. */
export function testFile(shape, f, runner) {
  const { imports, body } = SHAPES[shape];
  const from = runner === "jest" ? "@jest/globals" : "vitest";
  return `// Written as for @cloudflare/vitest-plugin; the same file runs on durabox.
import { ${imports.test.join(", ")} } from "cloudflare:test";
import { ${imports.runner.join(", ")} } from "${from}";

${body(f)}`;
}

/** The floor's test file: as many tests, each trivial, in the runner's node environment. */
export function floorFile(shape, f, runner) {
  const { tests } = SHAPES[shape];
  const from = runner === "jest" ? "@jest/globals" : "vitest";
  return `import { describe, expect, it } from "${from}";

describe("floor file ${pad(f)}", () => {
  for (let t = 0; t < ${tests}; t++) {
    it(\`trivial \${t}\`, () => {
      expect(t + 1).toBe(t + 1);
    });
  }
});
`;
}

/** Tests in the whole suite of `shape`. */
export const testsOf = (shape) => SHAPES[shape].files * SHAPES[shape].tests;
