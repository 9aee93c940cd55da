// The public option types, derived from the declarations (declared.ts).
// Interfaces, so editors and errors show their names.
import type { OptionsOf } from "./declaration.js";
import type { durableObjectBindingOptions, runtimeOptions, testOptions, workerOptions } from "./declared.js";

/** A Durable Object binding's object form: a class, of this worker or of the worker `scriptName` names. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface DurableObjectBindingOptions extends OptionsOf<typeof durableObjectBindingOptions> {}

/** One worker's options; names follow Miniflare's. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface WorkerOptions extends OptionsOf<typeof workerOptions> {}

/** The options of `new Durabox(...)`: the entry worker's options, plus the runtime's. */
export interface DuraboxOptions extends WorkerOptions, OptionsOf<typeof runtimeOptions> {}

/** The options of the test environments: the runtime's, plus isolation. */
export interface TestRuntimeOptions extends DuraboxOptions, OptionsOf<typeof testOptions> {}

/** "test": storage, instances and alarms roll back after every test; "file": only between files. */
export type Isolation = NonNullable<TestRuntimeOptions["isolation"]>;
