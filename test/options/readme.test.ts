import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { renderOptionsTable, withOptionsTable } from "../helpers/options-table.js";

const README = fileURLToPath(new URL("../../README.md", import.meta.url));

// The README's options table is generated from the declarations: this fails when
// it is out of date, and `npx vitest run test/options/readme.test.ts -u` rewrites it.
it("README.md's options table is the one the declarations give", async () => {
  const readme = readFileSync(README, "utf8");
  await expect(withOptionsTable(readme, renderOptionsTable()), "README.md's options table is out of date").toMatchFileSnapshot(README);
});
