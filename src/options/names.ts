// The accepted keys of each place that takes options, derived from the declarations.
import { runtimeOptions, testOptions, workerOptions } from "./declared.js";
import type { DuraboxOptions, TestRuntimeOptions, WorkerOptions } from "./types.js";

const names = <T>(...tables: object[]): readonly (keyof T & string)[] =>
  Object.freeze(tables.flatMap((table) => Object.keys(table) as (keyof T & string)[]));

/** Keys of each entry of `workers`. */
export const WORKER_OPTION_NAMES = names<WorkerOptions>(workerOptions);
/** Keys of `new Durabox(...)`. */
export const DURABOX_OPTION_NAMES = names<DuraboxOptions>(workerOptions, runtimeOptions);
/** Keys of the test environments' options. */
export const TEST_OPTION_NAMES = names<TestRuntimeOptions>(workerOptions, runtimeOptions, testOptions);
