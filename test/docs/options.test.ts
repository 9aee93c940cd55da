import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { renderOptionsTable, withOptionsTable } from "../helpers/options-table.js";

const OPTIONS_PAGE = fileURLToPath(new URL("../../docs/options.md", import.meta.url));

// docs/options.md's tables are generated from the declarations: this fails when
// they are out of date, and `npx vitest run test/docs/options.test.ts -u` rewrites them.
it("docs/options.md's options table is the one the declarations give", async () => {
  const page = readFileSync(OPTIONS_PAGE, "utf8");
  await expect(withOptionsTable(page, renderOptionsTable()), "docs/options.md's options table is out of date").toMatchFileSnapshot(
    OPTIONS_PAGE,
  );
});
