import { internal } from "./internal.js";
import type { IsolatedState } from "./isolated-state.js";

/**
 * The isolated states of one test scope stack, counted once: each scope
 * (describe block, test) pushes a layer on every state, its end pops them,
 * and a state made while scopes are open joins late, at the current depth,
 * so its next pop undoes only the innermost scope. Itself an IsolatedState,
 * so a list can be a member of another (a runtime's states in a test file's).
 */
export class IsolationScopes implements IsolatedState {
  readonly #states: IsolatedState[] = [];
  #depth = 0;

  /** The layers pushed and not yet popped. */
  get depth(): number {
    return this.#depth;
  }

  /** Adds `state`, pushing as many layers on it as are open now. */
  join<T extends IsolatedState>(state: T): T {
    for (let i = 0; i < this.#depth; i++) state.pushLayer();
    this.#states.push(state);
    return state;
  }

  /** Removes `state` (its layers stay as they are: it is being disposed of). */
  leave(state: IsolatedState): void {
    const at = this.#states.indexOf(state);
    if (at !== -1) this.#states.splice(at, 1);
  }

  pushLayer(): void {
    this.#depth++;
    for (const state of this.#states) state.pushLayer();
  }

  /**
   * Pops the innermost layer of every state, the latest joined first, all at
   * once (synchronously, when every state is); the promise, if any, waits for
   * the states that finish asynchronously.
   */
  popLayer(): void | Promise<void> {
    if (this.#depth === 0) throw internal("popLayer() without pushLayer()");
    this.#depth--;
    const pending = [...this.#states].reverse().flatMap((state) => {
      const popped = state.popLayer();
      return popped === undefined ? [] : [popped];
    });
    if (pending.length > 0) return Promise.all(pending).then(() => undefined);
  }

  async deleteAll(): Promise<void> {
    for (const state of this.#states) await state.deleteAll();
  }

  async dispose(): Promise<void> {
    for (const state of this.#states.splice(0)) await state.dispose();
  }
}
