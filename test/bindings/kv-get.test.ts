import { afterEach, describe, expect, it, vi } from "vitest";
import { BindingData } from "../../src/bindings/binding-data.js";
import { KVNamespace } from "../../src/bindings/kv/namespace.js";
import { MemoryBackend } from "../../src/storage/backends/memory.js";
import { SlowBackend } from "../helpers/slow-backend.js";

// kv.get(key) with no options (text) takes a path of its own, without the
// options' checks: it must answer exactly as get(key, "text") does, over a
// backend that answers at once (memory) and one that answers later.

afterEach(() => {
  vi.useRealTimers();
});

const backends = {
  memory: () => new MemoryBackend(),
  async: () => new SlowBackend(new MemoryBackend(), 0),
};

for (const [kind, backend] of Object.entries(backends)) {
  describe(`kv.get(key) as text (${kind} backend)`, () => {
    const namespace = (): { kv: KVNamespace; data: BindingData } => {
      const data = new BindingData("kv", backend());
      return { kv: new KVNamespace(data.store("ns")), data };
    };

    it("answers as get(key, 'text') does: the value after its metadata, null when missing", async () => {
      const { kv } = namespace();
      await kv.put("plain", "välue");
      await kv.put("tagged", "v", { metadata: { tag: "x".repeat(100) } });
      await kv.put("empty", "");
      await kv.put("bytes", new Uint8Array([104, 105]));
      for (const key of ["plain", "tagged", "empty", "bytes", "missing"]) {
        const expected = await kv.get(key, "text");
        expect(await kv.get(key)).toBe(expected);
        expect(await kv.get(key, null)).toBe(expected);
      }
      expect(await kv.get("tagged")).toBe("v");
      expect(await kv.get("missing")).toBeNull();
    });

    it("takes a key that is not a string as its String()", async () => {
      const { kv } = namespace();
      await kv.put("123", "number key");
      expect(await kv.get(123 as unknown as string)).toBe("number key");
    });

    it("expires a key by the clock at the call (fake timers move it)", async () => {
      // Only the clock: the async backend answers on a real setImmediate.
      vi.useFakeTimers({ now: 1_700_000_000_000, toFake: ["Date"] });
      const { kv } = namespace();
      await kv.put("k", "v", { expirationTtl: 60 });
      vi.setSystemTime(1_700_000_059_999);
      expect(await kv.get("k")).toBe("v");
      vi.setSystemTime(1_700_000_060_000);
      expect(await kv.get("k")).toBeNull();
    });

    it("refuses a bad key with a rejected promise, never a synchronous throw", async () => {
      const { kv } = namespace();
      let promise: Promise<unknown> | undefined;
      expect(() => (promise = kv.get(""))).not.toThrow();
      await expect(promise).rejects.toThrow(new TypeError("Key name cannot be empty."));
      await expect(kv.get("x".repeat(513))).rejects.toThrow(
        "KV GET failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512.",
      );
      await expect(kv.get("\uD800")).rejects.toThrow("KV GET failed: 400 Could not URL-decode key name");
    });

    it("sees the per-test layer's writes and deletes, and what was there once it is popped", async () => {
      const { kv, data } = namespace();
      await kv.put("seed", "before");
      await kv.put("gone", "before");
      data.pushLayer();
      await kv.put("seed", "during");
      await kv.delete("gone");
      expect(await kv.get("seed")).toBe("during");
      expect(await kv.get("gone")).toBeNull();
      data.popLayer();
      expect(await kv.get("seed")).toBe("before");
      expect(await kv.get("gone")).toBe("before");
    });

    it("fails with the backend's error once the data is disposed", async () => {
      const { kv, data } = namespace();
      await kv.put("k", "v");
      await data.dispose();
      await expect(kv.get("k")).rejects.toThrow();
    });
  });
}
