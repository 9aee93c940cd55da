/* eslint-disable @typescript-eslint/no-explicit-any -- RPC stubs answer any member: the tests call them untyped, as worker code without types does. */
import { describe, expect, it } from "vitest";
import { remote } from "../helpers/remote-error.js";
import { DurableObject, RpcTarget } from "../../src/rpc/classes.js";
import { RpcStub } from "../../src/rpc/rpc-stub.js";
import { runtimeWith } from "../helpers/runtime.js";
import type { DurableObjectState } from "../../src/objects/state.js";

// RPC to Durable Objects as production has it (workerd's js-rpc-test.js, modern-api.md §1.3 and §3).

class Counter extends RpcTarget {
  disposed = 0;
  constructor(public value = 0) {
    super();
  }
  increment(by = 1): number {
    this.value += by;
    return this.value;
  }
  get current(): number {
    return this.value;
  }
  [Symbol.dispose](): void {
    this.disposed++;
  }
}

class NotRpc {
  x = 1;
}

let lastCounter: Counter | undefined;

class Thing extends DurableObject {
  own = "instance field";
  #total = 0;
  events: string[] = [];
  get total(): number {
    return this.#total;
  }
  get later(): Promise<number> {
    return Promise.resolve(42);
  }
  get throwing(): number {
    throw new RangeError("getter threw");
  }
  get config(): object {
    return { nested: { deep: (a: number) => a * 2 }, text: "hello", counter: new Counter(5), plain: new NotRpc() };
  }
  add(n: number): number {
    this.#total += n;
    return this.#total;
  }
  // Production reaches a method named `call` like any other.
  call(): string {
    return "called";
  }
  alarm(): void {}
  getCounter(start: number): Counter {
    lastCounter = new Counter(start);
    return lastCounter;
  }
  getObject(start: number): { foo: number; counter: Counter } {
    return { foo: 123 + start, counter: new Counter(start) };
  }
  getFunction(): (a: number, b: number) => number {
    const fn = (a: number, b: number): number => a ^ b;
    (fn as unknown as { extra: number }).extra = 7;
    return fn;
  }
  async useCallback(cb: (n: number) => Promise<number>): Promise<number> {
    return (await cb(2)) + 1;
  }
  async useCounter(counter: Counter, n: number): Promise<number> {
    return counter.increment(n);
  }
  keep: Counter | undefined;
  async keepDup(counter: Counter & { dup(): Counter }): Promise<void> {
    this.keep = counter.dup();
  }
  async useKept(): Promise<number> {
    return this.keep!.increment(1);
  }
  async useParamLater(counter: Counter): Promise<{ later: () => Promise<number> }> {
    return { later: async () => counter.increment(1) };
  }
  nonRpcClass(): NotRpc {
    return new NotRpc();
  }
  nullPrototype(): object {
    return Object.create(null) as object;
  }
  symbol(): symbol {
    return Symbol("s");
  }
  failWithCause(): never {
    const error = new TypeError("bad input", { cause: "why" });
    (error as unknown as { code: number }).code = 7;
    throw error;
  }
  failCustom(): never {
    class MyError extends Error {
      override name = "MyError";
    }
    throw new MyError("custom");
  }
  failRange(): never {
    class Custom extends RangeError {}
    throw new Custom("out of range");
  }
  huge(size: number): string {
    return "x".repeat(size);
  }
  echo<T>(value: T): T {
    return value;
  }
  async readStream(stream: ReadableStream<Uint8Array>): Promise<string> {
    return new Response(stream).text();
  }
  makeStream(text: string): ReadableStream<Uint8Array> {
    return new Response(text).body!;
  }
  async writeTo(stream: WritableStream<Uint8Array>, text: string): Promise<void> {
    const writer = stream.getWriter();
    await writer.write(new TextEncoder().encode(text));
    await writer.close();
  }
  async readRequest(request: Request): Promise<string> {
    return `${request.method} ${request.url} ${request.headers.get("x-test")} ${await request.text()}`;
  }
  makeResponse(): Response {
    return new Response("made", { status: 201, headers: { "x-made": "yes" } });
  }
  headers(): Headers {
    return new Headers({ "x-h": "1" });
  }
  record(label: string): string {
    this.events.push(label);
    return label;
  }
  async slow(label: string): Promise<string> {
    this.events.push(label);
    await new Promise((resolve) => setTimeout(resolve, 5));
    return label;
  }
  eventsSoFar(): string[] {
    return this.events;
  }
}

function setup(): { stub: any; other: any } {
  const { ns } = runtimeWith({ Thing });
  return { stub: ns("Thing").getByName("a"), other: ns("Thing").getByName("b") };
}

describe("RPC members", () => {
  it("reads properties and getters with await, and getters that return promises", async () => {
    const { stub } = setup();
    await stub.add(5);
    expect(await stub.total).toBe(5);
    expect(await stub.later).toBe(42);
    await expect(stub.throwing).rejects.toThrow(remote(new RangeError("getter threw")));
    expect(await stub.config.text).toBe("hello");
    expect(await stub.config.nested.deep(21)).toBe(42);
    expect(await stub.config.counter.increment(1)).toBe(6);
  });

  it("rejects calls to missing members, own instance fields and Object.prototype's methods with production's message", async () => {
    const { stub } = setup();
    // The Durable Object itself answers as the plugin's wrapper does (member-rules.test.ts has the rest).
    await expect(stub.missing()).rejects.toThrow(remote(new TypeError('The RPC receiver does not implement "missing".')));
    await expect(stub.own).rejects.toThrow(`The RPC receiver's prototype does not implement "own", but the receiver instance does.`);
    await expect(stub.toString()).rejects.toThrow('The RPC receiver does not implement the method "toString".');
    await expect(stub.env).rejects.toThrow(`prototype does not implement "env"`);
    await expect(stub.ctx.storage).rejects.toThrow(`prototype does not implement "ctx"`);
    // A member of something that is not an RPC target names the member that led there.
    await expect(stub.config.plain.x).rejects.toThrow('does not implement the method "plain"');
    await expect(stub.total()).rejects.toThrow(remote(new TypeError('"total" is not a function.')));
  });

  it("refuses production's reserved names only, so a method named call is reachable", async () => {
    const { stub } = setup();
    expect(await stub.call()).toBe("called");
    await expect(stub.alarm()).rejects.toThrow(remote(new TypeError("'alarm' is a reserved method and cannot be called over RPC.")));
    await expect(stub.webSocketMessage()).rejects.toThrow("'webSocketMessage' is a reserved method");
    await expect(stub.dup()).rejects.toThrow("'dup' is a reserved method");
  });

  it("delivers the calls made on one stub in the order they were made", async () => {
    const { stub } = setup();
    const results = await Promise.all([stub.slow("a"), stub.record("b"), stub.slow("c"), stub.record("d")]);
    expect(results).toEqual(["a", "b", "c", "d"]);
    expect(await stub.eventsSoFar()).toEqual(["a", "b", "c", "d"]);
  });
});

describe("values by reference", () => {
  it("returns an RpcTarget as a stub whose calls reach the one instance", async () => {
    const { stub } = setup();
    const counter = await stub.getCounter(10);
    expect(counter).toBeInstanceOf(RpcStub);
    expect(await counter.increment(2)).toBe(12);
    expect(await counter.increment(3)).toBe(15);
    expect(await counter.current).toBe(15);
    expect(lastCounter!.value).toBe(15);
    await expect(counter.value).rejects.toThrow('does not implement the method "value"');
  });

  it("calls back into a function the test sent, and into an RpcTarget the test sent", async () => {
    const { stub } = setup();
    expect(await stub.useCallback(async (n: number) => n * 10)).toBe(21);
    const counter = new Counter(1);
    expect(await stub.useCounter(counter, 4)).toBe(5);
    expect(counter.value).toBe(5);
  });

  it("returns a function as a callable stub with its own properties", async () => {
    const { stub } = setup();
    const fn = await stub.getFunction();
    expect(await fn(3, 6)).toBe(5);
    expect(await fn.extra).toBe(7);
    // Pipelined: no await between.
    expect(await stub.getFunction()(3, 5)).toBe(6);
  });

  it("calls back into the object that sent a target under that object's gates", async () => {
    const order: string[] = [];
    class Gated extends DurableObject {
      async handOut(): Promise<RpcTarget> {
        return new (class extends RpcTarget {
          async work(): Promise<string> {
            order.push("work start");
            await new Promise((resolve) => setTimeout(resolve, 10));
            order.push("work end");
            return "done";
          }
        })();
      }
      ping(): string {
        order.push("ping");
        return "pong";
      }
      async blockFor(ms: number): Promise<void> {
        await (this.ctx as DurableObjectState).blockConcurrencyWhile(() => new Promise((resolve) => setTimeout(resolve, ms)));
        order.push("unblocked");
      }
    }
    const { ns } = runtimeWith({ Gated });
    const stub = ns("Gated").getByName("g") as any;
    const target = await stub.handOut();
    // While the object blocks concurrency, a call into the target it sent waits too: it is an event of that object.
    const blocked = stub.blockFor(20);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const work = target.work();
    await Promise.all([blocked, work]);
    expect(order).toEqual(["unblocked", "work start", "work end"]);
  });

  it("sends stubs on: a stub passed as an argument reaches the same target", async () => {
    const { stub, other } = setup();
    const counter = await stub.getCounter(100);
    expect(await other.useCounter(counter, 1)).toBe(101);
    expect(await counter.increment(1)).toBe(102);
  });

  it("passes Durable Object stubs over RPC as themselves", async () => {
    const { stub, other } = setup();
    await other.add(9);
    const echoed = await stub.echo(other);
    expect(echoed).toBe(other);
    expect(await echoed.total).toBe(9);
  });

  it("makes stubs with new RpcStub(), usable in place and sendable", async () => {
    const { stub } = setup();
    const target = new Counter(4);
    const local = new RpcStub(target) as unknown as Counter & Disposable;
    expect(local).toBeInstanceOf(RpcStub);
    expect(await local.increment(5)).toBe(9);
    expect(await stub.useCounter(local, 1)).toBe(10);
    local[Symbol.dispose]();
    await expect(local.increment(1)).rejects.toThrow(new Error("RPC stub used after being disposed."));
    expect(() => new RpcStub(1 as unknown as object)).toThrow(TypeError);
    // Stubs to a plain object (its own members) and to a function; a stub of a stub is a duplicate.
    const plain = new RpcStub({ greet: (name: string) => `hi ${name}`, text: "t" }) as any;
    expect(await plain.greet("x")).toBe("hi x");
    expect(await plain.text).toBe("t");
    const fn = new RpcStub((n: number) => n + 1) as any;
    expect(await fn(1)).toBe(2);
    const again = new RpcStub(fn) as any;
    fn[Symbol.dispose]();
    expect(await again(2)).toBe(3);
  });
});

describe("disposal", () => {
  it("disposes a stub with Symbol.dispose; a dup() keeps the target alive; the target's dispose runs after the last", async () => {
    const { stub } = setup();
    const counter = await stub.getCounter(0);
    const target = lastCounter!;
    const dup = counter.dup();
    counter[Symbol.dispose]();
    await expect(counter.increment()).rejects.toThrow("RPC stub used after being disposed.");
    expect(await dup.increment()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1));
    expect(target.disposed).toBe(0);
    dup[Symbol.dispose]();
    await new Promise((resolve) => setTimeout(resolve, 1));
    expect(target.disposed).toBe(1);
    expect(() => counter.dup()).toThrow("RPC stub used after being disposed.");
  });

  it("disposes stubs received as arguments when the call returns, unless the receiver dup()ed them", async () => {
    const { stub } = setup();
    const mine = new Counter(0);
    await stub.useCounter(mine, 1);
    await new Promise((resolve) => setTimeout(resolve, 1));
    expect(mine.disposed).toBe(1);
    const result = await stub.useParamLater(new Counter(0));
    await expect(result.later()).rejects.toThrow("RPC stub used after being disposed.");
    const kept = new Counter(0);
    await stub.keepDup(kept);
    expect(await stub.useKept()).toBe(1);
    expect(kept.disposed).toBe(0);
  });

  it("disposes a stub declared with `using` at the end of its block", async () => {
    const { stub } = setup();
    {
      using counter = await stub.getCounter(0);
      expect(await counter.increment()).toBe(1);
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
    expect(lastCounter!.disposed).toBe(1);
  });

  it("gives a returned object a disposer that disposes the stubs inside it", async () => {
    const { stub } = setup();
    const object = await stub.getObject(5);
    expect(object.foo).toBe(128);
    expect(Object.keys(object)).toEqual(["foo", "counter"]);
    expect(await object.counter.increment(7)).toBe(12);
    object[Symbol.dispose]();
    await expect(object.counter.increment(1)).rejects.toThrow("RPC stub used after being disposed.");
  });
});

describe("promise pipelining", () => {
  it("calls through a result not yet awaited", async () => {
    const { stub } = setup();
    expect(await stub.getCounter(12).increment(3)).toBe(15);
    expect(await stub.getObject(5).foo).toBe(128);
    expect(await stub.getObject(5).counter.increment(7)).toBe(12);
  });

  it("reads a property of an RPC promise as a new call: each read is a fresh copy", async () => {
    const { stub } = setup();
    const pending = stub.echo({ inner: { n: 1 } });
    const first = await pending.inner;
    const second = await pending.inner;
    expect(first).toEqual({ n: 1 });
    expect(second).toEqual({ n: 1 });
    expect(first).not.toBe(second);
    expect(first).not.toBe((await pending).inner);
    await expect(pending.missing).rejects.toThrow('The RPC receiver does not implement the method "missing".');
  });

  it("fails pipelined calls with the original exception", async () => {
    const { stub } = setup();
    const failed = stub.failWithCause();
    const pipelined = failed.anything.increment(1);
    // The same error (its own properties too: cause and code cross, enumerable, as workerd copies them).
    const original = { constructor: TypeError, message: "bad input", cause: "why", code: 7, remote: true };
    await expect(failed).rejects.toMatchObject(original);
    await expect(pipelined).rejects.toMatchObject(original);
  });

  it("refuses to send an RPC promise or property inside a value", async () => {
    const { stub, other } = setup();
    await expect(stub.echo({ p: other.total })).rejects.toThrow(
      'Could not serialize object of type "JsRpcProperty". This type does not support serialization.',
    );
    const pending = other.add(1);
    await expect(stub.echo({ p: pending })).rejects.toThrow('Could not serialize object of type "JsRpcPromise"');
    await pending;
  });
});

describe("values by copy", () => {
  it("copies structured-clonable values in this realm", async () => {
    const { stub } = setup();
    const value = {
      date: new Date(7),
      map: new Map([[1, { a: [1, 2] }]]),
      set: new Set(["x"]),
      bytes: new Uint8Array([1, 2, 3]),
      big: 10n,
      regexp: /a+/gi,
      nested: [undefined, null, NaN],
      error: new RangeError("in a value"),
    };
    const copy = await stub.echo(value);
    expect(copy).toEqual(value);
    expect(copy).not.toBe(value);
    expect(copy.date).toBeInstanceOf(Date);
    expect(copy.bytes).toBeInstanceOf(Uint8Array);
    expect(copy.error).toBeInstanceOf(RangeError);
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    const back = await stub.echo(cyclic);
    expect(back.self).toBe(back);
  });

  it("refuses class instances that are not RpcTargets, null-prototype objects and symbols, as production does", async () => {
    const { stub } = setup();
    const refused = (type: string): DOMException =>
      new DOMException(`Could not serialize object of type "${type}". This type does not support serialization.`, "DataCloneError");
    await expect(stub.nonRpcClass()).rejects.toThrow(refused("NotRpc"));
    await expect(stub.nullPrototype()).rejects.toThrow(refused("Object"));
    await expect(stub.echo(new NotRpc())).rejects.toMatchObject({ name: "DataCloneError" });
    await expect(stub.symbol()).rejects.toMatchObject({ name: "DataCloneError", message: "Symbol(s) could not be cloned." });
  });

  it("limits a message to 32 MiB", async () => {
    const { stub } = setup();
    const limit = 32 * 1024 * 1024;
    expect((await stub.huge(limit - 100)).length).toBe(limit - 100);
    await expect(stub.huge(limit + 1)).rejects.toThrow(
      // V8's bytes: the header (2), the string's tag (1) and length (4), its characters.
      `Serialized RPC arguments or return values are limited to 32MiB, but the size of this value was: ${limit + 8} bytes.`,
    );
    await expect(stub.echo("y".repeat(limit + 1))).rejects.toThrow("limited to 32MiB");
  });
});

describe("streams, Request, Response and Headers", () => {
  it("moves a ReadableStream both ways", async () => {
    const { stub } = setup();
    const sent = new Response("streamed in").body!;
    expect(await stub.readStream(sent)).toBe("streamed in");
    expect(sent.locked).toBe(true);
    const received = await stub.makeStream("streamed out");
    expect(received).toBeInstanceOf(ReadableStream);
    expect(await new Response(received).text()).toBe("streamed out");
  });

  it("moves a WritableStream: the object writes into the test's stream", async () => {
    const { stub } = setup();
    const chunks: string[] = [];
    const sink = new WritableStream<Uint8Array>({ write: (chunk) => void chunks.push(new TextDecoder().decode(chunk)) });
    await stub.writeTo(sink, "written by the object");
    expect(chunks).toEqual(["written by the object"]);
    expect(sink.locked).toBe(true);
  });

  it("refuses chunks that are not bytes", async () => {
    const { stub } = setup();
    const strings = new ReadableStream({
      start(controller) {
        controller.enqueue("text");
        controller.close();
      },
    });
    await expect(stub.readStream(strings)).rejects.toThrow(remote(new TypeError("This ReadableStream did not return bytes.")));
  });

  it("sends a Request and returns a Response and Headers", async () => {
    const { stub } = setup();
    const request = new Request("https://example.com/x", { method: "POST", headers: { "x-test": "t" }, body: "payload" });
    expect(await stub.readRequest(request)).toBe("POST https://example.com/x t payload");
    expect(request.bodyUsed).toBe(true);
    const response = await stub.makeResponse();
    expect(response).toBeInstanceOf(Response);
    expect(response.status).toBe(201);
    expect(response.headers.get("x-made")).toBe("yes");
    expect(await response.text()).toBe("made");
    const headers = await stub.headers();
    expect(headers).toBeInstanceOf(Headers);
    expect(headers.get("x-h")).toBe("1");
  });
});
