// JS RPC to Durable Objects (issue 19, item 4), and a baseline of ordinary
// RPC. Local workerd under the plugin: calls from the test and from worker
// code alike reach objects of the main worker through the plugin's wrapper,
// whose messages these are (production says `does not implement the method
// "x"` for a missing method).
import { env, SELF } from "cloudflare:test";
import { RpcTarget } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { rejection, unique } from "./helpers";
import { callerContext } from "../src/index";

function stub() {
  return env.RPC.getByName(unique("rpc"));
}

/** A member read or called over RPC, by name: TypeScript does not let a missing one be written. */
function member(target: unknown, name: string): PromiseLike<unknown> & (() => PromiseLike<unknown>) {
  return (target as Record<string, PromiseLike<unknown> & (() => PromiseLike<unknown>)>)[name];
}

const fieldMessage = (name: string) =>
  [
    `The RPC receiver's prototype does not implement "${name}", but the receiver instance does.`,
    "Only properties and methods defined on the prototype can be accessed over RPC.",
    `Ensure properties are declared like \`get ${name}() { ... }\` instead of \`${name} = ...\`,`,
    `and methods are declared like \`${name}() { ... }\` instead of \`${name} = () => { ... }\`.`,
  ].join("\n");

describe("rpc basics", () => {
  it("an object's event does not see the caller's AsyncLocalStorage value", async () => {
    const object = stub();
    const seen = await callerContext.run("the caller's", () => object.contextSeen());
    expect(seen).toEqual([undefined, undefined]);
    // The caller's own value is still its own after the call.
    expect(await callerContext.run("kept", async () => (await object.contextSeen(), callerContext.getStore()))).toBe("kept");
  });

  it("calls a method and keeps state between calls", async () => {
    const object = stub();
    expect(await object.increment()).toBe(1);
    expect(await object.increment(2)).toBe(3);
  });

  it("structured-clones arguments and results", async () => {
    const value = { map: new Map([["a", 1]]), date: new Date(5), bytes: new Uint8Array([1, 2]) };
    expect(await stub().echo(value)).toEqual(value);
  });

  it("reads a getter", async () => {
    expect(await stub().getter).toBe("from getter");
  });

  it("returns an RpcTarget as a stub, called with pipelining", async () => {
    const counter = stub().counter();
    expect(await counter.increment()).toBe(1);
    expect(await counter.increment()).toBe(2);
  });

  it("passes a function that the object calls back", async () => {
    expect(await stub().callBack(async (n) => n * 2)).toBe(41);
  });

  it("passes an RpcTarget of the test's", async () => {
    class Doubler extends RpcTarget {
      double(n: number): number {
        return n * 2;
      }
    }
    const doubler = new Doubler();
    expect(await stub().callBack(async (n) => doubler.double(n))).toBe(41);
  });

  it("runs calls on one stub in order", async () => {
    const object = stub();
    const results = await Promise.all([object.increment(), object.increment(), object.increment()]);
    expect(results).toEqual([1, 2, 3]);
  });

  it("reaches the object from worker code through SELF", async () => {
    const name = unique("self");
    expect(await (await SELF.fetch(`https://example.com/rpc?name=${name}`)).text()).toBe("1");
    expect(await env.RPC.getByName(name).increment()).toBe(2);
  });
});

describe("rpc member rules", () => {
  it("calling a missing method rejects", async () => {
    const error = await rejection(member(stub(), "missing")());
    expect(error?.name).toBe("TypeError");
    expect(error?.message).toBe('The RPC receiver does not implement "missing".');
  });

  it("reading a missing property rejects without 'the method'", async () => {
    const error = await rejection(member(stub(), "missing"));
    expect(error?.name).toBe("TypeError");
    expect(error?.message).toBe('The RPC receiver does not implement "missing".');
  });

  it("reading an instance field rejects with the prototype message", async () => {
    const error = await rejection(member(stub(), "field"));
    expect(error?.name).toBe("TypeError");
    expect(error?.message).toBe(fieldMessage("field"));
  });

  it("calling an arrow-function field rejects with the prototype message", async () => {
    const error = await rejection(member(stub(), "arrow")());
    expect(error?.message).toBe(fieldMessage("arrow"));
  });

  it("an instance override of a prototype method is not dispatched", async () => {
    const error = await rejection(stub().overridden());
    expect(error?.name).toBe("TypeError");
    expect(error?.message).toBe('The RPC receiver does not implement the method "overridden".');
  });

  it("an object whose constructor returns a Proxy is dispatched through it", async () => {
    expect(await env.PROXIED.getByName(unique("proxied")).secret()).toBe("kept in a private field");
  });

  it("alarm is reserved", async () => {
    const error = await rejection(member(stub(), "alarm")());
    expect(error?.message).toBe("'alarm' is a reserved method and cannot be called over RPC.");
  });

  it("the same rules hold for calls made by worker code", async () => {
    const probe = async (name: string, kind: "get" | "call") =>
      (await (await SELF.fetch(`https://example.com/rpc-probe?member=${name}&kind=${kind}&name=${unique("p")}`)).json()) as {
        error?: { message: string };
      };
    expect((await probe("missing", "get")).error?.message).toBe('The RPC receiver does not implement "missing".');
    expect((await probe("field", "get")).error?.message).toBe(fieldMessage("field"));
    expect((await probe("overridden", "call")).error?.message).toBe('The RPC receiver does not implement the method "overridden".');
  });
});

describe("rpc errors", () => {
  it("an object's error keeps its message and carries remote: true", async () => {
    const error = await rejection(stub().throwPlain());
    expect(error).toBeInstanceOf(Error);
    expect(error?.message).toBe("plain failure");
    expect(error?.remote).toBe(true);
  });

  it("a custom subclass keeps its name", async () => {
    const error = await rejection(stub().throwCustom());
    expect(error?.name).toBe("CustomError");
    expect(error?.message).toBe("custom failure");
    expect(error?.remote).toBe(true);
  });

  it("a name given as a class field is kept", async () => {
    const error = await rejection(stub().throwFieldNamed());
    expect(error?.name).toBe("FieldNamedError");
    expect(String(error?.stack)).toMatch(/^FieldNamedError: field-named failure/);
  });

  it("an own code property is kept", async () => {
    const error = await rejection(stub().throwWithCode());
    expect(error?.code).toBe("E_CODED");
  });

  it("a TypeError stays a TypeError", async () => {
    const error = await rejection(stub().throwTypeError());
    expect(error).toBeInstanceOf(TypeError);
    expect(error?.message).toBe("wrong type");
  });

  it("an error the object marks retryable arrives with retryable: true", async () => {
    const error = await rejection(stub().throwRetryable());
    expect([error?.message, error?.remote, error?.retryable, error?.overloaded]).toEqual(["transient failure", true, true, undefined]);
  });

  it("an error the object marks overloaded arrives with overloaded: true", async () => {
    const error = await rejection(stub().throwOverloaded());
    expect([error?.message, error?.remote, error?.overloaded]).toEqual(["too busy", true, true]);
  });

  it("ctx.abort(reason) rejects the call with the reason", async () => {
    const error = await rejection(stub().abortNow());
    expect([error?.name, error?.message]).toEqual(["Error", "aborted on purpose"]);
    // workerd marks an error from a reset object (its "broken." prefix) with an own, enumerable durableObjectReset.
    expect([error?.durableObjectReset, error?.remote]).toEqual([true, undefined]);
    expect(Object.getOwnPropertyDescriptor(error, "durableObjectReset")?.enumerable).toBe(true);
  });

  it("ctx.exports.X({ props }) reaches entrypoint X with those props as ctx.props", async () => {
    expect(await stub().greetWithProps()).toEqual(["hello ada", "hello nobody"]);
  });

  it("the stack names the caller's line in the test file", async () => {
    const error = await rejection(stub().throwPlain());
    expect(String(error?.stack)).toMatch(/^Error: plain failure\n/);
    expect(String(error?.stack)).toContain("rpc.test.ts");
  });
});
