/**
 * A command line as a POSIX shell would need it typed to get the same argv: what `kubectl exec … -- sh -c 'echo "a b"'`
 * sent is shown that way, not as the ambiguous `sh -c echo "a b"` of a plain join.
 */

// Characters no POSIX shell treats specially, anywhere in a word.
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One argument, quoted when it needs to be: single quotes, with `'` written as `'\''`; an empty argument as `''`. */
export function shellQuoteArg(arg: string): string {
  if (SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** An argv as one shell command line. */
export function shellQuote(argv: readonly string[]): string {
  return argv.map(shellQuoteArg).join(' ');
}
