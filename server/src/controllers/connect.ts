import type { Context } from 'koa';

import { ConnectError, respondWithConnectError } from '../errors';
import { getService } from '../utils/get-service';

export default {
  async connect(ctx: Context) {
    try {
      const { user } = await getService('connect').connect(ctx.request.body);
      ctx.body = await getService('session').issue(ctx, user);
    } catch (error) {
      if (error instanceof ConnectError) return respondWithConnectError(ctx, error);
      throw error;
    }
  },
};
