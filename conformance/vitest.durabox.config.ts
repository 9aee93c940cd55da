// The durabox run: the same tests with only the plugin swapped, as the
// README's "Coming from @cloudflare/vitest-plugin" section says.
import { durabox } from "vitest-environment-durabox/config";
import { defineConfig } from "vitest/config";
import { here, pluginOptions, testOptions } from "./suite.mjs";

export default defineConfig({
  root: here,
  plugins: [durabox(pluginOptions())],
  test: testOptions,
});
