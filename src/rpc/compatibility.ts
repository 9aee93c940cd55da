/**
 * What a worker's compatibility date and flags change in RPC (workerd
 * src/workerd/io/compatibility-date.capnp):
 * - `enhanced_error_serialization` (default from 2026-04-21, off with
 *   `legacy_error_serialization`): an error keeps its `name` whatever it is
 *   and its own properties (`code`, `cause`, ...), not its stack; before,
 *   only the standard types' names crossed and an error of another name
 *   arrived as `Error` with "Name: message" for its message;
 * - `rpc_params_dup_stubs` (default from 2026-01-20, off with
 *   `rpc_params_transfer_stubs`): a stub sent in a call's arguments is
 *   duplicated, the sender's own stays usable; before, it was transferred
 *   (the sender's stub disposed).
 */
export interface RpcCompatibility {
  readonly enhancedErrors: boolean;
  readonly dupParamStubs: boolean;
}

export const ENHANCED_ERROR_SERIALIZATION_DATE = "2026-04-21";
export const RPC_PARAMS_DUP_STUBS_DATE = "2026-01-20";

/** Today's behaviour: what a worker without a compatibility date gets (durabox runs the current defaults). */
export const CURRENT_RPC: RpcCompatibility = { enhancedErrors: true, dupParamStubs: true };

function flagged(flags: readonly string[], on: string, off: string, date: string | undefined, from: string): boolean {
  if (flags.includes(on)) return true;
  if (flags.includes(off)) return false;
  return date === undefined || date >= from;
}

export function rpcCompatibility(date: string | undefined, flags: readonly string[]): RpcCompatibility {
  return {
    enhancedErrors: flagged(flags, "enhanced_error_serialization", "legacy_error_serialization", date, ENHANCED_ERROR_SERIALIZATION_DATE),
    dupParamStubs: flagged(flags, "rpc_params_dup_stubs", "rpc_params_transfer_stubs", date, RPC_PARAMS_DUP_STUBS_DATE),
  };
}
