import type { Env } from "../src/index";

declare module "durabox/testing" {
  interface ProvidedEnv extends Env {}
}
