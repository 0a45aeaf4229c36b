import type { Core } from '@strapi/strapi';

import { IDENTITY_UID, USER_UID } from '../constants';
import { ConnectError } from '../errors';
import { emitEvent, EVENTS } from '../utils/events';
import { getService } from '../utils/get-service';
import { identityFields } from '../utils/identity-fields';
import { identityLink } from '../utils/identity-link';
import type { VerifiedLogin } from './connect';
import { toIso } from '../utils/dates';

export interface LinkedIdentity {
  id: number;
  unionId: string;
  openIds: Record<string, string> | null;
  displayName: string | null;
  avatarUrl: string | null;
  username: string | null;
  isVerified: boolean | null;
  grantedScopes: string[] | null;
  firstLoginAt: string | Date | null;
  linkedAt: string | Date | null;
  lastLoginAt: string | Date | null;
  user?: { id: number } | null;
}

/** What a user sees of their TikTok link (GET /me): never a token. */
export interface LinkView {
  union_id: string;
  display_name: string | null;
  avatar_url: string | null;
  username: string | null;
  is_verified: boolean | null;
  scopes: string[];
  linked_at: string | null;
  last_login_at: string | null;
  clients: Array<{ client_key: string; tokens_stored: boolean; access_token_expires_at: string | null; refresh_token_expires_at: string | null }>;
}

interface LinkingUser {
  id: number;
  provider: string | null;
  password?: string | null;
  blocked: boolean | null;
}

/** Thrown inside the link transaction when a concurrent link decided first: told apart after the rollback. */
class LinkRace extends Error {}


const notLinked = () => new ConnectError('identity_not_found', 'No TikTok account is linked to this user');

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const identities = () => strapi.db.query(IDENTITY_UID);
  const link = identityLink(strapi);

  const identityOf = async (userId: number) =>
    (await identities().findOne({ where: { id: { $in: link.identityIdsOf(userId) } } })) as LinkedIdentity | null;

  /** The user as it is now (not as the JWT check found it a moment ago): a blocked user can neither link nor unlink. */
  const currentUser = async (userId: number) => {
    const user = (await strapi.db
      .query(USER_UID)
      .findOne({ where: { id: userId }, select: ['id', 'provider', 'password', 'blocked'] })) as LinkingUser | null;
    if (!user) throw new ConnectError('identity_not_found', 'No TikTok account is linked to this user');
    if (user.blocked) throw new ConnectError('user_blocked', 'Your account has been blocked by an administrator');
    return user;
  };

  /**
   * Serializes one user's links: the row lock on the user is held until the transaction ends (PostgreSQL,
   * MySQL). SQLite lets one writer at a time in anyway.
   */
  const lockUser = async (userId: number) => {
    if (strapi.db.dialect.client === 'sqlite') return;
    await strapi.db.queryBuilder(USER_UID).select(['id']).where({ id: userId }).forUpdate().execute();
  };

  const view = async (identity: LinkedIdentity): Promise<LinkView> => {
    const clients = (await getService('tokens').statusOf([identity.unionId])).get(identity.unionId) ?? [];
    return {
      union_id: identity.unionId,
      display_name: identity.displayName,
      avatar_url: identity.avatarUrl,
      username: identity.username,
      is_verified: identity.isVerified,
      scopes: identity.grantedScopes ?? [],
      linked_at: toIso(identity.linkedAt ?? identity.firstLoginAt),
      last_login_at: toIso(identity.lastLoginAt),
      clients: clients.map((client) => ({
        client_key: client.clientKey,
        tokens_stored: client.tokensStored,
        access_token_expires_at: client.accessTokenExpiresAt,
        refresh_token_expires_at: client.refreshTokenExpiresAt,
      })),
    };
  };

  /** Links the verified TikTok account to the user in one transaction, or says why it cannot. */
  const linkOnce = (userId: number, { profile, clientKey, scopes }: VerifiedLogin) =>
    strapi.db.transaction(async () => {
      await lockUser(userId);
      // Blocked while TikTok was asked: checked again under the lock.
      await currentUser(userId);
      const mine = await identityOf(userId);
      if (mine && mine.unionId !== profile.union_id) {
        throw new ConnectError('user_already_linked', 'Another TikTok account is already linked to this user: unlink it first');
      }
      const existing = (await identities().findOne({
        where: { unionId: profile.union_id },
        populate: { user: { select: ['id'] } },
      })) as LinkedIdentity | null;
      if (existing?.user && existing.user.id !== userId) {
        throw new ConnectError('identity_already_linked', 'This TikTok account is already linked to another user');
      }
      const fields = identityFields(profile, { clientKey, scopes }, existing?.openIds);
      if (existing?.user) {
        await identities().updateMany({ where: { id: existing.id }, data: fields });
        return false;
      }
      if (existing) {
        // Its user was deleted: the row is replaced, which only one concurrent link can do.
        const { count } = await identities().deleteMany({ where: { id: existing.id } });
        if (count !== 1) throw new LinkRace();
      }
      const now = new Date();
      await identities().create({
        data: { unionId: profile.union_id, openIds: {}, ...fields, firstLoginAt: existing?.firstLoginAt ?? now, linkedAt: now, user: userId },
        select: ['id'],
      });
      return true;
    });

  /**
   * Removes identities and every record of their TikTok accounts in one transaction (the caller's, when
   * a user is being deleted). Their stored tokens are revoked at TikTok once it is committed: `revoked`
   * settles when that is done (or the transaction rolled back).
   */
  const forget = async (gone: Array<Pick<LinkedIdentity, 'id' | 'unionId'>>) => {
    let settle!: () => void;
    const revoked = new Promise<void>((resolve) => (settle = resolve));
    if (!gone.length) settle();
    else {
      await strapi.db.transaction(async ({ onCommit, onRollback }) => {
        const unionIds = gone.map((identity) => identity.unionId);
        const revoke = await getService('tokens').detachAccounts(unionIds);
        await getService('loginHistory').forget(unionIds);
        await identities().deleteMany({ where: { id: { $in: gone.map((identity) => identity.id) } } });
        onCommit(() => {
          revoke()
            .catch((error: unknown) => strapi.log.error(`[tiktok-auth-mobile] revoking the TikTok tokens of removed accounts failed: ${String(error)}`))
            .finally(settle);
        });
        onRollback(settle);
      });
    }
    return { revoked };
  };

  /** GET /me: the user's TikTok link, or identity_not_found. */
  const describe = async (userId: number): Promise<LinkView> => {
    const identity = await identityOf(userId);
    if (!identity) throw notLinked();
    return view(identity);
  };

  return {
    describe,
    forget,

    /**
     * POST /link: verifies the body with TikTok as /connect does, then links that TikTok account to the
     * user. Refused when it is linked to another user or the user has another one; linking it again to
     * the same user changes nothing else.
     */
    async link(userId: number, rawBody: unknown): Promise<LinkView> {
      await currentUser(userId);
      const verified = await getService('connect').verifyForLink(rawBody);
      let linked = false;
      for (let attempt = 0; ; attempt += 1) {
        try {
          linked = await linkOnce(userId, verified);
          break;
        } catch (error) {
          if (error instanceof ConnectError || attempt === 2) throw error;
          // The unique index on union_id (or the stale row's delete) let a concurrent link win: look again.
          if (!(error instanceof LinkRace) && !(await identities().count({ where: { unionId: verified.profile.union_id } }))) throw error;
        }
      }
      await getService('connect').recordAuthorization(verified);
      if (linked) {
        await emitEvent(strapi, EVENTS.linked, { userId, unionId: verified.profile.union_id, clientKey: verified.clientKey ?? null, flow: 'link' });
      }
      return describe(userId);
    },

    /**
     * DELETE /me: revokes and deletes the stored TikTok tokens and removes the link; the user stays. A
     * user whose only way in is TikTok (provider tiktok, no password) must confirm.
     */
    async unlink(userId: number, { confirm }: { confirm: boolean }): Promise<{ unionId: string }> {
      const user = await currentUser(userId);
      const identity = await identityOf(userId);
      if (!identity) throw notLinked();
      if (user.provider === 'tiktok' && !user.password && !confirm) {
        throw new ConnectError(
          'last_login_method',
          'TikTok is the only way this user signs in: unlinking it needs ?confirm=true'
        );
      }
      await (await forget([identity])).revoked;
      await emitEvent(strapi, EVENTS.unlinked, { userId, unionId: identity.unionId, clientKey: null, flow: 'unlink' });
      return { unionId: identity.unionId };
    },
  };
};
