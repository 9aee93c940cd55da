// Tables for the terminal and for RESULTS.md.

export function formatValue(value, unit) {
  if (value === undefined || value === null) return "—";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (Array.isArray(value)) return value.join(", ");
  if (typeof value !== "number") return String(value);
  if (unit === "ops/s") return Math.round(value).toLocaleString("en-US");
  if (unit === "ms") return value >= 100 ? value.toFixed(0) : value >= 1 ? value.toFixed(2) : value.toFixed(3);
  if (unit === "%") return "±" + value.toFixed(1) + "%";
  return Number.isInteger(value) ? value.toLocaleString("en-US") : value.toFixed(1);
}

/** durabox's advantage: >1 means durabox is better, whichever way "better" points. */
export function advantage(row, d, m) {
  const a = d?.[row.key];
  const b = m?.[row.key];
  if (!row.better || typeof a !== "number" || typeof b !== "number" || a === 0 || b === 0) return undefined;
  return row.better === "higher" ? a / b : b / a;
}

export function rowsOf(workload, d, m) {
  return workload.rows.map((row) => {
    const ratio = advantage(row, d, m);
    return [
      row.label + (row.unit && row.unit !== "%" && row.unit !== "count" ? ` (${row.unit})` : ""),
      formatValue(d?.[row.key], row.unit),
      formatValue(m?.[row.key], row.unit),
      ratio === undefined ? "—" : ratio.toFixed(ratio >= 10 ? 1 : 2) + "×",
    ];
  });
}

export const HEADER = ["metric", "durabox", "Miniflare 2", "durabox advantage"];

export function textTable(rows, header = HEADER) {
  return gridText(header, rows);
}

export function markdownTable(rows, header = HEADER) {
  return gridMarkdown(header, rows);
}

/** A table with its own header, for the terminal (first column left-aligned, the rest right-aligned). */
export function gridText(header, rows) {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join("  ");
  return [line(header), widths.map((w) => "─".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** The same as a Markdown table. */
export function gridMarkdown(header, rows) {
  const line = (r) => "| " + r.join(" | ") + " |";
  return [line(header), "|" + header.map((_, i) => (i === 0 ? " --- " : " ---: ")).join("|") + "|", ...rows.map(line)].join("\n");
}

/** A transient status line on a terminal; nothing when piped. */
export function progress(text) {
  if (process.stdout.isTTY) process.stdout.write("\r" + text.padEnd(60) + "\r");
}
