// Stand-in for `hoopctl __session-daemon` in tests that run from source: the same code path as the CLI command.
import { serveSessionDaemon } from '../../src/process/session-daemon-main.js';

const sessionsDir = process.env.HOOP_TEST_SESSIONS_DIR;
if (sessionsDir === undefined) throw new Error('HOOP_TEST_SESSIONS_DIR is not set');
serveSessionDaemon({ sessionsDir }).then(
  () => process.exit(0),
  () => process.exit(1),
);
