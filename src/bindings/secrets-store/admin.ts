// The admin API of a Secrets Store binding, as @cloudflare/vitest-plugin declares it (types and its key only).
/**
 * The key under which a binding offers its admin API: the one
 * `@cloudflare/vitest-plugin`'s `adminSecretsStore()` calls on the bindings local
 * workerd makes, so a binding is recognised by it whichever copy of durabox made it.
 */
export const SECRETS_STORE_ADMIN = "SecretsStoreSecret::admin_api";

/** A secret of the store as the admin API lists it. */
export interface SecretsStoreListEntry {
  name: string;
  metadata?: { uuid: string };
}

/** What `adminSecretsStore(binding)` returns: writes to the binding's store, which bindings can only read. */
export interface SecretsStoreSecretAdmin {
  /** Stores the binding's secret with `value` (replacing it); resolves with its new id. */
  create(value: string): Promise<string>;
  /** Replaces the value of the secret with id `id`; resolves with the id. */
  update(value: string, id: string): Promise<string>;
  /** Copies the secret with id `id` under `newName`; resolves with the copy's id. */
  duplicate(id: string, newName: string): Promise<string>;
  delete(id: string): Promise<void>;
  list(): Promise<SecretsStoreListEntry[]>;
  /** The name of the secret with id `id`. */
  get(id: string): Promise<string>;
  [Symbol.dispose](): void;
}
