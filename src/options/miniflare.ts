/**
 * Miniflare's options for bindings durabox does not have yet, and what they
 * give: an error for one of them says so plainly, instead of only "unknown".
 * An option moves from here to declared.ts when its binding exists.
 */
export const MINIFLARE_OPTIONS_NOT_SUPPORTED_YET: Readonly<Record<string, string>> = {
  queueProducers: "Queues",
  queueConsumers: "Queues",
  outboundService: "an outbound fetch handler (answer outbound fetch with fetchMock from cloudflare:test instead)",
};
