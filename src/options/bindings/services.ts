// Service bindings: `serviceBindings` and wrangler's `[[services]]`.
import { arrayOfTables, type ConfigValues } from "../../config/values.js";
import { isRecord, typeName } from "../../base/describe.js";
import { option } from "../declaration.js";
import { fail } from "../fail.js";
import { checkOptionKeys } from "../unknown.js";
import { shape } from "../value-types.js";
import { bindingKind } from "./kind.js";

/** A service binding: a worker's name, its entrypoint and props, or a function answering fetch(). */
export type ServiceBindingOptions =
  string | { name: string; entrypoint?: string; props?: Record<string, unknown> } | ((request: Request) => Response | Promise<Response>);

/** A service binding: an entrypoint of a worker of this runtime, or a function answering fetch(). */
export type NormalizedService =
  | {
      readonly binding: string;
      /** The worker serving it. */
      readonly service: string;
      /** A named entrypoint; undefined: the default export. */
      readonly entrypoint: string | undefined;
      readonly props: Readonly<Record<string, unknown>>;
    }
  | { readonly binding: string; readonly handler: (request: Request) => unknown };

const FIELDS = ["name", "entrypoint", "props"];
const FORMS = '"worker", { name: "worker", entrypoint?: "Name", props?: {...} } or a function (request) => Response';

export const serviceBindings = bindingKind<
  Record<string, ServiceBindingOptions>,
  { name: string; entrypoint?: string; props?: Record<string, unknown> },
  NormalizedService
>({
  option: "serviceBindings",
  declaration: option({
    doc: "service bindings on `env`: binding name to a worker's `name` (its default entrypoint), to `{ name, entrypoint?, props? }` (a named `WorkerEntrypoint`, and its `ctx.props`), or to a function `(request) => Response`; `fetch()` and JS RPC reach the entrypoint",
    type: shape<Record<string, ServiceBindingOptions>>(
      '`{ BINDING: "worker" }`, `{ BINDING: { name, entrypoint?, props? } }` or a function',
      "an object such as {example}",
      isRecord,
    ),
    example: '{ API: { name: "api", entrypoint: "Admin" } }',
    wrangler: "services",
  }),
  noun: "a service binding",
  wrangler: {
    section: "services",
    read: (config, values: ConfigValues) =>
      arrayOfTables(values, "services", config.services, '{ binding = "API", service = "api" }', (entry, where) => {
        const binding = values.string(`${where}.binding`, entry.binding);
        const service = values.string(`${where}.service`, entry.service);
        if (binding === undefined || service === undefined) {
          values.fail(`"${where}" needs both binding and service, like { binding = "API", service = "api", entrypoint = "Admin" }.`);
        }
        const entrypoint = values.string(`${where}.entrypoint`, entry.entrypoint);
        const props = values.table(`${where}.props`, entry.props);
        return [binding, { name: service, ...(entrypoint !== undefined && { entrypoint }), ...(props !== undefined && { props }) }];
      }),
  },
  normalize: (option, config, { prefix }) =>
    Object.entries({ ...config, ...option }).map(([binding, entry]: [string, unknown]): NormalizedService => {
      const path = `${prefix}serviceBindings.${binding}`;
      if (typeof entry === "string") return { binding, service: entry, entrypoint: undefined, props: {} };
      if (typeof entry === "function") return { binding, handler: entry as (request: Request) => unknown };
      if (!isRecord(entry)) fail(`${path} must be ${FORMS}, got ${typeName(entry)}.`);
      checkOptionKeys(entry, FIELDS, { prefix: `${path}.` });
      if (typeof entry.name !== "string") fail(`${path}.name must be the name of a worker (a string), got ${typeName(entry.name)}.`);
      if (entry.entrypoint !== undefined && (typeof entry.entrypoint !== "string" || entry.entrypoint === "")) {
        fail(`${path}.entrypoint must be the name of an exported WorkerEntrypoint class (a string), got ${typeName(entry.entrypoint)}.`);
      }
      if (entry.props !== undefined && !isRecord(entry.props))
        fail(`${path}.props must be an object (ctx.props), got ${typeName(entry.props)}.`);
      return {
        binding,
        service: entry.name,
        entrypoint: entry.entrypoint as string | undefined,
        props: (entry.props as Record<string, unknown> | undefined) ?? {},
      };
    }),
});
