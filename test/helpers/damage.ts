import { closeSync, openSync, readSync, writeSync } from "node:fs";

/** Inverts the byte at `offset` of `file` in place: the damage the SQLite corruption and repair tests make. */
export function flipByte(file: string, offset: number): void {
  const fd = openSync(file, "r+");
  const byte = Buffer.alloc(1);
  readSync(fd, byte, 0, 1, offset);
  byte[0] = byte[0]! ^ 0xff;
  writeSync(fd, byte, 0, 1, offset);
  closeSync(fd);
}
