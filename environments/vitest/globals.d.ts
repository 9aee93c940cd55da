// Add "vitest-environment-durabox/globals" to compilerOptions.types for the
// globals the durabox environment installs. Type `env` by augmenting
// ProvidedEnv: declare module "durabox/testing" { interface ProvidedEnv extends Env {} }
import type * as testing from "durabox/testing";
import type { describe as vitestDescribe } from "vitest";

declare global {
  const env: testing.ProvidedEnv;
  const getBindings: typeof testing.getBindings;
  const getDurableObjectStorage: typeof testing.getDurableObjectStorage;
  const getR2Bucket: typeof testing.getR2Bucket;
  const runInDurableObject: typeof testing.runInDurableObject;
  const runDurableObjectAlarm: typeof testing.runDurableObjectAlarm;
  const flushDurableObjectAlarms: typeof testing.flushDurableObjectAlarms;
  const listDurableObjectIds: typeof testing.listDurableObjectIds;
  const evictDurableObject: typeof testing.evictDurableObject;
  const connectWebSocket: typeof testing.connectWebSocket;
  const getD1Database: typeof testing.getD1Database;
  const readD1Migrations: typeof testing.readD1Migrations;
  const applyD1Migrations: typeof testing.applyD1Migrations;
  const getKVNamespace: typeof testing.getKVNamespace;
  const getCaches: typeof testing.getCaches;
  const getMiniflareBindings: typeof testing.getMiniflareBindings;
  const getMiniflareDurableObjectStorage: typeof testing.getMiniflareDurableObjectStorage;
  const getMiniflareDurableObjectState: typeof testing.getMiniflareDurableObjectState;
  const getMiniflareDurableObjectInstance: typeof testing.getMiniflareDurableObjectInstance;
  const runWithMiniflareDurableObjectGates: typeof testing.runWithMiniflareDurableObjectGates;
  const flushMiniflareDurableObjectAlarms: typeof testing.flushMiniflareDurableObjectAlarms;
  const getMiniflareDurableObjectIds: typeof testing.getMiniflareDurableObjectIds;
  const getMiniflareFetchMock: typeof testing.getMiniflareFetchMock;
  const setupIsolatedStorage: () => typeof vitestDescribe;
  const setupMiniflareIsolatedStorage: () => typeof vitestDescribe;
}

export {};
