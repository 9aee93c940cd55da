/**
 * Miniflare's options for bindings durabox does not have yet, and what they
 * give: an error for one of them says so plainly, instead of only "unknown".
 * An option moves from here to declared.ts when its binding exists.
 */
export const MINIFLARE_OPTIONS_NOT_SUPPORTED_YET: Readonly<Record<string, string>> = {
  outboundService: "an outbound fetch handler (answer outbound fetch with fetchMock from cloudflare:test instead)",
};

/**
 * The keys of @cloudflare/vitest-pool-workers' and @cloudflare/vitest-plugin's
 * own schemas that durabox accepts under their names (declared.ts): a
 * misspelling of one is named, but a word of another tool's option ("mode",
 * "port") is not taken for a part of one.
 */
export const CLOUDFLARE_POOL_OPTION_NAMES: readonly string[] = [
  "isolatedStorage",
  "singleWorker",
  "remoteBindings",
  "experimental_mixedMode",
  "additionalExports",
  "experimental",
];
