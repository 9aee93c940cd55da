// In the durabox Jest preset's setupFiles: worker code is loaded through
// Jest's module registry, so jest.mock, the preset's transform and coverage
// apply to it, and a class a test imports is the class the runtime constructs.
// Reads the runtime the environment registered, without loading durabox again.
declare const require: (id: string) => Record<string, unknown>;

interface LoaderHost {
  useModuleLoader(loader: (entry: string) => Record<string, unknown>): void;
}

const runtime = (globalThis as unknown as Record<symbol, LoaderHost | undefined>)[Symbol.for("durabox.testRuntime")];
if (runtime === undefined) throw new Error('jest-environment-durabox/setup needs testEnvironment: "durabox" (the preset sets both).');
runtime.useModuleLoader((entry) => require(entry));
