// R2's errors as the Workers runtime throws them: `<operation>: <message> (<code>)`,
// the codes and texts of R2's API (developers.cloudflare.com/r2/api/error-codes).

/** What R2 reports, by its v4 code. */
const MESSAGES = {
  10007: "The specified key does not exist.",
  10011: "Your proposed upload is smaller than the minimum allowed object size.",
  10012: "Your metadata headers exceed the maximum allowed metadata size.",
  10020: "The specified object name is not valid.",
  10022: "MaxKeys params must be positive integer <= 1000.",
  10024: "The specified multipart upload does not exist.",
  10025: "One or more of the specified parts could not be found.",
  10031: "At least one of the pre-conditions you specified did not hold.",
  10039: "The requested range is not satisfiable",
  10048: "There was a problem with the multipart upload.",
  100100: "Your proposed upload exceeds the maximum allowed object size.",
} as const;

export type R2ErrorCode = keyof typeof MESSAGES | 10037;

/** The operation names R2's messages start with. */
export type R2Operation =
  "head" | "get" | "put" | "delete" | "list" | "createMultipartUpload" | "uploadPart" | "completeMultipartUpload" | "abortMultipartUpload";

/** An error of R2 itself (not of the arguments): `code` is R2's v4 code, `action` the operation. */
export class R2Error extends Error {
  readonly code: R2ErrorCode;
  readonly action: R2Operation;

  constructor(action: R2Operation, code: R2ErrorCode, message: string) {
    super(`${action}: ${message} (${code})`);
    this.name = "R2Error";
    this.code = code;
    this.action = action;
  }
}

export function r2Error(action: R2Operation, code: keyof typeof MESSAGES): R2Error {
  return new R2Error(action, code, MESSAGES[code]);
}

/** The names R2 gives its checksum algorithms in messages. */
export type ChecksumName = "MD5" | "SHA-1" | "SHA-256" | "SHA-384" | "SHA-512";

/** A checksum given with a put that the received bytes do not have (BadDigest). */
export function badDigest(action: R2Operation, algorithm: ChecksumName, provided: string, actual: string): R2Error {
  return new R2Error(
    action,
    10037,
    `The ${algorithm} checksum you specified did not match what we received.\n` +
      `You provided a ${algorithm} checksum with value: ${provided}\n` +
      `Actual ${algorithm} was: ${actual}`,
  );
}
