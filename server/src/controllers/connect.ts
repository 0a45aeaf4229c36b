import type { Context } from 'koa';

import { ConnectError, respondWithConnectError } from '../errors';
import { getService } from '../utils/get-service';

export default {
  async connect(ctx: Context) {
    try {
      ctx.body = await getService('connect').login(ctx, ctx.request.body);
    } catch (error) {
      if (error instanceof ConnectError) return respondWithConnectError(ctx, error);
      throw error;
    }
  },
};
