/**
 * How long a process may go on using settings it read from the database. A save in the same process
 * replaces its copy at once (see bootstrap's store subscription); other processes read the new value
 * within this time.
 */
export const SETTINGS_MAX_AGE_MS = 1000;

/**
 * An in-process copy of something read from the database, read again once older than `maxAgeMs` or
 * once `clear()`ed. Concurrent readers share one read; a failed read is not kept.
 */
export const createFreshCopy = <T>(read: () => Promise<T>, maxAgeMs = SETTINGS_MAX_AGE_MS) => {
  let copy: { value: Promise<T>; readAt: number } | undefined;
  return {
    get(): Promise<T> {
      const now = Date.now();
      if (!copy || now - copy.readAt >= maxAgeMs) {
        const value = read();
        const current = { value, readAt: now };
        copy = current;
        value.catch(() => {
          if (copy === current) copy = undefined;
        });
      }
      return copy.value;
    },
    clear() {
      copy = undefined;
    },
  };
};
