import type { Context } from 'koa';

import { ConnectError, respondWithConnectError } from '../errors';
import { getService } from '../utils/get-service';

/** The signed-in users-permissions user: these routes run after users-permissions' authentication. */
const userIdOf = (ctx: Context) => (ctx.state.user as { id: number }).id;

/** Runs a route's work and answers its ConnectError the way /connect does. */
const answering = async (ctx: Context, work: () => Promise<void>) => {
  try {
    await work();
  } catch (error) {
    if (error instanceof ConnectError) return respondWithConnectError(ctx, error);
    throw error;
  }
};

export default {
  async find(ctx: Context) {
    await answering(ctx, async () => {
      ctx.body = await getService('links').describe(userIdOf(ctx));
    });
  },

  async link(ctx: Context) {
    await answering(ctx, async () => {
      ctx.body = await getService('links').link(userIdOf(ctx), ctx.request.body);
    });
  },

  async unlink(ctx: Context) {
    await answering(ctx, async () => {
      // A query parameter: Strapi does not parse DELETE bodies.
      await getService('links').unlink(userIdOf(ctx), { confirm: ctx.query.confirm === 'true' });
      ctx.status = 204;
    });
  },
};
