import type { RangeRequest } from "./arguments.js";
import { r2Error } from "./errors.js";

/** The bytes of an object a get returns. */
export interface ResolvedRange {
  readonly offset: number;
  readonly length: number;
}

/**
 * A requested range against the object's size: clamped to the object, and
 * R2's InvalidRange where nothing of it is in the object. A Range header
 * that is not one `bytes=` range is ignored (the whole object), as R2 does.
 */
export function resolveRange(request: RangeRequest | undefined, size: number): ResolvedRange {
  const whole = { offset: 0, length: size };
  if (request === undefined) return whole;
  switch (request.kind) {
    case "header": {
      const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(request.value);
      if (match === null) return whole;
      const [, first = "", last = ""] = match;
      if (first === "" && last === "") return whole;
      if (first === "") return suffix(Number(last), size);
      const offset = Number(first);
      const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
      if (end < offset) throw r2Error("get", 10039);
      return bounds(offset, end - offset + 1, size);
    }
    case "suffix":
      return suffix(request.suffix, size);
    case "bounds":
      return bounds(request.offset ?? 0, request.length, size);
  }
}

function suffix(length: number, size: number): ResolvedRange {
  if (length === 0) throw r2Error("get", 10039);
  const taken = Math.min(length, size);
  return { offset: size - taken, length: taken };
}

function bounds(offset: number, length: number | undefined, size: number): ResolvedRange {
  if (length === 0 || offset > size || (offset === size && size > 0)) throw r2Error("get", 10039);
  return { offset, length: Math.min(length ?? size - offset, size - offset) };
}
