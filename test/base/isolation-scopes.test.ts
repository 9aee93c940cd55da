import { describe, expect, it } from "vitest";
import { DuraboxError, ERROR_CODES, isSystemError, SYSTEM_ERROR_CODES, USER_ERROR_CODES } from "../../src/base/errors.js";
import { internal } from "../../src/base/internal.js";
import { IsolationScopes } from "../../src/base/isolation-scopes.js";
import type { IsolatedState } from "../../src/base/isolated-state.js";

/** A state that records what was done to it: its layers as a stack of labels. */
function recorder(log: string[], name: string): IsolatedState & { readonly layers: number } {
  let layers = 0;
  return {
    get layers() {
      return layers;
    },
    pushLayer: () => void (layers++, log.push(`${name} push`)),
    popLayer: () => void (layers--, log.push(`${name} pop`)),
    deleteAll: async () => void log.push(`${name} deleteAll`),
    dispose: async () => void log.push(`${name} dispose`),
  };
}

describe("IsolationScopes", () => {
  it("pushes and pops every state, the latest joined popped first", () => {
    const log: string[] = [];
    const scopes = new IsolationScopes();
    scopes.join(recorder(log, "a"));
    scopes.join(recorder(log, "b"));
    scopes.pushLayer();
    expect(scopes.depth).toBe(1);
    expect(scopes.popLayer()).toBeUndefined();
    expect(log).toEqual(["a push", "b push", "b pop", "a pop"]);
    expect(scopes.depth).toBe(0);
  });

  it("has a state made inside scopes join late: it gets the open layers, and a pop undoes only the innermost", () => {
    const log: string[] = [];
    const scopes = new IsolationScopes();
    scopes.pushLayer();
    scopes.pushLayer();
    const late = scopes.join(recorder(log, "late"));
    expect(late.layers).toBe(2);
    scopes.popLayer();
    expect(late.layers).toBe(1);
    scopes.leave(late);
    scopes.popLayer();
    expect(late.layers).toBe(1);
  });

  it("waits for states that pop asynchronously, having started every pop at once", async () => {
    const order: string[] = [];
    let release!: () => void;
    const scopes = new IsolationScopes();
    scopes.join({
      pushLayer() {},
      popLayer: () => new Promise<void>((resolve) => (release = () => (order.push("slow done"), resolve()))),
      deleteAll: async () => {},
      dispose: async () => {},
    });
    scopes.join({ pushLayer() {}, popLayer: () => void order.push("fast"), deleteAll: async () => {}, dispose: async () => {} });
    scopes.pushLayer();
    const popped = scopes.popLayer();
    expect(order).toEqual(["fast"]);
    release();
    await popped;
    expect(order).toEqual(["fast", "slow done"]);
  });

  it("deletes and disposes every state; a pop with no layer is durabox's own bug, ERR_INTERNAL", async () => {
    const log: string[] = [];
    const scopes = new IsolationScopes();
    scopes.join(recorder(log, "a"));
    await scopes.deleteAll();
    await scopes.dispose();
    expect(log).toEqual(["a deleteAll", "a dispose"]);
    expect(() => scopes.popLayer()).toThrow(expect.objectContaining({ code: "ERR_INTERNAL" }));
  });
});

describe("error kinds", () => {
  it("splits every code into user errors and system errors, once", () => {
    const user = Object.keys(USER_ERROR_CODES);
    const system = Object.keys(SYSTEM_ERROR_CODES);
    expect([...user, ...system].sort()).toEqual(Object.keys(ERROR_CODES).sort());
    expect(user.filter((code) => system.includes(code))).toEqual([]);
    expect(isSystemError("ERR_STORAGE")).toBe(true);
    expect(isSystemError("ERR_INTERNAL")).toBe(true);
    expect(isSystemError("ERR_OPTIONS")).toBe(false);
    expect(isSystemError("ERR_TEST_SETUP")).toBe(false);
  });

  it("internal() is an ERR_INTERNAL DuraboxError saying it is durabox's bug", () => {
    const error = internal("popLayer() without pushLayer()");
    expect(error).toBeInstanceOf(DuraboxError);
    expect(error.code).toBe("ERR_INTERNAL");
    expect(error.message).toBe("durabox internal error: popLayer() without pushLayer() (a bug in durabox: please report it)");
  });
});
