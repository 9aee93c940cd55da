import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { compareKeys, prefixEnd, replaceLoneSurrogates, wellFormedKey } from "../../src/storage/keys.js";

const utf8Compare = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));
const sign = (n: number): number => Math.sign(n);

describe("key order", () => {
  it("matches UTF-8 byte order for any well-formed strings", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.string({ unit: "grapheme" }), (a, b) => {
        expect(sign(compareKeys(a, b))).toBe(sign(utf8Compare(a, b)));
      }),
      { numRuns: 5000 },
    );
  });

  it("puts astral characters after U+E000-U+FFFF, as UTF-8 does and UTF-16 does not", () => {
    const astral = "\u{1F600}";
    const privateUse = "\uE000";
    expect("\uD83D" < privateUse).toBe(true); // UTF-16 order disagrees...
    expect(compareKeys(astral, privateUse)).toBeGreaterThan(0); // ...UTF-8 order does not
    expect(["b", astral, privateUse, "a", "\uFFFF"].sort(compareKeys)).toEqual(["a", "b", privateUse, "\uFFFF", astral]);
  });

  it("finds the end of a prefix range", () => {
    expect(prefixEnd("ab")).toBe("ac");
    expect(prefixEnd("a\u{10FFFF}")).toBe("b");
    expect(prefixEnd("\u{10FFFF}")).toBeUndefined();
    expect(prefixEnd("a\uD7FF")).toBe("a\uE000");
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", minLength: 1 }), fc.string({ unit: "grapheme" }), (prefix, rest) => {
        const end = prefixEnd(prefix);
        if (end !== undefined) expect(compareKeys(prefix + rest, end)).toBeLessThan(0);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("stored keys", () => {
  it("replace lone surrogates with U+FFFD exactly as UTF-8 encoding does, keeping pairs", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary" }),
        fc.string({ unit: fc.constantFrom("\uD800", "\uDBFF", "\uDC00", "\uDFFF", "a") }),
        (a, b) => {
          for (const key of [a, b, a + b]) {
            expect(wellFormedKey(key)).toBe(Buffer.from(key).toString("utf8"));
            expect(replaceLoneSurrogates(key)).toBe(Buffer.from(key).toString("utf8"));
          }
        },
      ),
      { numRuns: 300 },
    );
    const key = "plain key";
    expect(wellFormedKey(key)).toBe(key);
  });
});
