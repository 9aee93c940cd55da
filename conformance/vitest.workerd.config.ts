// The workerd run: Cloudflare's own plugin, as its docs configure it.
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { here, pluginOptions, testOptions } from "./suite.mjs";

export default defineConfig({
  root: here,
  plugins: [cloudflareTest(pluginOptions())],
  test: testOptions,
});
