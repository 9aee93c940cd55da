import { afterEach, describe, expect, it } from "vitest";
import { TestRuntime } from "../../src/testing/test-runtime.js";
import { registerTestRuntime } from "../../src/testing/registry.js";
import { createPagesEventContext, waitOnExecutionContext, type PagesEventContext } from "../../src/cloudflare-test.js";

const script = "export default { fetch: () => new Response('worker') };";
let runtime: TestRuntime | undefined;
function start(options: object = { serviceBindings: { ASSETS: () => new Response("asset") } }): void {
  runtime = new TestRuntime({ script, bindings: { GREETING: "hi" }, ...options });
  registerTestRuntime(globalThis, runtime);
}
afterEach(async () => {
  await runtime?.dispose();
  runtime = undefined;
  registerTestRuntime(globalThis, undefined);
});

// A Pages Function as a project's functions/ folder has one: middleware that reads params and data, then calls next().
async function onRequest(context: PagesEventContext): Promise<Response> {
  const body = await context.request.text();
  context.waitUntil(Promise.resolve().then(() => ((context.data as { after?: string }).after = "waited")));
  const next = await context.next();
  return new Response(
    `${String(context.params.id)} ${String(context.data.user)} ${body} ${context.env.GREETING as string} ${await next.text()}`,
  );
}

describe("createPagesEventContext()", () => {
  it("gives a Pages Function its request, params, data, env and next(); waitOnExecutionContext() waits for its waitUntil work", async () => {
    start();
    const seen: string[] = [];
    const context = createPagesEventContext({
      request: new Request("https://example.com/users/7", { method: "POST", body: "payload" }),
      functionPath: "/users/[id]",
      params: { id: "7" },
      data: { user: "ada" },
      next: async (request) => {
        seen.push(`${request.url} ${await request.text()}`);
        return new Response("next");
      },
    });
    expect(context.functionPath).toBe("/users/[id]");
    const response = await onRequest(context);
    // The function read its (cloned) request; next() still gets the original, unread.
    expect(await response.text()).toBe("7 ada payload hi next");
    expect(seen).toEqual(["https://example.com/users/7 payload"]);
    await waitOnExecutionContext(context as never);
    expect(context.data.after).toBe("waited");
    expect(typeof (context.env.ASSETS as { fetch: unknown }).fetch).toBe("function");
  });

  it("next(input, init) makes a request, a string resolved against the request's URL", async () => {
    start();
    const urls: string[] = [];
    const context = createPagesEventContext({
      request: new Request("https://example.com/a/b"),
      next: (request) => {
        urls.push(`${request.method} ${request.url}`);
        return new Response("ok");
      },
    });
    await context.next("c");
    await context.next("/root", { method: "PUT" });
    await context.next(new Request("https://other.example/x"));
    expect(urls).toEqual(["GET https://example.com/a/c", "PUT https://example.com/root", "GET https://other.example/x"]);
    // Defaults: no params, no data, no function path.
    expect([context.params, context.data, context.functionPath]).toEqual([{}, {}, ""]);
  });

  it("refuses a bad init with the plugin's messages, and next() without a next", async () => {
    start();
    const request = new Request("https://example.com/");
    expect(() => createPagesEventContext(undefined as never)).toThrow(
      new TypeError("Failed to execute 'createPagesEventContext': parameter 1 is not of type 'EventContextInit'."),
    );
    const cases: [object, string, string][] = [
      [{ request: "https://example.com/" }, "request", "Request"],
      [{ request, functionPath: 1 }, "functionPath", "string"],
      [{ request, next: "x" }, "next", "function"],
      [{ request, params: "x" }, "params", "object"],
      [{ request, data: null }, "data", "object"],
    ];
    for (const [init, field, type] of cases) {
      expect(() => createPagesEventContext(init as never)).toThrow(
        new TypeError(`Incorrect type for the '${field}' field on 'EventContextInit': the provided value is not of type '${type}'.`),
      );
    }
    await expect(createPagesEventContext({ request }).next()).rejects.toThrow(
      "Cannot call `EventContext#next()` without including `next` property in 2nd argument to `createPagesEventContext()`",
    );
  });

  it("needs the ASSETS binding a Pages project has", async () => {
    start({});
    expect(() => createPagesEventContext({ request: new Request("https://example.com/") })).toThrow(
      new TypeError("Cannot call `createPagesEventContext()` without defining `ASSETS` service binding"),
    );
  });
});
