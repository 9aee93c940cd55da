import { describe, expect, it } from "vitest";
// Only the pipeline module, as a file whose first RPC import it is: nothing else of rpc/ loaded first.
import { rpcProperty } from "../../src/rpc/pipeline.js";

// A pipelined call on a data result is a new call whose answer is a fresh copy (production's
// rule); it used to depend on stub.ts having loaded and patched the pipeline, and ran in place
// otherwise (issue 20 §4).
describe("pipelining on a data result, with only pipeline.ts imported", () => {
  const noStubs = (): object => {
    throw new Error("no value here travels by reference");
  };

  it("answers a copy of what the member returns, not the member's own object", async () => {
    const items = [{ n: 1 }];
    const result = { items, take: () => items };
    const caller = { call: async () => result, stubFor: noStubs };
    const promise = (rpcProperty(caller, ["make"]) as () => { take(): Promise<unknown>; items: PromiseLike<unknown> })();
    const taken = await promise.take();
    expect(taken).toEqual([{ n: 1 }]);
    expect(taken).not.toBe(items);
    const read = await promise.items;
    expect(read).toEqual([{ n: 1 }]);
    expect(read).not.toBe(items);
  });
});
