/** Stable error codes; the CLI maps each to an exit code in one place (cli/exit-codes.ts). */
export type ErrorCode =
  | 'usage' // bad flags or arguments (exit 2)
  | 'config_invalid' // a config or policy file is wrong (exit 1)
  | 'not_logged_in' // no stored login (exit 3)
  | 'login_expired' // refresh failed / token expired (exit 3)
  | 'login_failed' // device flow denied, expired code, IdP error (exit 3)
  | 'denied' // policy refused (exit 4)
  | 'approval_pending' // needs approval (exit 5)
  | 'not_found' // no such connection / session (exit 1)
  | 'gateway_unreachable'
  | 'gateway_error'
  | 'upstream_error'
  | 'session_expired'
  | 'store_error'
  | 'internal';

/** The one error type of hoopctl: a stable `code`, a message naming the object, an optional `hint` naming the next command. */
export class HoopError extends Error {
  override readonly name = 'HoopError';
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
  }

  /** JSON form for `-o json` and HTTP error bodies: never includes the cause (it may hold secrets). */
  toJSON(): { code: ErrorCode; message: string; hint?: string } {
    return this.hint === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, hint: this.hint };
  }
}

/** True when `e` is a HoopError, optionally with the given code. */
export function isHoopError(e: unknown, code?: ErrorCode): e is HoopError {
  return e instanceof HoopError && (code === undefined || e.code === code);
}
