/** Recordings (asciicast v2) in PostgreSQL: metadata as JSON plus the event lines in chunks, readable from every replica. */
import type { RecordingPatch, RecordingRecord, Store } from './store.js';
import type { Db } from './postgres-db.js';
import { iso } from './store-time.js';

type RecordingMethods = Pick<Store, 'createRecording' | 'appendRecording' | 'updateRecording' | 'getRecording' | 'listRecordings' | 'readRecording'>;

/** The Store's recording methods on `db`. */
export function recordingMethods(db: Db): RecordingMethods {
  const patched = (current: RecordingRecord, patch: RecordingPatch): string =>
    JSON.stringify({ ...current, ...patch, ...(patch.endedAt ? { endedAt: iso(patch.endedAt, 'endedAt') } : {}) });
  const read = async (run: (sql: string, args: unknown[]) => Promise<{ rows: { meta_json: string }[] }>, id: string): Promise<RecordingRecord | undefined> => {
    const { rows } = await run('SELECT meta_json FROM recordings WHERE id = $1', [id]);
    return rows[0] === undefined ? undefined : (JSON.parse(rows[0].meta_json) as RecordingRecord);
  };
  const update = async (
    run: (sql: string, args: unknown[]) => Promise<{ rows: { meta_json: string }[] }>,
    id: string,
    patch: RecordingPatch,
  ): Promise<void> => {
    // Only one gateway process writes a given recording, so read-modify-write needs no lock.
    const current = await read(run, id);
    if (current === undefined) throw new Error(`recording ${id} does not exist`);
    await run('UPDATE recordings SET meta_json = $1 WHERE id = $2', [patched(current, patch), id]);
  };
  const onPool = (what: string) => (sql: string, args: unknown[]) => db.query<{ meta_json: string }>(what, sql, args);
  return {
    async createRecording(r) {
      const startedAt = iso(r.startedAt, 'startedAt');
      await db.query('create a recording', 'INSERT INTO recordings (id, session, audit_id, started_at, meta_json) VALUES ($1, $2, $3, $4, $5)', [
        r.id,
        r.session,
        r.auditID,
        startedAt,
        JSON.stringify({ ...r, startedAt }),
      ]);
    },
    appendRecording: (id, n, lines, patch) =>
      db.transaction('append to a recording', async (c) => {
        await c.query('INSERT INTO recording_chunks (recording_id, n, data) VALUES ($1, $2, $3)', [id, n, lines]);
        await update((sql, args) => c.query<{ meta_json: string }>(sql, args), id, patch);
      }),
    updateRecording: (id, patch) => update(onPool('update a recording'), id, patch),
    getRecording: (id) => read(onPool('read a recording'), id),
    async listRecordings(session) {
      const { rows } = await db.query<{ meta_json: string }>(
        'list recordings',
        'SELECT meta_json FROM recordings WHERE session = $1 ORDER BY started_at, id COLLATE "C"',
        [session],
      );
      return rows.map((r) => JSON.parse(r.meta_json) as RecordingRecord);
    },
    async readRecording(id) {
      const { rows } = await db.query<{ data: string }>('read a recording', 'SELECT data FROM recording_chunks WHERE recording_id = $1 ORDER BY n', [id]);
      return rows.map((r) => r.data).join('');
    },
  };
}
