import { defineConfig } from "vitest/config";
import { durabox } from "vitest-environment-durabox/config";

export default defineConfig({
  plugins: [durabox()],
});
