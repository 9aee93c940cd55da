/* eslint-disable @typescript-eslint/no-explicit-any -- RPC stubs answer any member: the tests call them untyped, as worker code without types does. */
import { describe, expect, it } from "vitest";
import { DurableObject, RpcTarget } from "../../src/rpc/classes.js";
import { RpcStub } from "../../src/rpc/rpc-stub.js";
import { runtimeWith } from "../helpers/runtime.js";

// Values crossing RPC as workerd's serializer copies them (issue 23 items 4 and 5): an own
// `__proto__` key stays a key; Proxies are stubs when they present a plain object, a function or an
// RpcTarget and refused otherwise (workerd api/worker-rpc.c++ serializeProxy); the 32 MiB limit
// counts V8's serialized bytes; sparse arrays are copied by their own keys, as V8 serializes them.

class Echo extends DurableObject {
  echo<T>(value: T): T {
    return value;
  }
  describe(value: object): { prototypeIsObject: boolean; inherited: unknown; ownKeys: string[] } {
    return {
      prototypeIsObject: Object.getPrototypeOf(value) === Object.prototype,
      inherited: (value as { isAdmin?: unknown }).isAdmin,
      ownKeys: Object.keys(value),
    };
  }
  parsed(text: string): unknown {
    return JSON.parse(text);
  }
  all(...values: unknown[]): unknown[] {
    return values;
  }
  async later<T>(value: T): Promise<T> {
    await Promise.resolve();
    return value;
  }
  huge(size: number): string {
    return "x".repeat(size);
  }
}

const stub = (): any => runtimeWith({ Echo }).ns("Echo").getByName("e");
const own = (value: object, key: string): unknown => Object.getOwnPropertyDescriptor(value, key)?.value;

describe("an own __proto__, constructor or prototype key", () => {
  const body = '{"__proto__": {"isAdmin": true}, "constructor": {"prototype": {"polluted": 1}}, "prototype": 2, "a": 1}';

  it("stays an own data property of an argument, not the receiver's prototype", async () => {
    const seen = await stub().describe(JSON.parse(body));
    expect(seen).toEqual({ prototypeIsObject: true, inherited: undefined, ownKeys: ["__proto__", "constructor", "prototype", "a"] });
  });

  it("stays an own data property of a result, nested too", async () => {
    const back = await stub().parsed(`{"nested": ${body}}`);
    const nested = back.nested;
    expect(Object.getPrototypeOf(nested)).toBe(Object.prototype);
    expect(nested.isAdmin).toBeUndefined();
    expect(own(nested, "__proto__")).toEqual({ isAdmin: true });
    expect(own(nested, "constructor")).toEqual({ prototype: { polluted: 1 } });
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });
});

describe("Proxies", () => {
  class Counter extends RpcTarget {
    n = 0;
  }

  it("a Proxy of a plain object crosses as a stub to it, as workerd's serializeProxy makes it", async () => {
    const back = await stub().echo(new Proxy({ value: 1 }, {}));
    expect(back).toBeInstanceOf(RpcStub);
    expect(await back.value).toBe(1);
  });

  it("a Proxy whose prototype chain has RpcTarget is a stub reaching the Proxy's traps", async () => {
    const proxy = new Proxy(Object.create(Counter.prototype) as object, {
      get: (_target, key) => (key === "hello" ? () => "from the trap" : undefined),
    });
    const back = await stub().echo(proxy);
    expect(back).toBeInstanceOf(RpcStub);
    expect(await back.hello()).toBe("from the trap");
  });

  it("a Proxy of anything else (an array, a class instance) is refused with workerd's DataCloneError", async () => {
    const message =
      "Proxy could not be serialized because it is not a valid RPC receiver type. The Proxy must emulate either a plain object or an RpcTarget, as indicated by the Proxy's prototype chain.";
    await expect(stub().echo(new Proxy([1, 2], {}))).rejects.toThrow(new DOMException(message, "DataCloneError"));
    await expect(stub().echo({ inner: new Proxy(new Map(), {}) })).rejects.toThrow(new DOMException(message, "DataCloneError"));
  });
});

describe("primitives", () => {
  it("arrive as they are, as arguments and as results of synchronous and asynchronous methods", async () => {
    const values = [-0, NaN, Infinity, 2 ** 40 + 0.5, "", "é€😀", true, false, null, undefined, 10n];
    const seen: unknown[] = await stub().all(...values);
    expect(seen).toHaveLength(values.length);
    seen.forEach((value, i) => expect(Object.is(value, values[i])).toBe(true));
    for (const value of values) {
      expect(Object.is(await stub().echo(value), value)).toBe(true);
      expect(Object.is(await stub().later(value), value)).toBe(true);
    }
  });

  it("a symbol argument or result is refused as production refuses it", async () => {
    await expect(stub().echo(Symbol("s"))).rejects.toMatchObject({ name: "DataCloneError", message: "Symbol(s) could not be cloned." });
    await expect(stub().later(Symbol("t"))).rejects.toMatchObject({ name: "DataCloneError", message: "Symbol(t) could not be cloned." });
  });
});

describe("the 32 MiB limit, in V8's serialized bytes", () => {
  const limit = 32 * 1024 * 1024;

  it("lets 5,000,000 small integers through (about 10 MB serialized)", async () => {
    const back = await stub().echo(new Array<number>(5_000_000).fill(7));
    expect(back.length).toBe(5_000_000);
  });

  it("refuses 4,000,000 doubles (9 bytes each serialized), naming the serialized size", async () => {
    // 2 (header) + 5 (the arguments' array) + 11 (this array's tags and counts) + 4,000,000 × 9.
    await expect(stub().echo(new Array<number>(4_000_000).fill(0.5))).rejects.toThrow(
      "Serialized RPC arguments or return values are limited to 32MiB, but the size of this value was: 36000018 bytes.",
    );
  });

  it("refuses an argument over the limit by its serialized size (arguments of primitives are not copied)", async () => {
    // 2 (header) + 5 (the arguments' array) + 1 (the string's tag) + 4 (its length) + its characters.
    expect((await stub().echo("y".repeat(limit - 12))).length).toBe(limit - 12);
    await expect(stub().echo("y".repeat(limit - 11))).rejects.toThrow(`but the size of this value was: ${limit + 1} bytes.`);
    // Two bytes a character from U+0100; the first argument, 1, takes 2.
    expect(await stub().echo(1, "\u0100".repeat(limit / 2 - 7))).toBe(1);
    await expect(stub().echo(1, "\u0100".repeat(limit / 2 - 6))).rejects.toThrow(`but the size of this value was: ${limit + 2} bytes.`);
  });

  it("counts a string's bytes with the serialization's header and tag", async () => {
    expect((await stub().huge(limit - 7)).length).toBe(limit - 7);
    await expect(stub().huge(limit - 6)).rejects.toThrow(`but the size of this value was: ${limit + 1} bytes.`);
  });
});

describe("sparse arrays", () => {
  it("copy by their own keys, at once, however long", async () => {
    for (const length of [1e8, 2 ** 32 - 1]) {
      const sparse: number[] = [];
      sparse[length - 1] = 5;
      (sparse as unknown as { label: string }).label = "kept";
      const started = performance.now();
      const back = await stub().echo(sparse);
      // Seconds before (a loop over the length); a generous bound for a loaded machine.
      expect(performance.now() - started).toBeLessThan(3000);
      expect(back.length).toBe(length);
      expect(back[length - 1]).toBe(5);
      expect(0 in back).toBe(false);
      expect(back.label).toBe("kept");
    }
  });

  it("keep their holes when mostly dense", async () => {
    const holey = [1, 2, 3];
    delete holey[1];
    const back = await stub().echo(holey);
    expect(back).toEqual(holey);
    expect(1 in back).toBe(false);
  });
});
