import type { Context } from 'koa';
import type { Core } from '@strapi/strapi';
import * as strapiUtils from '@strapi/utils';

import { USER_UID } from '../constants';
import { ConnectError } from '../errors';
import { jwtIssuer } from '../utils/jwt-issuer';
import type { UpUser } from './accounts';

/** users-permissions' `sessions` options that decide where a refresh token goes. */
interface UpSessionsConfig {
  httpOnly?: boolean;
  cookie?: { name?: string; secure?: boolean; sameSite?: 'lax' | 'strict' | 'none'; path?: string; domain?: string; maxAge?: number };
}

const DEFAULT_REFRESH_COOKIE = 'strapi_up_refresh';

/**
 * What users-permissions records with a session (login time, device name), through the helper it uses
 * since Strapi 5.50. Before 5.50 the helper does not exist (the import is undefined) and
 * users-permissions' own sessions carry no metadata either: neither do ours then.
 */
const sessionMetadata = (ctx: Context) => strapiUtils.buildSessionMetadata?.({ userAgent: ctx.request.headers['user-agent'] });

/** The refresh cookie exactly as users-permissions' auth controller sets it (its helper is not exported). */
const refreshCookieOptions = ({ cookie }: UpSessionsConfig) => ({
  httpOnly: true,
  secure: typeof cookie?.secure === 'boolean' ? cookie.secure : process.env.NODE_ENV === 'production',
  sameSite: cookie?.sameSite ?? 'lax',
  path: cookie?.path ?? '/',
  domain: cookie?.domain,
  maxAge: cookie?.maxAge,
  overwrite: true,
});

/** Issues Strapi credentials for a user exactly as users-permissions' own /api/auth/local does. */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const jwts = jwtIssuer(strapi);
  return {
    async issue(ctx: Context, user: UpUser, { deviceId }: { deviceId?: string } = {}) {
      const sanitizedUser = await strapi.contentAPI.sanitize.output(user, strapi.getModel(USER_UID), {
        auth: ctx.state.auth,
      });

      const mode = strapi.config.get<string>('plugin::users-permissions.jwtManagement', 'legacy-support');
      if (mode !== 'refresh') {
        // An app's own jwt.issue may return a promise: always await it.
        const jwt = await jwts.issue(user.id);
        return { jwt, user: sanitizedUser };
      }

      const sessions = strapi.sessionManager('users-permissions');
      const refresh = await sessions.generateRefreshToken(String(user.id), deviceId, {
        type: 'refresh',
        metadata: sessionMetadata(ctx),
      });
      const access = await sessions.generateAccessToken(refresh.token);
      if ('error' in access) {
        strapi.log.error(
          `[tiktok-auth-mobile] users-permissions could not issue an access token for user ${user.id} (${access.error}): check its sessions configuration`
        );
        throw new ConnectError('session_unavailable', 'Signing in is not available right now');
      }

      const config = strapi.config.get<UpSessionsConfig | undefined>('plugin::users-permissions.sessions') ?? {};
      if (config.httpOnly || ctx.request.headers['x-strapi-refresh-cookie'] === 'httpOnly') {
        ctx.cookies.set(config.cookie?.name || DEFAULT_REFRESH_COOKIE, refresh.token, refreshCookieOptions(config));
        return { jwt: access.token, user: sanitizedUser };
      }
      return { jwt: access.token, refreshToken: refresh.token, user: sanitizedUser };
    },
  };
};
