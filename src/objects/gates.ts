import { realNextTick as nextTick } from "../base/clock.js";

const resolved = Promise.resolve();

/** Runs `fn` once the microtask queue now running has drained, before any I/O or timer. */
function afterMicrotasks(fn: () => void): void {
  // A tick queued from inside a microtask runs only after the whole microtask
  // queue (including what it queues) has drained. (A promise reaction rather
  // than queueMicrotask, which costs an async resource per call on Node 20.)
  void resolved.then(() => nextTick(fn));
}

/**
 * Production's input gate: while a storage operation is in flight (and until
 * the code awaiting it has run on), no new event is delivered to the object.
 * Events are admitted one at a time, in arrival order, each only after the
 * previous one's synchronous work and microtasks have run, as the Workers
 * event loop would; storage calls themselves never wait on the gate.
 */
export class InputGate {
  #locks = 0;
  /** Something happened in this microtask drain: admit nothing new until it ends, unless nothing is running. */
  #settling = false;
  /** Events admitted and not finished (leave() not called yet). */
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  /**
   * Admits an event: undefined when it may start now, otherwise a promise
   * that resolves when its turn comes. Each admitted event calls leave()
   * once it has finished.
   */
  enter(): Promise<void> | undefined {
    // An idle object (no event admitted and unfinished, no storage operation
    // in flight, nobody waiting) admits at once even within the drain that
    // finished the last event: there is no running event whose microtasks the
    // new one could overtake, and waiting for the drain's end would cost each
    // sequential call a tick.
    if (this.#locks === 0 && this.#waiting.length === 0 && (!this.#settling || this.#active === 0)) {
      this.#active++;
      this.#settle();
      return undefined;
    }
    return new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  /** An admitted event finished (its result delivered or its failure thrown). */
  leave(): void {
    this.#active--;
  }

  /** Closes the gate until `settled` settles and the code awaiting it has run. */
  closeUntil(settled: Promise<unknown>): void {
    this.#locks++;
    const reopen = (): void => {
      this.#locks--;
      this.#settle();
    };
    settled.then(reopen, reopen);
  }

  /**
   * Lets every waiting event through at once, for an instance that was
   * reset: each then fails with the reset's error instead of waiting for a
   * lock (a blockConcurrencyWhile that never settles) that no longer matters.
   */
  releaseAll(): void {
    for (const next of this.#waiting.splice(0)) {
      this.#active++;
      next();
    }
  }

  /** Keeps the gate shut until the current microtask drain ends (one check per drain). */
  #settle(): void {
    if (this.#settling) return;
    this.#settling = true;
    afterMicrotasks(() => {
      this.#settling = false;
      this.#release();
    });
  }

  #release(): void {
    if (this.#locks > 0 || this.#settling) return;
    const next = this.#waiting.shift();
    if (next === undefined) return;
    this.#active++;
    this.#settle();
    next();
  }
}

/**
 * Production's output gate: a response (or any message leaving the object)
 * is held until every write made before it has been confirmed. One gate per
 * object, as in workerd. A write that fails breaks the gate: what was waiting
 * fails with the write's error.
 */
export class OutputGate {
  readonly #pending = new Set<Promise<unknown>>();
  /** Set once a write failed: the gate stays broken (the instance is reset), so nothing waiting on it leaves. */
  #broken: { error: unknown } | undefined;

  /** A write failed (a commit the disk refused): every message waiting now or later fails with `error`. */
  break(error: unknown): void {
    this.#broken ??= { error };
  }

  /** Holds outgoing messages until `write` is confirmed. */
  track(write: Promise<unknown>): void {
    this.#pending.add(write);
    const done = (): boolean => this.#pending.delete(write);
    write.then(done, done);
  }

  /**
   * Whether every write pending now gets confirmed (false: one failed), for
   * a message that must not leave before the writes made ahead of it; later
   * writes do not hold it. Undefined when nothing is pending.
   */
  confirmedSoFar(): Promise<boolean> | undefined {
    if (this.#broken !== undefined) return Promise.resolve(false);
    if (this.#pending.size === 0) return undefined;
    return Promise.all([...this.#pending]).then(
      () => true,
      () => false,
    );
  }

  /** Undefined when nothing is pending, so the common case costs no await. */
  waitForConfirmed(): Promise<void> | undefined {
    if (this.#broken !== undefined) return Promise.reject(this.#broken.error);
    if (this.#pending.size === 0) return undefined;
    return this.#drain();
  }

  async #drain(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all(this.#pending);
    if (this.#broken !== undefined) throw this.#broken.error;
  }
}
