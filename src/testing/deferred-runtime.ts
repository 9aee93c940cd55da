import { registerTestRuntime } from "./registry.js";
import { testFileStarting } from "./file-starts.js";
import type { TestRuntime } from "./test-runtime.js";

type Events = TestRuntime["events"];
type ModuleLoader = Parameters<TestRuntime["useModuleLoader"]>[0];
type RunnerTest = Parameters<Events["testStarted"]>[0];

/** A test file's runtime before the file first uses it: what loads it, and the runtime once loaded. */
export interface DeferredTestRuntime {
  /** The runtime, once the file has used durabox; undefined while it has not. */
  readonly runtime: TestRuntime | undefined;
}

/**
 * Registers, as the test file's runtime, a stand-in that loads the real one
 * (`load`: durabox/testing-runtime evaluated, the TestRuntime made, its
 * globals installed) only when the file first uses durabox, so a file that
 * never does pays for none of it: not the 700 KB runtime, not Node's fetch
 * implementation (which Node 22+ loads on any touch of `Response`,
 * `Request` or `WebSocket`, and durabox's Workers forms of them touch).
 *
 * Until then the stand-in answers what the runner asks of every file
 * itself: the describe blocks and tests that start and end (kept, and
 * replayed into the real runtime's isolation policy when it is loaded, so a
 * runtime first used inside a describe block's `beforeAll` or a test scopes
 * exactly as one used from the start), the file's start, the module loader,
 * and whether a runtime exists. Anything else (`env`, a helper, SELF) loads
 * it. Each of `globals` (durabox's own names: `env`, the helpers, the
 * WebSocket classes, `scheduler`) is an accessor that loads it on first
 * read; one the test assigns first keeps the assigned value, as a plain
 * property would. The platform's names (`Response`, `fetch`, `crypto`,
 * `WebSocket`) stay the platform's, untouched, until then.
 */
export function deferTestRuntime(global: object, globals: readonly string[], load: () => TestRuntime): DeferredTestRuntime {
  let runtime: TestRuntime | undefined;
  let moduleLoader: ModuleLoader | undefined;
  // What started and has not ended, in order: the suites (outermost first) and the running test.
  const suites = new Set<object>();
  const running = new Set<RunnerTest>();

  const loaders = new Map<string, () => unknown>();
  const materialize = (): TestRuntime => {
    if (runtime !== undefined) return runtime;
    // Names the test assigned before this keep what it assigned: put back after the runtime's install.
    const assigned = globals.flatMap((name) => {
      const descriptor = Object.getOwnPropertyDescriptor(global, name);
      return descriptor?.get !== undefined && descriptor.get === loaders.get(name) ? [] : [[name, descriptor] as const];
    });
    const made = load();
    runtime = made;
    for (const [name, descriptor] of assigned) {
      if (descriptor === undefined) delete (global as Record<string, unknown>)[name];
      else Object.defineProperty(global, name, descriptor);
    }
    registerTestRuntime(global, made);
    if (moduleLoader !== undefined) made.useModuleLoader(moduleLoader);
    for (const suite of suites) made.events.suiteStarted(suite);
    for (const test of running) {
      const refused = made.events.testStarted(test);
      // Not reachable (one test at a time was checked below), but a refusal must not pass silently.
      if (refused !== undefined) throw refused;
    }
    return made;
  };

  for (const name of globals) {
    const before = Object.getOwnPropertyDescriptor(global, name);
    const get = (): unknown => {
      materialize();
      return (global as Record<string, unknown>)[name];
    };
    loaders.set(name, get);
    Object.defineProperty(global, name, {
      configurable: true,
      enumerable: before?.enumerable ?? true,
      get,
      set(value: unknown) {
        Object.defineProperty(global, name, { configurable: true, enumerable: before?.enumerable ?? true, writable: true, value });
      },
    });
  }

  const events: Events = {
    suiteStarted(suite) {
      suites.add(suite);
    },
    async suiteEnded(suite) {
      suites.delete(suite);
      running.clear();
    },
    testStarted(test) {
      // Concurrency is the real policy's to judge (it depends on the isolation option).
      if (running.size > 0 || test.concurrent === true) return materialize().events.testStarted(test);
      running.add(test);
      return undefined;
    },
    // Nothing was made in the try that ended: nothing to roll back.
    async testRetried() {},
    async testEnded(test) {
      running.delete(test as RunnerTest);
    },
  } as Partial<Events> as Events;

  const standIn: Partial<Record<keyof TestRuntime, unknown>> = {
    events,
    created: false,
    envIfCreated: undefined,
    // The file starts: nothing of a previous file's to dispose (there is no runtime yet).
    startFile: async (): Promise<void> => testFileStarting(),
    useModuleLoader: (loader: ModuleLoader): void => {
      moduleLoader = loader;
    },
    dispose: async (): Promise<void> => {},
  };
  const proxy = new Proxy({} as TestRuntime, {
    get(_target, key) {
      if (runtime === undefined && typeof key === "string" && Object.hasOwn(standIn, key)) return standIn[key as keyof TestRuntime];
      const real = materialize();
      const value: unknown = Reflect.get(real, key, real);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(real) : value;
    },
    has: (_target, key) => Reflect.has(materialize(), key),
  });
  registerTestRuntime(global, proxy);
  return {
    get runtime() {
      return runtime;
    },
  };
}
