import { createInterface } from "node:readline/promises";
import type { Runner } from "./init-project.js";
import { RUNNER_NAMES as NAMES } from "./init.js";

/** Asks on the terminal which runner to set up; Enter takes the preselected one. */
export async function askRunner(question: string, choices: readonly Runner[], preselected: Runner): Promise<Runner> {
  const terminal = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const menu = choices.map((choice, i) => `${i + 1}) ${NAMES[choice]}${choice === preselected ? " (Enter)" : ""}`).join("  ");
    for (;;) {
      const answer = (await terminal.question(`${question} ${menu}: `)).trim().toLowerCase();
      if (answer === "") return preselected;
      const picked = choices.find((choice, i) => answer === String(i + 1) || answer === choice);
      if (picked !== undefined) return picked;
      process.stdout.write(`Answer ${choices.map((_, i) => i + 1).join(" or ")}.\n`);
    }
  } finally {
    terminal.close();
  }
}

/** Asks a yes-or-no question on the terminal; anything but y or yes is no. */
export async function askYesNo(question: string): Promise<boolean> {
  const terminal = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await terminal.question(`${question} [y/N] `)).trim());
  } finally {
    terminal.close();
  }
}
