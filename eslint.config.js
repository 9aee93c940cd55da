// One lint configuration for the repository: ESLint's and typescript-eslint's
// recommended rules; formatting is Prettier's job (eslint-config-prettier).
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import prettier from "eslint-config-prettier";
import globals from "globals";

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/",
      "**/dist/",
      "coverage/",
      ".matrix/",
      ".pack/",
      ".durabox/",
      "bench/.peers/",
      "bench/.suites/",
      "bench/.dist/",
      "bench/.per-file/",
      "bench/.real-suites/",
      "fixtures/",
      // The conformance runs' reports and the public suites' extracted code (both git-ignored).
      "conformance/.results/",
      "conformance/.suites/",
      "**/*.d.ts",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // Unused names are errors, except ones deliberately discarded with a leading underscore.
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_", caughtErrors: "none" },
      ],
      // `no-explicit-any` stays on for the public surface; tests may spy loosely.
    },
  },
  {
    files: ["**/*.cjs", "environments/jest/jest-preset.js"],
    languageOptions: { sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
