// Storage across the tests of one file: the plugin isolates per file, so the
// second test sees what the first wrote. durabox isolates per test unless
// configured with isolatedStorage: false (issue 19, item 1).
import { env } from "cloudflare:test";
import { expect, it } from "vitest";

it("writes", async () => {
  expect(await env.RPC.getByName("shared").increment()).toBe(1);
});

it("sees the first test's write", async () => {
  expect(await env.RPC.getByName("shared").increment()).toBe(2);
});
