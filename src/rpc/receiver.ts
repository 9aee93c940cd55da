import { types } from "node:util";
import { DurableObject, isRpcReceiver, RpcTarget } from "./classes.js";
import { notImplemented, onlyOnInstance, RESERVED_NAMES, receiverLacks, reserved } from "./messages.js";
import { stubState, type StubState } from "./registry.js";

/**
 * Which members of a value an RPC caller may reach (workerd's rules):
 * - a class-based receiver (a Durable Object, a WorkerEntrypoint, an
 *   RpcTarget): what its prototype chain defines, methods and getters, never
 *   its own instance properties (`env`, `ctx`, fields) nor Object.prototype's;
 *   production's reserved names are refused. The Durable Object or
 *   entrypoint a call starts at answers as the plugin's wrapper around it
 *   does (see receiverMember);
 * - a plain object, an array or a function: its own properties;
 * - anything else (an instance of another class, a null-prototype object, a
 *   promise): nothing.
 */
type Reach = "class" | "own" | "none";

export function isPlainPrototype(proto: object | null): boolean {
  // Object.prototype of any realm: its own prototype is null and its constructor is Object.
  return (
    proto !== null &&
    Object.getPrototypeOf(proto) === null &&
    typeof proto.constructor === "function" &&
    proto.constructor.name === "Object"
  );
}

function reachOf(holder: unknown): Reach {
  if (typeof holder === "function") return "own";
  if (typeof holder !== "object" || holder === null) return "none";
  if (holder instanceof RpcTarget || isRpcReceiver(holder)) return "class";
  if (Array.isArray(holder) || isPlainPrototype(Object.getPrototypeOf(holder) as object | null)) return "own";
  return "none";
}

/** Per prototype, which names its chain makes reachable: classes do not change their methods between calls. */
const classMembers = new WeakMap<object, Map<string, boolean>>();

function visible(holder: object, reach: Reach, name: string, proxy = reach === "class" && types.isProxy(holder)): boolean {
  if (reach === "own") return Object.prototype.hasOwnProperty.call(holder, name);
  // A Proxy presenting an RpcTarget: workerd reads the member through it (not own, not Object.prototype's value).
  if (proxy) {
    return !Object.prototype.hasOwnProperty.call(holder, name) && Reflect.get(holder, name) !== Reflect.get(Object.prototype, name);
  }
  const prototype = Object.getPrototypeOf(holder) as object | null;
  if (prototype === null) return false;
  let members = classMembers.get(prototype);
  if (members === undefined) classMembers.set(prototype, (members = new Map()));
  let answer = members.get(name);
  if (answer === undefined) members.set(name, (answer = onPrototypeChain(prototype, name)));
  return answer;
}

function onPrototypeChain(prototype: object, name: string): boolean {
  for (let proto: object | null = prototype; proto !== null; proto = Object.getPrototypeOf(proto) as object | null) {
    if (Object.getPrototypeOf(proto) === null) return false; // Object.prototype: toString, hasOwnProperty, ... are not RPC methods
    if (Object.prototype.hasOwnProperty.call(proto, name)) return true;
  }
  return false;
}

export type Resolved =
  /** The member reached, and the object it was read from (`this` for a call). */
  | { readonly kind: "value"; readonly holder: unknown; readonly value: unknown; readonly name: string | undefined }
  /** The path goes through a stub: the rest of it is that stub's call. */
  | { readonly kind: "forward"; readonly stub: StubState; readonly rest: readonly string[] };

/**
 * The member `name` of the Durable Object or WorkerEntrypoint a call starts
 * at, as the plugin's wrapper reads it (assertRPCPropertyAccessible, then the
 * prototype's member with `this` the instance): a name on no prototype is
 * "not implemented", or "only on the instance" when the instance has it; a
 * Durable Object's own property shadowing a prototype method is refused with
 * workerd's message, an entrypoint's is passed over for the prototype's.
 */
export function receiverMember(receiver: object, name: string): unknown {
  // The common case: an ordinary receiver, a name its prototype chain defines and that is not reserved.
  const prototype = Object.getPrototypeOf(receiver) as object | null;
  if (prototype !== null && callableOnPrototype(prototype, name) && !types.isProxy(receiver)) {
    if (!(receiver instanceof DurableObject)) return Reflect.get(prototype, name, receiver);
    if (Object.prototype.hasOwnProperty.call(receiver, name)) throw notImplemented(name);
    // No own property of that name: the same read as from the prototype with `this` the receiver.
    return (receiver as unknown as Record<string, unknown>)[name];
  }
  return unusualReceiverMember(receiver, name);
}

/** Per prototype, the names a receiver's caller may reach there: on its chain (not Object.prototype's) and not reserved. */
const receiverMembers = new WeakMap<object, Map<string, boolean>>();

function callableOnPrototype(prototype: object, name: string): boolean {
  let members = receiverMembers.get(prototype);
  if (members === undefined) receiverMembers.set(prototype, (members = new Map()));
  let answer = members.get(name);
  if (answer === undefined) members.set(name, (answer = !RESERVED_NAMES.has(name) && onPrototypeChain(prototype, name)));
  return answer;
}

/** receiverMember() for a reserved name, a name on no prototype, or a Proxy: production's errors, or the read through the Proxy. */
function unusualReceiverMember(receiver: object, name: string): unknown {
  if (RESERVED_NAMES.has(name)) throw reserved(name);
  const prototype = Object.getPrototypeOf(receiver) as object | null;
  const proxy = types.isProxy(receiver);
  if (prototype === null || !visible(receiver, "class", name, proxy)) {
    // Object.prototype's members reach workerd's own check before the wrapper's.
    if (name in Object.prototype) throw notImplemented(name);
    throw name in receiver ? onlyOnInstance(name) : receiverLacks(name);
  }
  if (receiver instanceof DurableObject && Object.prototype.hasOwnProperty.call(receiver, name)) throw notImplemented(name);
  // A constructor that returned a Proxy: workerd reads the member through it (its get trap may bind the real instance).
  if (proxy) return Reflect.get(receiver, name);
  return Reflect.get(prototype, name, receiver);
}

/** Follows `path` from `root` under the rules above; throws production's errors. */
export function resolvePath(root: unknown, path: readonly string[]): Resolved {
  let holder = root;
  for (let i = 0; i < path.length; i++) {
    const stub = stubState(holder);
    if (stub !== undefined) return { kind: "forward", stub, rest: path.slice(i) };
    const name = path[i]!;
    if (i === 0 && isRpcReceiver(holder)) {
      const value = receiverMember(holder as object, name);
      if (path.length === 1) return { kind: "value", holder, value, name };
      holder = value;
      continue;
    }
    const reach = reachOf(holder);
    // A member of something that cannot be reached into: production names the member that led there.
    if (reach === "none") throw notImplemented(i === 0 ? name : path[i - 1]!);
    if (reach === "class" && RESERVED_NAMES.has(name)) throw reserved(name);
    if (!visible(holder as object, reach, name)) throw notImplemented(name);
    const value: unknown = Reflect.get(holder as object, name);
    if (i === path.length - 1) return { kind: "value", holder, value, name };
    holder = value;
  }
  const stub = stubState(root);
  if (stub !== undefined) return { kind: "forward", stub, rest: [] };
  return { kind: "value", holder: undefined, value: root, name: undefined };
}
