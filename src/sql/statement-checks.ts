import { KNOWN_FUNCTIONS, ALLOWED_FUNCTIONS } from "./allow-lists.js";
import { Action, isAllowedName, isAuthorized, TRANSACTION_STATEMENT_MESSAGE } from "./authorizer.js";
import { notAuthorized, sqlError } from "./sql-errors.js";
import type { StatementFacts } from "./statement-facts.js";
import { keyword, nameOf, type Token } from "./tokenizer.js";

/**
 * Refusals decided from a statement's text before SQLite prepares it.
 *
 * For every driver: transaction statements (production's own Error) and
 * ATTACH/DETACH. Where the driver has no authorizer, also what production's
 * authorizer decides from names in the text: PRAGMAs (which SQLite would
 * apply while preparing, before any later check), temporary objects,
 * reserved `_cf_` names in CREATE/ALTER, virtual table modules, and
 * what a trigger body uses (production checks it when a statement fires the
 * trigger; here it is refused when the trigger is created).
 */
const TRANSACTION_KEYWORDS = new Set(["BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"]);

export function textRefusal(tokens: readonly Token[], facts: StatementFacts, emulateAuthorizer: boolean): Error | undefined {
  const leading = facts.leading;
  if (leading !== undefined && TRANSACTION_KEYWORDS.has(leading)) return new Error(TRANSACTION_STATEMENT_MESSAGE);
  if (leading === "ATTACH" || leading === "DETACH") return notAuthorized();
  const at = facts.bodyStart + 1;
  if (!emulateAuthorizer) return undefined;
  switch (leading) {
    case "PRAGMA":
      return pragmaRefusal(tokens, at);
    case "CREATE":
      return createRefusal(tokens, at);
    case "ALTER":
      return keyword(tokens[at]) === "TABLE" ? nameRefusal(qualifiedName(tokens, at + 1)) : undefined;
    default:
      return undefined;
  }
}

interface QualifiedName {
  readonly schema: string | undefined;
  readonly name: string | undefined;
  /** Index of the token after the name. */
  readonly next: number;
}

function qualifiedName(tokens: readonly Token[], at: number): QualifiedName {
  if (tokens[at + 1]?.text === ".") return { schema: nameOf(tokens[at]), name: nameOf(tokens[at + 2]), next: at + 3 };
  return { schema: undefined, name: nameOf(tokens[at]), next: at + 1 };
}

/** Checks one name as production's authorizer would for CREATE/ALTER. */
function nameRefusal(target: QualifiedName): Error | undefined {
  if (target.schema?.toLowerCase() === "temp") return notAuthorized();
  return target.name !== undefined && !isAllowedName(target.name) ? notAuthorized() : undefined;
}

/** PRAGMA [schema.]name [= value | (value)], with the value as SQLite hands it to the authorizer. */
function pragmaRefusal(tokens: readonly Token[], at: number): Error | undefined {
  const target = qualifiedName(tokens, at);
  if (target.name === undefined) return undefined;
  let value: string | null = null;
  let i = target.next;
  if (tokens[i]?.text === "=" || tokens[i]?.text === "(") {
    i++;
    const sign = tokens[i]?.text === "-" || tokens[i]?.text === "+" ? tokens[i++]!.text : "";
    const token = tokens[i];
    if (token !== undefined) value = (sign === "-" ? "-" : "") + (nameOf(token) ?? token.text);
  }
  const database = target.schema === undefined ? null : target.schema.toLowerCase();
  return isAuthorized(Action.PRAGMA, target.name, value, database, null) ? undefined : notAuthorized();
}

const IF_NOT_EXISTS = new Set(["IF", "NOT", "EXISTS"]);

function createRefusal(tokens: readonly Token[], at: number): Error | undefined {
  let i = at;
  const temp = keyword(tokens[i]);
  if (temp === "TEMP" || temp === "TEMPORARY") return notAuthorized();
  if (keyword(tokens[i]) === "UNIQUE") i++;
  const kind = keyword(tokens[i]);
  if (kind === "VIRTUAL") i++;
  i++;
  while (IF_NOT_EXISTS.has(keyword(tokens[i]) ?? "")) i++;
  const target = qualifiedName(tokens, i);
  const refused = nameRefusal(target);
  if (refused !== undefined) return refused;
  switch (kind) {
    case "VIRTUAL": {
      const using = tokens.findIndex((token, j) => j >= target.next && keyword(token) === "USING");
      const module = nameOf(tokens[using + 1]);
      return module !== undefined && isAuthorized(Action.CREATE_VTABLE, target.name ?? "", module, null, null)
        ? undefined
        : notAuthorized();
    }
    case "INDEX": {
      const on = tokens.findIndex((token, j) => j >= target.next && keyword(token) === "ON");
      return on === -1 ? undefined : nameRefusal(qualifiedName(tokens, on + 1));
    }
    case "TRIGGER":
      return triggerRefusal(tokens, target.next);
    default:
      return undefined;
  }
}

/** The table a trigger is on, and what its body names. */
function triggerRefusal(tokens: readonly Token[], at: number): Error | undefined {
  const on = tokens.findIndex((token, j) => j >= at && keyword(token) === "ON");
  if (on !== -1) {
    const refused = nameRefusal(qualifiedName(tokens, on + 1));
    if (refused !== undefined) return refused;
  }
  const begin = tokens.findIndex((token, j) => j > on && keyword(token) === "BEGIN");
  for (let i = begin + 1; begin !== -1 && i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.kind === "string") continue;
    const name = nameOf(token);
    if (name === undefined) continue;
    if (!isAllowedName(name)) return notAuthorized();
    const lower = name.toLowerCase();
    if (token.kind === "word" && tokens[i + 1]?.text === "(" && KNOWN_FUNCTIONS.has(lower) && !ALLOWED_FUNCTIONS.has(lower)) {
      return sqlError(`not authorized to use function: ${lower}`, "SQLITE_ERROR");
    }
  }
  return undefined;
}
