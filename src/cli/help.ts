import type { CliFlag } from "../options/declaration.js";
import { ALL_FLAGS } from "./flags.js";

const INDENT = 35;
const WIDTH = 90;

/** One flag's --help entry: `  -o, --do NAME=Class[@script]     text`, wrapped under its column. */
export function flagHelp(flag: CliFlag): string {
  const left = `  ${flag.short === undefined ? "    " : `-${flag.short}, `}--${flag.name}${flag.value === undefined ? "" : ` ${flag.value}`}`;
  const words = `${flag.help}${flag.multiple ? " (repeatable)" : ""}`.split(" ");
  const lines: string[] = [];
  let line = "";
  for (const word of words) {
    if (line !== "" && INDENT + line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  const first = left.length < INDENT - 1 ? left.padEnd(INDENT) : `${left}\n${" ".repeat(INDENT)}`;
  return first + lines.join(`\n${" ".repeat(INDENT)}`);
}

export const HELP = `durabox: serve a Cloudflare Worker and its Durable Objects locally, in Node.js

Usage:
  durabox [script] [options]       serve the worker over HTTP
  durabox init [--yes] [--runner jest|vitest] [--config FILE]
                                   set up tests in a Workers project: the runner's config,
                                   a first test per Durable Object binding, the Env types;
                                   a suite on @cloudflare/vitest-plugin, the pool or
                                   Miniflare 2 is moved to durabox (diff shown first)
  durabox types [--config FILE] [--out FILE]
                                   write a .d.ts with the Env of the config's bindings
  durabox repair DIR               recover a persistence directory whose logs or SQLite files are damaged
                                   (ERR_STORAGE_CORRUPT): keeps every whole record, moves
                                   each damaged log aside as log.corrupt-<time>

Options:
${ALL_FLAGS.map(flagHelp).join("\n")}

Examples:
  durabox src/index.ts --do COUNTER=Counter --port 8787
  durabox src/index.ts --do ROOM=ChatRoom:sqlite
  durabox --config wrangler.toml --do-persist ./data
  durabox worker.mjs -o API=Api@api -b GREETING=hello --do-persist redis://127.0.0.1:6379
  durabox types --config wrangler.toml --out worker-configuration.d.ts
  durabox repair ./.durabox/do
  durabox init --yes
`;
