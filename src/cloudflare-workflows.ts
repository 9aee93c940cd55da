// The `cloudflare:workflows` module as tests and worker code loaded by the test runner import
// it (the test environments alias the specifier here; worker code durabox bundles itself gets
// the same class through worker/evaluate.ts).
export { NonRetryableError } from "./bindings/workflows/errors.js";
