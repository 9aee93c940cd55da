// The public option types, derived from the declarations (declared.ts).
// Interfaces, so editors and errors show their names.
import type { OptionsOf } from "./declaration.js";
import type { runtimeOptions, testOptions, WorkerOptions } from "./declared.js";

export type { DurableObjectBindingOptions, WorkerOptions } from "./declared.js";

/** The options of `new Durabox(...)`: the entry worker's options, plus the runtime's. */
export interface DuraboxOptions extends WorkerOptions, OptionsOf<typeof runtimeOptions> {}

/** The options of the test environments: the runtime's, plus isolation. */
export interface TestRuntimeOptions extends DuraboxOptions, OptionsOf<typeof testOptions> {}

/** "test": storage, instances and alarms roll back after every test; "file": only between files. */
export type Isolation = NonNullable<TestRuntimeOptions["isolation"]>;
