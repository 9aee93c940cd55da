/* eslint-disable @typescript-eslint/no-explicit-any -- RPC stubs answer any member: the tests call them untyped, as worker code without types does. */
import { afterEach, describe, expect, it } from "vitest";
import { remote } from "../helpers/remote-error.js";
import { Durabox } from "../../src/index.js";
import { DurableObject, RpcTarget } from "../../src/rpc/classes.js";
import { runtimeWith } from "../helpers/runtime.js";
import type { DurableObjectState } from "../../src/objects/state.js";

// Which members a caller reaches on a Durable Object or a WorkerEntrypoint, with the messages of the
// plugin's wrapper that every call into the tested worker passes in workerd (workers-sdk
// packages/vitest-plugin/src/worker/entrypoints.ts): `The RPC receiver does not implement "x".` for
// a member nothing defines, the long message for one only the instance has, and workerd's own
// `... does not implement the method "x".` for an instance override of a prototype method.

const instanceOnly = (key: string): string =>
  [
    `The RPC receiver's prototype does not implement "${key}", but the receiver instance does.`,
    "Only properties and methods defined on the prototype can be accessed over RPC.",
    `Ensure properties are declared like \`get ${key}() { ... }\` instead of \`${key} = ...\`,`,
    `and methods are declared like \`${key}() { ... }\` instead of \`${key} = () => { ... }\`.`,
  ].join("\n");

class Target extends RpcTarget {
  field = 1;
  read(): number {
    return this.field;
  }
}

class Members extends DurableObject {
  field = "instance field";
  arrow = (): string => "arrow";
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    (this as unknown as { overridden: () => string }).overridden = () => "instance override";
  }
  overridden(): string {
    return "prototype";
  }
  get config(): object {
    return { text: "hello" };
  }
  target(): Target {
    return new Target();
  }
}

function stub(): any {
  const { ns } = runtimeWith({ Members });
  return ns("Members").getByName("m");
}

describe("members of a Durable Object", () => {
  it('a member nothing defines: `does not implement "x".`, read or called', async () => {
    const s = stub();
    await expect(s.missing).rejects.toThrow(remote(new TypeError('The RPC receiver does not implement "missing".')));
    await expect(s.missing()).rejects.toThrow(remote(new TypeError('The RPC receiver does not implement "missing".')));
  });

  it("an instance field or arrow function: the message that says to declare it on the prototype", async () => {
    const s = stub();
    await expect(s.field).rejects.toThrow(remote(new TypeError(instanceOnly("field"))));
    await expect(s.arrow()).rejects.toThrow(remote(new TypeError(instanceOnly("arrow"))));
    await expect(s.env).rejects.toThrow(remote(new TypeError(instanceOnly("env"))));
    await expect(s.ctx.storage).rejects.toThrow(remote(new TypeError(instanceOnly("ctx"))));
  });

  it("an instance override of a prototype method is refused, not run", async () => {
    const s = stub();
    await expect(s.overridden()).rejects.toThrow(remote(new TypeError('The RPC receiver does not implement the method "overridden".')));
  });

  it("keeps workerd's own rules for Object.prototype's members, nested values and RpcTargets", async () => {
    const s = stub();
    await expect(s.toString()).rejects.toThrow(remote(new TypeError('The RPC receiver does not implement the method "toString".')));
    await expect(s.config.missing).rejects.toThrow(remote(new TypeError('The RPC receiver does not implement the method "missing".')));
    await expect(s.target().field).rejects.toThrow(remote(new TypeError('The RPC receiver does not implement the method "field".')));
    expect(await s.target().read()).toBe(1);
  });
});

/** A constructor returning a Proxy of the instance (libraries do it to intercept member access). */
class Proxied extends DurableObject {
  #secret = "kept in a private field";
  reads = 0;
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    return new Proxy(this, {
      get(target, key) {
        const value: unknown = Reflect.get(target, key, target);
        if (typeof value !== "function") return value;
        target.reads++;
        return (value as (...args: unknown[]) => unknown).bind(target);
      },
    });
  }
  secret(): string {
    return this.#secret;
  }
  readCount(): number {
    return this.reads;
  }
}

describe("a Durable Object whose constructor returns a Proxy", () => {
  it("is dispatched through the Proxy, as workerd calls the object the constructor returned", async () => {
    const { ns } = runtimeWith({ Proxied });
    const s: any = ns("Proxied").getByName("p");
    expect(await s.secret()).toBe("kept in a private field");
    // The method was read through the Proxy's get trap.
    expect(await s.readCount()).toBeGreaterThan(0);
    await expect(s.missing()).rejects.toThrow(remote(new TypeError('The RPC receiver does not implement "missing".')));
  });
});

describe("members of a WorkerEntrypoint", () => {
  const open: Durabox[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((mf) => mf.dispose()));
  });

  it("follow the same rules; an instance override runs the prototype's method, as the plugin's wrapper reads the prototype", async () => {
    const mf = new Durabox({
      script: `export default { fetch() { return new Response("main"); } }`,
      serviceBindings: { API: "api" },
      workers: [
        {
          name: "api",
          script: `
            import { WorkerEntrypoint } from "cloudflare:workers";
            export default class extends WorkerEntrypoint {
              field = 1;
              constructor(ctx, env) { super(ctx, env); this.overridden = () => "instance override"; }
              overridden() { return "prototype"; }
            }`,
        },
      ],
    });
    open.push(mf);
    const env = (await mf.getBindings()) as Record<string, any>;
    await expect(env.API.nothing()).rejects.toThrow(remote(new TypeError('The RPC receiver does not implement "nothing".')));
    await expect(env.API.field).rejects.toThrow(remote(new TypeError(instanceOnly("field"))));
    expect(await env.API.overridden()).toBe("prototype");
  });
});
