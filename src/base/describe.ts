// How error messages name a value that was refused: one place, so every
// message says "got an array", "got null", "got Map" the same way.

/** A plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The type of a value as errors name it: "number", "null", "an array", "object". */
export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value;
}

/** The type with an article, for "got a string"; objects as `objectWord` ("a table" for TOML). */
export function typeNameWithArticle(value: unknown, objectWord = "an object"): string {
  if (isRecord(value)) return objectWord;
  const name = typeName(value);
  return name === "null" || name.startsWith("an ") ? name : `a ${name}`;
}

/** An object by its class ("Map", "Date"), anything else by its type: what got passed where a value of one kind belongs. */
export function className(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return (value as { constructor?: { name?: string } }).constructor?.name ?? "object";
  return typeof value;
}
