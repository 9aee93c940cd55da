import { tsconfigPathCandidates } from "durabox/testing-loader";

/** The slice of Jest's resolver options this resolver reads. */
interface ResolverOptions {
  basedir: string;
  defaultResolver(request: string, options: ResolverOptions): string;
}

/**
 * The preset's resolver (Jest takes a module whose `sync` resolves): a specifier the nearest tsconfig's `paths` map
 * (`@lib/thing`) resolves to its target, as TypeScript, esbuild and wrangler
 * resolve it; anything else as Jest would. A `moduleNameMapper` of the
 * user's applies first, and a `resolver` of theirs replaces this one.
 */
export function sync(request: string, options: ResolverOptions): string {
  for (const candidate of tsconfigPathCandidates(request, options.basedir)) {
    try {
      return options.defaultResolver(candidate, options);
    } catch {
      // The next target of the pattern, as TypeScript tries them in order.
    }
  }
  return options.defaultResolver(request, options);
}
