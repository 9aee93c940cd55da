/**
 * A chat room worker for the WebSocket tests: `/?room=R&name=N&tag=T`
 * upgrades into room R's object, which accepts the socket for hibernation
 * (tags [N, ...T], attachment { name }); `/plain` accepts it with accept()
 * and echoes. Module-level counters (read at `/stats` without touching the
 * object) show when the object is constructed and which handlers ran.
 */
export const roomScript = `
  import { DurableObject } from "cloudflare:workers";
  const stats = { constructed: 0, messages: 0, closes: [], errors: [] };

  export class Room extends DurableObject {
    constructor(ctx, env) {
      super(ctx, env);
      stats.constructed++;
      this.instance = stats.constructed;
    }

    async fetch(request) {
      if (request.headers.get("Upgrade") !== "websocket") return new Response("expected a WebSocket upgrade", { status: 426 });
      const url = new URL(request.url);
      const name = url.searchParams.get("name") ?? "anon";
      const { 0: client, 1: server } = new WebSocketPair();
      if (url.pathname === "/plain") {
        server.accept();
        server.addEventListener("message", (event) => server.send("echo:" + event.data));
        server.addEventListener("close", (event) => stats.closes.push({ plain: true, code: event.code, readyState: server.readyState }));
      } else {
        this.ctx.acceptWebSocket(server, [name, ...url.searchParams.getAll("tag")]);
        server.serializeAttachment({ name });
        if (url.searchParams.has("auto")) this.ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
      }
      if (url.searchParams.has("slow")) await new Promise((resolve) => setTimeout(resolve, Number(url.searchParams.get("slow"))));
      return new Response(null, { status: 101, webSocket: client });
    }

    webSocketMessage(ws, message) {
      stats.messages++;
      const { name } = ws.deserializeAttachment();
      if (message === "whoami") {
        ws.send(JSON.stringify({ name, instance: this.instance, tags: this.ctx.getTags(ws), sockets: this.ctx.getWebSockets().length }));
      } else if (typeof message === "string" && message.startsWith("flood ")) {
        const chunk = "x".repeat(1 << 20);
        for (let i = 0; i < Number(message.slice(6)); i++) ws.send(chunk);
      } else if (message === "bye") {
        ws.close(4001, "asked to leave");
      } else if (typeof message !== "string") {
        ws.send(message);
      } else {
        for (const peer of this.ctx.getWebSockets()) peer.send(name + ": " + message);
      }
    }

    webSocketClose(ws, code, reason, wasClean) {
      stats.closes.push({ code, reason, wasClean, readyState: ws.readyState, name: ws.deserializeAttachment()?.name ?? null });
      ws.close(code === 1005 || code === 1006 ? 1000 : code, "goodbye");
    }

    sockets() {
      return this.ctx.getWebSockets().length;
    }

    webSocketError(ws, error) {
      stats.errors.push(String(error));
    }
  }

  export default {
    async fetch(request, env) {
      const url = new URL(request.url);
      if (url.pathname === "/stats") return Response.json(stats);
      if (url.pathname === "/count") return new Response(String(await env.ROOM.get(env.ROOM.idFromName(url.searchParams.get("room") ?? "lobby")).sockets()));
      const room = env.ROOM.get(env.ROOM.idFromName(url.searchParams.get("room") ?? "lobby"));
      return room.fetch(request);
    }
  };
`;

export interface RoomStats {
  constructed: number;
  messages: number;
  closes: { code: number; reason: string; wasClean: boolean; readyState: number; name: string | null; plain?: boolean }[];
  errors: string[];
}
