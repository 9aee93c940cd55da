// The worker as a whole: env from the wrangler file and .dev.vars (issue 19,
// item 2), SELF and exports.default, execution contexts.
import { createExecutionContext, env as testEnv, SELF, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../src/index";

describe("the worker", () => {
  it("answers through SELF", async () => {
    const response = await SELF.fetch("https://example.com/path");
    expect(await response.text()).toBe("hello from /path");
  });

  it("answers through exports.default", async () => {
    const response = await exports.default.fetch("https://example.com/other");
    expect(await response.text()).toBe("hello from /other");
  });

  it("runs its handler with an execution context", async () => {
    const ctx = createExecutionContext();
    const response = await worker.fetch(new Request("https://example.com/direct"), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await response.text()).toBe("hello from /direct");
  });
});

describe("env", () => {
  it("has the wrangler file's vars", () => {
    expect(env.PLAIN).toBe("plain var");
  });

  it(".dev.vars overrides vars", () => {
    expect(env.SECRET).toBe("from dev vars");
    expect(testEnv.SECRET).toBe("from dev vars");
  });

  it(".dev.vars adds its own keys", () => {
    expect(env.DEV_ONLY).toBe("only in .dev.vars");
  });

  it("the worker sees the same values", async () => {
    const vars = await (await SELF.fetch("https://example.com/vars")).json();
    expect(vars).toEqual({ SECRET: "from dev vars", PLAIN: "plain var", DEV_ONLY: "only in .dev.vars" });
  });
});
