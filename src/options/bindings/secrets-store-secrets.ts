// Secrets Store bindings: `secretsStoreSecrets` (Miniflare's record of binding name to
// `{ store_id, secret_name }`) and wrangler's `secrets_store_secrets`. Each binding reads one
// secret of one store; bindings naming the same store share its secrets.
import { isRecord, typeName } from "../../base/describe.js";
import { arrayOfTables, type ConfigValues } from "../../config/values.js";
import { option } from "../declaration.js";
import { fail } from "../fail.js";
import { checkOptionKeys } from "../unknown.js";
import { shape } from "../value-types.js";
import { bindingKind } from "./kind.js";

/** A Secrets Store binding: `env[binding].get()` reads secret `secretName` of store `storeId`. */
export interface NormalizedSecretsStoreSecret {
  readonly binding: string;
  readonly storeId: string;
  readonly secretName: string;
}

/** One binding as the option gives it (wrangler's and Miniflare's field names). */
export interface SecretsStoreSecretOptions {
  store_id: string;
  secret_name: string;
}

const EXAMPLE = '{ binding = "API_KEY", store_id = "<store id>", secret_name = "api-key" }';

export const secretsStoreSecrets = bindingKind<
  Record<string, SecretsStoreSecretOptions>,
  SecretsStoreSecretOptions,
  NormalizedSecretsStoreSecret
>({
  option: "secretsStoreSecrets",
  declaration: option({
    doc: "Secrets Store bindings on `env` (`get()`): binding name to `{ store_id, secret_name }`; bindings naming one store share its secrets, which tests create with `adminSecretsStore()` from `cloudflare:test`",
    type: shape<Record<string, SecretsStoreSecretOptions>>(
      "`{ BINDING: { store_id, secret_name } }`",
      "an object of binding name to { store_id, secret_name }, such as {example}",
      (value) => isRecord(value) && Object.values(value).every(isRecord),
    ),
    example: '{ API_KEY: { store_id: "store", secret_name: "api-key" } }',
    wrangler: "secrets_store_secrets",
  }),
  noun: "a Secrets Store binding",
  wrangler: {
    section: "secrets_store_secrets",
    read: (config, values: ConfigValues) =>
      arrayOfTables(values, "secrets_store_secrets", config.secrets_store_secrets, EXAMPLE, (entry, where) => {
        const binding = values.string(`${where}.binding`, entry.binding);
        const storeId = values.string(`${where}.store_id`, entry.store_id);
        const secretName = values.string(`${where}.secret_name`, entry.secret_name);
        if (binding === undefined || storeId === undefined || secretName === undefined) {
          values.fail(`"${where}" needs a binding, a store_id and a secret_name, like ${EXAMPLE}.`);
        }
        return [binding, { store_id: storeId, secret_name: secretName }];
      }),
  },
  normalize: (option, config, { prefix }) => {
    const merged = new Map<string, NormalizedSecretsStoreSecret>();
    for (const [binding, { store_id, secret_name }] of Object.entries(config ?? {}))
      merged.set(binding, { binding, storeId: store_id, secretName: secret_name });
    for (const [binding, entry] of Object.entries(option ?? {})) {
      const path = `${prefix}secretsStoreSecrets.${binding}`;
      checkOptionKeys(entry, ["store_id", "secret_name"], { prefix: `${path}.` });
      for (const field of ["store_id", "secret_name"] as const) {
        const value: unknown = entry[field];
        if (typeof value !== "string" || value === "")
          fail(`${path}.${field} must be a non-empty string, got ${value === "" ? "an empty string" : typeName(value)}.`);
      }
      merged.set(binding, { binding, storeId: entry.store_id, secretName: entry.secret_name });
    }
    return [...merged.values()];
  },
});
