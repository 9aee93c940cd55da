// In the durabox Jest preset's setupFiles: worker code is loaded through
// Jest's module registry, so jest.mock, the preset's transform and coverage
// apply to it, and a class a test imports is the class the runtime constructs.
import { currentTestRuntime } from "durabox/testing";

declare const require: (id: string) => Record<string, unknown>;

currentTestRuntime().useModuleLoader((entry) => require(entry));
