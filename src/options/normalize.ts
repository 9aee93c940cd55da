import { checkValues } from "./check.js";
import { runtimeOptions } from "./declared.js";
import { fail } from "./fail.js";
import { DURABOX_OPTION_NAMES, WORKER_OPTION_NAMES } from "./names.js";
import type { NormalizedOptions } from "./normalized.js";
import { normalizeD1Persist, normalizePersistence } from "./persistence.js";
import { resolveStorageKinds } from "./storage-kinds.js";
import type { DuraboxOptions, WorkerOptions } from "./types.js";
import { checkOptionKeys } from "./unknown.js";
import { isRecord, typeName } from "../base/describe.js";
import { normalizeWorker } from "./worker.js";

/**
 * Validates options once, at the edge, into the normalised shape everything
 * deeper relies on: nothing below re-checks or re-defaults them.
 */
export function normalizeOptions(options: DuraboxOptions, cwd = process.cwd()): NormalizedOptions {
  if (!isRecord(options as unknown)) fail(`Durabox options must be an object, got ${typeName(options)}.`);
  checkOptionKeys(options, DURABOX_OPTION_NAMES);
  checkValues(options as Record<string, unknown>, runtimeOptions);
  const extra = options.workers ?? [];
  extra.forEach((worker, i) => {
    if (!isRecord(worker)) fail(`workers[${i}] must be an object of worker options, got ${typeName(worker)}.`);
    checkOptionKeys(worker, WORKER_OPTION_NAMES, { prefix: `workers[${i}].` });
  });

  const top: WorkerOptions = Object.fromEntries(WORKER_OPTION_NAMES.filter((key) => key in options).map((key) => [key, options[key]]));
  const topIsWorker = WORKER_OPTION_NAMES.some((key) => top[key] !== undefined) || extra.length === 0;
  const raw: { options: WorkerOptions; prefix: string }[] = [
    ...(topIsWorker ? [{ options: top, prefix: "" }] : []),
    ...extra.map((worker, i) => ({ options: worker, prefix: `workers[${i}].` })),
  ];
  const drafts = raw.map(({ options: worker, prefix }, index) => normalizeWorker(worker, prefix, cwd, index === 0));

  const names = new Set<string>();
  for (const { worker } of drafts) {
    if (names.has(worker.name)) fail(`Two workers are named "${worker.name}": give each worker a distinct name.`);
    names.add(worker.name);
  }
  for (const { worker } of drafts) {
    for (const { binding, scriptName } of worker.durableObjects) {
      if (!names.has(scriptName)) {
        const known = [...names].map((n) => `"${n}"`).join(", ");
        fail(
          `durableObjects.${binding} names scriptName "${scriptName}", but no worker of that name is configured (workers: ${known}). Add it to "workers".`,
        );
      }
    }
  }
  for (const { worker } of drafts) {
    for (const service of worker.serviceBindings) {
      if ("service" in service && !names.has(service.service)) {
        const known = [...names].map((n) => `"${n}"`).join(", ");
        fail(
          `serviceBindings.${service.binding} names worker "${service.service}", but no worker of that name is configured (workers: ${known}). Add it to "workers".`,
        );
      }
    }
  }
  // Production: one consumer per queue.
  const consumedBy = new Map<string, string>();
  for (const { worker } of drafts) {
    for (const { queueName } of worker.queueConsumers) {
      const other = consumedBy.get(queueName);
      if (other !== undefined) {
        fail(`Queue "${queueName}" has two consumers, workers "${other}" and "${worker.name}": a queue has one consumer worker.`);
      }
      consumedBy.set(queueName, worker.name);
    }
  }
  const storageKinds = resolveStorageKinds(drafts.map(({ sources }) => sources));
  const workers = drafts.map(({ worker }) => ({ ...worker, storageKinds: storageKinds.get(worker.name)! }));
  const persist = options.durableObjectsPersist ?? workers[0]?.configPersist;
  const persistence = normalizePersistence(persist, cwd);
  const sqliteClasses = workers.flatMap((worker) =>
    [...worker.storageKinds].filter(([, kind]) => kind === "sqlite").map(([className]) => className),
  );
  if (sqliteClasses.length > 0 && persistence.kind === "redis") {
    fail(
      `SQLite-backed Durable Objects (${sqliteClasses.join(", ")}) persist to a directory, not to Redis: ` +
        "set durableObjectsPersist to a directory (or true for ./.durabox/do), or leave it out to keep them in memory.",
    );
  }
  return {
    workers,
    automaticAlarms: options.durableObjectsAlarms ?? runtimeOptions.durableObjectsAlarms.default,
    verbose: options.verbose ?? runtimeOptions.verbose.default,
    persistence,
    d1Directory: normalizeD1Persist(options.d1Persist, cwd),
    r2Persistence: normalizePersistence(options.r2Persist, cwd, "r2Persist"),
    kvPersistence: normalizePersistence(options.kvPersist, cwd, "kvPersist"),
    queuesPersistence: normalizePersistence(options.queuesPersist, cwd, "queuesPersist"),
    secretsStorePersistence: normalizePersistence(options.secretsStorePersist, cwd, "secretsStorePersist"),
    workflowsPersistence: normalizePersistence(options.workflowsPersist, cwd, "workflowsPersist"),
    cache: options.cache ?? runtimeOptions.cache.default,
    cachePersistence: normalizePersistence(options.cachePersist, cwd, "cachePersist"),
  };
}
