// Chunks pushed by a socket handler, read with `for await`: the stdin of a WebSocket exec and the
// client's data on each SPDY stream. The reader gets what was pushed before `end()`, then done.

/** An async-iterable queue of chunks. */
export interface ChunkQueue extends AsyncIterable<Buffer> {
  /** Queues a chunk (ignored after `end()`). */
  push(chunk: Buffer): void;
  /** No more chunks: the reader finishes once it has read the queued ones. */
  end(): void;
}

export function createChunkQueue(): ChunkQueue {
  const queue: Buffer[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  return {
    push(chunk) {
      if (ended) return;
      queue.push(chunk);
      notify();
    },
    end() {
      ended = true;
      notify();
    },
    [Symbol.asyncIterator]: () => ({
      async next(): Promise<IteratorResult<Buffer>> {
        while (queue.length === 0 && !ended)
          await new Promise<void>((r) => {
            wake = r;
          });
        const value = queue.shift();
        return value === undefined ? { done: true, value: undefined } : { done: false, value };
      },
    }),
  };
}
