// Workflow bindings: `workflows` (Miniflare's option: binding name to `{ name, className,
// scriptName? }`) and wrangler's `workflows` ([{ name, binding, class_name, script_name? }]).
import { isRecord, typeName } from "../../base/describe.js";
import { arrayOfTables, type ConfigValues } from "../../config/values.js";
import { option } from "../declaration.js";
import { fail } from "../fail.js";
import { checkOptionKeys } from "../unknown.js";
import { shape } from "../value-types.js";
import { bindingKind } from "./kind.js";

/** A Workflow binding: `env[binding]` creates instances of worker `scriptName`'s class `className`, Workflow `name`. */
export interface NormalizedWorkflow {
  readonly binding: string;
  /** The Workflow's name: bindings naming one Workflow share its instances. */
  readonly name: string;
  readonly className: string;
  /** The worker exporting the class. */
  readonly scriptName: string;
  /** `workflows_preserve_non_retryable_error_message` among the binding worker's compatibility flags. */
  readonly preserveNonRetryableMessage: boolean;
}

export interface WorkflowOptions {
  name: string;
  className: string;
  scriptName?: string;
}

const EXAMPLE = '{ name = "checkout", binding = "CHECKOUT", class_name = "CheckoutWorkflow" }';
const FORM = '{ name: "checkout", className: "CheckoutWorkflow", scriptName?: "api" }';
const PRESERVE_FLAG = "workflows_preserve_non_retryable_error_message";

export const workflows = bindingKind<
  Record<string, WorkflowOptions>,
  { name: string; className: string; scriptName?: string },
  NormalizedWorkflow
>({
  option: "workflows",
  declaration: option({
    doc: "Workflow bindings on `env` (`create`, `createBatch`, `get`): binding name to `{ name, className, scriptName? }`, the Workflow's name and its `WorkflowEntrypoint` class (of the worker `scriptName` names, by default this one); wrangler's `workflows` gives `name`, `binding`, `class_name` and `script_name`",
    type: shape<Record<string, WorkflowOptions>>(
      "`{ BINDING: { name, className } }`",
      "an object of binding name to { name, className, scriptName? }, such as {example}",
      (value) => isRecord(value) && Object.values(value).every(isRecord),
    ),
    example: '{ CHECKOUT: { name: "checkout", className: "CheckoutWorkflow" } }',
    wrangler: "workflows",
  }),
  noun: "a Workflow binding",
  wrangler: {
    section: "workflows",
    read: (config, values: ConfigValues) =>
      arrayOfTables(values, "workflows", config.workflows, EXAMPLE, (entry, where) => {
        const binding = values.string(`${where}.binding`, entry.binding);
        const name = values.string(`${where}.name`, entry.name);
        const className = values.string(`${where}.class_name`, entry.class_name);
        if (binding === undefined || name === undefined || className === undefined) {
          values.fail(`"${where}" needs a name, a binding and a class_name, like ${EXAMPLE}.`);
        }
        const scriptName = values.string(`${where}.script_name`, entry.script_name);
        return [binding, { name, className, ...(scriptName !== undefined && { scriptName }) }];
      }),
  },
  normalize: (option, config, { prefix, workerName, compatibilityFlags }) => {
    const preserveNonRetryableMessage = compatibilityFlags.includes(PRESERVE_FLAG);
    const merged = new Map<string, NormalizedWorkflow>();
    const add = (binding: string, { name, className, scriptName }: WorkflowOptions): void => {
      merged.set(binding, { binding, name, className, scriptName: scriptName ?? workerName, preserveNonRetryableMessage });
    };
    for (const [binding, entry] of Object.entries(config ?? {})) add(binding, entry);
    for (const [binding, entry] of Object.entries(option ?? {})) {
      const path = `${prefix}workflows.${binding}`;
      if (!isRecord(entry)) fail(`${path} must be ${FORM}, got ${typeName(entry)}.`);
      checkOptionKeys(entry, ["name", "className", "scriptName"], { prefix: `${path}.` });
      for (const field of ["name", "className"] as const) {
        if (typeof entry[field] !== "string" || entry[field] === "")
          fail(`${path}.${field} must be a non-empty string, like ${FORM}; got ${typeName(entry[field])}.`);
      }
      if (entry.scriptName !== undefined && typeof entry.scriptName !== "string") {
        fail(`${path}.scriptName must be a worker's name (a string), got ${typeName(entry.scriptName)}.`);
      }
      add(binding, entry as unknown as WorkflowOptions);
    }
    return [...merged.values()];
  },
});
