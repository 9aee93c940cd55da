// Plain values on env: `bindings` and wrangler's `[vars]`.
import { isRecord } from "../../base/describe.js";
import { option } from "../declaration.js";
import { shape } from "../value-types.js";
import { bindingKind } from "./kind.js";

/** A plain value on env. */
export interface NormalizedVar {
  readonly binding: string;
  readonly value: unknown;
}

export const vars = bindingKind<Record<string, unknown>, unknown, NormalizedVar>({
  option: "bindings",
  declaration: option({
    doc: "plain values on `env`",
    type: shape<Record<string, unknown>>("object", "an object of name to value", isRecord),
    example: '{ GREETING: "hello" }',
    default: {},
    wrangler: "vars",
    cli: { name: "binding", short: "b", value: "KEY=VALUE", multiple: true, help: "a plain binding on env" },
  }),
  noun: "a plain binding",
  wrangler: { section: "vars", read: (config, values) => ({ ...values.table("vars", config.vars) }) },
  normalize: (option, config) => Object.entries({ ...config, ...option }).map(([binding, value]) => ({ binding, value })),
});
