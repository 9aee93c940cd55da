import type { Dispatcher, MockAgent, MockPool } from "undici";
import { nodeRequire } from "../base/node-require.js";

type Undici = typeof import("undici");

/**
 * Outbound `fetch` mocking for one test file, on undici's MockAgent: the
 * `fetchMock` of Cloudflare's test integration and Miniflare 2's
 * `getMiniflareFetchMock()`. The agent is Node's global dispatcher while the
 * file's runtime lives, so `fetch` from worker code, objects and the test
 * itself goes through it. Like Cloudflare's, it starts deactivated (requests
 * reach the network) until `activate()`; `disableNetConnect()` is the user's call.
 *
 * One of a test file's isolated states (TestRuntime's IsolationScopes):
 * each scope (describe block, test) starts with `pushLayer()`, and
 * `popLayer()` puts interceptors, activation and net-connect back as they
 * were, the way storage is rolled back. Made inside scopes, it joins them:
 * each rolls back to the fresh state.
 */
export class FetchMock {
  readonly agent: MockAgent;
  readonly #previous: Dispatcher;
  readonly #undici: Undici;
  /** Every pool the agent handed out, so their interceptors can be rolled back. */
  readonly #pools = new Set<object>();
  readonly #layers: AgentSnapshot[] = [];

  constructor() {
    // Node's own undici realm: Node's fetch reads the global dispatcher from Node's global, not a test file's.
    const undici = nodeRequire("undici") as Undici;
    this.#undici = undici;
    this.agent = new (mockAgentClass(undici, this.#pools))();
    this.agent.deactivate();
    this.#previous = undici.getGlobalDispatcher();
    undici.setGlobalDispatcher(this.agent);
  }

  pushLayer(): void {
    this.#layers.push(snapshot(this.agent, this.#pools));
  }

  popLayer(): void {
    const layer = this.#layers.pop();
    if (layer !== undefined) restore(this.agent, this.#pools, layer);
  }

  /** reset() leaves the mock as it is (Cloudflare's reset() deletes storage, not interceptors). */
  async deleteAll(): Promise<void> {}

  /** Gives the global dispatcher back (the file ends). */
  async dispose(): Promise<void> {
    if (this.#undici.getGlobalDispatcher() === this.agent) this.#undici.setGlobalDispatcher(this.#previous);
    await this.agent.close();
  }
}

/** An interceptor as undici keeps it (mock-utils' dispatch record). */
interface MockDispatch {
  method?: unknown;
  path?: unknown;
  origin?: unknown;
  consumed?: boolean;
  [key: string]: unknown;
}

interface AgentSnapshot {
  readonly active: boolean;
  readonly netConnect: unknown;
  /** Per pool: its interceptors, each with its own fields (times, consumed, invocations) as they were. */
  readonly pools: Map<object, { dispatch: MockDispatch; fields: MockDispatch }[]>;
}

/** An undici internal, found by its symbol's description (undici does not export its mock symbols). */
function internal(object: object, description: string): symbol | undefined {
  return Object.getOwnPropertySymbols(object).find((symbol) => symbol.description === description);
}

function dispatchesOf(pool: object): MockDispatch[] {
  const key = internal(pool, "dispatches");
  return key === undefined ? [] : ((pool as Record<symbol, MockDispatch[]>)[key] ?? []);
}

function snapshot(agent: MockAgent, pools: ReadonlySet<object>): AgentSnapshot {
  const netConnectKey = internal(agent, "net connect");
  return {
    active: (agent as unknown as { isMockActive: boolean }).isMockActive,
    netConnect: netConnectKey === undefined ? undefined : (agent as unknown as Record<symbol, unknown>)[netConnectKey],
    pools: new Map([...pools].map((pool) => [pool, dispatchesOf(pool).map((dispatch) => ({ dispatch, fields: { ...dispatch } }))])),
  };
}

function restore(agent: MockAgent, pools: ReadonlySet<object>, saved: AgentSnapshot): void {
  if (saved.active) agent.activate();
  else agent.deactivate();
  const netConnectKey = internal(agent, "net connect");
  if (netConnectKey !== undefined) (agent as unknown as Record<symbol, unknown>)[netConnectKey] = saved.netConnect;
  for (const pool of pools) {
    const dispatches = dispatchesOf(pool);
    const kept = saved.pools.get(pool) ?? [];
    dispatches.length = 0;
    for (const { dispatch, fields } of kept) {
      for (const key of Object.keys(dispatch)) delete dispatch[key];
      dispatches.push(Object.assign(dispatch, fields));
    }
  }
}

/** "GET https://example.com/path" per pending interceptor, for the unmatched-request message. */
function describeInterceptors(agent: MockAgent): string {
  const pending = agent.pendingInterceptors();
  if (pending.length === 0) {
    return "No interceptors are registered: add one with fetchMock.get(origin).intercept({ path }).reply(status, body).";
  }
  const lines = pending.map((interceptor) => {
    const method = typeof interceptor.method === "string" ? interceptor.method : String(interceptor.method);
    const path = typeof interceptor.path === "string" ? interceptor.path : String(interceptor.path);
    return `  ${method} ${interceptor.origin}${path}${interceptor.persist ? " (persistent)" : ""}`;
  });
  return `Registered interceptors:\n${lines.join("\n")}`;
}

/** undici's MockAgent that records its pools and says, for a request nothing matched, what was registered. */
function mockAgentClass(undici: Undici, pools: Set<object>): new () => MockAgent {
  const Base = undici.MockAgent;
  class DuraboxMockAgent extends Base {
    override get<T extends MockPool>(origin: string | RegExp | ((origin: string) => boolean)): T {
      const pool = super.get<T>(origin as string);
      pools.add(pool);
      return pool;
    }

    override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandlers): boolean {
      // undici reports an unmatched request through the handler's onError, not by throwing.
      const onError = handler.onError;
      const wrapped: Dispatcher.DispatchHandlers = Object.create(handler) as Dispatcher.DispatchHandlers;
      wrapped.onError = (error: Error) => {
        if ((error as { code?: unknown }).code === "UND_MOCK_ERR_MOCK_NOT_MATCHED") {
          error.message = `${error.message}.\n${describeInterceptors(this)}`;
        }
        onError?.call(wrapped, error);
      };
      return super.dispatch(options, wrapped);
    }
  }
  return DuraboxMockAgent;
}
