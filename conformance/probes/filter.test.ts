// Run by scripts/conformance.mjs with `-t selected` (issue 19, item 0): the
// selected test runs, the other is skipped, and the file passes.
import { env } from "cloudflare:test";
import { expect, it } from "vitest";

it("selected: runs and reaches an object", async () => {
  expect(await env.RPC.getByName("filter").ping()).toBe("pong");
});

it("other: fails if it runs", () => {
  throw new Error("-t should have skipped this test");
});
