import { KNOWN_FUNCTIONS } from "./allow-lists.js";
import { SQL_LIMITS } from "./limits.js";
import { pragmaCalls, type PragmaCall } from "./pragma-functions.js";
import { keyword, nameOf, type Token } from "./tokenizer.js";

/**
 * What one statement's tokens tell before SQLite sees it: its leading
 * keyword, its parameters (numbered as SQLite numbers them), and the limits
 * that can be checked from the text alone. Computed once per distinct SQL
 * text and cached with the prepared statement.
 */
export interface StatementFacts {
  /** The first keyword after EXPLAIN [QUERY PLAN], upper case. */
  readonly leading: string | undefined;
  readonly explain: boolean;
  /** sqlite3_bind_parameter_count: the highest parameter index. */
  readonly parameterCount: number;
  /** Per index (0-based), the parameter's name as written (`:a`, `?3`), or null for a bare `?`. */
  readonly parameterNames: readonly (string | null)[];
  /** Whether running it may change the database (an implicit transaction opens first). */
  readonly mayWrite: boolean;
  /** The first limit the text breaks, as SQLite would report it. */
  readonly violation: TextViolation | undefined;
  /** 0-based parameter indexes used as LIKE/GLOB patterns (checked against the pattern limit when bound). */
  readonly patternParameters: readonly number[];
  /** The index of the first token after EXPLAIN [QUERY PLAN]. */
  readonly bodyStart: number;
  /** Table-valued pragmas it calls (checked where the driver has no authorizer). */
  readonly pragmaCalls: readonly PragmaCall[];
}

export interface TextViolation {
  readonly message: string;
  /** Index into the statement text where SQLite places the error, if it reports one. */
  readonly index: number | undefined;
  /** True for errors SQLite raises while running (the statement prepares, the first step fails). */
  readonly atRuntime: boolean;
}

const WRITE_KEYWORDS = new Set(["INSERT", "UPDATE", "DELETE", "REPLACE"]);
const READ_ONLY_LEADING = new Set(["SELECT", "VALUES"]);
const COMPOUND = new Set(["UNION", "INTERSECT", "EXCEPT"]);
const encoder = new TextEncoder();

export function statementFacts(tokens: readonly Token[]): StatementFacts {
  // Empty statements (";") before this one are skipped by SQLite.
  let bodyStart = 0;
  while (tokens[bodyStart]?.kind === "semicolon") bodyStart++;
  let explain = false;
  if (keyword(tokens[bodyStart]) === "EXPLAIN") {
    explain = true;
    bodyStart += keyword(tokens[bodyStart + 1]) === "QUERY" && keyword(tokens[bodyStart + 2]) === "PLAN" ? 3 : 1;
  }
  const leading = keyword(tokens[bodyStart]);
  const parameters = numberParameters(tokens);
  let violation = parameters.violation;
  violation ??= compoundViolation(tokens);
  violation ??= functionArgumentViolation(tokens);
  violation ??= tableColumnsViolation(tokens, bodyStart);
  const patterns = likePatterns(tokens, parameters.indexOfToken);
  violation ??= patterns.violation;
  return {
    leading,
    explain,
    parameterCount: parameters.names.length,
    parameterNames: parameters.names,
    mayWrite: !explain && mayWrite(leading, tokens, bodyStart),
    violation,
    patternParameters: patterns.parameters,
    bodyStart,
    pragmaCalls: pragmaCalls(tokens, (index) => parameters.indexOfToken.get(index)),
  };
}

function mayWrite(leading: string | undefined, tokens: readonly Token[], bodyStart: number): boolean {
  if (leading === undefined || READ_ONLY_LEADING.has(leading)) return false;
  if (leading === "WITH") {
    let depth = 0;
    for (let i = bodyStart; i < tokens.length; i++) {
      const token = tokens[i]!;
      if (token.text === "(") depth++;
      else if (token.text === ")") depth--;
      else if (depth === 0 && WRITE_KEYWORDS.has(keyword(token) ?? "")) return true;
    }
    return false;
  }
  if (leading === "PRAGMA") {
    // A pragma that sets a value; production runs it inside the implicit
    // transaction, where SQLite ignores `foreign_keys` changes.
    return tokens.some((token) => token.text === "=") || keyword(tokens[bodyStart + 1]) === "OPTIMIZE";
  }
  return true;
}

interface Parameters {
  readonly names: (string | null)[];
  readonly violation: TextViolation | undefined;
  /** Token index -> 0-based parameter index. */
  readonly indexOfToken: Map<number, number>;
}

/** Parameter numbering as sqlite3ExprAssignVarNumber does it. */
function numberParameters(tokens: readonly Token[]): Parameters {
  const names: (string | null)[] = [];
  const byName = new Map<string, number>();
  const indexOfToken = new Map<number, number>();
  const limit = SQL_LIMITS.variableNumber;
  let violation: TextViolation | undefined;
  tokens.forEach((token, i) => {
    if (token.kind !== "variable") return;
    let index: number;
    if (token.text === "?") {
      index = names.length + 1;
    } else if (token.text.startsWith("?")) {
      index = Number(token.text.slice(1));
      if (!Number.isInteger(index) || index < 1 || index > limit) {
        violation ??= { message: `variable number must be between ?1 and ?${limit}`, index: token.start, atRuntime: false };
        return;
      }
      byName.set(token.text, index);
    } else {
      index = byName.get(token.text) ?? names.length + 1;
      byName.set(token.text, index);
    }
    if (index > limit) {
      violation ??= { message: "too many SQL variables", index: token.start, atRuntime: false };
      return;
    }
    while (names.length < index) names.push(null);
    if (token.text !== "?") names[index - 1] = token.text;
    indexOfToken.set(i, index - 1);
  });
  return { names, violation, indexOfToken };
}

/** More than SQLITE_LIMIT_COMPOUND_SELECT terms in one chain of UNION/INTERSECT/EXCEPT. */
function compoundViolation(tokens: readonly Token[]): TextViolation | undefined {
  const chains = [0];
  for (const token of tokens) {
    if (token.text === "(") chains.push(0);
    else if (token.text === ")") {
      if (chains.length > 1) chains.pop();
    } else if (token.kind === "semicolon") chains[chains.length - 1] = 0;
    else if (token.kind === "word" && COMPOUND.has(token.text.toUpperCase())) {
      const terms = ++chains[chains.length - 1]! + 1;
      if (terms > SQL_LIMITS.compoundSelect) return { message: "too many terms in compound SELECT", index: undefined, atRuntime: false };
    }
  }
  return undefined;
}

/** A call to a known function with more than SQLITE_LIMIT_FUNCTION_ARG arguments. */
function functionArgumentViolation(tokens: readonly Token[]): TextViolation | undefined {
  for (let i = 0; i + 1 < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.kind !== "word" || tokens[i + 1]!.text !== "(" || !KNOWN_FUNCTIONS.has(token.text.toLowerCase())) continue;
    if (tokens[i - 1]?.text === ".") continue;
    let depth = 0;
    let args = 0;
    for (let j = i + 1; j < tokens.length; j++) {
      const text = tokens[j]!.text;
      if (text === "(") depth++;
      else if (text === ")") {
        if (--depth === 0) break;
      } else if (depth === 1) {
        if (args === 0) args = 1;
        if (text === ",") args++;
      }
    }
    if (args > SQL_LIMITS.functionArg) {
      return { message: `too many arguments on function ${token.text}`, index: token.start, atRuntime: false };
    }
  }
  return undefined;
}

const TABLE_CONSTRAINTS = new Set(["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"]);

/** CREATE TABLE with more column definitions than SQLITE_LIMIT_COLUMN. */
function tableColumnsViolation(tokens: readonly Token[], bodyStart: number): TextViolation | undefined {
  if (keyword(tokens[bodyStart]) !== "CREATE") return undefined;
  let i = bodyStart + 1;
  while (["TEMP", "TEMPORARY"].includes(keyword(tokens[i]) ?? "")) i++;
  if (keyword(tokens[i]) !== "TABLE") return undefined;
  i++;
  while (["IF", "NOT", "EXISTS"].includes(keyword(tokens[i]) ?? "")) i++;
  if (tokens[i + 1]?.text === ".") i += 2;
  const name = nameOf(tokens[i]);
  if (name === undefined || tokens[i + 1]?.text !== "(") return undefined;
  let depth = 0;
  let columns = 0;
  let atDefinitionStart = true;
  for (let j = i + 1; j < tokens.length; j++) {
    const text = tokens[j]!.text;
    if (text === "(") depth++;
    else if (text === ")") {
      if (--depth === 0) break;
    } else if (depth === 1 && text === ",") {
      atDefinitionStart = true;
      continue;
    }
    if (depth === 1 && atDefinitionStart && text !== "(") {
      if (!TABLE_CONSTRAINTS.has(keyword(tokens[j]) ?? "")) columns++;
      atDefinitionStart = false;
    }
  }
  return columns > SQL_LIMITS.column ? { message: `too many columns on ${name}`, index: undefined, atRuntime: false } : undefined;
}

/** LIKE/GLOB patterns written as literals (checked now) or parameters (checked when bound). */
function likePatterns(
  tokens: readonly Token[],
  indexOfToken: Map<number, number>,
): { violation: TextViolation | undefined; parameters: number[] } {
  const parameters: number[] = [];
  let violation: TextViolation | undefined;
  tokens.forEach((token, i) => {
    const word = keyword(token);
    if (word !== "LIKE" && word !== "GLOB") return;
    // `x LIKE 'p'`, `x LIKE ('p')` and `like('p', x)` all have the pattern first.
    let patternIndex = i + 1;
    while (tokens[patternIndex]?.text === "(") patternIndex++;
    const pattern = tokens[patternIndex];
    if (pattern?.kind === "string") {
      const bytes = encoder.encode(nameOf(pattern) ?? "").byteLength;
      if (bytes > SQL_LIMITS.likePatternLength)
        violation ??= { message: "LIKE or GLOB pattern too complex", index: undefined, atRuntime: true };
    } else if (pattern?.kind === "variable") {
      const index = indexOfToken.get(patternIndex);
      if (index !== undefined) parameters.push(index);
    }
  });
  return { violation, parameters };
}
