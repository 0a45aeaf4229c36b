import type { Context } from 'koa';
import type { Core } from '@strapi/strapi';
import { buildSessionMetadata } from '@strapi/utils';

import { USER_UID } from '../constants';
import type { UpUser } from './accounts';

/** Issues Strapi credentials for a user exactly as users-permissions' own /api/auth/local does. */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async issue(ctx: Context, user: UpUser) {
    const userSchema = strapi.getModel(USER_UID);
    const sanitizedUser = await strapi.contentAPI.sanitize.output(user, userSchema, {
      auth: ctx.state.auth,
    });

    const mode = strapi.config.get<string>('plugin::users-permissions.jwtManagement', 'legacy-support');
    if (mode !== 'refresh') {
      // jwt.issue may return a promise depending on the mode: always await it.
      const jwt = await strapi.plugin('users-permissions').service('jwt').issue({ id: user.id });
      return { jwt, user: sanitizedUser };
    }

    const body = (ctx.request as { body?: { deviceId?: unknown } }).body;
    const deviceId = typeof body?.deviceId === 'string' && body.deviceId ? body.deviceId : undefined;
    const sessions = strapi.sessionManager('users-permissions');
    const refresh = await sessions.generateRefreshToken(String(user.id), deviceId, {
      type: 'refresh',
      metadata: buildSessionMetadata({ userAgent: ctx.request.headers['user-agent'] }),
    });
    const access = await sessions.generateAccessToken(refresh.token);
    if ('error' in access) {
      throw new Error(`users-permissions could not issue an access token: ${access.error}`);
    }
    return { jwt: access.token, refreshToken: refresh.token, user: sanitizedUser };
  },
});
