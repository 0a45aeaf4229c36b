import { randomInt, randomUUID } from 'node:crypto';
import type { Core } from '@strapi/strapi';

import { ConnectError } from '../errors';
import { MIN_LENGTH, storableText, usernameBase } from '../utils/text';
import type { TikTokProfile } from './tiktok-api';

export const IDENTITY_UID = 'plugin::tiktok-auth-mobile.identity';
const USER_UID = 'plugin::users-permissions.user';
const ROLE_UID = 'plugin::users-permissions.role';
export const PROVIDER = 'tiktok';

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
  user: UpUser | null;
}

/** How the login was proven: the client a code was exchanged for, and the scopes granted. */
export interface LoginContext {
  clientKey?: string;
  scopes: string[];
}

/** Thrown inside the linking transaction when another login changed the identity first. */
class LostRace extends Error {}

interface AdvancedSettings {
  allow_register?: boolean;
  default_role?: string;
}

/** The address the original plugin gave TikTok users; TikTok itself never shares an email. */
export const pseudoEmail = (unionId: string) => `${unionId}@tiktok.com`.toLowerCase();

/** Unique-constraint violations as SQLite, PostgreSQL and MySQL report them. */
const isUniqueViolation = (error: unknown) => {
  const { code, errno, message } = (error ?? {}) as { code?: unknown; errno?: unknown; message?: unknown };
  return (
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === '23505' ||
    code === 'ER_DUP_ENTRY' ||
    errno === 1062 ||
    (typeof message === 'string' && /unique constraint|duplicate key|UNIQUE/i.test(message))
  );
};

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const identities = () => strapi.db.query(IDENTITY_UID);
  const users = () => strapi.db.query(USER_UID);

  /** The identity columns every login refreshes. */
  const loginFields = (profile: TikTokProfile, login: LoginContext, previous: Identity | null, now: Date) => ({
    displayName: storableText(profile.display_name),
    avatarUrl: storableText(profile.avatar_url, 2048),
    username: storableText(profile.username),
    isVerified: profile.is_verified ?? null,
    grantedScopes: login.scopes,
    openIds: login.clientKey
      ? { ...previous?.openIds, [login.clientKey]: profile.open_id }
      : previous?.openIds ?? {},
    lastLoginAt: now,
  });

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

  const findAvailableUsername = async (base: string, { skipBase = false } = {}) => {
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const candidate =
        attempt === 0 && !skipBase && base.length >= MIN_LENGTH ? base : `${base}${randomInt(1000, 10000)}`;
      if ((await users().count({ where: { username: candidate } })) === 0) return candidate;
    }
    return `tiktok-${randomUUID()}`;
  };

  const createUser = async (profile: TikTokProfile): Promise<UpUser> => {
    const advanced = (await strapi
      .store({ type: 'plugin', name: 'users-permissions', key: 'advanced' })
      .get({})) as AdvancedSettings | null;

    if (!advanced?.allow_register) {
      throw new ConnectError('registration_disabled', 'Registration of new users is disabled');
    }

    const role = await strapi.db
      .query(ROLE_UID)
      .findOne({ where: { type: advanced.default_role }, select: ['id'] });
    if (!role) {
      strapi.log.error(
        `[tiktok-auth-mobile] cannot register TikTok users: users-permissions' default role "${advanced.default_role}" does not exist (Settings → Users & Permissions → Advanced settings)`
      );
      throw new ConnectError('registration_unavailable', 'Registration of new users is not available right now');
    }

    const username = await findAvailableUsername(usernameBase(profile.username, profile.display_name));
    return users().create({
      data: {
        username,
        email: pseudoEmail(profile.union_id),
        provider: PROVIDER,
        confirmed: true,
        blocked: false,
        role: role.id,
      },
    }) as Promise<UpUser>;
  };

  /**
   * Links a TikTok account to a user in one transaction: the user the original plugin created (found
   * by its pseudo-email), or a new one. Another login linking the same account at the same time
   * makes this fail and roll back, user included: on the unique index on union_id when the account
   * is new, on the identity already being replaced when its user was deleted.
   */
  const linkAccount = (profile: TikTokProfile, login: LoginContext, stale: Identity | null, now: Date) =>
    strapi.db.transaction(async () => {
      if (stale) {
        // Replacing the row (rather than updating its link) lets only one concurrent login do it.
        const { count } = await identities().deleteMany({ where: { id: stale.id } });
        if (count !== 1) throw new LostRace();
      }

      const legacyUser = (await users().findOne({
        where: { email: pseudoEmail(profile.union_id), provider: PROVIDER },
        populate: { role: { select: ['id'] } },
      })) as UpUser | null;
      if (legacyUser) assertCanLogIn(legacyUser);

      const user = legacyUser ?? (await createUser(profile));
      const created = !legacyUser;
      await identities().create({
        data: {
          unionId: profile.union_id,
          firstLoginAt: stale?.firstLoginAt ?? now,
          ...loginFields(profile, login, stale, now),
          user: user.id,
        },
      });
      return { user, created };
    });

  /**
   * users-permissions keeps usernames unique in application code only, so two first logins with the
   * same name on two database connections can both take it. Checked once the user is committed:
   * whoever finds the name taken by another user moves to a suffixed one.
   */
  const ensureUniqueUsername = async (user: UpUser): Promise<UpUser> => {
    const holders = await users().count({ where: { username: user.username } });
    if (holders <= 1) return user;
    const username = await findAvailableUsername(user.username, { skipBase: true });
    await users().updateMany({ where: { id: user.id }, data: { username } });
    return { ...user, username };
  };

  return {
    /** The users-permissions user a TikTok account logs in as, created on its first login. */
    async resolveUser(profile: TikTokProfile, login: LoginContext): Promise<UpUser> {
      const now = new Date();

      for (let attempt = 0; ; attempt += 1) {
        const identity = await findIdentity(profile.union_id);

        if (identity?.user) {
          assertCanLogIn(identity.user);
          await identities().update({
            where: { id: identity.id },
            data: loginFields(profile, login, identity, now),
          });
          return identity.user;
        }

        try {
          const { user, created } = await linkAccount(profile, login, identity, now);
          return created ? await ensureUniqueUsername(user) : user;
        } catch (error) {
          // Another login linked this account first: its identity is there now, use it.
          if (attempt === 0 && (error instanceof LostRace || isUniqueViolation(error))) continue;
          throw error;
        }
      }
    },
  };
};
