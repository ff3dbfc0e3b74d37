/** Recordings (asciicast v2) in SQLite: metadata as JSON plus the event lines in chunks, so replay needs nothing but the store. */
import type Database from 'better-sqlite3';
import type { RecordingPatch, RecordingRecord } from './store.js';

/** The recording statements of one open database. */
export interface SqliteRecordings {
  create(r: RecordingRecord): void;
  append(id: string, n: number, lines: string, patch: RecordingPatch): void;
  update(id: string, patch: RecordingPatch): void;
  get(id: string): RecordingRecord | undefined;
  list(session: string): RecordingRecord[];
  read(id: string): string;
}

/** Schema migration that adds the tables. */
export const RECORDINGS_MIGRATION = `CREATE TABLE recordings (
     id TEXT PRIMARY KEY, session TEXT NOT NULL, audit_id TEXT NOT NULL, started_at TEXT NOT NULL, meta_json TEXT NOT NULL);
   CREATE INDEX recordings_by_session ON recordings (session, started_at);
   CREATE TABLE recording_chunks (
     recording_id TEXT NOT NULL REFERENCES recordings (id), n INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (recording_id, n));`;

/** Prepares the statements. */
export function createSqliteRecordings(db: Database.Database, iso: (v: string, what: string) => string): SqliteRecordings {
  const insert = db.prepare('INSERT INTO recordings (id, session, audit_id, started_at, meta_json) VALUES (?, ?, ?, ?, ?)');
  const meta = db.prepare('SELECT meta_json FROM recordings WHERE id = ?');
  const setMeta = db.prepare('UPDATE recordings SET meta_json = ? WHERE id = ?');
  const bySession = db.prepare('SELECT meta_json FROM recordings WHERE session = ? ORDER BY started_at, id');
  const chunk = db.prepare('INSERT INTO recording_chunks (recording_id, n, data) VALUES (?, ?, ?)');
  const chunks = db.prepare('SELECT data FROM recording_chunks WHERE recording_id = ? ORDER BY n');
  const get = (id: string): RecordingRecord | undefined => {
    const r = meta.get(id) as { meta_json: string } | undefined;
    return r === undefined ? undefined : (JSON.parse(r.meta_json) as RecordingRecord);
  };
  const update = (id: string, patch: RecordingPatch): void => {
    const current = get(id);
    if (current === undefined) throw new Error(`recording ${id} does not exist`);
    const next = { ...current, ...patch };
    if (patch.endedAt) next.endedAt = iso(patch.endedAt, 'endedAt');
    setMeta.run(JSON.stringify(next), id);
  };
  const append = db.transaction((id: string, n: number, lines: string, patch: RecordingPatch) => {
    chunk.run(id, n, lines);
    update(id, patch);
  });
  return {
    create: (r) => {
      insert.run(r.id, r.session, r.auditID, iso(r.startedAt, 'startedAt'), JSON.stringify({ ...r, startedAt: iso(r.startedAt, 'startedAt') }));
    },
    append: (id, n, lines, patch) => append(id, n, lines, patch),
    update,
    get,
    list: (session) => (bySession.all(session) as { meta_json: string }[]).map((r) => JSON.parse(r.meta_json) as RecordingRecord),
    read: (id) => (chunks.all(id) as { data: string }[]).map((r) => r.data).join(''),
  };
}
