import { createRequire } from "node:module";
import type NodeEnvironmentModule from "jest-environment-node";

type NodeEnvironmentClass = typeof NodeEnvironmentModule;

/** A module of the running Jest's jest-runner, found among the modules Node has loaded (it loaded this file). */
function runningJestRunner(): string | undefined {
  const marker = /[\\/]jest-runner[\\/]build[\\/]/;
  return Object.keys(require.cache).find((file) => marker.test(file));
}

/**
 * The `jest-environment-node` of the Jest that runs this environment: the
 * one its jest-runner depends on, so Jest 29 gets 29 and Jest 30 gets 30
 * whatever else the project's node_modules holds (npm may hoist another
 * major beside a peer). Outside a Jest run (a tool importing the class),
 * the one this package resolves.
 */
export function usersNodeEnvironment(): NodeEnvironmentClass {
  const runner = runningJestRunner();
  const from = createRequire(runner ?? __filename);
  let loaded: NodeEnvironmentClass | { default?: NodeEnvironmentClass };
  try {
    loaded = from("jest-environment-node") as NodeEnvironmentClass;
  } catch (error) {
    throw new Error(
      `durabox: jest-environment-node could not be loaded${runner === undefined ? "" : ` from Jest's ${runner}`}: install jest 29 or 30 (it brings jest-environment-node). ${String(error)}`,
      { cause: error },
    );
  }
  // CommonJS with the class on `default` (and `TestEnvironment`).
  return (loaded as { default?: NodeEnvironmentClass }).default ?? (loaded as NodeEnvironmentClass);
}
