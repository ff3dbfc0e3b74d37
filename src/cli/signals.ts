/** Signal helpers for long-running commands (gateway, connect, session daemon). */

/** Resolves with the first of `signals` the process receives. */
export function waitForSignal(signals: NodeJS.Signals[]): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const handlers = new Map<NodeJS.Signals, () => void>();
    for (const s of signals) {
      const h = (): void => {
        for (const [sig, fn] of handlers) process.off(sig, fn);
        resolve(s);
      };
      handlers.set(s, h);
      process.on(s, h);
    }
  });
}
