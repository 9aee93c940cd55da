import { processSharedWeakSet } from "./shared-state.js";

/**
 * Streams whose length workerd knows before reading them: a Request's or
 * Response's body, the readable half of a FixedLengthStream, an R2 object's
 * body. R2's put() accepts only those (production refuses any other stream).
 * Shared by every copy of durabox in the process, so a stream marked by one is
 * recognised by another; made in Node's realm, as the body getters that fill
 * it sit on prototypes every realm shares.
 */
export const sized = processSharedWeakSet<object>("sizedStreams");

/** Records that `stream`'s length is known. */
export function markSized<T extends object>(stream: T): T {
  sized.add(stream);
  return stream;
}

/** Whether `stream`'s length is known (see markSized). */
export function isSized(stream: object): boolean {
  return sized.has(stream);
}
