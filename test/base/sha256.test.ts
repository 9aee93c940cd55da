import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sha256 } from "../../src/base/sha256.js";

const native = (text: string): string => createHash("sha256").update(text).digest("hex");
const ours = (text: string): string => Buffer.from(sha256(text)).toString("hex");

describe("sha256 (named ids' hash without node:crypto)", () => {
  it("gives FIPS 180-4's digests for its examples", () => {
    expect(ours("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(ours("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(ours("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")).toBe(
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    );
  });

  it("equals node:crypto's on every length across the block boundaries, and on any text (non-ASCII, NUL, lone surrogates)", () => {
    for (let length = 0; length <= 200; length++) {
      const text = randomBytes(length).toString("latin1");
      expect(ours(text), `length ${length}`).toBe(native(text));
    }
    for (const text of ["namespace\u0000name", "ключ 🔑 鍵", "\ud800 lone", "x".repeat(10_000)]) expect(ours(text)).toBe(native(text));
  });
});
