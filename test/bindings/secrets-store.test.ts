import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { TestRuntime } from "../../src/testing/test-runtime.js";
import { registerTestRuntime } from "../../src/testing/registry.js";
import { adminSecretsStore } from "../../src/cloudflare-test.js";
import { Durabox } from "../../src/index.js";

// Worker code reads the secret inside a Durable Object, as production code does.
const script = `
  import { DurableObject } from "cloudflare:workers";
  export class Reader extends DurableObject {
    async read() {
      try { return await this.env.API_KEY.get(); } catch (error) { return error.constructor.name + ": " + error.message; }
    }
  }
  export default { fetch: () => new Response("ok") };`;
const secrets = {
  API_KEY: { store_id: "store-1", secret_name: "api-key" },
  SAME_STORE: { store_id: "store-1", secret_name: "other" },
  OTHER_STORE: { store_id: "store-2", secret_name: "api-key" },
};

type Secret = { get(): Promise<string> };
let runtime: TestRuntime | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await runtime?.dispose();
  runtime = undefined;
  registerTestRuntime(globalThis, undefined);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function start(options: object = {}): Record<string, Secret> & { READER: { getByName(n: string): { read(): Promise<string> } } } {
  runtime = new TestRuntime({ script, secretsStoreSecrets: secrets, durableObjects: { READER: "Reader" }, ...options });
  registerTestRuntime(globalThis, runtime);
  return runtime.env as never;
}

describe("Secrets Store bindings", () => {
  it("get() rejects with local workerd's message until the secret exists, then returns it, inside objects too", async () => {
    const env = start();
    await expect(env.API_KEY!.get()).rejects.toThrow(new Error('Secret "api-key" not found'));
    expect(await env.READER.getByName("a").read()).toBe('Error: Secret "api-key" not found');
    using admin = adminSecretsStore(env.API_KEY!);
    const id = await admin.create("s3cret");
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(await env.API_KEY!.get()).toBe("s3cret");
    expect(await env.READER.getByName("a").read()).toBe("s3cret");
    // Another name in the same store, and the same name in another store, are other secrets.
    await expect(env.SAME_STORE!.get()).rejects.toThrow('Secret "other" not found');
    await expect(env.OTHER_STORE!.get()).rejects.toThrow('Secret "api-key" not found');
  });

  it("the admin API updates, duplicates, lists, names and deletes secrets by id; unknown ids are refused", async () => {
    const env = start();
    const admin = adminSecretsStore(env.API_KEY!);
    const id = await admin.create("v1");
    expect(await admin.update("v2", id)).toBe(id);
    expect(await env.API_KEY!.get()).toBe("v2");
    const copy = await admin.duplicate(id, "other");
    expect(copy).not.toBe(id);
    // The binding of the copied name, in the same store, reads the copy.
    expect(await env.SAME_STORE!.get()).toBe("v2");
    expect(await admin.get(copy)).toBe("other");
    expect(await admin.list()).toEqual([
      { name: "api-key", metadata: { uuid: id } },
      { name: "other", metadata: { uuid: copy } },
    ]);
    // Bindings of one store share it: another binding's admin API sees the same secrets.
    expect((await adminSecretsStore(env.SAME_STORE!).list()).map((s) => s.name)).toEqual(["api-key", "other"]);
    expect(await adminSecretsStore(env.OTHER_STORE!).list()).toEqual([]);
    await admin.delete(id);
    await expect(env.API_KEY!.get()).rejects.toThrow('Secret "api-key" not found');
    for (const call of [() => admin.update("x", id), () => admin.duplicate(id, "n"), () => admin.delete(id), () => admin.get(id)]) {
      await expect(call()).rejects.toThrow(new Error("Secret not found"));
    }
    await expect(admin.create(42 as never)).rejects.toThrow("adminSecretsStore(): create() expects value to be a string, got number.");
  });

  it("adminSecretsStore() refuses what is not a Secrets Store binding, with the plugin's message", () => {
    const env = start({ kvNamespaces: ["KV"] });
    for (const value of [undefined, null, "x", env.KV, { get: async () => "x" }]) {
      expect(() => adminSecretsStore(value as never)).toThrow(
        new TypeError("Failed to execute 'adminSecretsStore': parameter 1 is not a secrets store binding."),
      );
    }
  });

  it("rolls secrets back with each test scope; reset() deletes them", async () => {
    const env = start();
    const admin = adminSecretsStore(env.API_KEY!);
    runtime!.enterScope(); // a describe block's beforeAll
    await admin.create("block");
    runtime!.enterScope(); // a test
    const id = (await admin.list())[0]!.metadata!.uuid;
    await admin.update("test", id);
    await admin.duplicate(id, "other");
    expect(await env.API_KEY!.get()).toBe("test");
    await runtime!.exitScope();
    expect(await env.API_KEY!.get()).toBe("block");
    await expect(env.SAME_STORE!.get()).rejects.toThrow("not found");
    await runtime!.reset();
    await expect(env.API_KEY!.get()).rejects.toThrow("not found");
    await runtime!.exitScope();
  });

  it("persists secrets to a directory (secretsStorePersist), found again by the next runtime", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "durabox-secrets-"));
    dirs.push(dir);
    const first = new Durabox({ script, secretsStoreSecrets: secrets, secretsStorePersist: dir });
    const binding = (await first.getBindings<Record<string, Secret>>()).API_KEY!;
    await adminSecretsStore(binding).create("kept");
    await first.dispose();
    const second = new Durabox({ script, secretsStoreSecrets: secrets, secretsStorePersist: dir });
    expect(await (await second.getBindings<Record<string, Secret>>()).API_KEY!.get()).toBe("kept");
    await second.dispose();
  });
});

describe("Secrets Store options", () => {
  it("reads wrangler's secrets_store_secrets; the option wins binding by binding", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "durabox-secrets-config-"));
    dirs.push(dir);
    writeFileSync(path.join(dir, "worker.mjs"), "export default { fetch: () => new Response('ok') };");
    writeFileSync(
      path.join(dir, "wrangler.jsonc"),
      JSON.stringify({
        main: "worker.mjs",
        secrets_store_secrets: [
          { binding: "A", store_id: "s", secret_name: "a" },
          { binding: "B", store_id: "s", secret_name: "b" },
        ],
      }),
    );
    const mf = new Durabox({
      wranglerConfigPath: path.join(dir, "wrangler.jsonc"),
      secretsStoreSecrets: { B: { store_id: "s", secret_name: "a" } },
    });
    const env = await mf.getBindings<Record<string, Secret>>();
    await adminSecretsStore(env.A!).create("one");
    expect(await env.B!.get()).toBe("one");
    await mf.dispose();

    writeFileSync(
      path.join(dir, "wrangler.jsonc"),
      JSON.stringify({ main: "worker.mjs", secrets_store_secrets: [{ binding: "A", store_id: "s" }] }),
    );
    expect(() => new Durabox({ wranglerConfigPath: path.join(dir, "wrangler.jsonc") })).toThrow(
      '"secrets_store_secrets[0]" needs a binding, a store_id and a secret_name, like { binding = "API_KEY", store_id = "<store id>", secret_name = "api-key" }.',
    );
  });

  it("refuses a malformed option, naming the field and what is allowed", () => {
    expect(() => new Durabox({ script, secretsStoreSecrets: { A: { store_id: "s" } as never } })).toThrow(
      "secretsStoreSecrets.A.secret_name must be a non-empty string, got undefined.",
    );
    expect(() => new Durabox({ script, secretsStoreSecrets: { A: { store_id: "", secret_name: "n" } } })).toThrow(
      "secretsStoreSecrets.A.store_id must be a non-empty string, got an empty string.",
    );
    expect(() => new Durabox({ script, secretsStoreSecrets: { A: { store_id: "s", secret_name: "n", storeId: "x" } as never } })).toThrow(
      /Unknown option "secretsStoreSecrets\.A\.storeId"/,
    );
    expect(() => new Durabox({ script, secretsStoreSecrets: ["A"] as never })).toThrow(/secretsStoreSecrets/);
    expect(() => new Durabox({ script, secretsStoreSecrets: { A: { store_id: "s", secret_name: "n" } }, kvNamespaces: ["A"] })).toThrow(
      '"A" is both a Secrets Store binding and a KV namespace binding: rename one.',
    );
  });
});
