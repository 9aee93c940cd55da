/* eslint-disable @typescript-eslint/no-explicit-any -- RPC stubs answer any member: the tests call them untyped, as worker code without types does. */
import { describe, expect, it, vi } from "vitest";
import { DurableObject, RpcTarget } from "../../src/rpc/classes.js";
import { RpcStub } from "../../src/rpc/rpc-stub.js";
import { runtimeWith } from "../helpers/runtime.js";

// What the cheap path of a call (rpc/call.ts, rpc/pipeline.ts, objects/instance.ts) keeps from the
// general one: the receiver check's error, which result a call forwarded, each RPC promise's own
// result when several are awaited at once, and an event whose thenable throws.

class Plain {
  hello(): string {
    return "hi";
  }
}

class Ping extends RpcTarget {
  ping(): string {
    return "pong";
  }
}

/** Test-side: its `inner` is a stub, so a call through it is forwarded (the path goes through a stub). */
class Holder extends RpcTarget {
  constructor(private readonly stub: unknown) {
    super();
  }
  get inner(): unknown {
    return this.stub;
  }
}

let ownDisposed = 0;

class Caller extends DurableObject {
  /** Forwards a call synchronously (through a test-side stub), then returns a result of its own. */
  relayThenOwn(holder: any): object {
    void holder.inner.ping();
    const own = { mine: true };
    Object.defineProperty(own, Symbol.dispose, { value: () => ownDisposed++ });
    return own;
  }
  value(n: number): number {
    return n;
  }
  /** Puts an own property over the prototype's `value`: production refuses the call from then on. */
  shadow(): void {
    Object.defineProperty(this, "value", { value: () => -1, configurable: true });
  }
  async later(n: number): Promise<number> {
    await Promise.resolve();
    return n;
  }
}

describe("the call path", () => {
  it("refuses a class that does not extend DurableObject with production's TypeError, as thrown", async () => {
    const { ns } = runtimeWith({ Plain: Plain as never });
    const stub: any = ns("Plain").getByName("p");
    const error = await stub.hello().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(
      /^The receiving Durable Object does not support RPC, because its class was not declared with `extends DurableObject`/,
    );
    expect((error as { remote?: unknown }).remote).toBeUndefined();
  });

  it("does not take a result as forwarded because a call made while producing it was", async () => {
    ownDisposed = 0;
    const { ns } = runtimeWith({ Caller });
    const stub: any = ns("Caller").getByName("c");
    const holder = new Holder(new RpcStub(new Ping()));
    const result = await stub.relayThenOwn(holder);
    expect(result).toEqual({ mine: true });
    // A forwarded result is disposed where the call ran (its stubs are the caller's now); one of the object's own is not.
    expect(ownDisposed).toBe(0);
  });

  it("gives each RPC promise its own result when their then is read before either is called", async () => {
    const { ns } = runtimeWith({ Caller });
    const stub: any = ns("Caller").getByName("c");
    const first = stub.value(1);
    const second = stub.later(2);
    const thenOfFirst = first.then;
    const thenOfSecond = second.then;
    const [a, b] = await Promise.all([
      new Promise((resolve, reject) => thenOfSecond.call(second, resolve, reject)),
      new Promise((resolve, reject) => thenOfFirst.call(first, resolve, reject)),
    ]);
    expect([a, b]).toEqual([2, 1]);
    expect(await Promise.all([stub.value(3), stub.later(4), stub.value(5)])).toEqual([3, 4, 5]);
  });

  it("fails an event whose thenable's then() throws with that error, and the object takes the next event", async () => {
    const { runtime, ns } = runtimeWith({ Caller });
    const stub: any = ns("Caller").getByName("t");
    expect(await stub.value(1)).toBe(1);
    const instance = runtime.instance(ns("Caller").idFromName("t"));
    const thrown = new Error("then threw");
    const event = instance.deliver(0, () => ({
      then() {
        throw thrown;
      },
    }));
    await expect(event).rejects.toBe(thrown);
    expect(instance.busy).toBe(false);
    expect(await stub.value(2)).toBe(2);
  });

  it("reads the member on every call: a spy put on the prototype later is reached, an own property put on the instance later is refused", async () => {
    const { ns } = runtimeWith({ Caller });
    const stub: any = ns("Caller").getByName("s");
    expect(await stub.value(1)).toBe(1);
    const spy = vi.spyOn(Caller.prototype, "value").mockImplementation(() => 99);
    try {
      expect(await stub.value(2)).toBe(99);
      expect(spy).toHaveBeenCalledWith(2);
    } finally {
      spy.mockRestore();
    }
    expect(await stub.value(3)).toBe(3);
    await stub.shadow();
    await expect(stub.value(4)).rejects.toThrow('The RPC receiver does not implement the method "value".');
  });
});
