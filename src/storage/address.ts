/** Which object's data: the namespace's identity and the object's hex id. */
export interface ObjectAddress {
  readonly namespace: string;
  readonly id: string;
}

/**
 * The one string form of an address, for maps keyed by object (and Redis
 * key names). NUL cannot occur in a namespace identity or a hex id, so two
 * addresses never share a key.
 */
export function addressKey(address: ObjectAddress): string {
  return `${address.namespace}\u0000${address.id}`;
}

/** The address an addressKey() was made from. */
export function addressFromKey(key: string): ObjectAddress {
  const at = key.indexOf("\u0000");
  return { namespace: key.slice(0, at), id: key.slice(at + 1) };
}
