import { errors } from '@strapi/utils';

/** Why stored TikTok tokens can no longer give an access token. */
export type ReauthReason =
  | 'not_linked'
  | 'no_tokens'
  | 'refresh_token_expired'
  | 'refresh_token_rejected'
  | 'tokens_unreadable'
  | 'client_removed';

/**
 * The user must sign in with TikTok again (through the code flow, with `storeTokens` on) before the
 * app can call TikTok for them. Uncaught in a route, Strapi answers 403 with `details.code`.
 */
export class TikTokReauthRequiredError extends errors.ForbiddenError {
  readonly code = 'tiktok_reauth_required';

  constructor(readonly reason: ReauthReason, message: string) {
    super(message, { code: 'tiktok_reauth_required', reason });
    (this as Error).name = 'TikTokReauthRequiredError';
  }
}

/**
 * TikTok could not be reached or failed: the stored tokens are kept, try again later. Uncaught in a
 * route, Strapi answers a bare 503.
 */
export class TikTokUnavailableError extends Error {
  readonly code = 'tiktok_unavailable';
  readonly status = 503;
  readonly expose = false;

  constructor(message: string) {
    super(message);
    this.name = 'TikTokUnavailableError';
  }
}
