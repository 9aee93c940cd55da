// Secrets Store and rate limiting bindings from the wrangler file, and
// cloudflare:test's adminSecretsStore() and createPagesEventContext() (issue 21, item 5).
import { env } from "cloudflare:workers";
import { adminSecretsStore, createPagesEventContext, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { rejection, thrown, unique } from "./helpers";

describe("secrets store", () => {
  it("get() of a secret never created rejects", async () => {
    // Per-file storage on the plugin: delete what another test of this file created first.
    using admin = adminSecretsStore(env.API_KEY);
    for (const secret of await admin.list()) if (secret.name === "api-key") await admin.delete(secret.metadata!.uuid);
    const error = await rejection(env.API_KEY.get());
    expect([error?.name, error?.message]).toEqual(["Error", 'Secret "api-key" not found']);
  });

  it("adminSecretsStore() creates, updates, duplicates, lists, names and deletes", async () => {
    using admin = adminSecretsStore(env.API_KEY);
    const id = await admin.create("v1");
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(await env.API_KEY.get()).toBe("v1");
    expect(await admin.update("v2", id)).toBe(id);
    expect(await env.API_KEY.get()).toBe("v2");
    const copyName = unique("copy");
    const copy = await admin.duplicate(id, copyName);
    expect(await admin.get(copy)).toBe(copyName);
    const listed = await admin.list();
    expect(listed.find((secret) => secret.name === "api-key")?.metadata).toEqual({ uuid: id });
    await admin.delete(id);
    expect((await rejection(env.API_KEY.get()))?.message).toBe('Secret "api-key" not found');
    expect((await rejection(admin.get(id)))?.message).toBe("Secret not found");
    expect((await rejection(admin.update("x", id)))?.message).toBe("Secret not found");
    await admin.delete(copy);
  });

  it("adminSecretsStore() refuses another binding", () => {
    const error = thrown(() => adminSecretsStore(env.KV as never));
    expect([error?.name, error?.message]).toEqual([
      "TypeError",
      "Failed to execute 'adminSecretsStore': parameter 1 is not a secrets store binding.",
    ]);
  });
});

describe("rate limiting options", () => {
  it("limit() refuses bad options with its messages", async () => {
    const cases: [unknown, string][] = [
      [{ key: "k", by: 1 }, "Error: bad rate limit options: [by]"],
      [{ key: 1 }, "Error: invalid key: 1"],
      [{ key: "k", period: 30 }, "Error: unsupported period: 30"],
      [{ key: "k", delta: -1 }, "TypeError: The value cannot be converted because it is negative and this API expects a positive number."],
      [{ key: "k", delta: 0.5 }, "RangeError: delta must be non-zero"],
    ];
    const seen = [];
    for (const [options] of cases) {
      const error = await rejection(env.LIMITER.limit(options as RateLimitOptions));
      seen.push(`${error?.name}: ${error?.message}`);
    }
    expect(seen).toEqual(cases.map(([, text]) => text));
  });

  it("delta counts toward the limit, and a call below it succeeds whatever its delta", async () => {
    const key = unique("delta");
    const outcomes = [];
    outcomes.push((await env.LIMITER.limit({ key, delta: 5 })).success);
    outcomes.push((await env.LIMITER.limit({ key })).success);
    expect(outcomes).toEqual([true, false]);
  });
});

describe("pages event context", () => {
  it("gives a Pages Function request, params, data, env and next()", async () => {
    const seen: string[] = [];
    const ctx = createPagesEventContext<PagesFunction<Cloudflare.Env, "id", { user: string }>>({
      request: new Request("https://example.com/users/7", { method: "POST", body: "payload" }),
      functionPath: "/users/[id]",
      params: { id: "7" },
      data: { user: "ada" },
      next: async (request) => {
        seen.push(`${request.url} ${await request.text()}`);
        return new Response("next");
      },
    });
    expect([await ctx.request.text(), ctx.functionPath, ctx.params.id, ctx.data.user, ctx.env.PLAIN]).toEqual([
      "payload",
      "/users/[id]",
      "7",
      "ada",
      "plain var",
    ]);
    let waited = false;
    ctx.waitUntil(Promise.resolve().then(() => (waited = true)));
    expect(await (await ctx.next()).text()).toBe("next");
    await ctx.next("other", { method: "PUT", body: "b" });
    expect(seen).toEqual(["https://example.com/users/7 payload", "https://example.com/users/other b"]);
    await waitOnExecutionContext(ctx);
    expect(waited).toBe(true);
  });

  it("refuses a bad init, and next() without a next", async () => {
    const request = new Request("https://example.com/");
    const messages = [
      thrown(() => createPagesEventContext(null as never))?.message,
      thrown(() => createPagesEventContext({ request: "x" } as never))?.message,
      thrown(() => createPagesEventContext({ request, params: "x" } as never))?.message,
    ];
    expect(messages).toEqual([
      "Failed to execute 'createPagesEventContext': parameter 1 is not of type 'EventContextInit'.",
      "Incorrect type for the 'request' field on 'EventContextInit': the provided value is not of type 'Request'.",
      "Incorrect type for the 'params' field on 'EventContextInit': the provided value is not of type 'object'.",
    ]);
    const ctx = createPagesEventContext<PagesFunction<Cloudflare.Env>>({ request });
    expect((await rejection(ctx.next()))?.message).toBe(
      "Cannot call `EventContext#next()` without including `next` property in 2nd argument to `createPagesEventContext()`",
    );
  });
});

describe("ctx.props and ctx.exports.X({ props }) for a Durable Object class", () => {
  type PropsObject = { ownProps(): Promise<unknown>; facetProps(name: string, props: unknown): Promise<unknown> };
  const object = () => (env as unknown as { SQL: DurableObjectNamespace }).SQL.getByName(unique("props")) as unknown as PropsObject;

  it("an object reached through its namespace has ctx.props {}", async () => {
    expect(await object().ownProps()).toEqual({});
  });

  it("ctx.exports.X is callable, and X({ props }) is a DurableObjectClass", async () => {
    const facts = await runInDurableObject(object() as never, (_instance, state) => {
      const exported = (state as unknown as { exports: Record<string, (options: unknown) => unknown> }).exports.SqlObject!;
      return [typeof exported, Object.prototype.toString.call(exported({ props: { a: 1 } }))];
    });
    expect(facts).toEqual(["function", "[object DurableObjectClass]"]);
  });

  it("a facet started from X({ props }) sees a copy of them as ctx.props, kept while it runs; without props, {}", async () => {
    const parent = object();
    expect(await parent.facetProps("f1", { a: 1, nested: { b: [2] } })).toEqual({ a: 1, nested: { b: [2] } });
    // Running already: the startup callback is not called again.
    expect(await parent.facetProps("f1", { a: 99 })).toEqual({ a: 1, nested: { b: [2] } });
    expect(await parent.facetProps("f2", undefined)).toEqual({});
  });
});
