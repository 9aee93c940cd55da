// conformance/'s durabox side on the root's own Node and Vitest, with the
// workspace's vitest-environment-durabox (test/conformance.test.ts runs it).
// It lives here so that its imports resolve from the root, not from
// conformance/node_modules (which holds Vitest 5 when `npm run conformance` ran).
import { durabox } from "vitest-environment-durabox/config";
import { defineConfig } from "vitest/config";
import { here, pluginOptions, testOptions } from "../../conformance/suite.mjs";

export default defineConfig({
  root: here,
  plugins: [durabox(pluginOptions())],
  test: testOptions,
});
