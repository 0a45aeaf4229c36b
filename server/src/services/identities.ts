import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';

import { IDENTITY_UID } from '../constants';
import { getService } from '../utils/get-service';
import type { ListQuery } from '../validation/identities';
import type { AdminIdentity } from '../admin-api';
import { toIso } from '../utils/dates';

interface IdentityRow {
  id: number;
  unionId: string;
  displayName: string | null;
  username: string | null;
  isVerified: boolean | null;
  grantedScopes: string[] | null;
  firstLoginAt: string | Date | null;
  lastLoginAt: string | Date | null;
  user: { id: number; documentId: string; username: string; email: string | null } | null;
}


const COLUMNS = ['id', 'unionId', 'displayName', 'username', 'isVerified', 'grantedScopes', 'firstLoginAt', 'lastLoginAt'];
const USER_COLUMNS = ['id', 'documentId', 'username', 'email'];


/** The admin panel's read-only view of TikTok accounts, and its two actions on their stored tokens. */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const identities = () => strapi.db.query(IDENTITY_UID);

  const withAuthorizations = async (rows: IdentityRow[]): Promise<AdminIdentity[]> => {
    const unionIds = rows.map((row) => row.unionId);
    const statuses = await getService('tokens').statusOf(unionIds);
    const logins = await getService('loginHistory').latestOf(unionIds);
    return rows.map((row) => ({
      id: row.id,
      unionId: row.unionId,
      displayName: row.displayName,
      username: row.username,
      isVerified: row.isVerified === true,
      grantedScopes: row.grantedScopes ?? [],
      firstLoginAt: toIso(row.firstLoginAt),
      lastLoginAt: toIso(row.lastLoginAt),
      user: row.user,
      authorizations: statuses.get(row.unionId) ?? [],
      logins: logins.get(row.unionId) ?? [],
    }));
  };

  const findById = async (id: number) => {
    const row = (await identities().findOne({
      where: { id },
      select: COLUMNS,
      populate: { user: { select: USER_COLUMNS } },
    })) as IdentityRow | null;
    if (!row) throw new errors.NotFoundError('No TikTok identity has this id');
    return row;
  };

  return {
    /** A page of identities, the last logged in first; `q` matches union_id, names and the user's email. */
    async list({ page, pageSize, q }: ListQuery) {
      const search = q
        ? {
            $or: [
              { unionId: { $containsi: q } },
              { displayName: { $containsi: q } },
              { username: { $containsi: q } },
              { user: { email: { $containsi: q } } },
            ],
          }
        : {};
      const { results, pagination } = await identities().findPage({
        page,
        pageSize,
        where: search,
        select: COLUMNS,
        populate: { user: { select: USER_COLUMNS } },
        orderBy: [{ lastLoginAt: 'desc' }, { id: 'desc' }],
      });
      return { data: await withAuthorizations(results as IdentityRow[]), meta: { pagination } };
    },

    /** Revokes the identity's stored tokens (of one client, or all) at TikTok and deletes them. */
    async revoke(id: number, { clientKey }: { clientKey?: string }) {
      const row = await findById(id);
      const revoked = await getService('tokens').revokeAccount(row.unionId, { clientKey });
      const [identity] = await withAuthorizations([row]);
      return { data: { revoked, identity } };
    },

    /** Deletes every stored token, without a revoke at TikTok. */
    async deleteAllTokens() {
      const deleted = await getService('tokens').deleteAll();
      strapi.log.info(`[tiktok-auth-mobile] an admin deleted the stored TikTok tokens of ${deleted} authorization(s)`);
      return { data: { deleted } };
    },
  };
};
