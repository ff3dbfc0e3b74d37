/** Exit codes, decided in one place (STYLE.md: 0 ok, 1 failure, 2 usage, 3 login, 4 denied, 5 approval pending). */
import type { ErrorCode } from '../errors.js';

/** Maps an error code to the process exit code. `exec` passes its child's code through instead. */
export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'usage':
      return 2;
    case 'not_logged_in':
    case 'login_expired':
    case 'login_failed':
      return 3;
    case 'denied':
      return 4;
    case 'approval_pending':
      return 5;
    default:
      return 1;
  }
}
