/** SQLite's primary result codes by number (sqlite3.h), for errors a driver reports as a number. */
const PRIMARY_CODE_NAMES = [
  "SQLITE_OK",
  "SQLITE_ERROR",
  "SQLITE_INTERNAL",
  "SQLITE_PERM",
  "SQLITE_ABORT",
  "SQLITE_BUSY",
  "SQLITE_LOCKED",
  "SQLITE_NOMEM",
  "SQLITE_READONLY",
  "SQLITE_INTERRUPT",
  "SQLITE_IOERR",
  "SQLITE_CORRUPT",
  "SQLITE_NOTFOUND",
  "SQLITE_FULL",
  "SQLITE_CANTOPEN",
  "SQLITE_PROTOCOL",
  "SQLITE_EMPTY",
  "SQLITE_SCHEMA",
  "SQLITE_TOOBIG",
  "SQLITE_CONSTRAINT",
  "SQLITE_MISMATCH",
  "SQLITE_MISUSE",
  "SQLITE_NOLFS",
  "SQLITE_AUTH",
  "SQLITE_FORMAT",
  "SQLITE_RANGE",
  "SQLITE_NOTADB",
  "SQLITE_NOTICE",
  "SQLITE_WARNING",
];

/** The primary code name of an (extended) result code number. */
export function primaryCodeName(code: number): string {
  return PRIMARY_CODE_NAMES[code & 0xff] ?? `SQLITE_UNKNOWN_ERROR_CODE(${code & 0xff})`;
}

/** "SQLITE_CONSTRAINT_NOTNULL" -> "SQLITE_CONSTRAINT": extended names add one more `_PART`. */
export function primaryOfExtendedName(name: string): string {
  const match = /^SQLITE_[A-Z]+/.exec(name);
  return match ? match[0] : name;
}
