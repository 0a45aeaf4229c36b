import { createHash, randomInt, randomUUID } from 'node:crypto';
import type { Core } from '@strapi/strapi';

import { IDENTITY_UID, ROLE_UID, USER_UID } from '../constants';
import { ConnectError } from '../errors';
import { retryOnDeadlock } from '../utils/deadlock';
import { createFreshCopy } from '../utils/fresh-copy';
import { getPluginConfig } from '../utils/plugin-config';
import { identityLink } from '../utils/identity-link';
import { identityFields, type LoginContext } from '../utils/identity-fields';
import { MIN_LENGTH, usernameBase } from '../utils/text';
import type { TikTokProfile } from './tiktok-api';

const PROVIDER = 'tiktok';

/** The columns of a users-permissions user the login reads. */
export interface UpUser {
  id: number;
  documentId: string;
  username: string;
  email: string;
  provider: string;
  confirmed: boolean | null;
  blocked: boolean | null;
  role?: { id: number } | null;
  [key: string]: unknown;
}

interface Identity {
  id: number;
  unionId: string;
  openIds: Record<string, string> | null;
  firstLoginAt: string | Date | null;
  lastLoginAt?: string | Date | null;
  user: UpUser | null;
}

export type { LoginContext } from '../utils/identity-fields';

/** Thrown inside the linking transaction when another login changed the identity first. */
class LostRace extends Error {}

/** Usernames tried for a new user whose name is taken, before a random one. */
const SUFFIX_ATTEMPTS = 10;

interface AdvancedSettings {
  allow_register?: boolean;
  default_role?: string;
}

/** The address the original plugin gave TikTok users; TikTok itself never shares an email. */
const pseudoEmail = (unionId: string) => `${unionId}@tiktok.com`.toLowerCase();

/**
 * An identity's lastLoginAt is kept to this resolution: a returning login whose profile did not change
 * writes nothing to the database when the last write is more recent.
 */
const LAST_LOGIN_RESOLUTION_MS = 60_000;

/**
 * What a login writes to its identity (and, in the code flow, to its authorization), in one column the
 * returning login's one read can compare: equal and recent, there is nothing to write. The tokens
 * service clears it when an authorization is removed, so that the next login records it again.
 */
const loginStampOf = (fields: ReturnType<typeof identityFields>, login: LoginContext, openId: string) =>
  createHash('sha256')
    .update(
      JSON.stringify([fields.displayName, fields.avatarUrl, fields.username, fields.isVerified, fields.grantedScopes, login.clientKey ?? null, login.clientKey ? openId : null])
    )
    .digest('base64url');

/** The user as /api/auth/local would load it: the role was read only to check it. */
const withoutRole = ({ role: _role, ...user }: UpUser): UpUser => user;

const withSuffix = (base: string) => `${base}${randomInt(1000, 10000)}`;

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const identities = () => strapi.db.query(IDENTITY_UID);
  const users = () => strapi.db.query(USER_UID);
  const link = identityLink(strapi);

  /** The identity columns every login refreshes. The open_id map changes only in the code flow. */
  const loginFields = (profile: TikTokProfile, login: LoginContext, previous: Pick<Identity, 'openIds'> | null, now: Date) => {
    const fields = identityFields(profile, login, previous?.openIds);
    return { ...fields, lastLoginAt: now, loginStamp: loginStampOf(fields, login, profile.open_id) };
  };

  /** users-permissions would refuse every request of a blocked or role-less user: say so now. */
  const assertCanLogIn = (user: UpUser) => {
    if (user.blocked) {
      throw new ConnectError('user_blocked', 'Your account has been blocked by an administrator');
    }
    if (!user.role) {
      strapi.log.error(`[tiktok-auth-mobile] user ${user.id} has no users-permissions role and cannot log in`);
      throw new ConnectError('user_role_missing', 'Your account has no role: ask an administrator to assign one');
    }
  };

  const findIdentity = (unionId: string) =>
    identities().findOne({
      where: { unionId },
      populate: { user: { populate: { role: { select: ['id'] } } } },
    }) as Promise<Identity | null>;

  /**
   * A returning login in one statement: the user linked to this union_id (with a role, not blocked)
   * whose identity already holds what this login would write. Anything else (a changed profile, a new
   * client, a stale lastLoginAt, a first login, a deleted, role-less or blocked user) returns null and
   * takes the full path, which writes or says what is wrong.
   */
  const unchangedLogin = (unionId: string, loginStamp: string, now: Date) =>
    users().findOne({
      where: {
        id: { $in: link.userIdsOf(unionId, { loginStamp, lastLoginAt: ['>=', new Date(now.getTime() - LAST_LOGIN_RESOLUTION_MS)] }) },
        role: { id: { $notNull: true } },
        $or: [{ blocked: false }, { blocked: { $null: true } }],
      },
    }) as Promise<UpUser | null>;

  /** users-permissions' advanced settings a sign-up needs, and its default role: an in-process copy, as the plugin's settings. */
  const registration = createFreshCopy(async () => {
    const advanced = (await strapi
      .store({ type: 'plugin', name: 'users-permissions', key: 'advanced' })
      .get({})) as AdvancedSettings | null;
    if (!advanced?.allow_register) return { allowed: false as const };
    const role = (await strapi.db.query(ROLE_UID).findOne({ where: { type: advanced.default_role }, select: ['id'] })) as { id: number } | null;
    return { allowed: true as const, defaultRole: advanced.default_role, roleId: role?.id ?? null };
  });

  const createUser = async (profile: TikTokProfile, username: string): Promise<UpUser> => {
    const signUp = await registration.get();
    if (!signUp.allowed) {
      throw new ConnectError('registration_disabled', 'Registration of new users is disabled');
    }
    if (signUp.roleId === null) {
      strapi.log.error(
        `[tiktok-auth-mobile] cannot register TikTok users: users-permissions' default role "${signUp.defaultRole}" does not exist (Settings → Users & Permissions → Advanced settings)`
      );
      throw new ConnectError('registration_unavailable', 'Registration of new users is not available right now');
    }

    return users().create({
      data: {
        username,
        email: pseudoEmail(profile.union_id),
        provider: PROVIDER,
        confirmed: true,
        blocked: false,
        role: signUp.roleId,
      },
    }) as Promise<UpUser>;
  };

  /**
   * The user the original JavaScript plugin created for this account, when `linkLegacyUsers` is on: its
   * pseudo-email and provider, and no TikTok account linked to it yet.
   */
  const findLegacyUser = async (unionId: string) => {
    if (!getPluginConfig(strapi).linkLegacyUsers) return null;
    return (await users().findOne({
      where: { email: pseudoEmail(unionId), provider: PROVIDER, tiktokIdentity: { id: { $null: true } } },
      populate: { role: { select: ['id'] } },
    })) as UpUser | null;
  };

  /**
   * Links a TikTok account to a user in one transaction: the user the original plugin created (found
   * by its pseudo-email), or a new one. Another login linking the same account at the same time
   * makes this fail and roll back, user included: on the unique index on union_id when the account
   * is new, on the identity already being replaced when its user was deleted.
   */
  const linkAccount = (profile: TikTokProfile, login: LoginContext, stale: Identity | null, now: Date, username: string) =>
    strapi.db.transaction(async () => {
      if (stale) {
        // Replacing the row (rather than updating its link) lets only one concurrent login do it.
        const { count } = await identities().deleteMany({ where: { id: stale.id } });
        if (count !== 1) throw new LostRace();
      }

      const legacyUser = await findLegacyUser(profile.union_id);
      if (legacyUser) assertCanLogIn(legacyUser);

      const user = legacyUser ?? (await createUser(profile, username));
      await identities().create({
        data: {
          unionId: profile.union_id,
          firstLoginAt: stale?.firstLoginAt ?? now,
          linkedAt: now,
          openIds: stale?.openIds ?? {},
          ...loginFields(profile, login, stale, now),
          user: user.id,
        },
        select: ['id'],
      });
      return { user: withoutRole(user), created: !legacyUser };
    });

  const isTaken = async (username: string) => (await users().count({ where: { username } })) > 0;

  /** A username no user has: the base with a 4-digit suffix, and after repeated collisions a random one. */
  const freeUsername = async (base: string) => {
    for (let attempt = 0; attempt < SUFFIX_ATTEMPTS; attempt += 1) {
      const username = withSuffix(base);
      if (!(await isTaken(username))) return username;
    }
    return `tiktok-${randomUUID()}`;
  };

  /**
   * users-permissions keeps usernames unique in application code only, so two first logins with the
   * same name can both take it. Checked once the user is committed: whoever finds the name taken by
   * another user moves to a suffixed one.
   */
  const ensureUniqueUsername = async (user: UpUser): Promise<UpUser> => {
    if ((await users().count({ where: { username: user.username } })) <= 1) return user;
    const username = await freeUsername(user.username);
    await users().updateMany({ where: { id: user.id }, data: { username } });
    return { ...user, username };
  };

  /** Whether another login linked this TikTok account: the identity's unique union_id decided it. */
  const linkedMeanwhile = async (unionId: string) => (await findIdentity(unionId))?.user != null;

  return {
    /** users-permissions' settings or roles changed (bootstrap's subscription): the next sign-up reads them again. */
    forgetCopy() {
      registration.clear();
    },

    /**
     * A user a browser login already resolved, as it is now: null once deleted; blocked or role-less
     * users are refused as at any login.
     */
    async findLoginUser(userId: number): Promise<UpUser | null> {
      const user = (await users().findOne({ where: { id: userId }, populate: { role: { select: ['id'] } } })) as UpUser | null;
      if (!user) return null;
      assertCanLogIn(user);
      return withoutRole(user);
    },

    /**
     * The users-permissions user a TikTok account logs in as, created on its first login (`created`).
     * `unchanged`: a returning login that found everything it would write already written.
     */
    async resolveUser(profile: TikTokProfile, login: LoginContext): Promise<{ user: UpUser; created: boolean; unchanged?: true }> {
      const now = new Date();
      const { loginStamp } = loginFields(profile, login, null, now);
      const returning = await unchangedLogin(profile.union_id, loginStamp, now);
      if (returning) return { user: returning, created: false, unchanged: true };

      const base = usernameBase(profile.username, profile.display_name);
      // A short name is suffixed at once; a taken one once the user is committed (ensureUniqueUsername).
      let username = base.length >= MIN_LENGTH ? base : withSuffix(base);
      for (let attempt = 0; ; attempt += 1) {
        const identity = await findIdentity(profile.union_id);

        if (identity?.user) {
          assertCanLogIn(identity.user);
          await identities().updateMany({
            where: { id: identity.id },
            data: loginFields(profile, login, identity, now),
          });
          return { user: withoutRole(identity.user), created: false };
        }

        try {
          // Strapi's link-table writes take gap locks on MySQL/MariaDB: concurrent first logins can deadlock there.
          const { user, created } = await retryOnDeadlock(() => linkAccount(profile, login, identity, now, username));
          return { user: created ? await ensureUniqueUsername(user) : user, created };
        } catch (error) {
          if (error instanceof ConnectError || attempt === 2) throw error;
          // Another login linked this account first: its identity is there now, use it.
          if (error instanceof LostRace || (await linkedMeanwhile(profile.union_id))) continue;
          // Else the host app's database refused the user, e.g. a unique index on usernames: once
          // more with a name no user has.
          username = await freeUsername(base);
        }
      }
    },
  };
};
