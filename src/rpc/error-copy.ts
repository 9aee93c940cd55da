import { DuraboxError } from "../base/errors.js";
import { restack } from "./error-stack.js";

/**
 * Errors as the other side of an RPC call gets them, as workerd serialises
 * them (src/workerd/jsg/ser.c++ for values and, with enhanced error
 * serialisation, for thrown errors too; jsg/value.h and jsg/util.c++ for the
 * legacy "tunneled" form of a thrown error). `copy` copies a value with the
 * RPC codec (throwing its DataCloneError). durabox's own errors pass as they
 * are.
 */

const realm = globalThis as unknown as Record<string, unknown>;
const wasm = (globalThis as unknown as { WebAssembly?: Record<string, unknown> }).WebAssembly ?? {};

/** The names whose type a legacy value copy keeps: V8's serializer reads them from the prototype. */
const PROTOTYPE_NAMES = ["EvalError", "RangeError", "ReferenceError", "SyntaxError", "TypeError", "URIError"];
/** The names enhanced serialisation rebuilds as their own type (workerd's ErrorTag); any other becomes an Error of that name. */
const TAGGED_NAMES = new Set([
  "Error",
  "TypeError",
  "RangeError",
  "ReferenceError",
  "SyntaxError",
  "EvalError",
  "URIError",
  "AggregateError",
]);
/** The types a legacy thrown error's "Name: message" text is matched against, in workerd's order (JS_ERROR_TYPES). */
const TUNNELED_TYPES = [
  "Error",
  "RangeError",
  "TypeError",
  "SyntaxError",
  "ReferenceError",
  "CompileError",
  "LinkError",
  "RuntimeError",
  "SuspendError",
  "AggregateError",
  "SuppressedError",
  "URIError",
];
const TUNNELED_PREFIXES = [...TUNNELED_TYPES, "DOMException"];

type Copy = (value: unknown) => unknown;

const tagOf = (value: object): string => Object.prototype.toString.call(value).slice(8, -1);

/** A new error of the named standard type (`name` comes from the lists above), in this realm. */
function construct(name: string, message: string): Error {
  if (name === "AggregateError") return new AggregateError([], message);
  const ctor = realm[name] ?? wasm[name];
  if (typeof ctor !== "function") return new Error(message);
  if (name === "SuppressedError") return new (ctor as new (e: unknown, s: unknown, m: string) => Error)(undefined, undefined, message);
  return new (ctor as ErrorConstructor)(message);
}

function isNativeError(value: unknown): value is Error {
  return typeof value === "object" && value !== null && tagOf(value) === "Error";
}

/** Enhanced serialisation: the name (a non-standard one as an own `name`), the message, every own property but the stack. */
function enhanced(error: Error, copy: Copy): Error {
  const name = String(Reflect.get(error, "name"));
  const message = String(Reflect.get(error, "message") ?? "");
  const own: Record<string, unknown> = {};
  for (const key of Object.getOwnPropertyNames(error)) {
    if (key === "name" || key === "message" || key === "stack" || /^(0|[1-9]\d*)$/.test(key)) continue;
    // defineProperty: an own `__proto__` key stays a key.
    Object.defineProperty(own, key, { value: Reflect.get(error, key), enumerable: true, writable: true, configurable: true });
  }
  const copied = copy(own) as Record<string, unknown>;
  const result = construct(TAGGED_NAMES.has(name) ? name : "Error", message);
  if (!TAGGED_NAMES.has(name)) Object.defineProperty(result, "name", { value: name, writable: true, configurable: true });
  for (const key of Object.keys(copied)) {
    Object.defineProperty(result, key, { value: copied[key], enumerable: true, writable: true, configurable: true });
  }
  return result;
}

/** Legacy serialisation of a value: the message, and the prototype's name for the standard types. */
function legacyValue(error: Error): Error {
  const message = String((error as { message?: unknown }).message ?? "");
  for (let proto = Object.getPrototypeOf(error) as object | null; proto !== null; proto = Object.getPrototypeOf(proto) as object | null) {
    const name = (proto.constructor as { name?: unknown } | undefined)?.name;
    if (typeof name === "string" && PROTOTYPE_NAMES.includes(name)) return construct(name, message);
  }
  return new Error(message);
}

/** workerd's trimErrorMessage: what follows ':' and spaces; nothing when the text does not start with ':'. */
function trimErrorMessage(text: string): string {
  return text.startsWith(":") ? text.slice(1).replace(/^ +/, "") : "";
}

/** The legacy form of a thrown value: its text, "Name: message", read back as the standard type it starts with. */
function tunneled(thrown: unknown): Error {
  let reason: string;
  if ((typeof thrown !== "object" && typeof thrown !== "function") || thrown === null) reason = `Error: ${String(thrown)}`;
  else {
    try {
      reason = String(thrown);
    } catch {
      reason = "Error";
    }
    if (!TUNNELED_PREFIXES.some((prefix) => reason.startsWith(prefix))) reason = `Error: ${reason}`;
  }
  for (const type of TUNNELED_TYPES) if (reason.startsWith(type)) return construct(type, trimErrorMessage(reason.slice(type.length)));
  return new Error(reason);
}

/** An error inside a value (an argument, a result). */
export function copyErrorValue(error: object, enhancedErrors: boolean, copy: Copy): unknown {
  if (error instanceof DuraboxError) return error;
  if (error instanceof DOMException) return new DOMException(error.message, error.name);
  return enhancedErrors ? enhanced(error as Error, copy) : legacyValue(error as Error);
}

/**
 * What a call's caller gets when the receiver threw `thrown`: the copy
 * above, or (legacy, or a value enhanced serialisation cannot copy) the
 * tunneled form; with `remote: true`, as workerd marks an error that came
 * over RPC, and a stack with the user's frames (error-stack.ts).
 */
export function copyThrownError(thrown: unknown, enhancedErrors: boolean, copy: Copy): unknown {
  if (thrown instanceof DuraboxError) return thrown;
  let result: object;
  if (thrown instanceof DOMException) result = new DOMException(thrown.message, thrown.name);
  else if (!enhancedErrors) result = tunneled(thrown);
  else {
    try {
      if (isNativeError(thrown)) result = enhanced(thrown, copy);
      else {
        // A thrown non-error: an object crosses as a copy; anything else as the tunneled text.
        const copied = typeof thrown === "object" && thrown !== null ? copy(thrown) : undefined;
        result = typeof copied === "object" && copied !== null ? copied : tunneled(thrown);
      }
    } catch {
      result = tunneled(thrown);
    }
  }
  (result as { remote?: boolean }).remote = true;
  markRetry(result, thrown);
  if (result instanceof Error || result instanceof DOMException) restack(result, thrown);
  return result;
}

/**
 * workerd reads a thrown object's `overloaded` and `retryable` as the kind of
 * failure (jsg/value.h: OVERLOADED before DISCONNECTED) and gives the caller's
 * error `overloaded: true` or `retryable: true` for it (jsg/util.c++), at every
 * compatibility date: what a Durable Object's own code says of its failure
 * reaches the caller deciding whether to retry.
 */
function markRetry(result: object, thrown: unknown): void {
  if ((typeof thrown !== "object" && typeof thrown !== "function") || thrown === null) return;
  let overloaded: unknown;
  let retryable: unknown;
  try {
    overloaded = Reflect.get(thrown, "overloaded");
    retryable = overloaded ? undefined : Reflect.get(thrown, "retryable");
  } catch {
    // A getter that throws says nothing: workerd's Get would fail the conversion; the error still crosses.
    return;
  }
  if (overloaded) (result as { overloaded?: boolean }).overloaded = true;
  else if (retryable) (result as { retryable?: boolean }).retryable = true;
}
