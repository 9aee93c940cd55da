import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseCommandLine, type ServeArguments } from "../../src/cli/args.js";
import { OPTION_FLAGS } from "../../src/cli/flags.js";
import type { OptionTable } from "../../src/options/declaration.js";
import { durableObjectBindingOptions, runtimeOptions, testOptions, workerOptions } from "../../src/options/declared.js";
import { normalizeOptions, type NormalizedOptions } from "../../src/options.js";

const tables: Record<string, OptionTable> = { durableObjectBindingOptions, workerOptions, runtimeOptions, testOptions };
const all = Object.entries(tables).flatMap(([table, options]) =>
  Object.entries(options).map(([name, option]) => ({ table, name, option })),
);

describe("the option declarations", () => {
  it("declare each name once", () => {
    const names = all.filter(({ table }) => table !== "durableObjectBindingOptions").map(({ name }) => name);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(all.filter(({ option }) => option.default !== undefined).map(({ name, option }) => [name, option] as const))(
    "give %s a default its own type accepts",
    (_name, option) => {
      expect(option.type.accepts(option.default)).toBe(true);
    },
  );

  it.each(all.map(({ name, option }) => [name, option] as const))("give %s a one-line doc and an example", (_name, option) => {
    expect(option.doc).toMatch(/^[^\n]{10,}$/);
    expect(option.example).not.toBe("");
  });
});

describe("options with a CLI flag", () => {
  // A value to give each flag. Declaring a flag without adding it here fails the first test.
  const samples: Record<string, string[]> = {
    durableObjects: ["--do", "COUNTER=Counter@api"],
    bindings: ["--binding", "GREETING=hello"],
    compatibilityFlags: ["--compatibility-flag", "nodejs_compat"],
    compatibilityDate: ["--compatibility-date", "2024-09-23"],
    wranglerConfigPath: ["--config", "wrangler.toml"],
    wranglerEnvironment: ["--env", "staging"],
    durableObjectsPersist: ["--do-persist"],
    verbose: ["--verbose"],
    d1Databases: ["--d1", "DB"],
    d1Persist: ["--d1-persist"],
    r2Buckets: ["--r2", "BUCKET=uploads"],
    r2Persist: ["--r2-persist"],
    kvNamespaces: ["--kv", "CONFIG"],
    kvPersist: ["--kv-persist", "redis://127.0.0.1:6379"],
    cachePersist: ["--cache-persist"],
    queueProducers: ["--queue", "JOBS=jobs"],
    queuesPersist: ["--queues-persist", "./data/queues"],
    secretsStorePersist: ["--secrets-store-persist", "./data/secrets"],
    workflowsPersist: ["--workflows-persist", "./data/workflows"],
  };

  it("are the declared ones", () => {
    expect(OPTION_FLAGS.map(({ option }) => option).sort()).toEqual(Object.keys(samples).sort());
  });

  it.each(Object.entries(samples))("set %s, to a value its declaration accepts", (option, argv) => {
    const args = parseCommandLine(argv) as ServeArguments;
    expect(Object.keys(args.options)).toEqual([option]);
    const declaration = (workerOptions as OptionTable)[option] ?? (runtimeOptions as OptionTable)[option]!;
    expect(declaration.type.accepts((args.options as Record<string, unknown>)[option])).toBe(true);
  });

  it("convert their text where the option is not the text itself", () => {
    const { options } = parseCommandLine([
      "w.mjs",
      "-o",
      "A=Api@api",
      "-o",
      "B=B",
      "-b",
      "K=V",
      "--do-persist",
      "./data",
      "--d1",
      "DB",
      "--d1",
      "OTHER=shared-id",
      "--d1-persist",
      "./d1",
    ]) as ServeArguments;
    expect(options).toEqual({
      scriptPath: "w.mjs",
      durableObjects: { A: { className: "Api", scriptName: "api" }, B: { className: "B" } },
      bindings: { K: "V" },
      durableObjectsPersist: "./data",
      d1Databases: { DB: "DB", OTHER: "shared-id" },
      d1Persist: "./d1",
    });
    expect((parseCommandLine(["--do-persist"]) as ServeArguments).options.durableObjectsPersist).toBe(true);
    expect((parseCommandLine(["--d1-persist"]) as ServeArguments).options.d1Persist).toBe(true);
  });
});

describe("options read from a wrangler config", () => {
  // A wrangler.json per declared key, and what it gives. Declaring a key without adding it here fails the first test.
  // `expected` is matched as a subset (toMatchObject): options added later may add fields.
  const samples: Record<string, { config: Record<string, unknown>; gives: (options: NormalizedOptions) => unknown; expected: unknown }> = {
    name: { config: { name: "api" }, gives: (o) => o.workers[0]!.name, expected: "api" },
    main: {
      config: { main: "src/worker.mjs" },
      gives: (o) => o.workers[0]!.source,
      expected: { kind: "path", path: "<dir>/src/worker.mjs" },
    },
    "durable_objects.bindings": {
      config: { main: "w.mjs", durable_objects: { bindings: [{ name: "C", class_name: "Counter" }] } },
      gives: (o) => o.workers[0]!.durableObjects,
      expected: [{ binding: "C", className: "Counter", scriptName: "" }],
    },
    vars: { config: { vars: { GREETING: "hi" } }, gives: (o) => o.workers[0]!.bindings, expected: { GREETING: "hi" } },
    services: {
      config: { services: [{ binding: "API", service: "", entrypoint: "Admin", props: { role: "owner" } }] },
      gives: (o) => o.workers[0]!.serviceBindings,
      expected: [{ binding: "API", service: "", entrypoint: "Admin", props: { role: "owner" } }],
    },
    compatibility_flags: {
      config: { compatibility_flags: ["nodejs_compat"] },
      gives: (o) => o.workers[0]!.compatibilityFlags,
      expected: ["nodejs_compat"],
    },
    compatibility_date: {
      config: { compatibility_date: "2024-09-23" },
      gives: (o) => o.workers[0]!.compatibilityDate,
      expected: "2024-09-23",
    },
    d1_databases: {
      config: {
        d1_databases: [
          { binding: "DB", database_name: "app", database_id: "id-1", migrations_dir: "migrations" },
          { binding: "NAMED", database_name: "by-name" },
        ],
      },
      gives: (o) => o.workers[0]!.d1Databases,
      expected: [
        { binding: "DB", databaseId: "id-1", migrationsDir: "<dir>/migrations" },
        { binding: "NAMED", databaseId: "by-name" },
      ],
    },
    r2_buckets: {
      config: { r2_buckets: [{ binding: "BUCKET", bucket_name: "uploads" }, { binding: "SAME" }] },
      gives: (o) => o.workers[0]!.r2Buckets,
      expected: [
        { binding: "BUCKET", bucketName: "uploads" },
        { binding: "SAME", bucketName: "SAME" },
      ],
    },
    kv_namespaces: {
      config: { kv_namespaces: [{ binding: "CONFIG", id: "abc123" }, { binding: "NOID" }] },
      gives: (o) => o.workers[0]!.kvNamespaces,
      expected: [
        { binding: "CONFIG", id: "abc123" },
        { binding: "NOID", id: "NOID" },
      ],
    },
    secrets_store_secrets: {
      config: { secrets_store_secrets: [{ binding: "API_KEY", store_id: "store", secret_name: "api-key" }] },
      gives: (o) => [...o.workers[0]!.env.values()].filter((b) => b.kind === "secret").map((b) => b.value),
      expected: [{ binding: "API_KEY", storeId: "store", secretName: "api-key" }],
    },
    ratelimits: {
      config: { ratelimits: [{ name: "LIMITER", namespace_id: "1001", simple: { limit: 5, period: 10 } }] },
      gives: (o) => [...o.workers[0]!.env.values()].filter((b) => b.kind === "ratelimit").map((b) => b.value),
      expected: [{ binding: "LIMITER", namespaceId: "1001", limit: 5, period: 10 }],
    },
    workflows: {
      config: { name: "api", workflows: [{ name: "checkout", binding: "CHECKOUT", class_name: "Checkout" }] },
      gives: (o) => o.workers[0]!.env.get("CHECKOUT"),
      expected: {
        kind: "workflow",
        value: { binding: "CHECKOUT", name: "checkout", className: "Checkout", scriptName: "api", preserveNonRetryableMessage: false },
      },
    },
    "queues.producers": {
      config: { compatibility_date: "2024-01-01", queues: { producers: [{ binding: "JOBS", queue: "jobs", delivery_delay: 30 }] } },
      gives: (o) => o.workers[0]!.queueProducers,
      expected: [{ binding: "JOBS", queueName: "jobs", deliveryDelay: 30, defaultContentType: "v8" }],
    },
    "queues.consumers": {
      config: {
        queues: {
          consumers: [
            { queue: "jobs", max_batch_size: 50, max_batch_timeout: 1, max_retries: 10, dead_letter_queue: "dlq", retry_delay: 60 },
            { queue: "defaults" },
            { queue: "pulled", type: "http_pull" },
          ],
        },
      },
      gives: (o) => o.workers[0]!.queueConsumers,
      expected: [
        { queueName: "jobs", maxBatchSize: 50, maxBatchTimeout: 1, maxRetries: 10, deadLetterQueue: "dlq", retryDelay: 60 },
        { queueName: "defaults", maxBatchSize: 10, maxBatchTimeout: 5, maxRetries: 3, retryDelay: 0 },
      ],
    },
    durable_objects_persist: {
      config: { durable_objects_persist: "data" },
      gives: (o) => o.persistence,
      expected: { kind: "file", directory: "<dir>/data" },
    },
  };

  it("are the declared ones", () => {
    const declared = all.flatMap(({ option }) => (option.wrangler === undefined ? [] : [option.wrangler]));
    expect(declared.sort()).toEqual(Object.keys(samples).sort());
  });

  it.each(Object.entries(samples))("%s gives its option", (_key, { config, gives, expected }) => {
    const dir = mkdtempSync(path.join(tmpdir(), "durabox-wrangler-key-"));
    writeFileSync(path.join(dir, "wrangler.json"), JSON.stringify(config));
    const normalized = normalizeOptions({ wranglerConfigPath: "wrangler.json" }, dir);
    const given: unknown = JSON.parse(JSON.stringify(gives(normalized)).replaceAll(JSON.stringify(dir).slice(1, -1), "<dir>"));
    expect({ given }).toMatchObject({ given: expected });
  });
});
