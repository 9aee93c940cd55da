import { describe, expect, it } from "vitest";
import { runtimeWith } from "../helpers/runtime.js";
import { DurableObjectId } from "../../src/objects/id.js";
import { createHash } from "node:crypto";

class A {}
class B {}
const { ns } = runtimeWith({ A, B });

describe("Durable Object ids", () => {
  it("named ids: same name, same id; SHA-256 of identity and name, first bit 1", () => {
    const id = ns("A").idFromName("alice");
    expect(id.toString()).toMatch(/^[0-9a-f]{64}$/);
    expect(id.equals(ns("A").idFromName("alice"))).toBe(true);
    expect(id.equals(ns("A").idFromName("bob"))).toBe(false);
    expect(id.name).toBe("alice");
    const bytes = Buffer.from(id.toString(), "hex");
    expect(bytes[0]! & 0x80).toBe(0x80);
    const digest = createHash("sha256").update("test#A").update("\u0000").update("alice").digest();
    digest[0]! |= 0x80;
    expect(bytes.subarray(0, 24)).toEqual(digest.subarray(0, 24));
    // The same name in another namespace is another object.
    expect(ns("B").idFromName("alice").toString()).not.toBe(id.toString());
  });

  it("unique ids: byte 0 is 0, then the time, then randomness", () => {
    const before = Date.now();
    const id = ns("A").newUniqueId();
    const bytes = Buffer.from(id.toString(), "hex");
    expect(bytes[0]).toBe(0);
    const time = Number(bytes.readBigUInt64BE(1));
    expect(time).toBeGreaterThanOrEqual(before);
    expect(time).toBeLessThanOrEqual(Date.now());
    expect(id.name).toBeUndefined();
    const ids = new Set(Array.from({ length: 1000 }, () => ns("A").newUniqueId().toString()));
    expect(ids.size).toBe(1000);
  });

  it("idFromString round-trips, in either case", () => {
    const id = ns("A").newUniqueId();
    expect(ns("A").idFromString(id.toString()).equals(id)).toBe(true);
    expect(ns("A").idFromString(id.toString().toUpperCase()).toString()).toBe(id.toString());
  });

  it("idFromString refuses anything but 64 hex digits", () => {
    for (const bad of ["", "abc", "g".repeat(64), "a".repeat(63), "a".repeat(65), " ".repeat(64)]) {
      expect(() => ns("A").idFromString(bad)).toThrow(new TypeError("Invalid Durable Object ID: must be 64 hex digits"));
    }
  });

  it("idFromString refuses an id of another namespace", () => {
    const other = ns("B").idFromName("x").toString();
    expect(() => ns("A").idFromString(other)).toThrow(new TypeError("Durable Object ID is not valid for this namespace."));
  });

  it("get() refuses an id of another namespace", () => {
    expect(() => ns("A").get(ns("B").idFromName("x"))).toThrow(new TypeError("ID is not for this Durable Object class."));
    expect(() => ns("A").get("x".repeat(64) as unknown as DurableObjectId)).toThrow(
      new TypeError("ID is not for this Durable Object class."),
    );
  });

  it("getByName(name) is get(idFromName(name))", () => {
    const stub = ns("A").getByName("carol");
    expect(stub.id.equals(ns("A").idFromName("carol"))).toBe(true);
    expect(stub.name).toBe("carol");
  });

  it("jurisdictions: production's are accepted, others refused", () => {
    for (const j of ["eu", "fedramp", "fedramp-high", "us"]) {
      expect(ns("A").newUniqueId({ jurisdiction: j }).jurisdiction).toBe(j);
      expect(ns("A").jurisdiction(j).newUniqueId().jurisdiction).toBe(j);
    }
    expect(() => ns("A").newUniqueId({ jurisdiction: "mars" })).toThrow(TypeError);
    expect(() => ns("A").jurisdiction("mars")).toThrow(/unsupported jurisdiction: "mars"/);
  });

  it("idFromName refuses a name that is not a string", () => {
    expect(() => ns("A").idFromName(undefined as unknown as string)).toThrow(TypeError);
  });
});
