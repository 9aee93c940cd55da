import { DurableObject } from "cloudflare:workers";

interface Env {
  COUNTER: DurableObjectNamespace<Counter>;
}
interface DurableObjectNamespace<T> {
  idFromName(name: string): unknown;
  getByName(name: string): T & { fetch(request: Request): Promise<Response> };
}

/** A counter per name, incremented over HTTP or RPC, reset by an alarm. */
export class Counter extends DurableObject<Env> {
  async increment(by = 1): Promise<number> {
    const storage = (this.ctx as DurableObjectStateLike).storage;
    const value = ((await storage.get<number>("value")) ?? 0) + by;
    await storage.put("value", value);
    if ((await storage.getAlarm()) === null) await storage.setAlarm(Date.now() + 60_000);
    return value;
  }

  async fetch(request: Request): Promise<Response> {
    const by = Number(new URL(request.url).searchParams.get("by") ?? "1");
    return Response.json({ value: await this.increment(by) });
  }

  async alarm(): Promise<void> {
    await (this.ctx as DurableObjectStateLike).storage.deleteAll();
  }
}

interface DurableObjectStateLike {
  storage: {
    get<T>(key: string): Promise<T | undefined>;
    put(key: string, value: unknown): Promise<void>;
    getAlarm(): Promise<number | null>;
    setAlarm(time: number): Promise<void>;
    deleteAll(): Promise<void>;
  };
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const name = new URL(request.url).pathname.slice(1) || "default";
    return env.COUNTER.getByName(name).fetch(request);
  },
};
