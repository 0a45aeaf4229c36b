import type { Core } from '@strapi/strapi';

import { LOGIN_RECORD_UID } from '../constants';
import type { LoginFlow } from '../utils/events';

/** How many logins are kept per TikTok account. */
export const KEPT_LOGINS = 20;

/** A login as an admin sees it. */
export interface LoginRecord {
  at: string;
  clientKey: string | null;
  flow: LoginFlow;
  ip: string | null;
  userAgent: string | null;
}

interface LoginRecordRow extends Omit<LoginRecord, 'at'> {
  id: number;
  unionId: string;
  at: string | Date;
}

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const records = () => strapi.db.query(LOGIN_RECORD_UID);

  return {
    /** Records a successful login and, in the same transaction, drops the account's logins beyond the last 20. */
    async record(login: { unionId: string; userId: number; clientKey?: string; flow: LoginFlow; ip?: string; userAgent?: string }) {
      await strapi.db.transaction(async () => {
        await records().create({
          data: {
            unionId: login.unionId,
            userId: login.userId,
            at: new Date(),
            clientKey: login.clientKey ?? null,
            flow: login.flow,
            ip: login.ip?.slice(0, 255) || null,
            userAgent: login.userAgent?.slice(0, 512) || null,
          },
          select: ['id'],
        });
        const older = (await records().findMany({
          where: { unionId: login.unionId },
          orderBy: [{ at: 'desc' }, { id: 'desc' }],
          offset: KEPT_LOGINS,
          select: ['id'],
        })) as Array<{ id: number }>;
        if (older.length) await records().deleteMany({ where: { id: { $in: older.map(({ id }) => id) } } });
      });
    },

    /** Per TikTok account, its last logins, newest first. */
    async latestOf(unionIds: string[]): Promise<Map<string, LoginRecord[]>> {
      const rows = unionIds.length
        ? ((await records().findMany({ where: { unionId: { $in: unionIds } }, orderBy: [{ at: 'desc' }, { id: 'desc' }] })) as LoginRecordRow[])
        : [];
      const byUnionId = new Map<string, LoginRecord[]>();
      for (const { unionId, at, clientKey, flow, ip, userAgent } of rows) {
        byUnionId.set(unionId, [...(byUnionId.get(unionId) ?? []), { at: new Date(at).toISOString(), clientKey, flow, ip, userAgent }]);
      }
      return byUnionId;
    },

    /** Unlinking or deleting an account: its login history goes with it. */
    async forget(unionIds: string[]) {
      if (unionIds.length) await records().deleteMany({ where: { unionId: { $in: unionIds } } });
    },
  };
};
