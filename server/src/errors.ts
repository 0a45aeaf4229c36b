import type { Context } from 'koa';

/** The HTTP statuses a login failure can have, and Strapi's response helper for each. */
const RESPONDERS = {
  400: 'badRequest',
  403: 'forbidden',
  404: 'notFound',
  409: 'conflict',
  502: 'badGateway',
  503: 'serviceUnavailable',
} as const;

/** Every failure the plugin's content-API routes (/connect, /link, /me) answer with, and its HTTP status. */
export const CONNECT_ERRORS = {
  invalid_request: 400,
  access_token_disabled: 400,
  unknown_client: 400,
  redirect_uri_mismatch: 400,
  tiktok_code_invalid: 400,
  tiktok_token_invalid: 400,
  tiktok_scope_missing: 400,
  registration_disabled: 400,
  app_redirect_not_allowed: 400,
  login_code_invalid: 400,
  user_blocked: 403,
  identity_not_found: 404,
  identity_already_linked: 409,
  user_already_linked: 409,
  last_login_method: 409,
  user_role_missing: 403,
  registration_unavailable: 503,
  session_unavailable: 503,
  tiktok_unavailable: 502,
  tiktok_rate_limited: 503,
} as const satisfies Record<string, keyof typeof RESPONDERS>;

export type ConnectErrorCode = keyof typeof CONNECT_ERRORS;

/** A client-facing login failure: `details.code` tells the app what happened. */
export class ConnectError extends Error {
  readonly status: (typeof CONNECT_ERRORS)[ConnectErrorCode];

  constructor(
    readonly code: ConnectErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {}
  ) {
    super(message);
    this.name = 'ConnectError';
    this.status = CONNECT_ERRORS[code];
  }
}

/** Answers with Strapi's error envelope `{ data: null, error: { status, name, message, details } }`. */
export const respondWithConnectError = (ctx: Context, error: ConnectError) => {
  ctx[RESPONDERS[error.status]](error.message, { ...error.details, code: error.code });
};
