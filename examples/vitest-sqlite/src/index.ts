import { DurableObject } from "cloudflare:workers";

export interface Env {
  CHAT_ROOM: DurableObjectNamespace<ChatRoom>;
}

/** A row of `messages` as history() returns it (a type alias, so it fits exec<T>'s row type). */
export type Message = {
  id: number;
  author: string;
  body: string;
};

/** A day, after which the alarm clears a room's history. */
const RETENTION_MS = 24 * 60 * 60 * 1000;

/**
 * A chat room per name, SQLite-backed (wrangler.toml: `new_sqlite_classes`):
 * messages in a table, a post counter in the synchronous key-value API, and
 * an alarm that clears the history a day after the last post.
 */
export class ChatRoom extends DurableObject<Env> {
  /** In memory only: gone when the instance is evicted. */
  postsThisSession = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // No event reaches the object before its schema exists.
    ctx.blockConcurrencyWhile(async () => {
      this.ctx.storage.sql.exec(`
        CREATE TABLE IF NOT EXISTS messages (
          id INTEGER PRIMARY KEY,
          author TEXT NOT NULL,
          body TEXT NOT NULL,
          attachment BLOB
        );
        CREATE INDEX IF NOT EXISTS messages_by_author ON messages (author);
      `);
    });
  }

  async post(author: string, body: string, attachment?: Uint8Array): Promise<number> {
    const { id } = this.ctx.storage.sql
      .exec<{ id: number }>(
        "INSERT INTO messages (author, body, attachment) VALUES (?, ?, ?) RETURNING id",
        author,
        body,
        attachment ?? null,
      )
      .one();
    // No await between the row and the counter: they commit together.
    this.ctx.storage.kv.put("posts", (this.ctx.storage.kv.get<number>("posts") ?? 0) + 1);
    this.postsThisSession++;
    await this.ctx.storage.setAlarm(Date.now() + RETENTION_MS);
    return id;
  }

  async history(): Promise<Message[]> {
    return this.ctx.storage.sql.exec<Message>("SELECT id, author, body FROM messages ORDER BY id").toArray();
  }

  async attachment(id: number): Promise<ArrayBuffer | null> {
    const row = this.ctx.storage.sql
      .exec<{ attachment: ArrayBuffer | null }>("SELECT attachment FROM messages WHERE id = ?", id)
      .toArray()[0];
    return row?.attachment ?? null;
  }

  /** Adds messages all or nothing: one that breaks a constraint leaves none of them. */
  async importMessages(messages: { author: string; body: string }[]): Promise<void> {
    this.ctx.storage.transactionSync(() => {
      for (const { author, body } of messages) {
        this.ctx.storage.sql.exec("INSERT INTO messages (author, body) VALUES (?, ?)", author, body);
      }
    });
  }

  async posts(): Promise<number> {
    return this.ctx.storage.kv.get<number>("posts") ?? 0;
  }

  async alarm(): Promise<void> {
    this.ctx.storage.sql.exec("DELETE FROM messages");
  }

  async fetch(request: Request): Promise<Response> {
    if (request.method === "POST") {
      const { author, body } = await request.json<{ author: string; body: string }>();
      return Response.json({ id: await this.post(author, body) }, { status: 201 });
    }
    return Response.json(await this.history());
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const room = new URL(request.url).pathname.slice(1) || "lobby";
    return env.CHAT_ROOM.getByName(room).fetch(request);
  },
} satisfies ExportedHandler<Env>;
