/**
 * Writes items in batches, off the request path: an item is written at most `maxDelayMs` after it is
 * queued, together with everything queued meanwhile (one transaction, one disk sync on SQLite, instead
 * of one per login blocking the process). `flush()` writes what is queued now and waits for it.
 * At most `maxQueued` items wait: past that, the oldest are dropped (`onDrop`), so a stalled database
 * cannot grow the queue without bound.
 */
export const createWriteBehind = <T>(
  write: (items: T[]) => Promise<void>,
  { maxDelayMs, maxBatch = 500, maxQueued = 10_000, onError, onDrop }: {
    maxDelayMs: number;
    maxBatch?: number;
    maxQueued?: number;
    onError: (error: unknown, items: T[]) => void;
    onDrop: (count: number) => void;
  }
) => {
  let queue: T[] = [];
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();

  const writeQueued = () => {
    clearTimeout(timer);
    timer = undefined;
    writing = writing.then(async () => {
      while (queue.length > 0) {
        const batch = queue.slice(0, maxBatch);
        queue = queue.slice(batch.length);
        await write(batch).catch((error: unknown) => onError(error, batch));
      }
    });
    return writing;
  };

  return {
    add(item: T) {
      queue.push(item);
      if (queue.length > maxQueued) {
        const dropped = queue.length - maxQueued;
        queue = queue.slice(dropped);
        onDrop(dropped);
      }
      if (queue.length >= maxBatch) void writeQueued();
      else timer ??= setTimeout(writeQueued, maxDelayMs).unref();
    },
    /** Writes everything queued so far; resolves once it is written (or has failed, reported to onError). */
    flush: () => writeQueued(),
    /** Takes queued items out before they are written. */
    discard(predicate: (item: T) => boolean) {
      queue = queue.filter((item) => !predicate(item));
    },
  };
};
