/**
 * Whether the database rolled a transaction back to break a deadlock: InnoDB (MySQL, MariaDB) does so
 * where PostgreSQL would have made one of the transactions wait, e.g. two transactions deleting
 * overlapping sets of rows. Both ask for the transaction to be run again.
 */
const isDeadlock = (error: unknown) => {
  const { code, errno } = (error ?? {}) as { code?: unknown; errno?: unknown };
  return code === 'ER_LOCK_DEADLOCK' || errno === 1213 || code === '40P01';
};

/** Runs a whole transaction, again (up to `attempts` in all) when the database chose it as a deadlock's victim. */
export async function retryOnDeadlock<T>(transaction: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await transaction();
    } catch (error) {
      if (attempt >= attempts || !isDeadlock(error)) throw error;
    }
  }
}
