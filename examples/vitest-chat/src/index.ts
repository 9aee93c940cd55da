import { DurableObject } from "cloudflare:workers";

export interface Env {
  CHAT: DurableObjectNamespace<ChatRoom>;
}

/** What each socket keeps across hibernation (its attachment). */
interface Member {
  name: string;
}

/**
 * A chat room that hibernates: sockets are accepted with
 * ctx.acceptWebSocket(), so the room can be evicted while they stay open,
 * and the next message constructs it again. Who is who lives in each
 * socket's attachment, not in fields.
 */
export class ChatRoom extends DurableObject<Env> {
  /** How many times the class was constructed (tests read it to see hibernation). */
  static constructed = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ChatRoom.constructed++;
    // Answered by the runtime itself, without waking the room.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade") !== "websocket") {
      return new Response("Expected a WebSocket upgrade", { status: 426 });
    }
    const name = new URL(request.url).searchParams.get("name") ?? "anonymous";
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, [name]);
    server.serializeAttachment({ name } satisfies Member);
    this.broadcast(`${name} joined`, server);
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const { name } = ws.deserializeAttachment() as Member;
    const text = typeof message === "string" ? message : new TextDecoder().decode(message);
    if (text === "/who") {
      ws.send(JSON.stringify(this.members()));
      return;
    }
    const count = ((await this.ctx.storage.get<number>("messages")) ?? 0) + 1;
    await this.ctx.storage.put("messages", count);
    this.broadcast(`${name}: ${text}`);
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    const { name } = ws.deserializeAttachment() as Member;
    // Completes the close handshake (1005 and 1006 cannot be sent back).
    ws.close(code === 1005 || code === 1006 ? 1000 : code, "bye");
    this.broadcast(`${name} left`, ws);
  }

  /** Over RPC: how many messages the room has stored. */
  async messageCount(): Promise<number> {
    return (await this.ctx.storage.get<number>("messages")) ?? 0;
  }

  members(): string[] {
    return this.ctx.getWebSockets().map((ws) => (ws.deserializeAttachment() as Member).name);
  }

  broadcast(text: string, except?: WebSocket): void {
    for (const ws of this.ctx.getWebSockets()) if (ws !== except && ws.readyState === WebSocket.READY_STATE_OPEN) ws.send(text);
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const room = new URL(request.url).pathname.slice(1) || "lobby";
    return env.CHAT.getByName(room).fetch(request);
  },
} satisfies ExportedHandler<Env>;
