import { describe, expect, it } from "vitest";
import * as cloudflareTest from "../../src/cloudflare-test.js";
import * as miniflareHelpers from "../../src/testing/miniflare-helpers.js";
import * as testing from "../../src/testing/index.js";

describe("the test modules' surface", () => {
  const miniflare = Object.keys(miniflareHelpers);

  it("keeps Miniflare 2's helpers out of cloudflare:test, Cloudflare's current API", () => {
    expect(miniflare).toEqual(
      expect.arrayContaining(["getMiniflareBindings", "getMiniflareFetchMock", "flushMiniflareDurableObjectAlarms"]),
    );
    expect(miniflare.every((name) => /Miniflare/.test(name))).toBe(true);
    expect(Object.keys(cloudflareTest).filter((name) => /Miniflare/.test(name))).toEqual([]);
  });

  it("keeps them in durabox/testing", () => {
    expect(Object.keys(testing)).toEqual(expect.arrayContaining(miniflare));
  });
});
