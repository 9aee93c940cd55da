import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/**
 * The relative links and `#anchors` of Markdown pages, checked the way GitHub
 * renders them: a link's file must exist, and its anchor must be the slug of
 * a heading of that page (or an explicit `id`/`name`).
 */

/** The text with fenced code blocks blanked (line numbers kept): nothing in them is a heading or a link. */
export function withoutFences(markdown: string): string {
  let fence: string | undefined;
  return markdown
    .split("\n")
    .map((line) => {
      const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
      if (fence === undefined) {
        if (marker === undefined) return line;
        fence = marker;
      } else if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker)
        fence = undefined;
      return "";
    })
    .join("\n");
}

/** The text with fenced code blocks and code spans taken out (links there are not links). */
export function withoutCode(markdown: string): string {
  return withoutFences(markdown)
    .replace(/``[^`][\s\S]*?``/g, "``")
    .replace(/`[^`\n]*`/g, "``");
}

/** GitHub's anchor for a heading's Markdown text (before the -1, -2 of repeats). */
export function githubSlug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // links and images: their text
    .replace(/<[^>]+>/g, "") // HTML tags
    .replace(/`/g, "")
    .replace(/(\*\*|__|\*)/g, "");
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

/** Every anchor a page has: its headings' slugs (repeats numbered as GitHub numbers them) and explicit ids. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const counts = new Map<string, number>();
  for (const line of withoutFences(markdown).split("\n")) {
    const heading = /^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/.exec(line)?.[1];
    if (heading !== undefined) {
      const slug = githubSlug(heading);
      const seen = counts.get(slug) ?? 0;
      counts.set(slug, seen + 1);
      anchors.add(seen === 0 ? slug : `${slug}-${seen}`);
    }
    for (const [, id] of line.matchAll(/<[a-z][^>]*\s(?:id|name)="([^"]+)"/gi)) anchors.add(id!);
  }
  return anchors;
}

export interface Link {
  /** The page the link is on, relative to the root. */
  readonly from: string;
  /** Its line, 1-based. */
  readonly line: number;
  readonly target: string;
}

/** The links of a page that point inside the repository (no scheme, not protocol-relative). */
export function relativeLinks(file: string, markdown: string): Link[] {
  const text = withoutCode(markdown);
  const links: Link[] = [];
  const found = (index: number, target: string): void => {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//")) return;
    links.push({ from: file, line: text.slice(0, index).split("\n").length, target });
  };
  for (const match of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g)) found(match.index, match[1]!);
  for (const match of text.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)) found(match.index, match[1]!);
  return links;
}

/** What is wrong with each link that does not resolve, as `file:line: target: why`. */
export function brokenLinks(root: string, files: readonly string[]): string[] {
  const anchorCache = new Map<string, Set<string>>();
  const anchors = (file: string): Set<string> => {
    let found = anchorCache.get(file);
    if (found === undefined) anchorCache.set(file, (found = anchorsOf(readFileSync(path.join(root, file), "utf8"))));
    return found;
  };
  const problems: string[] = [];
  for (const file of files) {
    for (const link of relativeLinks(file, readFileSync(path.join(root, file), "utf8"))) {
      const hash = link.target.indexOf("#");
      const pathPart = decodeURIComponent(hash < 0 ? link.target : link.target.slice(0, hash));
      const anchor = hash < 0 ? undefined : decodeURIComponent(link.target.slice(hash + 1));
      const targetFile = pathPart === "" ? file : path.normalize(path.join(path.dirname(file), pathPart));
      const where = `${link.from}:${link.line}: ${link.target}`;
      if (targetFile.startsWith("..") || path.isAbsolute(pathPart)) problems.push(`${where}: points outside the repository`);
      else if (!existsSync(path.join(root, targetFile))) problems.push(`${where}: ${targetFile} does not exist`);
      else if (anchor !== undefined && anchor !== "" && targetFile.endsWith(".md") && !anchors(targetFile).has(anchor))
        problems.push(`${where}: ${targetFile} has no heading whose anchor is #${anchor}`);
    }
  }
  return problems;
}
