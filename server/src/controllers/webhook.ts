import type { Context } from 'koa';

import { rawWebhookBody } from '../middlewares/webhook-body';
import { WebhookError } from '../services/webhooks';
import { getService } from '../utils/get-service';

export default {
  /** POST /webhook: TikTok's events, acknowledged with 200 once handled. */
  async receive(ctx: Context) {
    const rawBody = rawWebhookBody(ctx);
    // Only a path form the body capture does not know would get here without the bytes.
    if (!rawBody) throw new Error(`the raw body of POST ${ctx.path} was not kept: the webhook cannot check its signature`);
    try {
      await getService('webhooks').receive(rawBody, ctx.get('TikTok-Signature'));
    } catch (error) {
      if (!(error instanceof WebhookError)) throw error;
      return ctx[error.status === 401 ? 'unauthorized' : 'badRequest'](error.message, { code: error.code });
    }
    ctx.body = {};
  },
};
