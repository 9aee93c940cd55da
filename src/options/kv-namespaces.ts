// kvNamespaces' two forms (Miniflare 2's array of binding names, Miniflare 3's
// record of binding name to namespace id) and wrangler's kv_namespaces, as one list.

/** The option as a record of binding name to namespace id; in the array form each name is its own id. */
export function kvRecord(value: readonly string[] | Readonly<Record<string, string>> | undefined): Record<string, string> {
  if (value === undefined) return {};
  if (Array.isArray(value)) return Object.fromEntries(value.map((name: string) => [name, name]));
  return { ...(value as Record<string, string>) };
}

export function normalizeKvNamespaces(record: Readonly<Record<string, string>>): { binding: string; id: string }[] {
  return Object.entries(record).map(([binding, id]) => ({ binding, id }));
}
