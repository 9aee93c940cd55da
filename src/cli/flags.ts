// The `durabox` command's flags: those setting an option come from the option
// declarations; these few belong to the command itself.
import type { CliFlag } from "../options/declaration.js";
import { runtimeOptions, workerOptions } from "../options/declared.js";
import type { DuraboxOptions } from "../options.js";

/** A flag that sets an option, and which. */
export interface OptionFlag {
  readonly option: keyof DuraboxOptions;
  readonly flag: CliFlag;
}

export const OPTION_FLAGS: readonly OptionFlag[] = Object.entries({ ...workerOptions, ...runtimeOptions }).flatMap(
  ([option, declaration]) => (declaration.cli === undefined ? [] : [{ option: option as keyof DuraboxOptions, flag: declaration.cli }]),
);

export const PORT_FLAG: CliFlag = { name: "port", short: "p", value: "PORT", help: "port to listen on (default 8787; 0 picks a free one)" };
export const HOST_FLAG: CliFlag = { name: "host", value: "HOST", help: "address to bind (default 127.0.0.1)" };
export const OUT_FLAG: CliFlag = { name: "out", value: "FILE", help: "the file durabox types writes (default: worker-configuration.d.ts)" };
export const YES_FLAG: CliFlag = {
  name: "yes",
  short: "y",
  help: "durabox init: take the detected runner (Vitest when none or both are) without asking",
};
export const RUNNER_FLAG: CliFlag = {
  name: "runner",
  value: "jest|vitest",
  help: "durabox init: the test runner to set up, whatever package.json says",
};
export const HELP_FLAG: CliFlag = { name: "help", short: "h", help: "show this help" };
export const VERSION_FLAG: CliFlag = { name: "version", short: "v", help: "show the version" };

/** Every flag, in --help's order. */
export const ALL_FLAGS: readonly CliFlag[] = [
  ...OPTION_FLAGS.map(({ flag }) => flag),
  PORT_FLAG,
  HOST_FLAG,
  OUT_FLAG,
  YES_FLAG,
  RUNNER_FLAG,
  HELP_FLAG,
  VERSION_FLAG,
];
