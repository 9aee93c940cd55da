// The KV and Cache API section of RESULTS.md: written by bench/bindings.mjs between these markers, and
// carried over unchanged when bench/run.mjs rewrites the rest of the file.
export const BINDINGS_BEGIN = "<!-- bindings-section: written by node bench/bindings.mjs -->";
export const BINDINGS_END = "<!-- end of bindings-section -->";

/** The section (markers included) as it stands in `text`, or undefined. */
export function bindingsSection(text) {
  const begin = text.indexOf(BINDINGS_BEGIN);
  const end = text.indexOf(BINDINGS_END);
  return begin >= 0 && end > begin ? text.slice(begin, end + BINDINGS_END.length) + "\n" : undefined;
}

/** `text` with `section` in place of its bindings section, else before "## Reproduce", else at the end. */
export function withBindingsSection(text, section) {
  if (section === undefined) return text;
  const begin = text.indexOf(BINDINGS_BEGIN);
  const end = text.indexOf(BINDINGS_END);
  if (begin >= 0 && end > begin) return text.slice(0, begin) + section + text.slice(end + BINDINGS_END.length + 1);
  const reproduce = text.indexOf("## Reproduce");
  return reproduce >= 0 ? text.slice(0, reproduce) + section + "\n" + text.slice(reproduce) : text + "\n" + section;
}
