/**
 * Exiting without losing output: once a pipe is full (`hoopctl audit -o json | jq` with a slow reader), Node queues
 * the rest of stdout in memory, and process.exit drops that queue — the newest lines of a long listing were lost.
 */

/** Resolves once everything written to `stream` so far has been handed to the OS (or the reader went away). */
export function flushed(stream: NodeJS.WritableStream & { writableLength: number }): Promise<void> {
  if (stream.writableLength === 0) return Promise.resolve();
  // Writes complete in order, so this one's callback runs after every earlier one's (with an error if the reader left).
  return new Promise((res) => stream.write('', () => res()));
}

/** Resolves once this process's stdout and stderr are flushed; the entry point exits only then. */
export async function outputFlushed(): Promise<void> {
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
}
