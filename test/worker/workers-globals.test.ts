import { afterAll, describe, expect, it, vi } from "vitest";
import { Durabox } from "../../src/index.js";
import { installWorkersGlobals, workersCrypto, workersScheduler } from "../../src/worker/workers-globals.js";

const MD5_ABC = "900150983cd24fb0d6963f7d28e17f72";
const SHA256_ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

/** Worker code using what only Workers have. */
const probe = `
  const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");
  const bytes = (s) => new TextEncoder().encode(s);
  export default {
    async fetch() {
      const stream = new crypto.DigestStream("SHA-256");
      const writer = stream.getWriter();
      await writer.write(bytes("a"));
      await writer.write(bytes("bc"));
      await writer.close();
      const md5Stream = new crypto.DigestStream({ name: "MD5" });
      const md5Writer = md5Stream.getWriter();
      await md5Writer.write(bytes("abc"));
      await md5Writer.close();
      let unequalLengths;
      try { crypto.subtle.timingSafeEqual(bytes("a"), bytes("ab")); } catch (e) { unequalLengths = e.constructor.name + ": " + e.message; }
      const started = Date.now();
      await scheduler.wait(20);
      return Response.json({
        equal: crypto.subtle.timingSafeEqual(bytes("same"), bytes("same").buffer),
        different: crypto.subtle.timingSafeEqual(bytes("abcd"), bytes("abce")),
        unequalLengths,
        md5: hex(await crypto.subtle.digest("MD5", bytes("abc"))),
        sha256: hex(await crypto.subtle.digest("SHA-256", bytes("abc"))),
        digestStream: hex(await stream.digest),
        bytesWritten: stream.bytesWritten,
        md5Stream: hex(await md5Stream.digest),
        waited: Date.now() - started >= 15,
        isCrypto: crypto instanceof Crypto && crypto.subtle instanceof SubtleCrypto,
        randomUUID: typeof crypto.randomUUID(),
        randomValues: crypto.getRandomValues(new Uint8Array(4)).length,
      });
    }
  }`;

const mf = new Durabox({ script: probe });
afterAll(() => mf.dispose());

describe("Workers-only globals in worker code", () => {
  it("has crypto.subtle.timingSafeEqual, crypto.DigestStream, MD5 digests and scheduler.wait, beside the platform's crypto", async () => {
    expect(await mf.dispatchFetch("/").json()).toEqual({
      equal: true,
      different: false,
      unequalLengths: "TypeError: Input buffers must have the same byte length.",
      md5: MD5_ABC,
      sha256: SHA256_ABC,
      digestStream: SHA256_ABC,
      bytesWritten: 3,
      md5Stream: MD5_ABC,
      waited: true,
      isCrypto: true,
      randomUUID: "string",
      randomValues: 4,
    });
  });

  it("leaves Node's own crypto as it was", () => {
    expect((crypto.subtle as unknown as Record<string, unknown>).timingSafeEqual).toBeUndefined();
    expect((crypto as unknown as Record<string, unknown>).DigestStream).toBeUndefined();
  });

  it("refuses an unknown digest as production does", async () => {
    const workers = workersCrypto(crypto) as unknown as { DigestStream: new (algorithm: unknown) => unknown };
    expect(() => new workers.DigestStream("SHA-3")).toThrow(expect.objectContaining({ name: "NotSupportedError" }));
  });
});

describe("Workers-only globals for test files", () => {
  it("installs crypto and scheduler on a global, and puts the global's own back", () => {
    const global = { crypto, setTimeout, clearTimeout } as unknown as typeof globalThis;
    const restore = installWorkersGlobals(global);
    expect(typeof (global.crypto.subtle as unknown as { timingSafeEqual: unknown }).timingSafeEqual).toBe("function");
    expect(typeof (global as unknown as { scheduler: { wait: unknown } }).scheduler.wait).toBe("function");
    restore();
    expect(global.crypto).toBe(crypto);
    expect("scheduler" in global).toBe(false);
  });

  it("scheduler.wait follows the realm's fake timers, and rejects when its signal aborts", async () => {
    vi.useFakeTimers();
    try {
      const scheduler = workersScheduler();
      let done = false;
      const waiting = scheduler.wait(60_000).then(() => (done = true));
      await vi.advanceTimersByTimeAsync(59_999);
      expect(done).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      await waiting;
      expect(done).toBe(true);
      const controller = new AbortController();
      const aborted = scheduler.wait(1000, { signal: controller.signal });
      controller.abort(new Error("stop"));
      await expect(aborted).rejects.toThrow("stop");
    } finally {
      vi.useRealTimers();
    }
  });
});
