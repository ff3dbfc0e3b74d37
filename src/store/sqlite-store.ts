/** The embedded Store: one SQLite file (better-sqlite3, WAL), for a single gateway process. */
import { HoopError } from '../errors.js';
import type { RecordingPatch, RecordingRecord, Store } from './store.js';
import { sqliteAccessRequestMethods } from './sqlite-access-requests.js';
import { createSqliteAudit, sqliteAuditMethods } from './sqlite-audit.js';
import { createSqliteRecordings } from './sqlite-recordings.js';
import { openSqliteDatabase } from './sqlite-schema.js';
import { sqliteSessionMethods } from './sqlite-sessions.js';
import { iso } from './store-time.js';

export { SQLITE_SCHEMA_VERSION } from './sqlite-schema.js';

/** Opens (creating and migrating when needed) the SQLite store at `file`. */
export async function openSqliteStore(file: string): Promise<Store> {
  const db = await openSqliteDatabase(file);
  let closed = false;
  // Every call goes through here so a driver error becomes a HoopError and a closed store says so.
  function run<T>(what: string, fn: () => T): Promise<T> {
    if (closed) return Promise.reject(new HoopError('store_error', `${what}: the store is closed`));
    try {
      return Promise.resolve(fn());
    } catch (cause) {
      if (cause instanceof HoopError) return Promise.reject(cause);
      return Promise.reject(new HoopError('store_error', `${what}: ${(cause as Error).message}`, { cause }));
    }
  }
  const audit = createSqliteAudit(db);
  const recordings = createSqliteRecordings(db, iso);
  const sessions = sqliteSessionMethods(db, run);
  const { stopListening, ...sessionMethods } = sessions;
  return {
    kind: 'sqlite',
    ...sessionMethods,
    ...sqliteAuditMethods(db, audit, run),
    createRecording: (r: RecordingRecord) => run('create a recording', () => recordings.create(r)),
    appendRecording: (id: string, n: number, lines: string, patch: RecordingPatch) =>
      run('append to a recording', () => recordings.append(id, n, lines, patch)),
    updateRecording: (id: string, patch: RecordingPatch) => run('update a recording', () => recordings.update(id, patch)),
    getRecording: (id: string) => run('read a recording', () => recordings.get(id)),
    listRecordings: (session: string) => run('list recordings', () => recordings.list(session)),
    readRecording: (id: string) => run('read a recording', () => recordings.read(id)),
    ...sqliteAccessRequestMethods(db, run),
    close: async () => {
      if (closed) return;
      closed = true;
      stopListening();
      audit.flush();
      db.close();
    },
  };
}
