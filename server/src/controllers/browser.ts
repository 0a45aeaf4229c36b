import type { Context } from 'koa';

import { ConnectError, respondWithConnectError } from '../errors';
import { StateInvalid } from '../services/browser-login';
import { parseAuthorizeQuery, parseCallbackQuery } from '../utils/authorize-request';
import { getService } from '../utils/get-service';

const STATE_INVALID_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign-in link expired</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 32rem; margin: 4rem auto; padding: 0 1rem">
<h1>This sign-in link has expired or was already used</h1>
<p>Go back to the app and sign in with TikTok again.</p>
</body></html>`;

/** The URLs these answers carry hold single-use secrets: never cached, never sent on as a referrer. */
const noStore = (ctx: Context) => {
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Referrer-Policy', 'no-referrer');
};

export default {
  /** GET /authorize: to TikTok's authorize page, with a fresh state and PKCE challenge. */
  async authorize(ctx: Context) {
    noStore(ctx);
    try {
      ctx.redirect(await getService('browserLogin').start(parseAuthorizeQuery(ctx.query)));
    } catch (error) {
      if (error instanceof ConnectError) return respondWithConnectError(ctx, error);
      throw error;
    }
  },

  /** GET /callback: TikTok's answer, sent on to the app redirect as a login code or an error. */
  async callback(ctx: Context) {
    noStore(ctx);
    try {
      ctx.redirect(await getService('browserLogin').finish(parseCallbackQuery(ctx.query)));
    } catch (error) {
      if (!(error instanceof StateInvalid)) throw error;
      ctx.status = 400;
      ctx.type = 'html';
      ctx.body = STATE_INVALID_PAGE;
    }
  },
};
