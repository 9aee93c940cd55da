// `preset: "jest-environment-durabox"`: the durabox environment, worker code
// loaded through Jest (so jest.mock and coverage apply to it, and the class a
// test imports is the class the runtime constructs), TypeScript and ES
// modules compiled by esbuild (no Babel config, no Node flags), and
// `cloudflare:workers` and `cloudflare:test` resolved to durabox's modules.
module.exports = {
  testEnvironment: require.resolve("./dist/index.cjs"),
  setupFiles: [require.resolve("./dist/setup.cjs")],
  // tsconfig `paths` aliases in worker and test code, as wrangler's esbuild resolves them.
  resolver: require.resolve("./dist/resolver.cjs"),
  transform: { "\\.[cm]?[jt]sx?$": require.resolve("./dist/transform.cjs") },
  moduleNameMapper: {
    "^cloudflare:workers$": require.resolve("durabox/cloudflare-workers"),
    "^cloudflare:test$": require.resolve("durabox/cloudflare-test"),
    "^cloudflare:workflows$": require.resolve("durabox/cloudflare-workflows"),
  },
  moduleFileExtensions: ["ts", "tsx", "mts", "cts", "js", "mjs", "cjs", "jsx", "json", "node"],
};
