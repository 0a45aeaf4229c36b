import type { Context } from 'koa';

/** Every failure the connect endpoint can answer with, and its HTTP status. */
export const CONNECT_ERRORS = {
  invalid_request: 400,
  access_token_disabled: 400,
  unknown_client: 400,
  redirect_uri_mismatch: 400,
  tiktok_code_invalid: 400,
  tiktok_token_invalid: 400,
  tiktok_scope_missing: 400,
  registration_disabled: 400,
  user_blocked: 403,
  user_role_missing: 403,
  registration_unavailable: 503,
  tiktok_unavailable: 502,
  tiktok_rate_limited: 503,
} as const;

export type ConnectErrorCode = keyof typeof CONNECT_ERRORS;

/** A client-facing login failure: `details.code` tells the app what happened. */
export class ConnectError extends Error {
  readonly status: number;

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

const RESPONDERS = {
  400: 'badRequest',
  403: 'forbidden',
  502: 'badGateway',
  503: 'serviceUnavailable',
} as const;

/** Answers with Strapi's error envelope `{ data: null, error: { status, name, message, details } }`. */
export const respondWithConnectError = (ctx: Context, error: ConnectError) => {
  const responder = RESPONDERS[error.status as keyof typeof RESPONDERS];
  ctx[responder](error.message, { ...error.details, code: error.code });
};
