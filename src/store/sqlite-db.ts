/** What the parts of the SQLite store share: the guarded call every Store method goes through. */

/**
 * Runs `fn` unless the store is closed, turning a driver error into a HoopError('store_error') naming `what`;
 * the Store interface is async, so the answer (or the refusal) comes back as a promise.
 */
export type SqliteRun = <T>(what: string, fn: () => T) => Promise<T>;
