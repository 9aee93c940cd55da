import { describe, expect, it } from "vitest";
import { remote } from "../helpers/remote-error.js";
import { runtimeWith } from "../helpers/runtime.js";
import { DurableObject } from "../../src/rpc/classes.js";
import { DuraboxError } from "../../src/base/errors.js";
import type { DurableObjectState } from "../../src/objects/state.js";
import type { DurableObjectNamespace } from "../../src/objects/namespace.js";

describe("instances", () => {
  it("constructs lazily, once per id, as new Class(state, env)", async () => {
    const constructed: string[] = [];
    class Obj {
      constructor(
        readonly state: DurableObjectState,
        readonly env: Record<string, unknown>,
      ) {
        constructed.push(state.id.toString());
      }
      fetch(): Response {
        return new Response(String(this.env.VAR));
      }
    }
    const { ns } = runtimeWith({ Obj }, { env: { VAR: "v" } });
    const stub = ns("Obj").get(ns("Obj").idFromName("a"));
    expect(constructed).toEqual([]);
    expect(await (await stub.fetch("http://x/")).text()).toBe("v");
    await Promise.all([stub.fetch("http://x/"), ns("Obj").get(ns("Obj").idFromName("a")).fetch("http://x/")]);
    expect(constructed).toEqual([stub.id.toString()]);
    await ns("Obj").get(ns("Obj").idFromName("b")).fetch("http://x/");
    expect(constructed.length).toBe(2);
  });

  it("delivers a stub's calls in the order they were made", async () => {
    const seen: number[] = [];
    class Obj {
      async fetch(request: Request): Promise<Response> {
        const n = Number(new URL(request.url).pathname.slice(1));
        seen.push(n);
        if (n % 3 === 0) await new Promise((r) => setTimeout(r, 1));
        return new Response(String(n));
      }
    }
    const { ns } = runtimeWith({ Obj });
    const stub = ns("Obj").get(ns("Obj").newUniqueId());
    await Promise.all(Array.from({ length: 20 }, (_, i) => stub.fetch(`http://x/${i}`)));
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it("blockConcurrencyWhile holds other events back until its callback settles", async () => {
    const log: string[] = [];
    class Obj {
      constructor(state: DurableObjectState) {
        void state.blockConcurrencyWhile(async () => {
          log.push("init start");
          await new Promise((r) => setTimeout(r, 20));
          await state.storage.put("ready", true);
          log.push("init end");
        });
      }
      fetch(): Response {
        log.push("fetch");
        return new Response("ok");
      }
    }
    const { ns } = runtimeWith({ Obj });
    const stub = ns("Obj").get(ns("Obj").idFromName("a"));
    await Promise.all([stub.fetch("http://x/"), stub.fetch("http://x/")]);
    expect(log).toEqual(["init start", "init end", "fetch", "fetch"]);
  });

  it("resets the object when blockConcurrencyWhile's callback throws", async () => {
    let constructions = 0;
    class Obj {
      constructor(state: DurableObjectState) {
        constructions++;
        if (constructions === 1) {
          void state
            .blockConcurrencyWhile(async () => {
              throw new Error("init failed");
            })
            .catch(() => {});
        }
      }
      fetch(): Response {
        return new Response(`instance ${constructions}`);
      }
    }
    const { ns } = runtimeWith({ Obj });
    const stub = ns("Obj").get(ns("Obj").idFromName("a"));
    await expect(stub.fetch("http://x/")).rejects.toThrow("init failed");
    expect(await (await stub.fetch("http://x/")).text()).toBe("instance 2");
  });

  it("resets the object when its constructor throws", async () => {
    let constructions = 0;
    class Obj {
      constructor() {
        if (++constructions === 1) throw new Error("bad constructor");
      }
      fetch(): Response {
        return new Response("ok");
      }
    }
    const { ns } = runtimeWith({ Obj });
    const stub = ns("Obj").get(ns("Obj").idFromName("a"));
    await expect(stub.fetch("http://x/")).rejects.toThrow("bad constructor");
    expect(await (await stub.fetch("http://x/")).text()).toBe("ok");
  });

  it("evicts: the next call constructs a new instance over the same storage", async () => {
    class Obj {
      field = 0;
      constructor(readonly state: DurableObjectState) {}
      async fetch(): Promise<Response> {
        this.field++;
        const stored = ((await this.state.storage.get<number>("n")) ?? 0) + 1;
        await this.state.storage.put("n", stored);
        return new Response(`${this.field}/${stored}`);
      }
    }
    const { runtime, ns } = runtimeWith({ Obj });
    const stub = ns("Obj").get(ns("Obj").idFromName("a"));
    expect(await (await stub.fetch("http://x/")).text()).toBe("1/1");
    expect(await (await stub.fetch("http://x/")).text()).toBe("2/2");
    expect(runtime.evict(stub.id)).toBe(true);
    expect(runtime.evict(stub.id)).toBe(false);
    expect(await (await stub.fetch("http://x/")).text()).toBe("1/3");
  });

  it("refuses recursion deeper than 16 objects", async () => {
    class Obj {
      constructor(
        readonly state: DurableObjectState,
        readonly env: { Obj: DurableObjectNamespace },
      ) {}
      async fetch(request: Request): Promise<Response> {
        const depth = Number(new URL(request.url).searchParams.get("d"));
        const limit = Number(new URL(request.url).searchParams.get("limit"));
        if (depth >= limit) return new Response(String(depth));
        const next = this.env.Obj.get(this.env.Obj.idFromName(`n${depth + 1}`));
        return next.fetch(`http://x/?d=${depth + 1}&limit=${limit}`);
      }
    }
    const { ns } = runtimeWith({ Obj });
    const first = ns("Obj").get(ns("Obj").idFromName("n1"));
    expect(await (await first.fetch("http://x/?d=1&limit=16")).text()).toBe("16");
    const error = await first.fetch("http://x/?d=1&limit=17").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DuraboxError);
    expect((error as Error).message).toMatch(/objects can recurse up to 16 levels/);
  });

  it("hands the object a request it can read and the caller a response it can read, streaming", async () => {
    class Echo {
      async fetch(request: Request): Promise<Response> {
        return new Response(request.body, { headers: { "x-method": request.method, "x-url": request.url } });
      }
    }
    const { ns } = runtimeWith({ Echo });
    const stub = ns("Echo").get(ns("Echo").idFromName("e"));
    const chunks = ["one ", "two ", "three"];
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
        controller.close();
      },
    });
    const response = await stub.fetch("/relative?q=1", { method: "POST", body });
    expect(response.headers.get("x-method")).toBe("POST");
    expect(response.headers.get("x-url")).toBe("https://fake-host/relative?q=1");
    expect(await response.text()).toBe("one two three");
    const request = new Request("http://example.com/a", { method: "PUT", body: "payload" });
    const echoed = await stub.fetch(request);
    expect(await echoed.text()).toBe("payload");
    expect(echoed.headers.get("x-url")).toBe("http://example.com/a");
  });

  it("says clearly when the class has no fetch() or returns no Response", async () => {
    class NoFetch {}
    class BadFetch {
      fetch(): string {
        return "not a response";
      }
    }
    const { ns } = runtimeWith({ NoFetch, BadFetch });
    await expect(ns("NoFetch").getByName("a").fetch("http://x/")).rejects.toThrow(/has no fetch\(\) handler/);
    await expect(ns("BadFetch").getByName("a").fetch("http://x/")).rejects.toThrow(/must return a Response/);
  });
});

describe("JS RPC on stubs", () => {
  class Calculator extends DurableObject {
    #total = 0;
    add(n: number): number {
      this.#total += n;
      return this.#total;
    }
    async describe(value: { when: Date }): Promise<{ copy: { when: Date }; same: boolean }> {
      return { copy: value, same: value.when instanceof Date };
    }
    fail(): never {
      throw new RangeError("nope");
    }
  }
  class Plain {
    add(): number {
      return 1;
    }
  }

  it("calls public methods in order, with structured-cloned arguments and results", async () => {
    const { ns } = runtimeWith({ Calculator });
    const stub = ns("Calculator").getByName("c") as unknown as Calculator;
    const results = await Promise.all([stub.add(1), stub.add(2), stub.add(3)]);
    expect(results).toEqual([1, 3, 6]);
    const arg = { when: new Date(7) };
    const out = await stub.describe(arg);
    expect(out.copy).toEqual(arg);
    expect(out.copy).not.toBe(arg);
    expect(out.same).toBe(true);
    await expect(stub.fail()).rejects.toThrow(remote(new RangeError("nope")));
  });

  it("refuses RPC to a class that does not extend DurableObject, and unknown methods", async () => {
    const { ns } = runtimeWith({ Calculator, Plain });
    const plain = ns("Plain").getByName("p") as unknown as Plain;
    await expect(Promise.resolve(plain.add())).rejects.toThrow(/extends DurableObject/);
    const calc = ns("Calculator").getByName("c") as unknown as { missing(): Promise<unknown> };
    await expect(calc.missing()).rejects.toThrow('The RPC receiver does not implement "missing".');
  });

  it("is not thenable, so a stub can be returned from an async function", async () => {
    const { ns } = runtimeWith({ Calculator });
    const stub = await (async () => ns("Calculator").getByName("c"))();
    expect(typeof (stub as unknown as { then?: unknown }).then).toBe("undefined");
    expect(stub.id.name).toBe("c");
  });
});
