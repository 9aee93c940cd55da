import { ObjectRuntime } from "../../src/objects/runtime.js";
import { MemoryBackend } from "../../src/storage/backends/memory.js";
import type { DurableObjectClass } from "../../src/objects/class-registry.js";
import type { DurableObjectNamespace } from "../../src/objects/namespace.js";
import type { StorageBackend } from "../../src/storage/backend.js";

/** A runtime over classes defined in the test itself (no bundling). */
export function runtimeWith(
  classes: Record<string, DurableObjectClass>,
  options: { backend?: StorageBackend; automaticAlarms?: boolean; env?: Record<string, unknown> } = {},
): { runtime: ObjectRuntime; ns: (className: string) => DurableObjectNamespace; env: Record<string, unknown> } {
  const runtime = new ObjectRuntime(options.backend ?? new MemoryBackend(), {
    automaticAlarms: options.automaticAlarms ?? false,
  });
  const env: Record<string, unknown> = { ...options.env };
  for (const [className, objectClass] of Object.entries(classes)) {
    runtime.define({ identity: `test#${className}`, className, storageKind: "key-value", resolve: () => ({ objectClass, env }) });
    env[className] = runtime.namespace(`test#${className}`);
  }
  return { runtime, ns: (className) => runtime.namespace(`test#${className}`), env };
}
