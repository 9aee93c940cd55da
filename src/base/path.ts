// node:path's functions as named exports. A default import (`import path from
// "node:path"`) bundles to CommonJS as esbuild's __toESM wrapper, an
// Object.create over node:path's prototype: made in a test file's realm (Jest
// evaluates durabox in each file's context), V8 caches that object's shape on
// Node's own Object.prototype with the first such realm's Object as its
// constructor, which keeps that test file's whole context alive for as long
// as any later file does. Named imports bundle to a plain require.
export { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
