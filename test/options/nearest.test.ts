import { describe, expect, it } from "vitest";
import { editDistance, nearestName } from "../../src/options/nearest.js";
import { DURABOX_OPTION_NAMES, TEST_OPTION_NAMES } from "../../src/options/names.js";
import { CLOUDFLARE_POOL_OPTION_NAMES } from "../../src/options/miniflare.js";
import { unknownOptionError } from "../../src/options/unknown.js";

describe("editDistance", () => {
  it.each([
    ["", "", 0],
    ["abc", "", 3],
    ["", "abc", 3],
    ["script", "script", 0],
    ["scrpt", "script", 1],
    ["bindigns", "bindings", 1], // a swap of two neighbours is one edit
    ["kitten", "sitting", 3],
    ["ca", "abc", 3],
  ])("%j to %j is %i", (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe("nearestName", () => {
  it.each([
    ["scrpt", "script"],
    ["durableObject", "durableObjects"],
    ["durableobjects", "durableObjects"],
    ["bindigns", "bindings"],
    ["wranglerConfig", "wranglerConfigPath"],
    ["durableObjectPersist", "durableObjectsPersist"],
    ["compatibilityFlag", "compatibilityFlags"],
    ["alarms", "durableObjectsAlarms"], // a part of one name
    ["persist", "d1Persist"], // the shortest name containing it
    ["objectspersist", "durableObjectsPersist"],
    ["objectsPersist", "durableObjectsPersist"], // the shortest name containing it
  ])("suggests %j for %j", (given, expected) => {
    expect(nearestName(given, DURABOX_OPTION_NAMES)).toBe(expected);
  });

  it.each(["port", "mode", "hyperdrives", "x"])("suggests nothing for %j, which is like no option", (given) => {
    // As the unknown-option error searches: the pool's own keys (additionalExports, experimental_mixedMode) by edits, not for parts.
    expect(
      nearestName(
        given,
        TEST_OPTION_NAMES,
        TEST_OPTION_NAMES.filter((name) => !CLOUDFLARE_POOL_OPTION_NAMES.includes(name)),
      ),
    ).toBeUndefined();
    expect(unknownOptionError(given, TEST_OPTION_NAMES).message).not.toContain("Did you mean");
  });

  it("suggests the pool's own keys for their misspellings", () => {
    expect(unknownOptionError("singleWorkers", TEST_OPTION_NAMES).message).toMatch(/Did you mean "singleWorker"\?$/);
    expect(unknownOptionError("isolatedStorge", TEST_OPTION_NAMES).message).toMatch(/Did you mean "isolatedStorage"\?$/);
  });

  it('suggests wranglerEnvironment for "environment"', () => {
    expect(nearestName("environment", TEST_OPTION_NAMES)).toBe("wranglerEnvironment");
  });

  it("prefers the closest name, then the first declared", () => {
    expect(nearestName("isolatoin", TEST_OPTION_NAMES)).toBe("isolation");
    expect(nearestName("ab", ["ac", "ab"])).toBe("ab");
    expect(nearestName("aa", ["ab", "ac"])).toBe("ab");
  });
});
