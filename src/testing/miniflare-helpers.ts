// Miniflare 2's helpers (jest-environment-miniflare's globals), with Miniflare 2's
// arguments and results: in durabox/testing and installed as globals, but not in
// the `cloudflare:test` module, which is Cloudflare's current API (helpers.ts and
// cloudflare-test.ts). Adding one is exporting it here, then naming it in both
// environments' globals.d.ts and docs/testing.md (a test checks them).
import type { MockAgent } from "undici";
import type { DurableObjectId } from "../objects/id.js";
import type { DurableObjectState } from "../objects/state.js";
import type { ObjectStorage } from "../objects/object-storage.js";
import type { DurableObjectIdLike, ProvidedEnv } from "./helpers.js";
import { currentTestRuntime } from "./registry.js";

export function getMiniflareBindings<Bindings = ProvidedEnv>(): Bindings {
  return currentTestRuntime().getBindings<Bindings>();
}

// An id may also be a string, as Miniflare 2 took: an id's hex digits, or a name of the worker's one Durable Object binding.

export async function getMiniflareDurableObjectStorage(id: DurableObjectIdLike | string): Promise<ObjectStorage> {
  return currentTestRuntime().getMiniflareStorage(id);
}

export async function getMiniflareDurableObjectState(id: DurableObjectIdLike | string): Promise<DurableObjectState> {
  return currentTestRuntime().getDurableObjectState(id);
}

export async function getMiniflareDurableObjectInstance<O = unknown>(id: DurableObjectIdLike | string): Promise<O> {
  return currentTestRuntime().getDurableObjectInstance<O>(id);
}

export async function runWithMiniflareDurableObjectGates<R>(
  state: { readonly id: DurableObjectIdLike },
  closure: () => R | Promise<R>,
): Promise<R> {
  return currentTestRuntime().runWithGates(state as DurableObjectState, closure);
}

export async function flushMiniflareDurableObjectAlarms(ids?: (DurableObjectIdLike | string)[]): Promise<void> {
  return currentTestRuntime().flushMiniflareAlarms(ids);
}

export function getMiniflareDurableObjectIds(namespace: string): Promise<DurableObjectId[]> {
  return currentTestRuntime().listDurableObjectIdsByBinding(namespace);
}

/**
 * The test file's outbound fetch mock (undici's MockAgent), active: `fetch` from workers, objects
 * and tests goes through it. Interceptors added in a test are dropped after it.
 */
export function getMiniflareFetchMock(): MockAgent {
  const agent = currentTestRuntime().fetchMock.agent;
  agent.activate();
  return agent;
}
