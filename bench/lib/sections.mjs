// The sections of RESULTS.md that one script each writes between its own markers. Every writer replaces only
// its own section, and a full `npm run bench` (which rewrites the rest of the file) carries the others over.
export const SECTIONS = {
  sqlite: [
    "<!-- sqlite-section: written by bench/run.mjs (npm run bench -- --only sqlite rewrites it) -->",
    "<!-- end of sqlite-section -->",
  ],
  d1: ["<!-- d1-section: written by bench/d1.mjs -->", "<!-- end of d1-section -->"],
  r2: ["<!-- r2:start -->", "<!-- r2:end -->"],
  bindings: ["<!-- bindings-section: written by node bench/bindings.mjs -->", "<!-- end of bindings-section -->"],
  websockets: [
    "<!-- websockets-section: written by bench/run.mjs (npm run bench -- --only websockets rewrites it) -->",
    "<!-- end of websockets-section -->",
  ],
  unusedFiles: ["<!-- unused-files-section: written by node bench/unused-files.mjs --write -->", "<!-- end of unused-files-section -->"],
  realSuites: ["<!-- real-suites-section: written by node bench/real-suites.mjs -->", "<!-- end of real-suites-section -->"],
};

/** The section `name` (markers included) as it stands in `text`, or undefined. */
export function sectionOf(text, name) {
  const [BEGIN, END] = SECTIONS[name];
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  return begin >= 0 && end > begin ? text.slice(begin, end + END.length) : undefined;
}

/** `text` with `section` in place of its section `name`, else before "## Reproduce", else at the end. */
export function withSection(text, name, section) {
  if (section === undefined) return text;
  const [BEGIN, END] = SECTIONS[name];
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (begin >= 0 && end > begin) return text.slice(0, begin) + section + text.slice(end + END.length);
  const reproduce = text.indexOf("## Reproduce");
  return reproduce >= 0 ? `${text.slice(0, reproduce)}${section}\n\n${text.slice(reproduce)}` : `${text.trimEnd()}\n\n${section}\n`;
}
