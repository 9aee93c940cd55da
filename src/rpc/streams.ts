import { needPlatformGlobals } from "../base/platform-globals.js";
/**
 * The I/O values RPC sends: streams (ownership moves to the receiver: the
 * sender's stream is locked to the transfer), and Request, Response and
 * Headers (rebuilt for the receiver; a body moves as a stream). Only bytes
 * flow through an RPC stream, as in production.
 */

function notBytes(): TypeError {
  return new TypeError("This ReadableStream did not return bytes.");
}

function asBytes(chunk: unknown): Uint8Array | undefined {
  if (chunk instanceof Uint8Array) return chunk;
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  return undefined;
}

export function transferReadable(stream: ReadableStream): ReadableStream<Uint8Array> {
  // getReader() throws production's TypeError for a stream that is already locked.
  const reader = stream.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) return controller.close();
      const bytes = asBytes(value);
      if (bytes === undefined) {
        const error = notBytes();
        void reader.cancel(error);
        throw error;
      }
      controller.enqueue(bytes);
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

export function transferWritable(stream: WritableStream): WritableStream {
  const writer = stream.getWriter();
  return new WritableStream({
    write(chunk) {
      const bytes = asBytes(chunk);
      if (bytes === undefined) throw notBytes();
      return writer.write(bytes);
    },
    close: () => writer.close(),
    abort: (reason) => writer.abort(reason),
  });
}

export function transferRequest(request: Request): Request {
  needPlatformGlobals();
  const body = request.body === null ? null : transferReadable(request.body);
  return new Request(request.url, {
    method: request.method,
    headers: new Headers(request.headers),
    body,
    redirect: request.redirect,
    ...(body !== null && { duplex: "half" }),
  } as RequestInit);
}

export function transferResponse(response: Response): Response {
  needPlatformGlobals();
  const body = response.body === null ? null : transferReadable(response.body);
  return new Response(body, { status: response.status, statusText: response.statusText, headers: new Headers(response.headers) });
}

export function copyHeaders(headers: Headers): Headers {
  return new Headers(headers);
}
