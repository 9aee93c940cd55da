import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { TestRuntime } from "../../src/testing/test-runtime.js";
import { Durabox } from "../../src/index.js";

const script = `
  import { DurableObject } from "cloudflare:workers";
  export class Gate extends DurableObject {
    async pass(key) { return (await this.env.LIMITER.limit({ key })).success; }
  }
  export default { fetch: () => new Response("ok") };`;
type Limiter = { limit(options: object): Promise<{ success: boolean }> };
type Env = Record<string, Limiter> & { GATE: { getByName(name: string): { pass(key: string): Promise<boolean> } } };

let runtime: TestRuntime | undefined;
const dirs: string[] = [];
afterEach(async () => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  await runtime?.dispose();
  runtime = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * Windows are aligned to the clock: on the real one, calls of a test could straddle a
 * boundary and count from 0 again. Tests that count freeze Date.now (the runtime's clock reads it).
 */
const freezeClock = () => vi.spyOn(Date, "now").mockReturnValue(1_000_000);

function start(ratelimits: object = { LIMITER: { namespace_id: "1", simple: { limit: 3, period: 10 } } }, frozen = true): Env {
  if (frozen) freezeClock();
  runtime = new TestRuntime({ script, ratelimits: ratelimits as never, durableObjects: { GATE: "Gate" } });
  return runtime.env as Env;
}

async function calls(limiter: Limiter, n: number, options: object = { key: "k" }): Promise<boolean[]> {
  const results: boolean[] = [];
  for (let i = 0; i < n; i++) results.push((await limiter.limit(options)).success);
  return results;
}

describe("rate limiting bindings", () => {
  it("allow `limit` calls per key and period, in objects too; another key counts apart", async () => {
    const env = start();
    expect(await calls(env.LIMITER!, 4)).toEqual([true, true, true, false]);
    expect((await env.LIMITER!.limit({ key: "other" })).success).toBe(true);
    expect(await env.GATE.getByName("a").pass("k")).toBe(false);
    expect(await env.GATE.getByName("a").pass("fresh")).toBe(true);
  });

  it("count in windows aligned to the runtime's clock: fake timers that advance start the next window", async () => {
    vi.useFakeTimers({ now: 1_000_000 }); // a window boundary for 10 s
    const env = start(undefined, false);
    expect(await calls(env.LIMITER!, 4)).toEqual([true, true, true, false]);
    vi.advanceTimersByTime(9_999);
    expect((await env.LIMITER!.limit({ key: "k" })).success).toBe(false);
    vi.advanceTimersByTime(1);
    expect(await calls(env.LIMITER!, 4)).toEqual([true, true, true, false]);
  });

  it("share counters between bindings of one namespace_id; delta, and limit/period per call, as local workerd takes them", async () => {
    const env = start({
      A: { namespace_id: "shared", simple: { limit: 5, period: 60 } },
      B: { namespace_id: "shared", simple: { limit: 5, period: 60 } },
      C: { namespace_id: "apart", simple: { limit: 5, period: 60 } },
    });
    expect((await env.A!.limit({ key: "k", delta: 4 })).success).toBe(true);
    // Below the limit the call succeeds even if its delta passes it.
    expect((await env.B!.limit({ key: "k", delta: 3 })).success).toBe(true);
    expect((await env.B!.limit({ key: "k" })).success).toBe(false);
    expect((await env.C!.limit({ key: "k" })).success).toBe(true);
    // A higher limit for one call; another period counts apart.
    expect((await env.A!.limit({ key: "k", limit: 100 })).success).toBe(true);
    expect((await env.A!.limit({ key: "k", period: 10 })).success).toBe(true);
  });

  it("refuse bad calls with local workerd's messages", async () => {
    const env = start();
    const limiter = env.LIMITER!;
    const refused: [unknown, Error][] = [
      [null, new Error("invalid rate limit options")],
      [{ key: "k", by: 1 }, new Error("bad rate limit options: [by]")],
      [{ key: 1 }, new Error("invalid key: 1")],
      [{ key: "k", limit: "2" }, new Error("limit must be a number: 2")],
      [{ key: "k", period: 30 }, new Error("unsupported period: 30")],
      [{ key: "k", delta: Number.NaN }, new TypeError("The value cannot be converted because it is not an integer.")],
      [
        { key: "k", delta: -1 },
        new TypeError("The value cannot be converted because it is negative and this API expects a positive number."),
      ],
      [{ key: "k", delta: 2 ** 32 }, new TypeError("Value out of range. Must be less than or equal to 4294967295.")],
      [{ key: "k", delta: 0.5 }, new RangeError("delta must be non-zero")],
    ];
    for (const [options, error] of refused) await expect(limiter.limit(options as object)).rejects.toThrow(error);
    // None of them counted.
    expect(await calls(limiter, 4)).toEqual([true, true, true, false]);
  });

  it("roll counters back with each test scope; reset() clears them within the scope only", async () => {
    const env = start();
    runtime!.enterScope(); // a describe block's beforeAll
    await calls(env.LIMITER!, 2);
    runtime!.enterScope(); // a test
    expect(await calls(env.LIMITER!, 2)).toEqual([true, false]);
    await runtime!.exitScope();
    runtime!.enterScope();
    expect(await calls(env.LIMITER!, 2)).toEqual([true, false]);
    await runtime!.reset();
    expect(await calls(env.LIMITER!, 4)).toEqual([true, true, true, false]);
    await runtime!.exitScope();
    expect(await calls(env.LIMITER!, 2)).toEqual([true, false]);
    await runtime!.exitScope();
  });
});

describe("rate limiting options", () => {
  it("reads wrangler's ratelimits and unsafe.bindings of type ratelimit (period 60 by default)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "durabox-ratelimit-"));
    dirs.push(dir);
    writeFileSync(path.join(dir, "worker.mjs"), "export default { fetch: () => new Response('ok') };");
    const config = (extra: object): string => {
      const file = path.join(dir, "wrangler.jsonc");
      writeFileSync(file, JSON.stringify({ main: "worker.mjs", ...extra }));
      return file;
    };
    freezeClock();
    const mf = new Durabox({
      wranglerConfigPath: config({
        ratelimits: [{ name: "A", namespace_id: "1", simple: { limit: 1, period: 10 } }],
        unsafe: {
          bindings: [
            { name: "B", type: "ratelimit", namespace_id: "2", simple: { limit: 2 } },
            { name: "X", type: "other" },
          ],
        },
      }),
    });
    const env = await mf.getBindings<Record<string, Limiter>>();
    expect(await calls(env.A!, 2)).toEqual([true, false]);
    expect(await calls(env.B!, 3)).toEqual([true, true, false]);
    expect(env.X).toBeUndefined();
    await mf.dispose();

    expect(() => new Durabox({ wranglerConfigPath: config({ ratelimits: [{ name: "A", simple: { limit: 1, period: 30 } }] }) })).toThrow(
      '"ratelimits[0].simple".period must be 10 or 60 (seconds), got 30.',
    );
    expect(() => new Durabox({ wranglerConfigPath: config({ ratelimits: [{ namespace_id: "1", simple: { limit: 1 } }] }) })).toThrow(
      '"ratelimits[0]" needs a name, like',
    );
  });

  it("refuses a malformed option, naming the field and what is allowed", () => {
    const make = (ratelimits: object) => () => new Durabox({ script, ratelimits: ratelimits as never });
    expect(make({ L: { simple: { limit: 1, period: 30 } } })).toThrow("ratelimits.L.simple.period must be 10 or 60 (seconds), got 30.");
    expect(make({ L: { simple: { limit: -1 } } })).toThrow("ratelimits.L.simple.limit must be a whole number of calls, 0 or more, got -1.");
    expect(make({ L: {} })).toThrow("ratelimits.L.simple must be an object like { limit: 100, period: 60 }, got undefined.");
    expect(make({ L: { simple: { limit: 1 }, period: 10 } })).toThrow(/Unknown option "ratelimits\.L\.period"/);
    expect(make({ L: { namespace_id: 1, simple: { limit: 1 } } })).toThrow(
      "ratelimits.L.namespace_id must be a non-empty string, got number.",
    );
  });
});
