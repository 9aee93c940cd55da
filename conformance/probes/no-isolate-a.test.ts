// Run together with no-isolate-b.test.ts under --no-isolate --maxWorkers=1
// (issue 19, item 8): the second file in the worker still reaches objects
// through env, and a namespace cached by env (as libraries do in a WeakMap)
// still works.
import { env } from "cloudflare:test";
import { expect, it } from "vitest";
import { cachedNamespace } from "./namespace-cache";

it("reaches an object through env and through a namespace cached by env", async () => {
  expect(await env.RPC.getByName("no-isolate-a").ping()).toBe("pong");
  expect(await cachedNamespace(env).getByName("no-isolate-a").ping()).toBe("pong");
});
