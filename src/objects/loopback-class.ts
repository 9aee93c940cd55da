import { loopbackProps } from "../base/loopback-props.js";
import { DurableObjectNamespace } from "./namespace.js";

/**
 * What `ctx.exports.X({ props })` gives for a Durable Object class X
 * (workerd's DurableObjectClass): a class to start a facet from, whose
 * instances see those props as `ctx.props`.
 */
export class DurableObjectClassHandle {
  readonly #identity: string;
  readonly #props: Record<string, unknown>;

  /** @internal Made by a loopback namespace's call. */
  constructor(identity: string, props: Record<string, unknown>) {
    this.#identity = identity;
    this.#props = props;
  }

  get [Symbol.toStringTag](): string {
    return "DurableObjectClass";
  }

  /** @internal The class (namespace identity) and props a facet's `class` names, or undefined for another value. */
  static facetClassOf(value: unknown): { identity: string; props: Record<string, unknown> } | undefined {
    if (typeof value === "object" && value !== null && #identity in value) return { identity: value.#identity, props: value.#props };
    const namespace = typeof value === "function" ? loopbackNamespaces.get(value) : value;
    const identity = DurableObjectNamespace.identityIfNamespace(namespace);
    return identity === undefined ? undefined : { identity, props: {} };
  }
}

/** Each loopback's namespace, for DurableObjectClassHandle.facetClassOf. */
const loopbackNamespaces = new WeakMap<object, DurableObjectNamespace>();

/**
 * `ctx.exports.X` for a Durable Object class (workerd's
 * LoopbackDurableObjectNamespace): the class's namespace, and callable as
 * `X({ props })` for a class handle carrying those props.
 */
export function loopbackNamespace(
  namespace: DurableObjectNamespace,
): DurableObjectNamespace & ((options?: { props?: object }) => DurableObjectClassHandle) {
  const identity = DurableObjectNamespace.identityOf(namespace);
  const members = new Map<PropertyKey, unknown>();
  const loopback = new Proxy(function LoopbackDurableObjectNamespace() {}, {
    apply: (_target, _this, args: unknown[]) => new DurableObjectClassHandle(identity, loopbackProps(args[0])),
    get: (_target, key) => {
      if (members.has(key)) return members.get(key);
      const value: unknown = Reflect.get(namespace, key);
      const member = typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(namespace) : value;
      members.set(key, member);
      return member;
    },
    has: (_target, key) => key in namespace,
  });
  loopbackNamespaces.set(loopback, namespace);
  return loopback as unknown as DurableObjectNamespace & ((options?: { props?: object }) => DurableObjectClassHandle);
}
