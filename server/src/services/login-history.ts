import type { Core } from '@strapi/strapi';

import { LOGIN_RECORD_UID } from '../constants';
import type { LoginFlow, LoginRecord } from '../admin-api';
import { retryOnDeadlock } from '../utils/deadlock';
import { createWriteBehind } from '../utils/write-behind';
import { tableOf } from '../utils/table';

/** How many logins are kept per TikTok account. */
export const KEPT_LOGINS = 20;


interface LoginRecordRow extends Omit<LoginRecord, 'at'> {
  id: number;
  unionId: string;
  at: string | Date;
}

export interface NewLoginRecord {
  unionId: string;
  userId: number;
  clientKey?: string;
  flow: LoginFlow;
  ip?: string;
  userAgent?: string;
}

/** How long a login may wait to be recorded: logins within this time share one write. */
export const RECORD_DELAY_MS = 1000;

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const records = () => strapi.db.query(LOGIN_RECORD_UID);

  /**
   * One transaction for the logins recorded within a second: their rows in one insert, then the logins
   * of their accounts beyond the last KEPT_LOGINS found in one statement and deleted in another.
   */
  const writeBatch = (logins: Array<NewLoginRecord & { at: Date }>) =>
    strapi.db.connection.transaction(async (trx) => {
      const table = tableOf(strapi, LOGIN_RECORD_UID);
      await table.on(trx).insert(
        logins.map(({ unionId, userId, clientKey, flow, ip, userAgent, at }) =>
          table.row(
            {
              unionId,
              userId,
              at,
              clientKey: clientKey ?? null,
              flow,
              ip: ip?.slice(0, 255) || null,
              userAgent: userAgent?.slice(0, 512) || null,
            },
            at
          )
        )
      );
      const [unionId, at] = [table.column('unionId'), table.column('at')];
      const ranked = table
        .on(trx)
        .select('id', trx.raw('row_number() over (partition by ?? order by ?? desc, ?? desc) as login_rank', [unionId, at, 'id']))
        .whereIn(unionId, [...new Set(logins.map((login) => login.unionId))]);
      // Read first, then delete by id: MySQL and MariaDB would run a DELETE … WHERE id IN (subquery) by
      // reading the whole table.
      const beyond = (await trx.select('id').from(ranked.as('ranked')).where('login_rank', '>', KEPT_LOGINS)) as Array<{ id: number }>;
      if (beyond.length) await table.on(trx).whereIn('id', beyond.map(({ id }) => id)).delete();
    });

  /** Accounts in the batch being written, and those of them unlinked meanwhile: their rows go once it is written. */
  let writing = new Set<string>();
  const forgottenWhileWriting = new Set<string>();

  const pending = createWriteBehind(
    async (logins: Array<NewLoginRecord & { at: Date }>) => {
      writing = new Set(logins.map((login) => login.unionId));
      try {
        // Another process trimming the same accounts can make InnoDB pick this transaction as a deadlock's victim.
        await retryOnDeadlock(() => writeBatch(logins), 5);
      } finally {
        writing = new Set();
      }
      if (forgottenWhileWriting.size > 0) {
        const unionIds = [...forgottenWhileWriting];
        forgottenWhileWriting.clear();
        await records().deleteMany({ where: { unionId: { $in: unionIds } } });
      }
    },
    {
      maxDelayMs: RECORD_DELAY_MS,
      onError: (error, logins) =>
        strapi.log.error(`[tiktok-auth-mobile] ${logins.length} login record(s) could not be written: ${error instanceof Error ? error.message : String(error)}`),
      onDrop: (count) => strapi.log.error(`[tiktok-auth-mobile] ${count} login record(s) dropped: the database has not taken them for too long`),
    }
  );

  return {
    /**
     * Records a successful login, off the request path: written within a second with the other logins
     * of that second, and the account's logins beyond the last 20 dropped in the same transaction.
     */
    record(login: NewLoginRecord) {
      pending.add({ ...login, at: new Date() });
    },

    /** Writes the logins waiting to be recorded: before reading them, and when Strapi stops. */
    flush(): Promise<void> {
      return pending.flush();
    },

    /** Per TikTok account, its last logins, newest first. */
    async latestOf(unionIds: string[]): Promise<Map<string, LoginRecord[]>> {
      await pending.flush();
      const rows = unionIds.length
        ? ((await records().findMany({ where: { unionId: { $in: unionIds } }, orderBy: [{ at: 'desc' }, { id: 'desc' }] })) as LoginRecordRow[])
        : [];
      const byUnionId = new Map<string, LoginRecord[]>();
      for (const { unionId, at, clientKey, flow, ip, userAgent } of rows) {
        byUnionId.set(unionId, [...(byUnionId.get(unionId) ?? []), { at: new Date(at).toISOString(), clientKey, flow, ip, userAgent }]);
      }
      return byUnionId;
    },

    /** When the account last logged in with this client, if any of its kept logins did. */
    async lastLoginAt(unionId: string, clientKey: string): Promise<Date | null> {
      await pending.flush();
      const last = (await records().findOne({ where: { unionId, clientKey }, orderBy: [{ at: 'desc' }], select: ['at'] })) as { at: string | Date } | null;
      return last ? new Date(last.at) : null;
    },

    /** Unlinking or deleting an account: its login history goes with it. */
    async forget(unionIds: string[]) {
      if (!unionIds.length) return;
      const forgotten = new Set(unionIds);
      pending.discard((login) => forgotten.has(login.unionId));
      for (const unionId of unionIds) if (writing.has(unionId)) forgottenWhileWriting.add(unionId);
      await records().deleteMany({ where: { unionId: { $in: unionIds } } });
    },
  };
};
