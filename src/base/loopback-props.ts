/**
 * The props of a `ctx.exports.X({ props })` call, entrypoint or Durable Object
 * class alike: a copy (workerd serialises them), `{}` when not given.
 */
export function loopbackProps(options: unknown): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `ctx.exports entries take { props? }, e.g. ctx.exports.Api({ props: { user: "ada" } }); got ${options === null ? "null" : typeof options}.`,
    );
  }
  const { props } = options as { props?: unknown };
  if (props === undefined) return {};
  if (typeof props !== "object" || props === null) {
    throw new TypeError(`ctx.exports entries take { props } as an object, got ${props === null ? "null" : typeof props}.`);
  }
  return structuredClone(props) as Record<string, unknown>;
}
