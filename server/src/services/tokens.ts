import { randomInt } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Core } from '@strapi/strapi';

import { AUTHORIZATION_UID, IDENTITY_UID } from '../constants';
import { TikTokReauthRequiredError, TikTokUnavailableError, type ReauthReason } from '../token-errors';
import { encryptionOf } from '../utils/encryption';
import { getService } from '../utils/get-service';
import { identityLink } from '../utils/identity-link';
import { getPluginConfig } from '../utils/plugin-config';
import type { AuthorizationStatus } from '../admin-api';
import type { TikTokProfile, TikTokToken } from './tiktok-api';
import { toIso } from '../utils/dates';

/** One row per TikTok account and client: what it authorized, and its tokens when they are kept. */
interface AuthorizationRow {
  id: number;
  unionId: string;
  clientKey: string;
  openId: string;
  scopes: string[] | null;
  authorizedAt: string | Date | null;
  accessToken: string | null;
  accessTokenExpiresAt: string | Date | null;
  refreshToken: string | null;
  refreshTokenExpiresAt: string | Date | null;
  tokensIssuedAt: string | Date | null;
  version: number;
  refreshLeaseUntil: string | Date | null;
  removedAt: string | Date | null;
  removedBy: 'tiktok' | 'app' | null;
  removedReason: number | null;
}

/** What `getAccessToken` gives the host app. */
export interface TikTokAccessToken {
  accessToken: string;
  /** The scopes the user granted this client, as TikTok last reported them. */
  scopes: string[];
  expiresAt: Date;
  clientKey: string;
  openId: string;
}

export interface GetAccessTokenOptions {
  /** The client whose tokens to use; by default the one the user last logged in with. */
  clientKey?: string;
  /** Refresh first when the access token expires within this many seconds (default 300). */
  minValidity?: number;
}

/** A code-flow login as the vault records it: who, through which client, and TikTok's token answer. */
export interface AuthorizedLogin {
  profile: TikTokProfile;
  clientKey: string;
  token: TikTokToken;
}


const DEFAULT_MIN_VALIDITY_S = 300;
/** Longer than any TikTok call can take (its deadline is `timeout`), so a lease never ends under a live refresh. */
const LEASE_SLACK_MS = 10_000;
const FIRST_POLL_MS = 10;
const MAX_POLL_MS = 200;

const NO_TOKENS = {
  accessToken: null,
  accessTokenExpiresAt: null,
  refreshToken: null,
  refreshTokenExpiresAt: null,
  tokensIssuedAt: null,
  refreshLeaseUntil: null,
};

/**
 * Every write gives the row a new random version: a compare-and-swap on the version read tells whether
 * anything (a refresh, a login, a revoke, a webhook) changed the row since, in any process.
 */
const newVersion = () => randomInt(1, 2 ** 31 - 1);

const time = (value: string | Date | null) => (value === null ? NaN : new Date(value).getTime());

const reauth = (reason: ReauthReason, message: string) => new TikTokReauthRequiredError(reason, message);

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const authorizations = () => strapi.db.query(AUTHORIZATION_UID);
  const link = identityLink(strapi);
  const encryption = () => encryptionOf(strapi);
  const leaseMs = () => getPluginConfig(strapi).timeout + LEASE_SLACK_MS;

  let reportedNoKey = false;
  /** The token columns of a token answer, encrypted; null (logged once) when they cannot be kept. */
  const tokenColumns = (token: TikTokToken, now: number) => {
    if (!token.refresh) {
      strapi.log.warn('[tiktok-auth-mobile] TikTok oauth/token answered without a refresh token or lifetimes: the tokens are not stored');
      return null;
    }
    const accessToken = encryption().encrypt(token.accessToken);
    const refreshToken = encryption().encrypt(token.refresh.refreshToken);
    if (!accessToken || !refreshToken) {
      if (!reportedNoKey) {
        reportedNoKey = true;
        strapi.log.error('[tiktok-auth-mobile] TikTok tokens cannot be stored: set admin.secrets.encryptionKey (ENCRYPTION_KEY) in config/admin');
      }
      return null;
    }
    return {
      accessToken,
      accessTokenExpiresAt: new Date(now + token.refresh.expiresIn * 1000),
      refreshToken,
      refreshTokenExpiresAt: new Date(now + token.refresh.refreshExpiresIn * 1000),
      tokensIssuedAt: new Date(now),
      refreshLeaseUntil: null,
      scopes: token.scopes,
    };
  };

  /** Updates the row only if nothing changed it since it was read as `row`. */
  const swap = async (row: Pick<AuthorizationRow, 'id' | 'version'>, data: Record<string, unknown>, extraWhere = {}) => {
    const { count } = await authorizations().updateMany({
      where: { id: row.id, version: row.version, ...extraWhere },
      data: { ...data, version: newVersion() },
    });
    return count === 1;
  };

  const unionIdOf = async (userId: number | string) => {
    const id = Number(userId);
    if (!Number.isSafeInteger(id) || id <= 0) throw new TypeError('userId must be a users-permissions user id');
    const identity = (await strapi.db
      .query(IDENTITY_UID)
      .findOne({ where: { id: { $in: link.identityIdsOf(id) } }, select: ['unionId'] })) as { unionId: string } | null;
    if (!identity) throw reauth('not_linked', 'The user has no TikTok account linked: they must sign in with TikTok');
    return identity.unionId;
  };

  /** The row with stored tokens for this account (and client), the most recently issued first. */
  const findStored = async (unionId: string, clientKey?: string) =>
    (await authorizations().findOne({
      where: { unionId, ...(clientKey !== undefined && { clientKey }), refreshToken: { $notNull: true } },
      orderBy: { tokensIssuedAt: 'desc' },
    })) as AuthorizationRow | null;

  const findById = async (id: number) => (await authorizations().findOne({ where: { id } })) as AuthorizationRow | null;

  const decrypt = (value: string | null) => (value === null ? null : encryption().decrypt(value));

  const unreadable = (row: AuthorizationRow) => {
    strapi.log.error(`[tiktok-auth-mobile] stored TikTok tokens of client_key ${row.clientKey} cannot be decrypted: was admin.secrets.encryptionKey changed?`);
    return reauth('tokens_unreadable', 'The stored TikTok tokens cannot be read: the user must sign in with TikTok again');
  };

  /** The row's access token, decrypted, for the host app. */
  const usable = (row: AuthorizationRow): TikTokAccessToken => {
    const accessToken = decrypt(row.accessToken);
    if (!accessToken) throw unreadable(row);
    return {
      accessToken,
      scopes: row.scopes ?? [],
      expiresAt: new Date(time(row.accessTokenExpiresAt)),
      clientKey: row.clientKey,
      openId: row.openId,
    };
  };

  /** The client a row's tokens were issued to, with its secret: needed to refresh or revoke them. */
  const credentialsFor = async (clientKey: string) => {
    const client = (await getService('settings').get()).clients.find((candidate) => candidate.clientKey === clientKey);
    if (!client) return null;
    const clientSecret = getService('settings').clientSecret(client);
    if (!clientSecret) throw new TikTokUnavailableError(`client_key ${clientKey} has no usable client secret`);
    return { clientKey, clientSecret };
  };

  /**
   * One refresh of `row`, if this call wins the lease on it: the new token, or null when another caller
   * holds the lease or the row changed meanwhile (read it again).
   */
  const refreshLeased = async (row: AuthorizationRow): Promise<TikTokAccessToken | null> => {
    const now = Date.now();
    const leased = { id: row.id, version: newVersion() };
    const { count } = await authorizations().updateMany({
      where: {
        id: row.id,
        version: row.version,
        $or: [{ refreshLeaseUntil: { $null: true } }, { refreshLeaseUntil: { $lte: new Date(now) } }],
      },
      data: { version: leased.version, refreshLeaseUntil: new Date(now + leaseMs()) },
    });
    if (count !== 1) return null;

    let answer: TikTokToken | 'rejected';
    try {
      const client = await credentialsFor(row.clientKey);
      if (!client) {
        throw reauth('client_removed', `client_key ${row.clientKey} is no longer configured: the user must sign in with TikTok again`);
      }
      const refreshToken = decrypt(row.refreshToken);
      if (!refreshToken) throw unreadable(row);
      answer = await getService('tiktokApi').refreshToken(client, refreshToken);
    } catch (error) {
      await swap(leased, { refreshLeaseUntil: null });
      throw error;
    }

    if (answer === 'rejected') {
      await swap(leased, NO_TOKENS);
      throw reauth('refresh_token_rejected', 'TikTok refused the stored refresh token: the user must sign in with TikTok again');
    }
    const columns = tokenColumns(answer, now);
    if (!columns) {
      await swap(leased, { refreshLeaseUntil: null });
      throw new TikTokUnavailableError('TikTok answered the refresh with tokens that cannot be kept');
    }
    // A login, a revoke or a webhook may have replaced the row meanwhile: theirs wins, read it again.
    if (!(await swap(leased, columns))) return null;
    return {
      accessToken: answer.accessToken,
      scopes: answer.scopes,
      expiresAt: columns.accessTokenExpiresAt,
      clientKey: row.clientKey,
      openId: row.openId,
    };
  };

  /**
   * Gets `row` a fresh access token: refreshes it under the lease, or waits for whoever holds the
   * lease (in any process) and takes the tokens they wrote.
   */
  const refreshUntilFresh = async (first: AuthorizationRow, minValidityMs: number): Promise<TikTokAccessToken> => {
    const giveUpAt = Date.now() + leaseMs() + getPluginConfig(strapi).timeout;
    let pause = FIRST_POLL_MS;
    for (let row: AuthorizationRow | null = first; ; row = await findById(first.id)) {
      if (!row?.refreshToken) throw reauth('no_tokens', 'No TikTok tokens are stored for this user: they must sign in with TikTok again');
      const now = Date.now();
      const expiresAt = time(row.accessTokenExpiresAt);
      // Written by another caller since we looked: a new token, whatever the margin.
      if (row.accessToken !== first.accessToken && expiresAt > now) return usable(row);
      if (expiresAt - now > minValidityMs) return usable(row);
      if (time(row.refreshTokenExpiresAt) <= now) {
        if (await swap(row, NO_TOKENS)) {
          throw reauth('refresh_token_expired', 'The stored TikTok refresh token has expired: the user must sign in with TikTok again');
        }
        continue;
      }
      if (time(row.refreshLeaseUntil) > now) {
        // Another process is refreshing: its new tokens will be in the row.
        if (now > giveUpAt) throw new TikTokUnavailableError('Another refresh of these TikTok tokens is taking too long');
        await delay(pause);
        pause = Math.min(pause * 2, MAX_POLL_MS);
        continue;
      }
      const refreshed = await refreshLeased(row);
      if (refreshed) return refreshed;
    }
  };

  /** In-process single flight on top of the database's: callers in this process share one refresh. */
  const refreshing = new Map<number, Promise<TikTokAccessToken>>();
  const sharedRefresh = (row: AuthorizationRow, minValidityMs: number) => {
    const running = refreshing.get(row.id);
    if (running) return running;
    const refresh = refreshUntilFresh(row, minValidityMs).finally(() => refreshing.delete(row.id));
    refreshing.set(row.id, refresh);
    return refresh;
  };

  /** Clears a row's tokens (whatever happens at TikTok) and records who removed the authorization. */
  const clearTokens = async (row: AuthorizationRow, removal: Record<string, unknown>) => {
    for (let current: AuthorizationRow | null = row; current; current = await findById(row.id)) {
      if (await swap(current, { ...NO_TOKENS, ...removal })) return;
    }
  };

  /**
   * A removed authorization must be recorded again at the account's next code login, which an
   * unchanged returning login would skip: its identity's login stamp goes.
   */
  const forgetLoginStamps = (unionIds: string[]) =>
    strapi.db.query(IDENTITY_UID).updateMany({ where: { unionId: { $in: unionIds } }, data: { loginStamp: null } });

  /** Revokes a token at TikTok; a failure is logged: the stored copy is deleted whatever TikTok says. */
  const revokeAtTikTok = async (clientKey: string, accessToken: string | null) => {
    try {
      const client = await credentialsFor(clientKey);
      if (!client || !accessToken) throw new TikTokUnavailableError('no client secret or readable token to revoke with');
      await getService('tiktokApi').revokeToken(client, accessToken);
    } catch (error) {
      strapi.log.warn(
        `[tiktok-auth-mobile] TikTok tokens of client_key ${clientKey} were not revoked at TikTok (${error instanceof Error ? error.message : 'unknown error'}): deleting the stored copy anyway`
      );
    }
  };

  /** Revokes the account's stored tokens at TikTok (one client's, or all) and clears them whatever TikTok answers. */
  const revokeStored = async (unionId: string, { clientKey }: { clientKey?: string } = {}): Promise<number> => {
    const rows = (await authorizations().findMany({
      where: { unionId, ...(clientKey !== undefined && { clientKey }), refreshToken: { $notNull: true } },
    })) as AuthorizationRow[];
    for (const row of rows) {
      await revokeAtTikTok(row.clientKey, decrypt(row.accessToken));
      await clearTokens(row, { removedAt: new Date(), removedBy: 'app', removedReason: null });
    }
    if (rows.length > 0) await forgetLoginStamps([unionId]);
    return rows.length;
  };

  return {
    /**
     * Records a code-flow login: the client's open_id and scopes and, with `storeTokens`, its tokens.
     * A new authorization clears an earlier removal.
     */
    async recordLogin({ profile, clientKey, token }: AuthorizedLogin, { storeTokens }: { storeTokens: boolean }) {
      const now = Date.now();
      const tokens = storeTokens ? tokenColumns(token, now) : null;
      const data = {
        openId: profile.open_id,
        scopes: token.scopes,
        authorizedAt: new Date(now),
        removedAt: null,
        removedBy: null,
        removedReason: null,
        ...tokens,
        version: newVersion(),
      };
      const where = { unionId: profile.union_id, clientKey };
      for (let attempt = 0; ; attempt += 1) {
        const { count } = await authorizations().updateMany({ where, data });
        if (count > 0) return;
        try {
          await authorizations().create({ data: { ...where, ...NO_TOKENS, ...data }, select: ['id'] });
          return;
        } catch (error) {
          // A concurrent first login with this client created the row (unique index): update it.
          if (attempt === 1) throw error;
        }
      }
    },

    /**
     * A valid TikTok access token of the user and its scopes, refreshed first when it expires within
     * `minValidity` seconds. At most one refresh per account and client runs at a time, across processes.
     * Throws TikTokReauthRequiredError when the user must sign in with TikTok again (the tokens are then
     * gone), TikTokUnavailableError when TikTok failed (the tokens are kept).
     */
    async getAccessToken(userId: number | string, options: GetAccessTokenOptions = {}): Promise<TikTokAccessToken> {
      const minValidityMs = (options.minValidity ?? DEFAULT_MIN_VALIDITY_S) * 1000;
      const row = await findStored(await unionIdOf(userId), options.clientKey);
      if (!row) throw reauth('no_tokens', 'No TikTok tokens are stored for this user: they must sign in with TikTok again');
      if (time(row.accessTokenExpiresAt) - Date.now() > minValidityMs) return usable(row);
      return sharedRefresh(row, minValidityMs);
    },

    /**
     * Revokes the user's stored tokens at TikTok (of one client, or all) and deletes them; a revoke
     * TikTok does not confirm is logged and the local copy deleted anyway. Returns how many were revoked.
     */
    async revoke(userId: number | string, options: { clientKey?: string } = {}): Promise<number> {
      return revokeStored(await unionIdOf(userId), options);
    },

    /**
     * Unlinking or deleting accounts: deletes every record of them (in the caller's transaction, if any)
     * and returns the revocation of the tokens they held, to run once that is committed.
     */
    async detachAccounts(unionIds: string[]): Promise<() => Promise<void>> {
      if (!unionIds.length) return async () => {};
      const rows = (await authorizations().findMany({
        where: { unionId: { $in: unionIds }, refreshToken: { $notNull: true } },
      })) as AuthorizationRow[];
      const held = rows.map((row) => ({ clientKey: row.clientKey, accessToken: decrypt(row.accessToken) }));
      await authorizations().deleteMany({ where: { unionId: { $in: unionIds } } });
      return async () => {
        for (const { clientKey, accessToken } of held) await revokeAtTikTok(clientKey, accessToken);
      };
    },

    /** `revoke` by TikTok account: also for an identity whose user was deleted. */
    revokeAccount: revokeStored,

    /**
     * TikTok's `authorization.removed`: the account's tokens for that client are dead. Deletes them and
     * records when and why. Idempotent: a repeated (or older than the last login) event changes nothing.
     */
    async removeAuthorization({ clientKey, openId, reason, eventTime }: { clientKey: string; openId: string; reason: number; eventTime: Date }) {
      const authorization = (await authorizations().findOne({ where: { clientKey, openId }, select: ['unionId'] })) as { unionId: string } | null;
      if (!authorization) return 'unknown' as const;
      const lastLogin = await getService('loginHistory').lastLoginAt(authorization.unionId, clientKey);
      if (lastLogin && lastLogin >= eventTime) return 'unchanged' as const;
      const { count } = await authorizations().updateMany({
        where: {
          clientKey,
          openId,
          removedAt: { $null: true },
          $or: [{ authorizedAt: { $null: true } }, { authorizedAt: { $lt: eventTime } }],
        },
        data: { ...NO_TOKENS, removedAt: new Date(), removedBy: 'tiktok', removedReason: reason, version: newVersion() },
      });
      if (count === 0) return 'unchanged' as const;
      await forgetLoginStamps([authorization.unionId]);
      return 'removed' as const;
    },

    /** The account a client's open_id belongs to, as TikTok's webhooks name it. */
    async authorizationOf(clientKey: string, openId: string) {
      return (await authorizations().findOne({ where: { clientKey, openId }, select: ['unionId'] })) as { unionId: string } | null;
    },

    /** Deletes every stored token, of every user (no revoke at TikTok). Returns how many accounts had some. */
    async deleteAll(): Promise<number> {
      const { count } = await authorizations().updateMany({
        where: { $or: [{ refreshToken: { $notNull: true } }, { accessToken: { $notNull: true } }] },
        data: { ...NO_TOKENS, version: newVersion() },
      });
      return count;
    },

    /** Per TikTok account, its authorizations as an admin sees them: never a token. */
    async statusOf(unionIds: string[]): Promise<Map<string, AuthorizationStatus[]>> {
      const rows = unionIds.length
        ? ((await authorizations().findMany({ where: { unionId: { $in: unionIds } }, orderBy: { clientKey: 'asc' } })) as AuthorizationRow[])
        : [];
      const byUnionId = new Map<string, AuthorizationStatus[]>();
      for (const row of rows) {
        const list = byUnionId.get(row.unionId) ?? [];
        list.push({
          clientKey: row.clientKey,
          openId: row.openId,
          scopes: row.scopes ?? [],
          authorizedAt: toIso(row.authorizedAt),
          tokensStored: row.refreshToken !== null,
          accessTokenExpiresAt: toIso(row.accessTokenExpiresAt),
          refreshTokenExpiresAt: toIso(row.refreshTokenExpiresAt),
          tokensIssuedAt: toIso(row.tokensIssuedAt),
          removedAt: toIso(row.removedAt),
          removedBy: row.removedBy,
          removedReason: row.removedReason,
        });
        byUnionId.set(row.unionId, list);
      }
      return byUnionId;
    },
  };
};
