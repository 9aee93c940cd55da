import { DurableObject } from "cloudflare:workers";
import { greet } from "./greeting";

export interface Env {
  COUNTER: DurableObjectNamespace<Counter>;
  GREETING: string;
}

/** A counter per name: increments over HTTP or RPC, resets itself with an alarm. */
export class Counter extends DurableObject<Env> {
  /** In memory only: gone when the instance is evicted. */
  calls = 0;

  async increment(by = 1): Promise<number> {
    this.calls++;
    const value = ((await this.ctx.storage.get<number>("value")) ?? 0) + by;
    await this.ctx.storage.put("value", value);
    return value;
  }

  /** Increments, then tells `log` (an RpcTarget the caller sent: calls on it go back to the caller) the new value. */
  async incrementAndLog(log: { record(value: number): unknown }): Promise<number> {
    const value = await this.increment();
    await log.record(value);
    return value;
  }

  /** Increments `times` times, calling `onValue` (a function the caller sent, called back over RPC) after each. */
  async countWith(times: number, onValue: (value: number) => unknown): Promise<void> {
    for (let i = 0; i < times; i++) await onValue(await this.increment());
  }

  async scheduleReset(inMs: number): Promise<void> {
    await this.ctx.storage.setAlarm(Date.now() + inMs);
  }

  async alarm(): Promise<void> {
    await this.ctx.storage.delete("value");
  }

  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/greet") return new Response(greet(this.ctx.id.name ?? "anonymous", this.env.GREETING));
    const value = await this.increment(Number(url.searchParams.get("by") ?? "1"));
    return Response.json({ value, calls: this.calls });
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const name = new URL(request.url).searchParams.get("name") ?? "default";
    return env.COUNTER.getByName(name).fetch(request);
  },
} satisfies ExportedHandler<Env>;
