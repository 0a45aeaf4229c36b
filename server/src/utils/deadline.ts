/** A time limit shared by every request of one call: its signal aborts them all when the time is up. */
export interface Deadline {
  readonly signal: AbortSignal;
  /** Milliseconds left, never below 0. */
  remaining(): number;
}

/**
 * Runs `work` under a deadline of `ms` milliseconds. An idle timer (axios' `timeout`) restarts with
 * every byte received, so an answer trickling in could hold a login forever; the signal cannot be
 * restarted.
 */
export const withDeadline = async <T>(ms: number, work: (deadline: Deadline) => Promise<T>): Promise<T> => {
  const controller = new AbortController();
  const end = Date.now() + ms;
  const timer = setTimeout(() => controller.abort(), ms);
  try {
    return await work({ signal: controller.signal, remaining: () => Math.max(0, end - Date.now()) });
  } finally {
    clearTimeout(timer);
  }
};
