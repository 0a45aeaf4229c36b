import type { Context } from 'koa';

import { ConnectError, respondWithConnectError } from '../errors';
import type { TikTokProfile } from '../services/tiktok-api';
import { parseDeviceId } from '../utils/device-id';
import { getService } from '../utils/get-service';

/** What the app may show without another TikTok call. */
const publicProfile = ({ union_id, open_id, display_name, avatar_url, username }: TikTokProfile) => ({
  union_id,
  open_id,
  display_name: display_name ?? null,
  avatar_url: avatar_url ?? null,
  ...(username !== undefined && { username }),
});

export default {
  async connect(ctx: Context) {
    try {
      const deviceId = parseDeviceId(ctx.request.body);
      const login = await getService('connect').connect(ctx.request.body);
      const credentials = await getService('session').issue(ctx, login.user, { deviceId });
      await getService('connect').completeLogin(login, { ip: ctx.request.ip, userAgent: ctx.request.headers['user-agent'] });
      ctx.body = { ...credentials, profile: publicProfile(login.profile) };
    } catch (error) {
      if (error instanceof ConnectError) return respondWithConnectError(ctx, error);
      throw error;
    }
  },
};
