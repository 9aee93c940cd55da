import { expect, it } from "@jest/globals";
import { RpcTarget } from "cloudflare:workers";
import { env } from "durabox/testing";

/** Lives in the test: the object reaches it through a stub, and its calls come back here. */
class Log extends RpcTarget {
  seen: number[] = [];
  record(value: number): void {
    this.seen.push(value);
  }
}

it("sends the test's own RpcTarget and functions to the object, which calls them back", async () => {
  const stub = env.COUNTER.getByName("rpc-callbacks");
  const log = new Log();
  expect(await stub.incrementAndLog(log)).toBe(1);
  expect(log.seen).toEqual([1]);

  const values: number[] = [];
  await stub.countWith(2, (value: number) => void values.push(value));
  expect(values).toEqual([2, 3]);

  // An error thrown by the test's callback reaches the test as its own realm's TypeError.
  const failed = await stub
    .countWith(1, () => {
      throw new TypeError("from the callback");
    })
    .catch((error: unknown) => error);
  expect(failed).toBeInstanceOf(TypeError);
  expect((failed as Error).message).toBe("from the callback");
});
