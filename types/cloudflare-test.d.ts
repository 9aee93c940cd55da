// The `cloudflare:test` module's types, as @cloudflare/vitest-plugin ships
// them: add "durabox/types/cloudflare-test" to compilerOptions.types (both
// environments' "…/globals" include it). Type `env` as Cloudflare's docs do:
//   declare module "cloudflare:test" { interface ProvidedEnv extends Env {} }
declare module "cloudflare:test" {
  export * from "durabox/cloudflare-test";
  // Declared here so that augmenting "cloudflare:test" types `env`.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface ProvidedEnv {}
  /** The entry worker's bindings (Cloudflare now points to `env` from "cloudflare:workers"). */
  export const env: ProvidedEnv;
}
