// Local secrets beside the wrangler config, as `wrangler dev` and Cloudflare's
// Vitest integration load them: `.dev.vars` (or `.dev.vars.<environment>`
// alone, when that environment is selected and the file exists); only when
// neither exists, the `.env` files, merged, the most specific winning:
// `.env.<environment>.local`, `.env.local`, `.env.<environment>`, `.env`
// (wrangler skips them when CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV is "false").
// The values are strings, in dotenv syntax; they go over `vars` on env.
import { existsSync, readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import * as path from "../base/path.js";
import { DuraboxError } from "../base/errors.js";

export interface DevVars {
  /** The files read, absolute, most specific last. */
  readonly files: readonly string[];
  readonly values: Readonly<Record<string, string>>;
}

/** The local secrets for the config in `directory` (and `environment`, when one is selected). */
export function readDevVars(directory: string, environment: string | undefined, processEnv = process.env): DevVars {
  const devVars = [...(environment === undefined ? [] : [`.dev.vars.${environment}`]), ".dev.vars"]
    .map((name) => path.join(directory, name))
    .find((file) => existsSync(file));
  if (devVars !== undefined) return { files: [devVars], values: parseFile(devVars) };
  if (processEnv.CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV === "false") return { files: [], values: {} };
  const names =
    environment === undefined ? [".env", ".env.local"] : [".env", `.env.${environment}`, ".env.local", `.env.${environment}.local`];
  const files = names.map((name) => path.join(directory, name)).filter((file) => existsSync(file));
  return { files, values: Object.assign({}, ...files.map(parseFile)) as Record<string, string> };
}

function parseFile(file: string): Record<string, string> {
  try {
    return { ...parseEnv(readFileSync(file, "utf8")) } as Record<string, string>;
  } catch (error) {
    throw new DuraboxError("ERR_OPTIONS", `Cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
}
