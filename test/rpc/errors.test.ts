/* eslint-disable @typescript-eslint/no-explicit-any -- RPC stubs answer any member: the tests call them untyped, as worker code without types does. */
import { afterEach, describe, expect, it } from "vitest";
import { Durabox } from "../../src/index.js";
import { ObjectRuntime } from "../../src/objects/runtime.js";
import { DurableObject, RpcTarget } from "../../src/rpc/classes.js";
import { rpcCompatibility } from "../../src/rpc/compatibility.js";
import { RpcStub } from "../../src/rpc/rpc-stub.js";
import { MemoryBackend } from "../../src/storage/backends/memory.js";

// Errors an object throws, as its caller gets them over RPC (workerd jsg/ser.c++ and jsg/util.c++):
// `remote: true`; with enhanced_error_serialization (the default from 2026-04-21) the name
// whatever it is and the own properties; before it, the "Name: message" text read back as a
// standard type. Stubs in parameters: duplicated from 2026-01-20 (rpc_params_dup_stubs), transferred before.

class Thrower extends DurableObject {
  failCoded(): never {
    const error = new TypeError("bad input", { cause: "why" });
    (error as unknown as { code: string }).code = "E_INPUT";
    throw error;
  }
  failField(): never {
    class MyError extends Error {
      override name = "MyError";
    }
    throw new MyError("custom");
  }
  failPrototypeName(): never {
    class NamedError extends Error {}
    NamedError.prototype.name = "NamedError";
    throw new NamedError("named");
  }
  failRange(): never {
    class Custom extends RangeError {}
    throw new Custom("out of range");
  }
  failString(): never {
    throw "just text";
  }
  failObject(): never {
    throw { code: 42 };
  }
  failUncopyable(): never {
    const error = new Error("has a function");
    (error as unknown as { fn: () => void }).fn = () => {};
    throw error;
  }
  failRetryable(how: string): never {
    if (how === "getter") {
      class Transient extends Error {
        get retryable(): boolean {
          return true;
        }
      }
      throw new Transient("from a getter");
    }
    if (how === "string") throw Object.assign(new Error("a truthy string"), { retryable: "yes" });
    if (how === "both") throw Object.assign(new Error("both"), { retryable: true, overloaded: true });
    if (how === "overloaded") throw Object.assign(new Error("too busy"), { overloaded: 1 });
    if (how === "false") throw Object.assign(new Error("not transient"), { retryable: false, overloaded: 0 });
    throw Object.assign(new Error("transient"), { retryable: true });
  }
  returnError(): Error {
    return Object.assign(new Error("as a value"), { code: 9 });
  }
}

/** A runtime whose class follows `date`'s RPC settings, as Durabox defines it from the worker's compatibility date. */
function stubAt(date: string | undefined, flags: string[] = []): any {
  const runtime = new ObjectRuntime(new MemoryBackend(), { automaticAlarms: false });
  runtime.define({
    identity: "test#Thrower",
    className: "Thrower",
    storageKind: "key-value",
    rpc: rpcCompatibility(date, flags),
    resolve: () => ({ objectClass: Thrower, env: {} }),
  });
  return runtime.namespace("test#Thrower").getByName("t");
}

const caught = (promise: Promise<unknown>): Promise<any> =>
  promise.then(
    () => expect.unreachable("the call should fail"),
    (error: unknown) => error,
  );

describe("errors thrown in an object, at current compatibility dates (enhanced serialisation)", () => {
  it("carry remote: true, their type, message and own properties (code, cause)", async () => {
    const error = await caught(stubAt(undefined).failCoded());
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe("bad input");
    expect(error.remote).toBe(true);
    expect(error.code).toBe("E_INPUT");
    expect(error.cause).toBe("why");
  });

  it("keep a custom subclass's name, as a class field or on the prototype (as an Error of that name)", async () => {
    const field = await caught(stubAt("2026-11-01").failField());
    expect(field.constructor).toBe(Error);
    expect(field.name).toBe("MyError");
    expect(field.message).toBe("custom");
    expect(String(field)).toBe("MyError: custom");
    const named = await caught(stubAt("2026-11-01").failPrototypeName());
    expect(named.name).toBe("NamedError");
    const range = await caught(stubAt("2026-11-01").failRange());
    expect(range.constructor).toBe(RangeError);
  });

  it("a thrown string arrives as an Error of that text, a plain object as a copy; both remote", async () => {
    const text = await caught(stubAt(undefined).failString());
    expect(text).toBeInstanceOf(Error);
    expect(text.message).toBe("just text");
    expect(text.remote).toBe(true);
    const object = await caught(stubAt(undefined).failObject());
    expect(object).toEqual({ code: 42, remote: true });
  });

  it("an error whose own properties cannot be copied falls back to the legacy form", async () => {
    const error = await caught(stubAt(undefined).failUncopyable());
    expect(error.message).toBe("has a function");
    expect(error.fn).toBeUndefined();
    expect(error.remote).toBe(true);
  });

  it("an error returned as a value keeps its own properties, without remote", async () => {
    const value = await stubAt(undefined).returnError();
    expect(value).toBeInstanceOf(Error);
    expect(value.code).toBe(9);
    expect(value.remote).toBeUndefined();
  });
});

describe("errors thrown in an object before 2026-04-21 (legacy serialisation)", () => {
  it("arrive as the standard type their text starts with, other names folded into the message, no own properties", async () => {
    const coded = await caught(stubAt("2026-03-01").failCoded());
    expect(coded).toBeInstanceOf(TypeError);
    expect(coded.message).toBe("bad input");
    expect(coded.code).toBeUndefined();
    expect(coded.cause).toBeUndefined();
    expect(coded.remote).toBe(true);
    const field = await caught(stubAt("2026-03-01").failField());
    expect(field.constructor).toBe(Error);
    expect(field.name).toBe("Error");
    expect(field.message).toBe("MyError: custom");
  });

  it("follow the flags over the date", async () => {
    const legacy = await caught(stubAt("2026-11-01", ["legacy_error_serialization"]).failField());
    expect(legacy.message).toBe("MyError: custom");
    const enhanced = await caught(stubAt("2026-03-01", ["enhanced_error_serialization"]).failField());
    expect(enhanced.name).toBe("MyError");
  });
});

describe("retryable and overloaded (Durable Objects' error handling)", () => {
  it.each(["2026-11-01", "2026-03-01"])(
    "an object's error that says it is retryable or overloaded reaches the caller with retryable: true or overloaded: true (at %s)",
    async (date) => {
      const stub = stubAt(date);
      const flags = async (how: string) => {
        const error = await caught(stub.failRetryable(how));
        return { message: error.message, remote: error.remote, retryable: error.retryable, overloaded: error.overloaded };
      };
      const legacy = date < "2026-04-21";
      expect(await flags("plain")).toEqual({ message: "transient", remote: true, retryable: true, overloaded: undefined });
      expect(await flags("getter")).toEqual({ message: "from a getter", remote: true, retryable: true, overloaded: undefined });
      expect(await flags("string")).toEqual({ message: "a truthy string", remote: true, retryable: true, overloaded: undefined });
      expect(await flags("overloaded")).toEqual({ message: "too busy", remote: true, retryable: undefined, overloaded: true });
      // OVERLOADED wins (jsg/value.h); with enhanced serialisation the own retryable crosses too.
      expect(await flags("both")).toEqual({ message: "both", remote: true, retryable: legacy ? undefined : true, overloaded: true });
      // Falsy ones are not marked; enhanced serialisation copies the own properties as they are.
      expect(await flags("false")).toEqual({
        message: "not transient",
        remote: true,
        retryable: legacy ? undefined : false,
        overloaded: legacy ? undefined : 0,
      });
    },
  );

  it("errors of the object's own code carry neither", async () => {
    const error = await caught(stubAt(undefined).failCoded());
    expect([error.retryable, error.overloaded]).toEqual([undefined, undefined]);
  });
});

describe("the stack of an error from an object", () => {
  it("shows the user's line that made a call to a missing member, not only durabox's frames", async () => {
    const error = await caught(stubAt(undefined).missing());
    expect(error.stack).toContain("errors.test.ts");
    expect(error.stack).not.toMatch(/src[/\\]rpc[/\\]/);
  });

  it("shows the frame in the object that threw", async () => {
    const error = await caught(stubAt(undefined).failCoded());
    expect(error.stack).toContain("failCoded");
    expect(error.stack!.split("\n")[0]).toBe("TypeError: bad input");
  });
});

describe("worker compatibility dates, through Durabox", () => {
  const open: Durabox[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((mf) => mf.dispose()));
  });

  class Counter extends RpcTarget {
    n = 0;
    add(): number {
      return ++this.n;
    }
  }

  async function worker(compatibilityDate: string): Promise<Record<string, any>> {
    const mf = new Durabox({
      compatibilityDate,
      script: `
        import { DurableObject } from "cloudflare:workers";
        export class Obj extends DurableObject {
          fail() { class AppError extends Error { name = "AppError"; code = 3; } throw new AppError("app"); }
          async use(counter) { return counter.add(); }
        }
        export default { fetch() { return new Response(""); } }`,
      durableObjects: { OBJ: "Obj" },
    });
    open.push(mf);
    const env = (await mf.getBindings()) as Record<string, any>;
    return env.OBJ.getByName("x");
  }

  it("serialise errors by the worker's date", async () => {
    const current = await caught((await worker("2026-05-01")).fail());
    expect([current.name, current.message, current.code]).toEqual(["AppError", "app", 3]);
    const older = await caught((await worker("2026-04-20")).fail());
    expect([older.name, older.message, older.code]).toEqual(["Error", "AppError: app", undefined]);
  });

  it("duplicate a stub sent in the arguments from 2026-01-20, and transfer it (the sender's disposed) before", async () => {
    const kept = new RpcStub(new Counter()) as any;
    expect(await (await worker("2026-01-20")).use(kept)).toBe(1);
    expect(await kept.add()).toBe(2);
    const moved = new RpcStub(new Counter()) as any;
    expect(await (await worker("2026-01-19")).use(moved)).toBe(1);
    await expect(moved.add()).rejects.toThrow("RPC stub used after being disposed.");
  });
});
