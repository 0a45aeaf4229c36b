import type { Context } from 'koa';

import { getService } from '../utils/get-service';

export default {
  async find(ctx: Context) {
    ctx.body = await getService('settings').getForAdmin();
  },

  async update(ctx: Context) {
    ctx.body = await getService('settings').update(ctx.request.body);
  },
};
