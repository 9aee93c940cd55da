// R2 bucket bindings: `r2Buckets` and wrangler's `[[r2_buckets]]`.
import { isRecord } from "../../base/describe.js";
import { arrayOfTables, type ConfigValues } from "../../config/values.js";
import { option } from "../declaration.js";
import { shape } from "../value-types.js";
import { bindingKind, namesOrRecord } from "./kind.js";

/** An R2 binding: `env[binding]` is the bucket `bucketName`. */
export interface NormalizedR2Bucket {
  readonly binding: string;
  readonly bucketName: string;
}

const isString = (value: unknown): boolean => typeof value === "string";
const EXAMPLE = '{ binding = "BUCKET", bucket_name = "uploads" }';

export const r2Buckets = bindingKind<string[] | Record<string, string>, string, NormalizedR2Bucket>({
  option: "r2Buckets",
  declaration: option({
    doc: "R2 bucket bindings on `env`: binding names (Miniflare 2's form: each bucket named as its binding), or binding name to bucket name; bindings naming the same bucket share its data",
    type: shape<string[] | Record<string, string>>(
      '`string[]` or `{ BINDING: "bucket-name" }`',
      "an array of binding names or an object of binding name to bucket name, such as {example}",
      (value) => (Array.isArray(value) && value.every(isString)) || (isRecord(value) && Object.values(value).every(isString)),
    ),
    example: '{ BUCKET: "uploads" }',
    wrangler: "r2_buckets",
    cli: { name: "r2", value: "NAME[=BUCKET]", multiple: true, help: "bind an R2 bucket on env (BUCKET defaults to NAME)" },
  }),
  noun: "an R2 bucket binding",
  wrangler: {
    section: "r2_buckets",
    read: (config, values: ConfigValues) =>
      arrayOfTables(values, "r2_buckets", config.r2_buckets, EXAMPLE, (entry, where) => {
        const binding = values.string(`${where}.binding`, entry.binding);
        if (binding === undefined) values.fail(`"${where}" needs a binding, like ${EXAMPLE}.`);
        return [binding, values.string(`${where}.bucket_name`, entry.bucket_name) ?? binding];
      }),
  },
  normalize: (option, config) =>
    Object.entries({ ...config, ...namesOrRecord(option) }).map(([binding, bucketName]) => ({ binding, bucketName })),
});
