type BodyInit = NonNullable<ConstructorParameters<typeof globalThis.Response>[0]>;

/** The platform Response, typed with methods and accessors so a subclass can override them. */
interface PlatformResponseShape {
  get body(): ReadableStream<Uint8Array> | null;
  get bodyUsed(): boolean;
  readonly headers: Headers;
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly type: string;
  readonly url: string;
  readonly redirected: boolean;
  text(): Promise<string>;
  json(): Promise<unknown>;
  arrayBuffer(): Promise<ArrayBuffer>;
  blob(): Promise<Blob>;
  formData(): Promise<FormData>;
  clone(): PlatformResponseShape;
}
type PlatformResponseClass = new (body?: BodyInit | null, init?: ResponseInit) => PlatformResponseShape;
const encoder = new TextEncoder();
/** Statuses whose responses must have no body: the platform rejects a body with them. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

type LazyBody = string | ArrayBuffer | ArrayBufferView;

function isLazyBody(body: unknown): body is LazyBody {
  return typeof body === "string" || body instanceof ArrayBuffer || ArrayBuffer.isView(body);
}

function toBytes(body: LazyBody): Uint8Array {
  if (typeof body === "string") return encoder.encode(body);
  if (body instanceof ArrayBuffer) return new Uint8Array(body.slice(0));
  return new Uint8Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer);
}

function unusable(): Promise<never> {
  return Promise.reject(new TypeError("Body is unusable: Body has already been read"));
}

/**
 * Made on first use: reading globalThis.Response loads Node's fetch
 * implementation (about 40 ms), which importing durabox should not cost.
 */
let workerResponse: typeof globalThis.Response | undefined;
export function workerResponseClass(): typeof globalThis.Response {
  return (workerResponse ??= defineWorkerResponse() as unknown as typeof globalThis.Response);
}

function defineWorkerResponse() {
  const PlatformResponse = globalThis.Response as unknown as PlatformResponseClass;
  /**
   * The `Response` worker code sees: the platform's own class (a subclass, so
   * `instanceof Response` holds everywhere), except that a body given as a
   * string or bytes becomes a stream only if someone asks for `.body`. On
   * Node 20 building that stream is most of the cost of `new Response("...")`;
   * reading the body with text()/json()/arrayBuffer() never needs it.
   */
  class Response extends PlatformResponse {
    /** The body as given: a string, or a private copy of the bytes. */
    #lazy: string | Uint8Array | null = null;
    #used = false;
    /** The platform response holding the body once it had to become a stream. */
    #materialized: PlatformResponseShape | undefined;

    constructor(body?: BodyInit | null, init?: ResponseInit) {
      const lazy = isLazyBody(body) && !NULL_BODY_STATUSES.has(init?.status ?? 200);
      super(lazy ? null : (body as BodyInit | null | undefined), init);
      if (!lazy) return;
      // Captured as given: later changes to a buffer must not show, as the platform copies it.
      this.#lazy = typeof body === "string" ? body : toBytes(body as LazyBody);
      if (typeof body === "string" && !this.headers.has("content-type")) {
        this.headers.set("content-type", "text/plain;charset=UTF-8");
      }
    }

    #stream(): PlatformResponseShape {
      this.#materialized ??= new PlatformResponse(this.#used ? null : (this.#lazy as BodyInit), { headers: this.headers });
      return this.#materialized;
    }

    override get body(): ReadableStream<Uint8Array> | null {
      if (this.#lazy === null) return super.body;
      return this.#stream().body;
    }

    override get bodyUsed(): boolean {
      if (this.#lazy === null) return super.bodyUsed;
      return this.#materialized ? this.#materialized.bodyUsed || this.#used : this.#used;
    }

    /** The lazy body, consumed; undefined when the platform must answer. */
    #take(): string | Uint8Array | undefined {
      if (this.#lazy === null || this.#materialized !== undefined) return undefined;
      if (this.#used) return undefined;
      this.#used = true;
      return this.#lazy;
    }

    override text(): Promise<string> {
      if (this.#lazy === null) return super.text();
      if (this.#materialized) return this.#materialized.text();
      const body = this.#take();
      if (body === undefined) return unusable();
      return Promise.resolve(typeof body === "string" ? body : new TextDecoder().decode(body));
    }

    override json(): Promise<unknown> {
      if (this.#lazy === null) return super.json();
      return this.text().then((text) => JSON.parse(text) as unknown);
    }

    override arrayBuffer(): Promise<ArrayBuffer> {
      if (this.#lazy === null) return super.arrayBuffer();
      if (this.#materialized) return this.#materialized.arrayBuffer();
      const body = this.#take();
      if (body === undefined) return unusable();
      return Promise.resolve(toBytes(body).buffer as ArrayBuffer);
    }

    /** Response.prototype.bytes(), where the platform has it. */
    bytes(): Promise<Uint8Array> {
      if (this.#lazy === null || this.#materialized) {
        const target = this.#materialized ?? this;
        const platformBytes = (PlatformResponse.prototype as { bytes?: (this: PlatformResponseShape) => Promise<Uint8Array> }).bytes;
        if (platformBytes) return platformBytes.call(target);
        return target.arrayBuffer().then((buffer) => new Uint8Array(buffer));
      }
      return this.arrayBuffer().then((buffer) => new Uint8Array(buffer));
    }

    override blob(): Promise<Blob> {
      if (this.#lazy === null) return super.blob();
      if (this.#materialized) return this.#materialized.blob();
      const type = this.headers.get("content-type") ?? "";
      return this.arrayBuffer().then((buffer) => new Blob([buffer], { type }));
    }

    override formData(): Promise<FormData> {
      if (this.#lazy === null) return super.formData();
      const response = this.#stream();
      const headers = new Headers(this.headers);
      return new PlatformResponse(response.body as BodyInit | null, { headers }).formData();
    }

    override clone(): Response {
      if (this.#lazy === null) return super.clone() as Response;
      if (this.bodyUsed) throw new TypeError("Response.clone: Body has already been consumed.");
      if (this.#materialized) {
        const [a, b] = this.#materialized.body!.tee();
        this.#materialized = new PlatformResponse(a as BodyInit);
        return new Response(b as BodyInit, { status: this.status, statusText: this.statusText, headers: this.headers });
      }
      return new Response(this.#lazy as BodyInit, { status: this.status, statusText: this.statusText, headers: this.headers });
    }
  }
  return Response;
}
