import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Durabox } from "../../../src/index.js";
import type { R2Bucket } from "../../../src/bindings/r2/bucket.js";
import type { R2ObjectBody } from "../../../src/bindings/r2/objects.js";
import { FixedLengthStream } from "../../../src/worker/fixed-length-stream.js";

const UNKNOWN_LENGTH = "Provided readable stream must have a known length (request/response body or readable half of FixedLengthStream)";

/** Worker code that puts its request's body into R2 as it is, or through a stream of its own, or a FixedLengthStream. */
const script = `
  export default {
    async fetch(request, env) {
      const how = new URL(request.url).pathname.slice(1);
      let body = request.body;
      if (how === "transformed") body = body.pipeThrough(new TransformStream());
      if (how === "fixed") {
        const fixed = new FixedLengthStream(Number(request.headers.get("x-length")));
        request.body.pipeTo(fixed.writable);
        body = fixed.readable;
      }
      try {
        const put = await env.BUCKET.put(how, body);
        return new Response("stored " + put.size);
      } catch (error) {
        return new Response(error.name + ": " + error.message, { status: 500 });
      }
    }
  };
`;

let mf: Durabox;
let bucket: R2Bucket;
beforeAll(async () => {
  mf = new Durabox({ script, r2Buckets: { BUCKET: "bucket" } });
  bucket = await mf.getR2Bucket("BUCKET");
  await mf.ready;
});
afterAll(() => mf.dispose());

function stream(...chunks: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
      controller.close();
    },
  });
}

describe("R2 put() of a stream: only one of known length, as production", () => {
  it("refuses a stream of unknown length with workerd's TypeError, and stores nothing", async () => {
    await expect(bucket.put("raw", stream("abc"))).rejects.toThrow(new TypeError(UNKNOWN_LENGTH));
    expect(await bucket.head("raw")).toBeNull();
  });

  it("in worker code: a request body as it came is stored, one piped through a TransformStream refused, a FixedLengthStream stored", async () => {
    const send = (path: string) =>
      mf.dispatchFetch(`http://x/${path}`, { method: "PUT", body: "hello", headers: { "x-length": "5" } }).then((r) => r.text());
    expect(await send("direct")).toBe("stored 5");
    expect(await send("transformed")).toBe(`TypeError: ${UNKNOWN_LENGTH}`);
    expect(await send("fixed")).toBe("stored 5");
    expect(await ((await bucket.get("fixed")) as R2ObjectBody).text()).toBe("hello");
  });

  it("an R2 object's body can be put again", async () => {
    await bucket.put("source", "copied");
    const source = (await bucket.get("source")) as R2ObjectBody;
    await bucket.put("copy", source.body);
    expect(await ((await bucket.get("copy")) as R2ObjectBody).text()).toBe("copied");
  });
});

describe("FixedLengthStream", () => {
  it("passes exactly its length through, and errors on more or fewer bytes with workerd's messages", async () => {
    const exact = new FixedLengthStream(4);
    const exactText = new Response(exact.readable).text();
    await stream("ab", "cd").pipeTo(exact.writable);
    expect(await exactText).toBe("abcd");

    const tooMany = new FixedLengthStream(3);
    const tooManyRead = new Response(tooMany.readable).text();
    await expect(stream("ab", "cd").pipeTo(tooMany.writable)).rejects.toThrow(
      new TypeError("Attempt to write too many bytes through a FixedLengthStream."),
    );
    await expect(tooManyRead).rejects.toThrow(TypeError);

    const tooFew = new FixedLengthStream(5);
    const tooFewRead = new Response(tooFew.readable).text();
    await expect(stream("ab").pipeTo(tooFew.writable)).rejects.toThrow(
      new TypeError("FixedLengthStream did not see all expected bytes before close()."),
    );
    await expect(tooFewRead).rejects.toThrow(TypeError);
  });

  it("takes bytes only, and a non-negative integer length", async () => {
    const fixed = new FixedLengthStream(3);
    const read = new Response(fixed.readable).text().catch((error: Error) => error.message);
    const writer = fixed.writable.getWriter();
    await expect(writer.write("abc" as never)).rejects.toThrow(
      "This TransformStream is being used as a byte stream, but received an object of non-ArrayBuffer/ArrayBufferView type on its writable side.",
    );
    await read;
    expect(() => new FixedLengthStream(-1)).toThrow(
      new TypeError("FixedLengthStream expects its length as a non-negative integer, but got -1."),
    );
    expect(() => new FixedLengthStream("3" as never)).toThrow(
      new TypeError("FixedLengthStream expects its length as a non-negative integer, but got string."),
    );
    expect(new FixedLengthStream(2n)).toBeInstanceOf(TransformStream);
  });
});
