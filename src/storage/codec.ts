import { Deserializer, Serializer } from "node:v8";

/**
 * Values are stored as V8 serializer output, as in workerd: the plain V8
 * format (not Node's DefaultSerializer, which would turn Uint8Array into
 * Buffer), so a stored Uint8Array comes back as a Uint8Array, Dates as Dates
 * and errors as errors.
 */
export function serialize(value: unknown): Uint8Array {
  const serializer = new Serializer();
  serializer.writeHeader();
  try {
    serializer.writeValue(value);
  } catch (error) {
    // V8 reports "x could not be cloned." as a plain Error; the platform's
    // structured clone throws a DataCloneError DOMException with that message.
    const message = error instanceof Error ? error.message : String(error);
    throw new DOMException(message, "DataCloneError");
  }
  return serializer.releaseBuffer();
}

export function deserialize(bytes: Uint8Array): unknown {
  const deserializer = new Deserializer(bytes);
  deserializer.readHeader();
  return deserializer.readValue();
}
