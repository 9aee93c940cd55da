import { afterEach, describe, expect, it } from "vitest";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Durabox } from "../../src/index.js";
import { DuraboxError } from "../../src/base/errors.js";

const run = promisify(execFile);
const fixtures = fileURLToPath(new URL("../../fixtures/", import.meta.url));
const fixture = (...parts: string[]): string => path.join(fixtures, ...parts);

const open: Durabox[] = [];
const make = (options: ConstructorParameters<typeof Durabox>[0]): Durabox => {
  const mf = new Durabox(options);
  open.push(mf);
  return mf;
};
afterEach(async () => {
  await Promise.all(open.splice(0).map((mf) => mf.dispose()));
});

describe("several workers (seed: Using a Class Exported by Another Script)", () => {
  it("runs the seed's options as written", async () => {
    const cwd = process.cwd();
    process.chdir(fixture("multi-worker"));
    try {
      const mf = make({
        workers: [
          {
            name: "api",
            durableObjects: {
              // scriptName must be the same as in the connected worker
              TEST_OBJECT: { className: "TestObject", scriptName: "api" },
            },
            modules: true,
            scriptPath: "api/src/worker.mjs",
          },
        ],
      });
      const ns = await mf.getDurableObjectNamespace("TEST_OBJECT");
      const res = await ns.get(ns.newUniqueId()).fetch("http://localhost/");
      expect(await res.text()).toBe("API response");
    } finally {
      process.chdir(cwd);
    }
  });

  it("runs the seed's wrangler.toml pair: the main worker uses the api worker's class", async () => {
    const mf = make({
      wranglerConfigPath: fixture("multi-worker", "wrangler.toml"),
      workers: [{ wranglerConfigPath: fixture("multi-worker", "api", "wrangler.toml") }],
    });
    expect(await mf.dispatchFetch("http://localhost/").text()).toBe("API response");
  });

  it("keeps one live instance per id however many workers reach it", async () => {
    const counter = `
      export class Counter {
        constructor(state) { this.state = state; this.hits = 0; }
        fetch() { this.hits++; return new Response(String(this.hits)); }
      }
      export default { fetch(request, env) { return env.COUNTER.getByName("shared").fetch(request); } }`;
    const mf = make({
      name: "front",
      script: `export default { fetch(request, env) { return env.COUNTER.getByName("shared").fetch(request); } }`,
      durableObjects: { COUNTER: { className: "Counter", scriptName: "backend" } },
      workers: [{ name: "backend", script: counter, durableObjects: { COUNTER: "Counter" } }],
    });
    expect(await mf.dispatchFetch("/").text()).toBe("1");
    const backendNs = await mf.getDurableObjectNamespace("COUNTER", "backend");
    expect(await (await backendNs.getByName("shared").fetch("http://x/")).text()).toBe("2");
    const frontNs = await mf.getDurableObjectNamespace("COUNTER");
    expect(frontNs.idFromName("shared").toString()).toBe(backendNs.idFromName("shared").toString());
    expect(await mf.dispatchFetch("/").text()).toBe("3");
  });

  it("gives the class its own worker's env", async () => {
    const mf = make({
      script: `export default { fetch(request, env) { return env.OBJ.getByName("x").fetch(request); } }`,
      bindings: { WHO: "front" },
      durableObjects: { OBJ: { className: "Obj", scriptName: "back" } },
      workers: [
        {
          name: "back",
          bindings: { WHO: "back" },
          script: `export class Obj { constructor(state, env) { this.env = env; } fetch() { return new Response(this.env.WHO); } }`,
        },
      ],
    });
    expect(await mf.dispatchFetch("/").text()).toBe("back");
  });

  it("says which worker is missing or has no code", async () => {
    expect(() => make({ script: "export default {}", durableObjects: { A: { className: "A", scriptName: "nope" } } })).toThrow(
      /scriptName "nope", but no worker of that name is configured \(workers: ""\)/,
    );
    expect(() => make({ workers: [{ name: "a", script: "export default {}" }, { script: "export default {}" }] })).toThrow(
      /workers\[1\] needs a "name"/,
    );
    expect(() =>
      make({
        workers: [
          { name: "a", script: "x" },
          { name: "a", script: "y" },
        ],
      }),
    ).toThrow(/Two workers are named "a"/);
    // A binding naming a worker that exists but has no script is named with the binding's own key.
    const withoutCode = (binding: object) => make({ workers: [{ name: "a", script: "export default {}", ...binding }, { name: "b" }] });
    await expect(withoutCode({ durableObjects: { A: { className: "A", scriptName: "b" } } }).ready).rejects.toThrow(
      'durableObjects.A uses class "A" of worker "b", which has no code: give that worker "script" or "scriptPath".',
    );
    await expect(withoutCode({ workflows: { W: { name: "w", className: "W", scriptName: "b" } } }).ready).rejects.toThrow(
      'workflows.W uses class "W" of worker "b", which has no code: give that worker "script" or "scriptPath".',
    );
  });
});

describe("scriptPath", () => {
  it("bundles TypeScript importing a local module and an npm package", async () => {
    const mf = make({
      scriptPath: fixture("ts-worker", "src", "index.ts"),
      durableObjects: { COUNTER: "Counter" },
      bindings: { PREFIX: "ts" },
    });
    expect(await mf.dispatchFetch("/").text()).toBe('prefix = "ts"\ncount = 1\n');
    expect(await mf.dispatchFetch("/").text()).toBe('prefix = "ts"\ncount = 2\n');
  });

  it("shows the original TypeScript file and line in a Durable Object's stack trace", async () => {
    // In a child process: Vitest maps stacks with its own source map support.
    const { stdout } = await run(process.execPath, [fixture("ts-worker", "print-stack.mjs")], {
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    const lines = stdout.split("\n");
    expect(lines[0]).toBe("Error: thrown from counter.ts");
    expect(lines[1]).toContain(`at Counter.fetch (${fixture("ts-worker", "src", "counter.ts")}:13:13)`);
    expect(stdout).toContain(`${fixture("ts-worker", "src", "index.ts")}:11:`);
  });

  it("reports a missing import with the file and line", async () => {
    const mf = make({
      script: `import { nothing } from "./does-not-exist.js"; export default { fetch() { return new Response(nothing); } }`,
    });
    await expect(mf.ready).rejects.toMatchObject({
      code: "ERR_SCRIPT",
      message: expect.stringMatching(/Could not resolve "\.\/does-not-exist\.js"/),
    });
  });

  it("refuses a service-worker script that declares Durable Objects, saying modules are required", async () => {
    const mf = make({
      script: `addEventListener("fetch", (event) => event.respondWith(new Response("sw")));`,
      durableObjects: { OBJ: "Obj" },
    });
    const error = await mf.ready.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DuraboxError);
    expect((error as Error).message).toMatch(/service-worker script.*modules format/s);
  });
});

describe("wrangler config", () => {
  for (const variant of ["toml", "jsonc"] as const) {
    it(`reads main, vars, compatibility flags and Durable Object bindings from wrangler.${variant}`, async () => {
      const file = fixture("wrangler", variant, variant === "toml" ? "wrangler.toml" : "wrangler.jsonc");
      const mf = make({ wranglerConfigPath: file });
      expect(await mf.dispatchFetch("/").json()).toEqual({ greeting: `hello from ${variant}`, limit: 3, flags: "object" });
    });
  }

  it("finds the config from the working directory when wranglerConfigPath is true", async () => {
    const cwd = process.cwd();
    process.chdir(fixture("wrangler", "toml"));
    try {
      const mf = make({ wranglerConfigPath: true });
      expect(((await mf.dispatchFetch("/").json()) as { greeting: string }).greeting).toBe("hello from toml");
    } finally {
      process.chdir(cwd);
    }
  });

  it("lets options given explicitly win over the file", async () => {
    const mf = make({
      wranglerConfigPath: fixture("wrangler", "toml", "wrangler.toml"),
      bindings: { GREETING: "explicit" },
      compatibilityFlags: [],
    });
    expect(await mf.dispatchFetch("/").json()).toEqual({ greeting: "explicit", limit: 3, flags: "undefined" });
  });

  it("reads the legacy [build.upload] main and dir", async () => {
    const mf = make({ wranglerConfigPath: fixture("wrangler", "legacy", "wrangler.toml") });
    expect(await mf.dispatchFetch("/").text()).toBe("legacy build.upload");
  });

  it("records which classes the migrations declare SQLite-backed", async () => {
    const { normalizeOptions } = await import("../../src/options.js");
    const normalized = normalizeOptions({ wranglerConfigPath: fixture("wrangler", "jsonc", "wrangler.jsonc") });
    expect(Object.fromEntries(normalized.workers[0]!.storageKinds)).toEqual({ Store: "key-value", Sql: "sqlite" });
  });

  it("names the key and the file when a known key has the wrong type", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(path.join(tmpdir(), "durabox-config-"));
    const cases: [string, string, RegExp][] = [
      ["wrangler.toml", `main = 5`, /wrangler\.toml: "main" must be a string, got a number/],
      [
        "wrangler.toml",
        `[durable_objects]\nbindings = [{ name = "A" }]`,
        /"durable_objects\.bindings\[0\]" needs both name and class_name/,
      ],
      ["wrangler.toml", `vars = "x"`, /"vars" must be a table/],
      ["wrangler.toml", `compatibility_flags = "nodejs_compat"`, /"compatibility_flags" must be an array/],
      ["wrangler.toml", `name = `, /not valid TOML/],
      ["wrangler.json", `{ "name": 1 }`, /wrangler\.json: "name" must be a string/],
      ["wrangler.jsonc", `{ "main": "x" `, /not valid JSON/],
    ];
    for (const [name, text, message] of cases) {
      const file = path.join(dir, name);
      writeFileSync(file, text);
      let error: unknown;
      try {
        new Durabox({ wranglerConfigPath: file });
      } catch (e) {
        error = e;
      }
      expect(error, `${name}: ${text}`).toBeInstanceOf(DuraboxError);
      expect((error as Error).message).toContain(file);
      expect((error as Error).message).toMatch(message);
    }
  });

  it("says clearly when no config is found", async () => {
    const { mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const cwd = process.cwd();
    const empty = mkdtempSync(path.join(tmpdir(), "durabox-noconfig-"));
    process.chdir(empty);
    try {
      expect(() => new Durabox({ wranglerConfigPath: true })).toThrow(
        `wranglerConfigPath is true, but no wrangler.toml, wrangler.json or wrangler.jsonc was found in ${empty} or above it.`,
      );
      expect(() => new Durabox({ wranglerConfigPath: "missing.toml" })).toThrow(/Cannot read the wrangler config .*missing\.toml/);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe("scriptPath bundles", () => {
  it("are built once per process and again only when an input file changes", async () => {
    const { mkdtempSync, writeFileSync, utimesSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(path.join(tmpdir(), "durabox-bundle-"));
    const entry = path.join(dir, "index.mjs");
    const dependency = path.join(dir, "message.mjs");
    writeFileSync(entry, `import { message } from "./message.mjs"; export default { fetch() { return new Response(message); } };`);
    writeFileSync(dependency, `export const message = "first";`);
    const read = async (): Promise<string> => {
      const mf = make({ scriptPath: entry });
      return mf.dispatchFetch("/").text();
    };
    expect(await read()).toBe("first");
    const { bundleWorker } = await import("../../src/worker/bundle.js");
    const a = await bundleWorker({ kind: "path", path: entry });
    const b = await bundleWorker({ kind: "path", path: entry });
    expect(b).toBe(a);
    writeFileSync(dependency, `export const message = "second";`);
    // Some file systems keep whole-second times: make the change visible.
    utimesSync(dependency, new Date(), new Date(Date.now() + 2000));
    expect(await read()).toBe("second");
  });
});
