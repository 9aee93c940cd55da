/**
 * Edit distance between two strings: insertions, deletions, substitutions
 * and swaps of two neighbouring characters each cost 1 (so "bindigns" is one
 * edit from "bindings").
 */
export function editDistance(a: string, b: string): number {
  // Three rows of the dynamic-programming table: two back (for swaps), one back, this one.
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, before[j - 2]! + 1);
      row.push(best);
    }
    [before, previous] = [previous, row];
  }
  return previous[b.length]!;
}

/**
 * The candidate `name` most likely meant, or undefined when none is close:
 * within about a third of its length in edits (case ignored), or one of
 * `containing` that contains it (`alarms` for `durableObjectsAlarms`). Ties
 * go to the earlier candidate.
 */
export function nearestName(name: string, candidates: readonly string[], containing: readonly string[] = candidates): string | undefined {
  const wanted = name.toLowerCase();
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const lower = candidate.toLowerCase();
    const distance = editDistance(wanted, lower);
    const allowed = Math.max(1, Math.floor(Math.max(wanted.length, lower.length) / 3));
    if (distance <= allowed && (best === undefined || distance < best.distance)) best = { candidate, distance };
  }
  if (best !== undefined || wanted.length < 4) return best?.candidate;
  // A part of the name (`alarms`): the shortest candidate containing it.
  return containing.filter((candidate) => candidate.toLowerCase().includes(wanted)).sort((a, b) => a.length - b.length)[0];
}
