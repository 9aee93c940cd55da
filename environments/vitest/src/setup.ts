// Added to setupFiles by the durabox() config helper: worker code is loaded
// through Vitest's module runner, so vi.mock, transforms and coverage apply
// to it and a class a test imports is the class the runtime constructs.
import { currentTestRuntime } from "durabox/testing-loader";

const runtime = currentTestRuntime();
// With isolate: false one environment serves several files: each starts on a fresh runtime.
await runtime.startFile();
runtime.useModuleLoader((entry) => import(/* @vite-ignore */ entry) as Promise<Record<string, unknown>>);
