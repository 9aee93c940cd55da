// A unified diff of two texts, line by line, as `git diff` prints it: what
// `durabox init` shows before it changes a project's files. Config files are
// small, so a longest-common-subsequence table is enough.

const CONTEXT = 3;

type Line = { readonly kind: " " | "-" | "+"; readonly text: string };

function lineEdits(before: readonly string[], after: readonly string[]): Line[] {
  const n = before.length;
  const m = after.length;
  // common[i][j]: the longest common subsequence of before[i..] and after[j..].
  const common = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      common[i]![j] = before[i] === after[j] ? common[i + 1]![j + 1]! + 1 : Math.max(common[i + 1]![j]!, common[i]![j + 1]!);
    }
  }
  const lines: Line[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && before[i] === after[j]) {
      lines.push({ kind: " ", text: before[i++]! });
      j++;
    } else if (i < n && (j === m || common[i + 1]![j]! >= common[i]![j + 1]!)) lines.push({ kind: "-", text: before[i++]! });
    else lines.push({ kind: "+", text: after[j++]! });
  }
  return lines;
}

const splitLines = (text: string | undefined): string[] => (text === undefined || text === "" ? [] : text.replace(/\n$/, "").split("\n"));

/**
 * The diff of one file: `before` undefined for a new file, `after` undefined
 * for a removed one. Empty when nothing changes.
 */
export function unifiedDiff(file: string, before: string | undefined, after: string | undefined): string {
  const lines = lineEdits(splitLines(before), splitLines(after));
  if (lines.every((line) => line.kind === " ")) return "";
  const out = [`--- ${before === undefined ? "/dev/null" : `a/${file}`}`, `+++ ${after === undefined ? "/dev/null" : `b/${file}`}`];
  // Hunks: each change with CONTEXT lines around it, neighbours merged.
  const changed = lines.flatMap((line, index) => (line.kind === " " ? [] : [index]));
  let k = 0;
  while (k < changed.length) {
    const first = Math.max(0, changed[k]! - CONTEXT);
    let last = changed[k]!;
    while (k + 1 < changed.length && changed[k + 1]! - last <= 2 * CONTEXT) last = changed[++k]!;
    k++;
    const end = Math.min(lines.length, last + CONTEXT + 1);
    const hunk = lines.slice(first, end);
    const oldStart = lines.slice(0, first).filter((line) => line.kind !== "+").length;
    const newStart = lines.slice(0, first).filter((line) => line.kind !== "-").length;
    const oldCount = hunk.filter((line) => line.kind !== "+").length;
    const newCount = hunk.filter((line) => line.kind !== "-").length;
    out.push(`@@ -${oldCount === 0 ? oldStart : oldStart + 1},${oldCount} +${newCount === 0 ? newStart : newStart + 1},${newCount} @@`);
    for (const line of hunk) out.push(`${line.kind}${line.text}`);
  }
  return `${out.join("\n")}\n`;
}
