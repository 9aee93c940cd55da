// The options of the test environments only: apart from declared.ts so the key check
// (unknown.ts), which the binding kinds' normalisers use, can name them without a cycle.
import { option, type OptionTable } from "./declaration.js";
import { boolean, oneOf, shape, string } from "./value-types.js";
import { isRecord } from "../base/describe.js";

const isString = (value: unknown): boolean => typeof value === "string";

/** Options of the test environments only (Jest's testEnvironmentOptions, Vitest's environmentOptions.durabox). */
export const testOptions = {
  isolation: option({
    doc: "`test`: storage, instances and alarms roll back after every test and describe block; `file`: only between files",
    type: oneOf("test", "file"),
    example: '"file"',
    default: "test",
  }),
  durableObjectsPersistWrites: option({
    doc: "with persistence configured, tests run on a layer above the stored data and their writes are dropped at the end; `true` keeps them",
    type: boolean,
    example: "true",
    default: false,
  }),
  // @cloudflare/vitest-plugin's `cloudflareTest(options)` shape, read as durabox's options (options/cloudflare-test.ts).
  main: option({
    doc: "the entry file, as `cloudflareTest({ main })` names it: durabox's `scriptPath`",
    type: string,
    example: '"src/index.ts"',
  }),
  wrangler: option({
    doc: "`{ configPath, environment }` as `cloudflareTest({ wrangler })` takes them: durabox's `wranglerConfigPath` and `wranglerEnvironment`",
    type: shape<{ configPath?: string; environment?: string }>(
      "`{ configPath?, environment? }`",
      'an object such as { configPath: "./wrangler.jsonc", environment: "staging" }',
      (value) =>
        isRecord(value) &&
        Object.keys(value).every((key) => key === "configPath" || key === "environment") &&
        (value.configPath === undefined || isString(value.configPath)) &&
        (value.environment === undefined || isString(value.environment)),
      (value) => (isRecord(value) ? JSON.stringify(value) : undefined),
    ),
    example: '{ configPath: "./wrangler.jsonc" }',
  }),
  miniflare: option({
    doc: "Miniflare's options as `cloudflareTest({ miniflare })` takes them (`bindings`, `durableObjects`, `compatibilityDate`, `compatibilityFlags`, `workers`, ...): each is durabox's option of that name, over the wrangler config",
    type: shape<Record<string, unknown>>("object", "an object of Miniflare (durabox) options, such as {example}", isRecord),
    example: '{ bindings: { API_URL: "http://test" } }',
  }),
  // The other keys of @cloudflare/vitest-pool-workers' `poolOptions.workers` (0.x) and of the plugin's
  // `cloudflareTest()` (1.x), so their configs load as written: what each does here is in options/cloudflare-test.ts.
  isolatedStorage: option({
    doc: 'the pool\'s option: `false` is `isolation: "file"` (storage kept across the tests of a file), `true` (its default) per-test isolation',
    type: boolean,
    example: "false",
  }),
  singleWorker: option({
    doc: "the pool's option: `true` runs the test files one after another in one worker, as Vitest's `isolate: false` (the `durabox()` plugin sets it, and `fileParallelism: false`); each file still starts on a fresh runtime",
    type: boolean,
    example: "true",
  }),
  remoteBindings: option({
    doc: "the plugin's option: ignored, with a line saying so (every binding is local in durabox)",
    type: boolean,
    example: "false",
  }),
  experimental_mixedMode: option({
    doc: "the pool's earlier name for `remoteBindings`: ignored, with a line saying so",
    type: boolean,
    example: "false",
  }),
  additionalExports: option({
    doc: "the plugin's exports for `ctx.exports` it cannot see in the source: ignored, with a line saying so (durabox's `ctx.exports` are the loaded module's exports, re-exports included)",
    type: shape<Record<string, string>>(
      "object",
      'an object of export names to "WorkerEntrypoint", "DurableObject" or "WorkflowEntrypoint", such as {example}',
      (value) =>
        isRecord(value) &&
        Object.values(value).every((kind) => ["WorkerEntrypoint", "DurableObject", "WorkflowEntrypoint"].includes(kind as string)),
      (value) => (isRecord(value) ? JSON.stringify(value) : undefined),
    ),
    example: '{ Api: "WorkerEntrypoint" }',
  }),
  experimental: option({
    doc: "the plugin's `{ newConfig }` (the Worker's config from `cloudflare.config.ts`): durabox does not read that file yet, so only `newConfig: false` is accepted",
    type: shape<{ newConfig?: boolean | { configPath?: string } }>(
      "`{ newConfig? }`",
      "an object such as {example}",
      (value) => isRecord(value) && Object.keys(value).every((key) => key === "newConfig"),
      (value) => (isRecord(value) ? JSON.stringify(value) : undefined),
    ),
    example: "{ newConfig: false }",
  }),
} satisfies OptionTable;
