import type { SqliteDatabase } from "./database.js";
import type { DriverRow, DriverStatement } from "./driver.js";
import { explainRefusal } from "./explain-checks.js";
import { SQL_LIMITS } from "./limits.js";
import { LruMap } from "./lru.js";
import { errorOffset, sqlError } from "./sql-errors.js";
import { returnsAtMostOneRow } from "./single-row.js";
import type { Token } from "./tokenizer.js";
import { doubleQuotedAsString, type RewrittenText } from "./double-quoted.js";
import { parseStatements, type ParsedStatement } from "./parsed-statements.js";
import { checkPragmaCalls, type BoundPragmaCheck } from "./pragma-functions.js";
import { shadowTableRefusal } from "./virtual-tables.js";

/**
 * User SQL, compiled once per distinct text and database: the text's
 * statements as parsed (parsed-statements.ts: once per process), each with
 * its prepared statement kept for the next exec() of the same text
 * (production caches exec()'s statements too). Preparing runs the checks the
 * driver cannot do natively; their verdict is kept until the schema changes.
 */
export interface CompiledStatement extends Omit<ParsedStatement, "segment"> {
  /** The segment's text and tokens (parsed-statements.ts). */
  readonly text: string;
  readonly tokens: readonly Token[];
  readonly empty: boolean;
  /**
   * What was prepared: `text`, or (driver without double-quoted string literals) `text` with
   * the double-quoted names SQLite took as strings written as strings; set by each prepare.
   */
  preparedText: RewrittenText;
  /** Rows written per row changed (indexes included), for the schema of `perRowEpoch`. */
  perRow: number;
  /** An INSERT into a table with AUTOINCREMENT (it also reads and writes sqlite_sequence), for `perRowEpoch`'s schema. */
  autoincrement: boolean;
  perRowEpoch: number;
  /** A SELECT that returns at most one row (decided when prepared): run in one step. */
  singleRow: boolean;
  prepared: DriverStatement | undefined;
  checkedEpoch: number;
  /** Without an authorizer: table-valued pragmas whose verdict depends on the values bound (set by each prepare). */
  pragmaCheck: BoundPragmaCheck | undefined;
  /** The cached statement is stepping for a cursor; `owner` is that cursor, `rows` its iteration. */
  busy: boolean;
  owner: WeakRef<object> | undefined;
  rows: Iterator<DriverRow> | undefined;
}

export interface CompiledQuery {
  readonly statements: readonly CompiledStatement[];
}

const NO_VIEWS = new Set(["DROP", "ALTER", "PRAGMA"]);
const encoder = new TextEncoder();

export class UserStatements {
  private readonly cache: LruMap<string, CompiledQuery>;

  constructor(
    private readonly db: SqliteDatabase,
    cacheSize: number,
  ) {
    this.cache = new LruMap(cacheSize);
    // A suspended database's statements are gone (and the texts cost memory while the object is idle).
    db.onChange((change) => {
      if (change === "connection") this.cache.clear();
    });
  }

  compile(query: string): CompiledQuery {
    let compiled = this.cache.get(query);
    if (compiled === undefined) {
      compiled = this.compileAnew(query);
      this.cache.set(query, compiled);
    }
    return compiled;
  }

  private compileAnew(query: string): CompiledQuery {
    const statements = parseStatements(query, !this.db.features.authorizer).map((parsed): CompiledStatement => ({
      text: parsed.segment.text,
      tokens: parsed.segment.tokens,
      empty: parsed.segment.empty,
      facts: parsed.facts,
      refusal: parsed.refusal,
      tooLong: parsed.tooLong,
      dml: parsed.dml,
      changesSchema: parsed.changesSchema,
      counted: parsed.counted,
      hasSelect: parsed.hasSelect,
      perRow: 1,
      autoincrement: false,
      perRowEpoch: -1,
      singleRow: false,
      preparedText: parsed.segment,
      prepared: undefined,
      checkedEpoch: -1,
      pragmaCheck: undefined,
      busy: false,
      owner: undefined,
      rows: undefined,
    }));
    return { statements };
  }

  /**
   * The prepared statement to run `compiled` with: the cached one when free
   * (or when the cursor holding it is gone), else a fresh one. It is the
   * cached one (to release when done) if it is `compiled.prepared` after.
   */
  acquire(compiled: CompiledStatement): DriverStatement {
    if (compiled.prepared !== undefined && compiled.checkedEpoch === this.db.schemaEpoch) {
      if (compiled.busy && compiled.owner !== undefined && compiled.owner.deref() === undefined) this.release(compiled);
      if (!compiled.busy) {
        compiled.busy = true;
        return compiled.prepared;
      }
      return this.prepare(compiled);
    }
    const statement = this.prepare(compiled);
    if (compiled.busy) return statement;
    compiled.singleRow =
      statement.columnNames.length > 0 &&
      !compiled.facts.mayWrite &&
      returnsAtMostOneRow(
        this.db,
        compiled.preparedText.text,
        compiled.preparedText.tokens,
        compiled.facts.bodyStart,
        compiled.facts.parameterNames,
      );
    compiled.prepared = statement;
    compiled.checkedEpoch = this.db.schemaEpoch;
    compiled.busy = true;
    return statement;
  }

  /** The cached statement is free again (its cursor finished, or was collected). */
  release(compiled: CompiledStatement): void {
    const rows = compiled.rows;
    compiled.busy = false;
    compiled.owner = undefined;
    compiled.rows = undefined;
    rows?.return?.();
  }

  /** Prepares with every check production's SQLite would make before running. */
  private prepare(compiled: CompiledStatement): DriverStatement {
    if (compiled.empty) throw new Error("SQL code did not contain a statement.");
    if (compiled.tooLong) throw sqlError("string or blob too big", "SQLITE_TOOBIG");
    if (compiled.refusal !== undefined) throw new Error(compiled.refusal);
    const { facts } = compiled;
    const features = this.db.features;
    if (!features.limits && facts.violation !== undefined && !facts.violation.atRuntime) {
      const { message, index } = facts.violation;
      throw sqlError(message, "SQLITE_ERROR", index === undefined ? undefined : byteOffsetOf(compiled.text, index));
    }
    const statement = this.prepareText(compiled);
    const { text, tokens } = compiled.preparedText;
    const explainNeeded = !features.authorizer || (!features.defensive && facts.mayWrite);
    if (explainNeeded && facts.leading !== "PRAGMA") {
      const body = text.slice(tokens[facts.bodyStart]?.start ?? 0);
      const options = { ...features, leading: facts.leading, statement: compiled.preparedText };
      const refusal = explainRefusal(this.db, body, facts.parameterNames, options);
      if (refusal !== undefined) throw refusal;
    }
    if (!features.defensive) {
      const refusal = shadowTableRefusal(this.db, tokens, facts.bodyStart);
      if (refusal !== undefined) throw refusal;
    }
    // SQLite expands views when it runs them, not when it creates them; DROP, ALTER and PRAGMA run none (and a
    // query between preparing a PRAGMA and running it would end the transaction that `defer_foreign_keys` lasts for).
    const runsViews = !NO_VIEWS.has(facts.leading ?? "") && !isCreateView(tokens, facts.bodyStart);
    compiled.pragmaCheck = features.authorizer || !runsViews ? undefined : checkPragmaCalls(this.db, tokens, facts.pragmaCalls);
    if (!features.limits && statement.columnNames.length > SQL_LIMITS.column) {
      throw sqlError("too many columns in result set", "SQLITE_ERROR");
    }
    return statement;
  }

  /** Prepares the text, taking double-quoted names SQLite cannot resolve as strings where the driver does not. */
  private prepareText(compiled: CompiledStatement): DriverStatement {
    let source: RewrittenText = compiled;
    for (;;) {
      try {
        const statement = this.db.prepare(source.text, compiled.facts.parameterNames);
        compiled.preparedText = source;
        return statement;
      } catch (error) {
        const info = this.db.driver.describeError(error);
        const rewritten =
          info === undefined || this.db.features.doubleQuotedStrings
            ? undefined
            : doubleQuotedAsString(info.message, source.text, source.tokens);
        if (rewritten === undefined) throw this.prepareError(error, compiled, source);
        source = rewritten;
      }
    }
  }

  private prepareError(error: unknown, compiled: CompiledStatement, source: RewrittenText): unknown {
    const info = this.db.driver.describeError(error);
    if (info === undefined) return error;
    // A limit the text check knows about (the driver enforced it natively): the text check knows where.
    const violation = compiled.facts.violation;
    if (violation !== undefined && violation.message === info.message) {
      return sqlError(
        info.message,
        info.code,
        violation.index === undefined ? undefined : byteOffsetOf(source.text, violation.index),
        info.extended,
      );
    }
    // Preparing a cut-down PRAGMA could apply it: no offset search for those.
    const offset =
      compiled.facts.leading === "PRAGMA"
        ? undefined
        : errorOffset(info.message, source.text, source.tokens, (prefix) => {
            try {
              this.db.prepareTrusted(prefix);
              return undefined;
            } catch (failure) {
              return this.db.driver.describeError(failure)?.message;
            }
          });
    return sqlError(info.message, info.code, offset, info.extended);
  }

  clear(): void {
    this.cache.clear();
  }
}

function isCreateView(tokens: readonly Token[], bodyStart: number): boolean {
  if (tokens[bodyStart]?.text.toUpperCase() !== "CREATE") return false;
  const next = tokens[bodyStart + 1]?.text.toUpperCase();
  return next === "VIEW" || tokens[bodyStart + 2]?.text.toUpperCase() === "VIEW";
}

function byteOffsetOf(text: string, index: number): number {
  return encoder.encode(text.slice(0, index)).byteLength;
}
