/**
 * What every D1 result carries (workers-types D1Meta), as local workerd
 * fills it: the statement's own timing and counts, and the database's size
 * after it.
 */
export interface D1Meta {
  duration: number;
  size_after: number;
  rows_read: number;
  rows_written: number;
  last_row_id: number;
  changed_db: boolean;
  changes: number;
  served_by: string;
  served_by_primary: boolean;
  [key: string]: unknown;
}

export interface D1Response {
  success: true;
  meta: D1Meta;
  error?: never;
}

export type D1Result<T = unknown> = D1Response & { results: T[] };

export interface D1ExecResult {
  count: number;
  duration: number;
}

/** Who answered: durabox's own in-process database, always the primary. */
export const SERVED_BY = "durabox.db";
