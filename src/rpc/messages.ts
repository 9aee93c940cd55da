// Production's RPC errors, with workerd's exact messages (workerd api/worker-rpc.c++
// and its js-rpc-test.js; modern-api.md §1.3 and §3).

/** Serialised RPC arguments or results are limited to this many bytes (workerd MAX_JS_RPC_MESSAGE_SIZE). */
export const MAX_RPC_MESSAGE_SIZE = 32 * 1024 * 1024;

/** Names production never calls over RPC, whatever the receiver defines. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  "fetch",
  "connect",
  "alarm",
  "webSocketMessage",
  "webSocketClose",
  "webSocketError",
  "dup",
  "constructor",
]);

export function notImplemented(name: string): TypeError {
  return new TypeError(`The RPC receiver does not implement the method "${name}".`);
}

// The next two are the texts of the wrapper @cloudflare/vitest-plugin puts around the tested worker's
// Durable Objects and entrypoints (workers-sdk packages/vitest-plugin/src/worker/entrypoints.ts,
// assertRPCPropertyAccessible): every call into them in a test passes it. Keys are JSON-quoted.

/** A member neither the receiver's prototype chain nor the instance has. */
export function receiverLacks(name: string): TypeError {
  return new TypeError(`The RPC receiver does not implement ${JSON.stringify(name)}.`);
}

/** A member only the instance has (a field, an arrow function assigned in the class body or constructor). */
export function onlyOnInstance(name: string): TypeError {
  const quoted = JSON.stringify(name);
  return new TypeError(
    [
      `The RPC receiver's prototype does not implement ${quoted}, but the receiver instance does.`,
      "Only properties and methods defined on the prototype can be accessed over RPC.",
      `Ensure properties are declared like \`get ${name}() { ... }\` instead of \`${name} = ...\`,`,
      `and methods are declared like \`${name}() { ... }\` instead of \`${name} = () => { ... }\`.`,
    ].join("\n"),
  );
}

export function reserved(name: string): TypeError {
  return new TypeError(`'${name}' is a reserved method and cannot be called over RPC.`);
}

export function notAFunction(name: string): TypeError {
  return new TypeError(`"${name}" is not a function.`);
}

export function disposedStub(): Error {
  return new Error("RPC stub used after being disposed.");
}

export function tooLarge(size: number): Error {
  return new Error(`Serialized RPC arguments or return values are limited to 32MiB, but the size of this value was: ${size} bytes.`);
}

export function cannotSerialize(typeName: string): DOMException {
  return new DOMException(`Could not serialize object of type "${typeName}". This type does not support serialization.`, "DataCloneError");
}

export function proxyNotReceiver(): DOMException {
  return new DOMException(
    "Proxy could not be serialized because it is not a valid RPC receiver type. The Proxy must emulate either a plain object or an RpcTarget, as indicated by the Proxy's prototype chain.",
    "DataCloneError",
  );
}

export function cannotClone(description: string): DOMException {
  return new DOMException(`${description} could not be cloned.`, "DataCloneError");
}

export function notRpcDurableObject(): TypeError {
  return new TypeError(
    "The receiving Durable Object does not support RPC, because its class was not declared with `extends DurableObject`. " +
      'In order to enable RPC, make sure your class extends the special class `DurableObject`, which can be imported from the module "cloudflare:workers".',
  );
}
