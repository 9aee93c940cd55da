import { nodeRequire } from "./node-require.js";

type NodeCrypto = typeof import("node:crypto");

let loaded: NodeCrypto | undefined;

/**
 * node:crypto, loaded on first use rather than when durabox loads: loading it starts OpenSSL (10-13 ms of CPU and
 * 5 MB in a fresh process), which a test file that makes no unique id, hashes no R2 object and persists nothing
 * never needs (named ids use base/sha256.ts).
 */
export function nodeCrypto(): NodeCrypto {
  return (loaded ??= nodeRequire("node:crypto") as NodeCrypto);
}
