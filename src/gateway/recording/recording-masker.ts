/** The value-pattern masker of exec/attach recordings (runs in the recording worker). */
import { createMaskContext, MASK_MARKER, maskString } from '../../mask/index.js';
import type { CompiledMasking } from '../../policy/compile-masking.js';
import type { TextMasker } from './cast-recorder.js';

const KEY_BEGIN = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----/g;
const KEY_END = /-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----/;
const MAX_PENDING = 64 * 1024;

/**
 * The value-pattern masker of the recordings (a no-op when masking is switched off in the policy). It masks
 * whole runs of complete lines at once — per line, `yes`-style output would cost ten times more CPU in the
 * relay's path — and carries a private key block that a run leaves open into the next ones.
 */
export function recordingMasker(masking: CompiledMasking): () => TextMasker {
  if (!masking.enabled) return () => ({ push: (t) => t, end: () => '', masked: () => 0 });
  return () => {
    const ctx = createMaskContext(masking.rules);
    let pending = '';
    let inKey = false;
    const maskRun = (run: string): string => {
      let head = '';
      if (inKey) {
        const end = KEY_END.exec(run);
        if (end === null) return run.replace(/[^\n]+/g, MASK_MARKER);
        head = MASK_MARKER;
        run = run.slice(end.index + end[0].length);
        inKey = false;
      }
      let lastBegin = -1;
      for (const m of run.matchAll(KEY_BEGIN)) lastBegin = m.index;
      // The private-key pattern masks an unterminated block to the end of the run; its rest comes next.
      if (lastBegin !== -1 && !KEY_END.test(run.slice(lastBegin))) inKey = true;
      return head + maskString(run, ctx);
    };
    return {
      push(text) {
        pending += text;
        const cut = pending.lastIndexOf('\n') + 1;
        if (cut === 0 && pending.length <= MAX_PENDING) return '';
        const take = cut === 0 ? pending.length : cut;
        const run = pending.slice(0, take);
        pending = pending.slice(take);
        return maskRun(run);
      },
      end() {
        const run = pending;
        pending = '';
        return run === '' ? '' : maskRun(run);
      },
      masked: () => ctx.counter.masked,
    };
  };
}
