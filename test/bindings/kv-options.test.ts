import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Durabox } from "../../src/index.js";
import { parseCommandLine, type ServeArguments } from "../../src/cli/args.js";
import type { KVNamespace } from "../../src/bindings/kv/namespace.js";

const script = "export default { fetch() { return new Response('ok'); } }";

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}

describe("kvNamespaces", () => {
  it("takes Miniflare 2's array of binding names: each name is its namespace", async () => {
    const mf = new Durabox({ script, kvNamespaces: ["A", "B"] });
    const env = await mf.getBindings<{ A: KVNamespace; B: KVNamespace }>();
    await env.A.put("k", "a");
    expect(await env.B.get("k")).toBeNull();
    expect(await (await mf.getKVNamespace("A")).get("k")).toBe("a");
    await mf.dispose();
  });

  it("takes Miniflare 3's record of binding to namespace id: bindings naming one id share it, across workers", async () => {
    const mf = new Durabox({
      workers: [
        { name: "a", script, kvNamespaces: { ONE: "shared", TWO: "shared", OWN: "own" } },
        { name: "b", script, kvNamespaces: { THREE: "shared" } },
      ],
    });
    const a = await mf.getBindings<Record<string, KVNamespace>>("a");
    const b = await mf.getBindings<Record<string, KVNamespace>>("b");
    await a.ONE!.put("k", "v");
    expect(await a.TWO!.get("k")).toBe("v");
    expect(await b.THREE!.get("k")).toBe("v");
    expect(await a.OWN!.get("k")).toBeNull();
    expect(await mf.getKVNamespace("THREE")).toBe(b.THREE);
    await mf.dispose();
  });

  it("reads wrangler's kv_namespaces; the option wins for a binding it names", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "durabox-kv-wrangler-"));
    writeFileSync(path.join(dir, "w.mjs"), script);
    writeFileSync(
      path.join(dir, "wrangler.toml"),
      'main = "w.mjs"\nkv_namespaces = [{ binding = "CONFIG", id = "cfg" }, { binding = "OTHER", id = "o" }]\n',
    );
    const mf = new Durabox({ wranglerConfigPath: path.join(dir, "wrangler.toml"), kvNamespaces: { OTHER: "cfg" } });
    const env = await mf.getBindings<Record<string, KVNamespace>>();
    await env.CONFIG!.put("k", "v");
    expect(await env.OTHER!.get("k")).toBe("v");
    await mf.dispose();
  });

  it("refuses a malformed kv_namespaces entry, naming it", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "durabox-kv-wrangler-"));
    writeFileSync(path.join(dir, "wrangler.json"), JSON.stringify({ kv_namespaces: [{ id: "x" }] }));
    expect(errorOf(() => new Durabox({ wranglerConfigPath: path.join(dir, "wrangler.json") })).message).toMatch(
      /"kv_namespaces\[0\]" needs a binding/,
    );
  });

  it("refuses a value of the wrong shape, and a binding name used twice", () => {
    expect(errorOf(() => new Durabox({ script, kvNamespaces: "NS" as never })).message).toMatch(
      /^Option "kvNamespaces" must be an array of binding names or an object of binding name to namespace id/,
    );
    expect(errorOf(() => new Durabox({ script, kvNamespaces: { NS: 1 } as never })).message).toMatch(/Option "kvNamespaces" must be/);
    expect(errorOf(() => new Durabox({ script, kvNamespaces: ["X"], bindings: { X: 1 } })).message).toBe(
      '"X" is both a KV namespace binding and a plain binding: rename one.',
    );
  });

  it("is set by --kv NAME or NAME=ID on the command line", () => {
    const args = parseCommandLine(["w.mjs", "--kv", "A", "-k", "B=b-id", "--kv-persist", "--cache-persist", "./c"]) as ServeArguments;
    expect(args.options).toMatchObject({ kvNamespaces: { A: "A", B: "b-id" }, kvPersist: true, cachePersist: "./c" });
    expect(errorOf(() => parseCommandLine(["--kv", "=x"])).message).toMatch(/--kv expects NAME or NAME=ID/);
  });

  it("getKVNamespace names the bindings there are when one is missing", async () => {
    const mf = new Durabox({ script, kvNamespaces: ["A"] });
    await expect(mf.getKVNamespace("B")).rejects.toMatchObject({
      code: "ERR_BINDING_NOT_FOUND",
      message: 'No KV namespace binding named "B". KV bindings: A.',
    });
    await mf.dispose();
  });

  it("kvPersist refuses a URL that is not Redis", () => {
    expect(errorOf(() => new Durabox({ script, kvPersist: "http://x" })).message).toBe(
      'Option "kvPersist" accepts a directory or a redis:// / rediss:// URL, got "http://x".',
    );
  });
});
