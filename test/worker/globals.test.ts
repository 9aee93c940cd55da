import { afterAll, describe, expect, it } from "vitest";
import { Durabox } from "../../src/index.js";

/** Every global of the Workers runtime that issue #3 lists, probed from worker code. */
const probe = `
  export default {
    async fetch() {
      const checks = {};
      const check = (name, fn) => { try { checks[name] = fn(); } catch (e) { checks[name] = "threw " + e.message; } };
      check("fetch", () => typeof fetch === "function");
      check("Request", () => new Request("https://x/").url === "https://x/");
      check("Response", () => new Response("a").status === 200);
      check("Headers", () => new Headers({ a: "1" }).get("a") === "1");
      check("FormData", () => { const f = new FormData(); f.append("a", "1"); return f.get("a") === "1"; });
      check("Blob", () => new Blob(["ab"]).size === 2);
      check("URL", () => new URL("/p?q=1", "https://x").searchParams.get("q") === "1");
      check("URLSearchParams", () => new URLSearchParams("a=1").get("a") === "1");
      check("crypto.getRandomValues", () => crypto.getRandomValues(new Uint8Array(4)).length === 4);
      check("crypto.randomUUID", () => /^[0-9a-f-]{36}$/.test(crypto.randomUUID()));
      check("crypto.subtle", () => typeof crypto.subtle.digest === "function");
      check("TextEncoder/TextDecoder", () => new TextDecoder().decode(new TextEncoder().encode("é")) === "é");
      check("atob/btoa", () => atob(btoa("hi")) === "hi");
      check("structuredClone", () => structuredClone(new Map([[1, 2]])).get(1) === 2);
      check("setTimeout/clearTimeout", () => { const t = setTimeout(() => {}, 1000); clearTimeout(t); return true; });
      check("setInterval/clearInterval", () => { const t = setInterval(() => {}, 1000); clearInterval(t); return true; });
      check("queueMicrotask", () => typeof queueMicrotask === "function");
      check("console", () => typeof console.log === "function");
      check("AbortController", () => { const c = new AbortController(); c.abort(); return c.signal.aborted; });
      check("ReadableStream/WritableStream/TransformStream", () => [ReadableStream, WritableStream, TransformStream].every((c) => typeof c === "function"));
      check("navigator.userAgent", () => navigator.userAgent);
      check("self", () => self === globalThis);
      check("digest", () => "async");
      checks.digest = (await crypto.subtle.digest("SHA-256", new TextEncoder().encode("x"))).byteLength === 32;
      check("process", () => typeof process);
      check("Buffer", () => typeof Buffer);
      check("require", () => typeof require);
      check("setImmediate", () => typeof setImmediate);
      return Response.json(checks);
    }
  }`;

const expected = {
  fetch: true,
  Request: true,
  Response: true,
  Headers: true,
  FormData: true,
  Blob: true,
  URL: true,
  URLSearchParams: true,
  "crypto.getRandomValues": true,
  "crypto.randomUUID": true,
  "crypto.subtle": true,
  "TextEncoder/TextDecoder": true,
  "atob/btoa": true,
  structuredClone: true,
  "setTimeout/clearTimeout": true,
  "setInterval/clearInterval": true,
  queueMicrotask: true,
  console: true,
  AbortController: true,
  "ReadableStream/WritableStream/TransformStream": true,
  "navigator.userAgent": "Cloudflare-Workers",
  self: true,
  digest: true,
};

const plain = new Durabox({ script: probe });
const compat = new Durabox({ script: probe, compatibilityFlags: ["nodejs_compat"] });
afterAll(() => Promise.all([plain.dispose(), compat.dispose()]));

describe("Workers globals in worker code", () => {
  it("has the Workers globals, and no process, Buffer, require or setImmediate", async () => {
    expect(await plain.dispatchFetch("/").json()).toEqual({
      ...expected,
      process: "undefined",
      Buffer: "undefined",
      require: "undefined",
      setImmediate: "undefined",
    });
  });

  it("has Node's process, Buffer and require with nodejs_compat", async () => {
    expect(await compat.dispatchFetch("/").json()).toEqual({
      ...expected,
      process: "object",
      Buffer: "function",
      require: "function",
      setImmediate: "function",
    });
  });

  it("runs a default export that extends WorkerEntrypoint", async () => {
    const mf = new Durabox({
      script: `
        import { WorkerEntrypoint } from "cloudflare:workers";
        export default class extends WorkerEntrypoint {
          fetch(request) { return new Response(this.env.WHO + " " + new URL(request.url).pathname); }
        }`,
      bindings: { WHO: "entrypoint" },
    });
    expect(await mf.dispatchFetch("/path").text()).toBe("entrypoint /path");
    await mf.dispose();
  });
});
