import { peekRealmShared, realmShared } from "./shared-state.js";

/**
 * The Workers forms of the globals Node makes from its fetch implementation (`Response`, `Request`), put in
 * place only when durabox first needs that implementation. Node 22+ defines them (and `WebSocket`) so that
 * any touch, even reading a descriptor, loads it: 75-85 ms of CPU and 17 MB in a fresh Node 24 process,
 * which a test file whose objects answer only RPC never needs. A test environment defers its installers
 * here; durabox runs them (once, in order) before a request or response is made or delivered: a stub's or
 * a worker's fetch, a WebSocketPair, a Request or Response crossing RPC, the test's first read of `fetch`.
 * Kept per realm (a test file's global), shared by every copy of durabox in it.
 */
const INSTALLERS = "platformGlobalInstallers";

export function deferPlatformGlobals(global: object, install: () => void): void {
  realmShared<(() => void)[]>(INSTALLERS, () => [], global).push(install);
}

/** Runs what was deferred for `global`'s realm, if anything: durabox is about to use Node's fetch classes. */
export function needPlatformGlobals(global: object = globalThis): void {
  const installers = peekRealmShared<(() => void)[]>(INSTALLERS, global);
  if (installers === undefined || installers.length === 0) return;
  for (const install of installers.splice(0)) install();
}
