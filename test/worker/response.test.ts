import { describe, expect, it } from "vitest";
import { workerResponseClass } from "../../src/worker/response.js";

const WorkerResponse = workerResponseClass();

const Platform = globalThis.Response;
type BodyInit = NonNullable<ConstructorParameters<typeof Platform>[0]>;
type Make = (body?: BodyInit | null, init?: ResponseInit) => Response;
const makers: [string, Make][] = [
  ["platform", (body, init) => new Platform(body, init)],
  ["worker", (body, init) => new WorkerResponse(body, init) as unknown as Response],
];

async function observe(make: Make, body: BodyInit | null, init: ResponseInit | undefined, read: string): Promise<unknown> {
  let response: Response;
  try {
    response = make(body, init);
  } catch (error) {
    return { threw: (error as Error).constructor.name };
  }
  const shape = {
    status: response.status,
    statusText: response.statusText,
    ok: response.ok,
    headers: [...response.headers],
    usedBefore: response.bodyUsed,
    hasBody: response.body !== null,
  };
  const reader = async (r: Response): Promise<unknown> => {
    switch (read) {
      case "text":
        return r.text();
      case "json":
        return r.json().catch((e: Error) => e.constructor.name);
      case "arrayBuffer":
        return [...new Uint8Array(await r.arrayBuffer())];
      case "blob": {
        const blob = await r.blob();
        return [blob.type, await blob.text()];
      }
      case "stream": {
        const chunks: number[] = [];
        if (r.body === null) return null;
        for await (const chunk of r.body) chunks.push(...chunk);
        return chunks;
      }
      case "clone": {
        const copy = r.clone();
        return [await copy.text(), await r.text()];
      }
      default: {
        const { bytes } = r as { bytes?: () => Promise<Uint8Array> };
        return bytes ? [...(await bytes.call(r))] : null;
      }
    }
  };
  const first = await reader(response);
  const second = await response.text().then(
    (t) => ({ text: t }),
    (e: Error) => ({ threw: e.constructor.name }),
  );
  return { shape, first, usedAfter: response.bodyUsed, second };
}

describe("the worker Response behaves as the platform's", () => {
  const bodies: [string, BodyInit | null][] = [
    ["string", "héllo"],
    ["json string", '{"a":[1,2]}'],
    ["empty", ""],
    ["bytes", new Uint8Array([104, 105])],
    ["buffer", new Uint8Array([1, 2, 3]).buffer],
    ["null", null],
    ["stream", null],
  ];
  const inits: (ResponseInit | undefined)[] = [
    undefined,
    { status: 201, statusText: "Made", headers: { "x-a": "1" } },
    { headers: { "content-type": "application/json" } },
    { status: 204 },
    { status: 304 },
  ];
  for (const [bodyName, body] of bodies) {
    for (const init of inits) {
      for (const read of ["text", "json", "arrayBuffer", "blob", "stream", "clone", "bytes"]) {
        it(`${bodyName} body, ${JSON.stringify(init)}, ${read}()`, async () => {
          const results = await Promise.all(
            makers.map(([, make]) =>
              observe(
                make,
                bodyName === "stream" ? new Blob(["streamed"]).stream() : body instanceof Uint8Array ? body.slice() : body,
                init,
                read,
              ),
            ),
          );
          expect(results[1]).toEqual(results[0]);
        });
      }
    }
  }

  it("is an instance of the platform's Response", () => {
    expect(new WorkerResponse("x")).toBeInstanceOf(Platform);
  });

  it("copies a byte body at construction, as the platform does", async () => {
    const bytes = new Uint8Array([1, 2]);
    const response = new WorkerResponse(bytes);
    bytes[0] = 9;
    expect([...new Uint8Array(await response.arrayBuffer())]).toEqual([1, 2]);
  });
});
