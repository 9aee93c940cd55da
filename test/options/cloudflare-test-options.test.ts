import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { fromCloudflareTestOptions } from "../../src/options/cloudflare-test.js";
import { normalizeOptions } from "../../src/options/normalize.js";
import { DURABOX_OPTION_NAMES } from "../../src/options/names.js";
import { TestRuntime } from "../../src/testing/test-runtime.js";
import { durabox } from "../../environments/vitest/src/config.js";
import { optionsError } from "../helpers/options-error.js";

const errorOf = optionsError;

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "durabox-cf-options-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const worker = `
  import { env } from "cloudflare:workers";
  export class Room { constructor(state) { this.state = state; } async fetch() { return new Response("room"); } }
  export default {
    async fetch(request) {
      const { pathname } = new URL(request.url);
      if (pathname === "/node") { const { Buffer } = await import("node:buffer"); return new Response(Buffer.from("ok").toString("base64")); }
      return new Response(JSON.stringify({ name: env.NAME ?? null, extra: env.EXTRA ?? null }));
    },
  };`;

describe("cloudflareTest(options) as durabox's options", () => {
  it("reads main as scriptPath, wrangler as wranglerConfigPath/wranglerEnvironment, miniflare's keys as durabox's", () => {
    expect(
      fromCloudflareTestOptions({
        main: "src/index.ts",
        wrangler: { configPath: "./wrangler.jsonc", environment: "staging" },
        miniflare: { bindings: { A: 1 }, compatibilityFlags: ["nodejs_compat"], workers: [{ name: "aux", script: "" }] },
        isolation: "file",
      }),
    ).toEqual({
      scriptPath: "src/index.ts",
      wranglerConfigPath: "./wrangler.jsonc",
      wranglerEnvironment: "staging",
      bindings: { A: 1 },
      compatibilityFlags: ["nodejs_compat"],
      workers: [{ name: "aux", script: "" }],
      isolation: "file",
    });
  });

  it("refuses an option given both ways", () => {
    expect(errorOf(() => fromCloudflareTestOptions({ main: "a.ts", scriptPath: "b.ts" })).message).toBe(
      'Options "main" and "scriptPath" were both given: they are the same option, pass one.',
    );
    expect(errorOf(() => fromCloudflareTestOptions({ miniflare: { bindings: {} }, bindings: {} })).message).toBe(
      'Options "miniflare.bindings" and "bindings" were both given: they are the same option, pass one.',
    );
  });

  it("names an unknown miniflare option, and says when it is a Miniflare binding durabox lacks", () => {
    expect(errorOf(() => fromCloudflareTestOptions({ miniflare: { bindigns: {} } })).message).toBe(
      `Unknown option "miniflare.bindigns". Supported options: ${DURABOX_OPTION_NAMES.join(", ")}. Did you mean "miniflare.bindings"?`,
    );
    expect(errorOf(() => fromCloudflareTestOptions({ miniflare: { outboundService: () => new Response() } })).message).toMatch(
      /^Option "miniflare\.outboundService" is Miniflare's option for an outbound fetch handler \(answer outbound fetch with fetchMock from cloudflare:test instead\), which durabox does not support yet\./,
    );
  });

  it("reads the pool's isolatedStorage as isolation; singleWorker and the keys that mean nothing here go", () => {
    expect(fromCloudflareTestOptions({ isolatedStorage: false, main: "a.ts" })).toEqual({ isolation: "file", scriptPath: "a.ts" });
    expect(fromCloudflareTestOptions({ isolatedStorage: true })).toEqual({ isolation: "test" });
    expect(
      fromCloudflareTestOptions({
        singleWorker: true,
        remoteBindings: false,
        experimental_mixedMode: true,
        additionalExports: { Api: "WorkerEntrypoint" },
        experimental: { newConfig: false },
      }),
    ).toEqual({});
    expect(new TestRuntime({ isolatedStorage: false }).isolation).toBe("file");
  });

  it("refuses isolatedStorage and isolation that disagree, a cloudflare.config.ts, and values of the wrong type", () => {
    expect(errorOf(() => fromCloudflareTestOptions({ isolatedStorage: false, isolation: "test" })).message).toBe(
      'Options "isolatedStorage: false" and "isolation: "test"" disagree: isolatedStorage: false is isolation: "file"; pass one.',
    );
    expect(fromCloudflareTestOptions({ isolatedStorage: false, isolation: "file" })).toEqual({ isolation: "file" });
    expect(errorOf(() => fromCloudflareTestOptions({ experimental: { newConfig: true } })).message).toMatch(
      /^Option "experimental\.newConfig" reads the Worker's configuration from cloudflare\.config\.ts, which durabox does not read yet/,
    );
    expect(errorOf(() => new TestRuntime({ singleWorker: "yes" as never })).message).toBe(
      'Option "singleWorker" must be a boolean (for example true), got string.',
    );
    expect(errorOf(() => durabox({ isolatedStorage: 0 as never })).message).toBe(
      'Option "isolatedStorage" must be a boolean (for example false), got number.',
    );
    expect(errorOf(() => durabox({ additionalExports: { Api: "Worker" } })).message).toMatch(
      /^Option "additionalExports" must be an object of export names to "WorkerEntrypoint"/,
    );
  });

  it("checks the shape of wrangler and miniflare", () => {
    expect(errorOf(() => new TestRuntime({ wrangler: { config: "x" } as never })).message).toBe(
      'Option "wrangler" must be an object such as { configPath: "./wrangler.jsonc", environment: "staging" }, got {"config":"x"}.',
    );
    expect(errorOf(() => new TestRuntime({ miniflare: [] as never })).message).toMatch(
      /^Option "miniflare" must be an object of Miniflare/,
    );
  });

  it("runs the worker cloudflareTest({ main, miniflare }) describes", async () => {
    const dir = project({ "index.mjs": worker });
    const runtime = new TestRuntime({ main: "index.mjs", miniflare: { bindings: { NAME: "mf" } } }, { cwd: dir });
    expect(await (await runtime.durabox.dispatchFetch("/")).json()).toEqual({ name: "mf", extra: null });
    await runtime.dispose();
  });
});

describe("the project's wrangler file in tests", () => {
  const config = `
    name = "app"
    main = "index.mjs"
    compatibility_date = "2026-11-01"
    compatibility_flags = ["nodejs_compat"]
    [vars]
    NAME = "top"
    EXTRA = "top-only"
    [[durable_objects.bindings]]
    name = "ROOM"
    class_name = "Room"
    [[kv_namespaces]]
    binding = "CONFIG"
    id = "config"
    [[r2_buckets]]
    binding = "UPLOADS"
    [[d1_databases]]
    binding = "DB"
    [env.staging]
    vars = { NAME = "staging" }
    durable_objects.bindings = [{ name = "STAGING_ROOM", class_name = "Room" }]
    [[env.staging.migrations]]
    tag = "v1"
    new_sqlite_classes = ["Room"]
    [env.bare]
    compatibility_date = "2026-01-01"
  `;

  it("is read even when scriptPath is given, under the options: compatibility_flags are kept, options win key by key", async () => {
    const dir = project({ "wrangler.toml": config, "index.mjs": worker, "other.mjs": worker });
    const runtime = new TestRuntime({ scriptPath: "other.mjs", bindings: { NAME: "option" } }, { cwd: dir });
    // nodejs_compat from the file: node:buffer imports.
    expect(await (await runtime.durabox.dispatchFetch("/node")).text()).toBe("b2s=");
    expect(await (await runtime.durabox.dispatchFetch("/")).json()).toEqual({ name: "option", extra: "top-only" });
    expect(Object.keys(runtime.env)).toEqual(expect.arrayContaining(["ROOM", "NAME", "EXTRA"]));
    await runtime.dispose();
  });

  it("is not read with wranglerConfigPath: false", async () => {
    const dir = project({ "wrangler.toml": config, "index.mjs": worker });
    const runtime = new TestRuntime({ scriptPath: "index.mjs", wranglerConfigPath: false }, { cwd: dir });
    expect(await (await runtime.durabox.dispatchFetch("/")).json()).toEqual({ name: null, extra: null });
    await runtime.dispose();
  });

  it("applies an [env.<name>] section: its keys over the top level's, vars and durable_objects from it alone, SQLite classes from its migrations", () => {
    const dir = project({ "wrangler.toml": config, "index.mjs": worker });
    const [staging] = normalizeOptions({ wranglerConfigPath: true, wranglerEnvironment: "staging" }, dir).workers;
    expect(staging!.name).toBe("app-staging");
    expect(staging!.bindings).toEqual({ NAME: "staging" });
    expect(staging!.durableObjects.map((d) => d.binding)).toEqual(["STAGING_ROOM"]);
    expect(staging!.compatibilityFlags).toEqual(["nodejs_compat"]);
    expect(staging!.source).toEqual({ kind: "path", path: path.join(dir, "index.mjs") });
    expect(staging!.storageKinds.get("Room")).toBe("sqlite");
    const [top] = normalizeOptions({ wranglerConfigPath: true }, dir).workers;
    expect(top!.storageKinds.get("Room")).toBe("key-value");
    expect([top!.kvNamespaces.length, top!.r2Buckets.length, top!.d1Databases.length]).toEqual([1, 1, 1]);
    // A section without vars, durable_objects or other bindings has none: wrangler does not inherit them.
    const [bare] = normalizeOptions({ wranglerConfigPath: true, wranglerEnvironment: "bare" }, dir).workers;
    expect(bare!).toMatchObject({
      name: "app-bare",
      bindings: {},
      durableObjects: [],
      kvNamespaces: [],
      r2Buckets: [],
      d1Databases: [],
      compatibilityDate: "2026-01-01",
    });
  });

  it("takes the environment from cloudflareTest's wrangler.environment", async () => {
    const dir = project({ "wrangler.toml": config, "index.mjs": worker });
    const runtime = new TestRuntime({ wrangler: { environment: "staging" } }, { cwd: dir });
    expect(await (await runtime.durabox.dispatchFetch("/")).json()).toEqual({ name: "staging", extra: null });
    await runtime.dispose();
  });

  it("names the environments there are when the one asked for is missing, and needs a config for one", () => {
    const dir = project({ "wrangler.toml": config, "index.mjs": worker });
    expect(errorOf(() => normalizeOptions({ wranglerConfigPath: true, wranglerEnvironment: "prod" }, dir)).message).toBe(
      `${path.join(dir, "wrangler.toml")}: there is no [env.prod] section: its environments are "staging", "bare".`,
    );
    expect(errorOf(() => normalizeOptions({ script: worker, wranglerEnvironment: "prod" }, dir)).message).toBe(
      'Option "wranglerEnvironment" names a wrangler environment, but no wrangler config is read: set "wranglerConfigPath".',
    );
  });
});

describe("the durabox() Vitest plugin", () => {
  it("takes cloudflareTest's options", () => {
    const plugin = durabox({ wrangler: { configPath: "./wrangler.toml" }, miniflare: { bindings: { A: "1" } } });
    const config = plugin.config({ root: "/project" }) as { resolve: { alias: Record<string, string> } };
    expect(Object.keys(config.resolve.alias)).toEqual(["cloudflare:workers", "cloudflare:test", "cloudflare:workflows"]);
    expect(config.resolve.alias["cloudflare:test"]).toMatch(/dist[\\/]cloudflare-test\.js$/);
  });

  it("sets Vitest's isolate: false and fileParallelism: false for the pool's singleWorker: true", () => {
    const test = (options: Parameters<typeof durabox>[0]): Record<string, unknown> =>
      (durabox(options).config({ root: "/project" }) as { test: Record<string, unknown> }).test;
    expect(test({ singleWorker: true })).toMatchObject({ isolate: false, fileParallelism: false });
    expect(test({ singleWorker: false })).not.toHaveProperty("isolate");
    expect(test({})).not.toHaveProperty("fileParallelism");
  });

  it("refuses defineWorkersConfig's test.poolOptions.workers, saying what to write instead", () => {
    const plugin = durabox();
    const workers = { wrangler: { configPath: "./wrangler.toml" }, isolatedStorage: true, singleWorker: true };
    expect(errorOf(() => plugin.config({ test: { poolOptions: { workers } } })).message).toBe(
      "test.poolOptions.workers is the configuration of @cloudflare/vitest-pool-workers' defineWorkersConfig(); durabox does not read it. " +
        "Pass those options to the plugin instead: plugins: [durabox({ wrangler: ..., isolatedStorage: ..., singleWorker: ... })], with defineConfig from vitest/config, and remove test.poolOptions.workers.",
    );
    expect(errorOf(() => plugin.config({ test: { poolOptions: { workers: () => ({}) } } })).message).toContain(
      "(durabox takes the options object itself, not a function returning it.)",
    );
    expect(errorOf(() => plugin.config({ test: { pool: "@cloudflare/vitest-pool-workers" } })).message).toBe(
      'test.pool is "@cloudflare/vitest-pool-workers": remove it, durabox runs in Vitest\'s own pools (the durabox() plugin sets the environment).',
    );
  });
});
