// What libraries do: cache what they derive from env in a WeakMap keyed by env.
const cache = new WeakMap<object, DurableObjectNamespace<import("../src/index").RpcObject>>();

export function cachedNamespace(env: { RPC: DurableObjectNamespace<import("../src/index").RpcObject> }) {
  let namespace = cache.get(env);
  if (!namespace) {
    namespace = env.RPC;
    cache.set(env, namespace);
  }
  return namespace;
}
