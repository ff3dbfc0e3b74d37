/** Which hosts a token may reach over plain HTTP: only those that never leave the machine. */

/** True for hosts that never leave the machine: plain HTTP to them is acceptable (tests, quickstart). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}
