import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { anchorsOf, brokenLinks, githubSlug, relativeLinks } from "../helpers/markdown-links.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
/** The front door, the contributors' page and every page of docs/. */
const PAGES = [
  "README.md",
  "CONTRIBUTING.md",
  ...readdirSync(path.join(root, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];
/** The README is the front door: what a newcomer reads in five minutes. */
const README_LIMIT = 15 * 1024;

describe("the documentation", () => {
  it(`keeps README.md within ${README_LIMIT} bytes (the reference goes in docs/)`, () => {
    expect(statSync(path.join(root, "README.md")).size).toBeLessThanOrEqual(README_LIMIT);
  });

  it("has no relative link or #anchor that does not resolve, between README.md, CONTRIBUTING.md and docs/*.md", () => {
    expect(brokenLinks(root, PAGES)).toEqual([]);
  });

  it("links every page of docs/ from another page", () => {
    const linked = new Set(
      PAGES.flatMap((page) =>
        relativeLinks(page, readFileSync(path.join(root, page), "utf8"))
          .map((link) => link.target.split("#")[0]!)
          .filter((target) => target !== "")
          .map((target) => path.normalize(path.join(path.dirname(page), target)))
          .filter((target) => target !== page),
      ),
    );
    expect(PAGES.filter((page) => page.startsWith("docs/") && !linked.has(page))).toEqual([]);
  });
});

describe("GitHub's anchors", () => {
  it.each([
    ["Quick start: `npx durabox init`", "quick-start-npx-durabox-init"],
    ["Coming from @cloudflare/vitest-plugin", "coming-from-cloudflarevitest-plugin"],
    ["`cloudflare:test` and `cloudflare:workers`", "cloudflaretest-and-cloudflareworkers"],
    ["How it is built (`src/sql/`)", "how-it-is-built-srcsql"],
    ["What is enforced, and how", "what-is-enforced-and-how"],
    ["D1", "d1"],
    ["Fake timers drive alarms", "fake-timers-drive-alarms"],
    ["new_sqlite_classes and **bold** [a link](x.md)", "new_sqlite_classes-and-bold-a-link"],
    ["Straße — ünïcode", "straße--ünïcode"],
  ])("%s is #%s", (heading, slug) => {
    expect(githubSlug(heading)).toBe(slug);
  });

  it("numbers repeated headings -1, -2, and skips headings inside code blocks", () => {
    const page = '# Drivers\n\n## Drivers\n\n```md\n## Not a heading\n```\n\n### Drivers ##\n\n<a id="custom"></a>\n';
    expect([...anchorsOf(page)].sort()).toEqual(["custom", "drivers", "drivers-1", "drivers-2"]);
  });
});

describe("the link check", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "durabox-links-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (file: string, text: string): void => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  };

  it("reports a missing file, a missing anchor, and a missing anchor on the same page, with file and line", () => {
    write("docs/a.md", "# A\n\n## Kept section\n\nSee [b](b.md), [gone](gone.md),\n[kept](#kept-section) and [lost](#lost).\n");
    write("docs/b.md", "# B\n\n[back](a.md#kept-section) [wrong](a.md#renamed) [up](../README.md#intro)\n");
    write("README.md", "# Intro\n\n[docs](docs/a.md) `[not a link](nowhere.md)`\n\n```\n[in a block](nowhere.md)\n```\n");
    expect(brokenLinks(dir, ["README.md", "docs/a.md", "docs/b.md"])).toEqual([
      "docs/a.md:5: gone.md: docs/gone.md does not exist",
      "docs/a.md:6: #lost: docs/a.md has no heading whose anchor is #lost",
      "docs/b.md:3: a.md#renamed: docs/a.md has no heading whose anchor is #renamed",
    ]);
  });

  it("leaves absolute URLs alone and follows reference-style links", () => {
    write("c.md", "# C\n\n[site](https://example.com/x#y) [mail](mailto:a@b.c) [ref][r]\n\n[r]: missing.md#z\n");
    expect(brokenLinks(dir, ["c.md"])).toEqual(["c.md:5: missing.md#z: missing.md does not exist"]);
  });
});
