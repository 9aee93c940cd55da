/* eslint-disable @typescript-eslint/no-explicit-any -- RPC stubs answer any member: the tests call them untyped, as worker code without types does. */
import { afterEach, describe, expect, it } from "vitest";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Durabox, type DuraboxOptions } from "../../src/index.js";
import { RpcTarget } from "../../src/rpc/classes.js";

const fixtures = fileURLToPath(new URL("../../fixtures/", import.meta.url));

const open: Durabox[] = [];
const make = (options: DuraboxOptions): Durabox => {
  const mf = new Durabox(options);
  open.push(mf);
  return mf;
};
afterEach(async () => {
  await Promise.all(open.splice(0).map((mf) => mf.dispose()));
});

const API = `
  import { WorkerEntrypoint, RpcTarget, DurableObject } from "cloudflare:workers";
  class Tally extends RpcTarget {
    n = 0;
    add(k) { this.n += k; return this.n; }
  }
  export default class extends WorkerEntrypoint {
    fetch(request) { return new Response("api default " + new URL(request.url).pathname + " " + this.env.WHO); }
    greet(name) { return "hello " + name + " from " + this.env.WHO; }
    props() { return this.ctx.props; }
    tally() { return new Tally(); }
    async callBack(fn) { return (await fn(20)) + 1; }
    get version() { return 3; }
  }
  export class Admin extends WorkerEntrypoint {
    fetch() { return new Response("admin fetch " + JSON.stringify(this.ctx.props)); }
    props() { return this.ctx.props; }
  }
  export const handlers = {
    fetch(request, env) { return new Response("handlers fetch " + env.WHO); },
    oneArg(i, env, ctx) { return i * 2 + (typeof ctx.waitUntil === "function" ? 1 : 0); },
    twoArgs(i, j, env, ctx) { return i + j; },
  };
  export class Notes extends DurableObject {
    add(text) { return text.toUpperCase(); }
  }
  export class Loopback extends WorkerEntrypoint {
    async viaExports() {
      const ns = this.ctx.exports.Notes;
      return [
        await this.ctx.exports.default.greet("self"),
        await this.ctx.exports.Admin.props(),
        await ns.get(ns.idFromName("n")).add("unbound class"),
        Object.keys(this.ctx.exports).sort(),
      ];
    }
    hasExports() { return this.ctx.exports !== undefined; }
    async withProps() {
      const admin = this.ctx.exports.Admin({ props: { role: "reader", tags: ["a"] } });
      return [
        await admin.props(),
        await (await admin.fetch("https://x/")).text(),
        await this.ctx.exports.Admin({}).props(),
        await this.ctx.exports.default({ props: { who: "me" } }).props(),
        await this.ctx.exports.Admin.props(),
      ];
    }
    async send(target) { return target.props(); }
    async sendLoopback(specialised) {
      const admin = specialised ? this.ctx.exports.Admin({ props: { sent: true } }) : this.ctx.exports.Admin;
      return this.env.SELF_API.send(admin);
    }
    badProps(value) { try { this.ctx.exports.Admin(value); return "accepted"; } catch (e) { return e.constructor.name + ": " + e.message; } }
  }
`;

function twoWorkers(api: { compatibilityDate?: string; compatibilityFlags?: string[] } = {}): Durabox {
  return make({
    script: `export default { fetch() { return new Response("main"); } }`,
    serviceBindings: {
      API: "api",
      ADMIN: { name: "api", entrypoint: "Admin", props: { role: "owner" } },
      HANDLERS: { name: "api", entrypoint: "handlers" },
      LOOP: { name: "api", entrypoint: "Loopback" },
      OUTSIDE: (request: Request) => new Response(`outside ${request.method}`),
    },
    workers: [{ name: "api", script: API, bindings: { WHO: "api" }, ...api }],
  });
}

describe("service bindings", () => {
  it("reach the default entrypoint's fetch and RPC methods of another worker", async () => {
    const mf = twoWorkers();
    const env = (await mf.getBindings()) as Record<string, any>;
    const response = await env.API.fetch("https://x/path");
    expect(await response.text()).toBe("api default /path api");
    expect(await env.API.greet("test")).toBe("hello test from api");
    expect(await env.API.version).toBe(3);
    const tally = await env.API.tally();
    expect(await tally.add(2)).toBe(2);
    expect(await tally.add(3)).toBe(5);
    expect(await env.API.tally().add(7)).toBe(7);
    expect(await env.API.callBack(async (n: number) => n * 2)).toBe(41);
    await expect(env.API.nothing()).rejects.toThrow('The RPC receiver does not implement "nothing".');
  });

  it("reach a named entrypoint, with ctx.props from the binding", async () => {
    const mf = twoWorkers();
    const env = (await mf.getBindings()) as Record<string, any>;
    expect(await env.ADMIN.props()).toEqual({ role: "owner" });
    expect(await env.API.props()).toEqual({});
    expect(await (await env.ADMIN.fetch("https://x/")).text()).toBe('admin fetch {"role":"owner"}');
  });

  it("call an object of handlers with exactly one argument, as production does", async () => {
    const mf = twoWorkers();
    const env = (await mf.getBindings()) as Record<string, any>;
    expect(await (await env.HANDLERS.fetch("https://x/")).text()).toBe("handlers fetch api");
    expect(await env.HANDLERS.oneArg(4)).toBe(9);
    await expect(env.HANDLERS.oneArg(1, 2)).rejects.toThrow('Attempted to call RPC function "oneArg" with the wrong number of arguments.');
    await expect(env.HANDLERS.twoArgs(1)).rejects.toThrow(
      'Cannot call handler function "twoArgs" over RPC because it has the wrong number of arguments.',
    );
  });

  it("accept a function answering fetch (Miniflare's form)", async () => {
    const mf = twoWorkers();
    const env = (await mf.getBindings()) as Record<string, any>;
    expect(await (await env.OUTSIDE.fetch("https://x/", { method: "POST" })).text()).toBe("outside POST");
  });

  it("travel over RPC as themselves", async () => {
    const mf = make({
      script: `
        import { WorkerEntrypoint } from "cloudflare:workers";
        export default class extends WorkerEntrypoint { async use(binding) { return binding.greet("passed"); } }`,
      serviceBindings: { API: "api", SELF: "" },
      workers: [{ name: "api", script: API, bindings: { WHO: "api" } }],
    });
    const env = (await mf.getBindings()) as Record<string, any>;
    expect(await env.SELF.use(env.API)).toBe("hello passed from api");
  });

  it("fail clearly: an unknown worker at construction, an unknown entrypoint when used", async () => {
    expect(() => make({ script: "export default {}", serviceBindings: { X: "nope" } })).toThrow(
      'serviceBindings.X names worker "nope", but no worker of that name is configured',
    );
    expect(() => make({ script: "export default {}", serviceBindings: { X: 3 as never } })).toThrow("serviceBindings.X must be");
    const mf = make({
      script: "export default { fetch() { return new Response('x') } }",
      serviceBindings: { X: { name: "", entrypoint: "Missing" } },
    });
    const env = (await mf.getBindings()) as Record<string, any>;
    await expect(env.X.fetch("https://x/")).rejects.toMatchObject({ code: "ERR_CLASS_NOT_FOUND" });
    await expect(env.X.anything()).rejects.toThrow('has no entrypoint named "Missing"');
  });

  it("are read from wrangler [[services]] with entrypoint (fixtures/multi-worker)", async () => {
    const mf = make({
      wranglerConfigPath: path.join(fixtures, "multi-worker", "wrangler.toml"),
      workers: [{ wranglerConfigPath: path.join(fixtures, "multi-worker", "api", "wrangler.toml") }],
    });
    const env = (await mf.getBindings()) as Record<string, any>;
    expect(await env.ADMIN.whoAmI()).toBe("admin of api, props {}");
  });

  it("send RpcTargets from the test and call them back", async () => {
    const mf = twoWorkers();
    const env = (await mf.getBindings()) as Record<string, any>;
    class Doubler extends RpcTarget {
      double(n: number): number {
        return n * 2;
      }
    }
    const doubler = new Doubler();
    expect(await env.API.callBack((n: number) => new Doubler().double(n))).toBe(41);
    expect(doubler).toBeInstanceOf(RpcTarget);
  });
});

describe("ctx.exports", () => {
  it("is on from compatibility date 2025-11-17: default, named entrypoints, Durable Object classes bound or not", async () => {
    const mf = twoWorkers({ compatibilityDate: "2025-11-17" });
    const env = (await mf.getBindings()) as Record<string, any>;
    expect(await env.LOOP.viaExports()).toEqual([
      "hello self from api",
      {},
      "UNBOUND CLASS",
      ["Admin", "Loopback", "Notes", "default", "handlers"],
    ]);
  });

  it("X({ props }) is a binding to entrypoint X whose ctx.props are a copy of props, as workerd's LoopbackServiceStub", async () => {
    const mf = twoWorkers({ compatibilityDate: "2025-11-17" });
    const env = (await mf.getBindings()) as Record<string, any>;
    expect(await env.LOOP.withProps()).toEqual([
      { role: "reader", tags: ["a"] },
      'admin fetch {"role":"reader","tags":["a"]}',
      {},
      { who: "me" },
      {},
    ]);
  });

  it("X({ props }) can be sent over RPC; X itself is refused with workerd's DataCloneError, as are props that are not an object", async () => {
    const mf = make({
      script: `export default { fetch() { return new Response("main"); } }`,
      serviceBindings: { LOOP: { name: "api", entrypoint: "Loopback" } },
      workers: [
        {
          name: "api",
          script: API,
          compatibilityDate: "2025-11-17",
          serviceBindings: { SELF_API: { name: "api", entrypoint: "Loopback" } },
        },
      ],
    });
    const env = (await mf.getBindings()) as Record<string, any>;
    expect(await env.LOOP.sendLoopback(true)).toEqual({ sent: true });
    await expect(env.LOOP.sendLoopback(false)).rejects.toThrow(
      'Could not serialize object of type "LoopbackServiceStub". This type does not support serialization.',
    );
    expect(await env.LOOP.badProps("x")).toBe(
      'TypeError: ctx.exports entries take { props? }, e.g. ctx.exports.Api({ props: { user: "ada" } }); got string.',
    );
    expect(await env.LOOP.badProps({ props: 1 })).toBe("TypeError: ctx.exports entries take { props } as an object, got number.");
    expect(await env.LOOP.badProps({ props: { f: () => 1 } })).toMatch(/^DOMException: .*could not be cloned/);
  });

  it("is off before that date, on with the flag enable_ctx_exports, and on without a date", async () => {
    const before = twoWorkers({ compatibilityDate: "2025-11-16" });
    expect(await ((await before.getBindings()) as Record<string, any>).LOOP.hasExports()).toBe(false);
    const flagged = twoWorkers({ compatibilityDate: "2024-01-01", compatibilityFlags: ["enable_ctx_exports"] });
    expect(await ((await flagged.getBindings()) as Record<string, any>).LOOP.hasExports()).toBe(true);
    // No date at all: the latest, as @cloudflare/vitest-plugin infers it (workers-sdk's durable-objects-exports example relies on it).
    expect(await ((await twoWorkers().getBindings()) as Record<string, any>).LOOP.hasExports()).toBe(true);
  });

  it("is in a Durable Object's ctx too, and Durabox.workerExports is the same object", async () => {
    const mf = make({
      compatibilityDate: "2026-01-01",
      script: `
        import { DurableObject, WorkerEntrypoint } from "cloudflare:workers";
        export class Room extends DurableObject {
          same() { return this.ctx.exports; }
          async viaDefault() { return this.ctx.exports.default.hi(); }
        }
        export default class extends WorkerEntrypoint { hi() { return "hi"; } }`,
      durableObjects: { ROOM: "Room" },
    });
    const ns = await mf.getDurableObjectNamespace("ROOM");
    const stub = ns.getByName("r") as any;
    expect(await stub.viaDefault()).toBe("hi");
    const exports = mf.workerExports() as Record<string, any>;
    expect(mf.workerExports()).toBe(exports);
    expect(await exports.default.hi()).toBe("hi");
    expect(await exports.Room.getByName("r").viaDefault()).toBe("hi");
    expect(Object.keys(exports).sort()).toEqual(["Room", "default"]);
  });
});
