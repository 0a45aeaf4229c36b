import type { Context } from 'koa';

import { getService } from '../utils/get-service';

export default {
  async deleteAll(ctx: Context) {
    ctx.body = await getService('identities').deleteAllTokens();
  },
};
