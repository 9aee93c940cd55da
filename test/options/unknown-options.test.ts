import { describe, expect, it } from "vitest";
import { Durabox } from "../../src/index.js";
import { TestRuntime } from "../../src/testing/test-runtime.js";
import { DURABOX_OPTION_NAMES, TEST_OPTION_NAMES, WORKER_OPTION_NAMES } from "../../src/options/names.js";
import { unknownOptionError } from "../../src/options/unknown.js";
import { durableObjectBindingOptions } from "../../src/options/declared.js";
import { optionsError } from "../helpers/options-error.js";

const script = "export class Counter {} export default { fetch() { return new Response('ok'); } }";

const errorOf = optionsError;

describe("unknown options in new Durabox()", () => {
  it("names the option, lists the supported ones, and suggests the nearest", () => {
    const { message } = errorOf(() => new Durabox({ script, durableObject: { COUNTER: "Counter" } } as never));
    expect(message).toBe(
      `Unknown option "durableObject". Supported options: ${DURABOX_OPTION_NAMES.join(", ")}. Did you mean "durableObjects"?`,
    );
  });

  it("suggests nothing when no option is close", () => {
    expect(errorOf(() => new Durabox({ script, port: 8787 } as never)).message).toMatch(
      /^Unknown option "port"\. Supported options: [^?]*\.$/,
    );
  });

  it("says plainly that durabox does not support a Miniflare option yet", () => {
    expect(errorOf(() => new Durabox({ script, outboundService: () => new Response() } as never)).message).toMatch(
      /^Option "outboundService" is Miniflare's option for an outbound fetch handler .*, which durabox does not support yet\. Supported options: name, /,
    );
    // A misspelt one: the nearest name is the Miniflare option, and the message says it is not supported yet.
    expect(errorOf(() => new Durabox({ script, outboundServce: () => new Response() } as never)).message).toMatch(
      /^Unknown option "outboundServce"\. Supported options: .*\. Did you mean "outboundService"\? It is Miniflare's option for an outbound fetch handler .*, which durabox does not support yet\.$/,
    );
    // Queues moved out of that list when they came: queueProducers is an option now.
    expect(errorOf(() => new Durabox({ script, queueProducer: ["Q"] } as never)).message).toMatch(/Did you mean "queueProducers"\?$/);
  });

  it("says which options belong to the test environments", () => {
    expect(errorOf(() => new Durabox({ script, isolation: "file" } as never)).message).toMatch(
      /Unknown option "isolation"\. Supported options: .*\. "isolation" is an option of the test environments/,
    );
  });

  it("checks each of workers with its index, against the per-worker options", () => {
    const { message } = errorOf(
      () =>
        new Durabox({
          workers: [
            { name: "a", script },
            { name: "b", scrpt: script },
          ],
        } as never),
    );
    expect(message).toBe(
      `Unknown option "workers[1].scrpt". Supported options: ${WORKER_OPTION_NAMES.join(", ")}. Did you mean "workers[1].script"?`,
    );
    // Runtime-wide options are not per-worker ones.
    expect(errorOf(() => new Durabox({ workers: [{ name: "a", script, durableObjectsAlarms: false }] } as never)).message).toMatch(
      /^Unknown option "workers\[0\]\.durableObjectsAlarms"/,
    );
  });

  it("checks the fields of a binding's object form", () => {
    const { message } = errorOf(
      () => new Durabox({ script, durableObjects: { COUNTER: { className: "Counter", scriptname: "x" } } } as never),
    );
    expect(message).toBe(
      `Unknown option "durableObjects.COUNTER.scriptname". Supported options: ${Object.keys(durableObjectBindingOptions).join(", ")}. Did you mean "durableObjects.COUNTER.scriptName"?`,
    );
    expect(
      errorOf(() => new Durabox({ script, durableObjects: { COUNTER: { className: "Counter", scriptName: 1 } } } as never)).message,
    ).toBe(`Option "durableObjects.COUNTER.scriptName" must be a worker's name (a string), got number.`);
  });
});

describe("TestRuntime options", () => {
  it("refuses an unknown key when created, before the runtime is", () => {
    expect(() => new TestRuntime({ script, isolaton: "file" } as never)).toThrow(
      `Unknown option "isolaton". Supported options: ${TEST_OPTION_NAMES.join(", ")}. Did you mean "isolation"?`,
    );
  });

  it("refuses a durableObjectsPersistWrites that is not a boolean", () => {
    expect(() => new TestRuntime({ script, durableObjectsPersistWrites: "yes" } as never)).toThrow(
      'Option "durableObjectsPersistWrites" must be a boolean (for example true), got string.',
    );
  });
});

describe("unknownOptionError", () => {
  it("says where the options were given and how to fix it there", () => {
    expect(unknownOptionError("scriptpath", TEST_OPTION_NAMES, { where: "testEnvironmentOptions", hint: "Fix it." }).message).toBe(
      `Unknown option "scriptpath" in testEnvironmentOptions. Supported options: ${TEST_OPTION_NAMES.join(", ")}. Did you mean "scriptPath"? Fix it.`,
    );
  });
});
