/**
 * A client of strapi-plugin-tiktok-auth-mobile's `POST /api/tiktok-auth-mobile/connect`. It needs only
 * `fetch` and `AbortController`: Node 20 or later, browsers, React Native. Copy it into your app.
 */

/** The three proofs /connect takes: send exactly one. */
export type ConnectBody =
  | { code: string; code_verifier: string; client_key?: string; redirect_uri?: string; deviceId?: string }
  | { login_code: string; deviceId?: string }
  | { access_token: string; deviceId?: string };

/** A successful login: the shape of users-permissions' /api/auth/local, plus the TikTok profile. */
export interface TikTokLogin {
  jwt: string;
  /** Only when users-permissions runs with jwtManagement: 'refresh' and the refresh token is not sent as a cookie. */
  refreshToken?: string;
  user: {
    id: number;
    documentId: string;
    username: string;
    email: string;
    provider: string;
    confirmed: boolean;
    blocked: boolean;
    [field: string]: unknown;
  };
  profile: {
    union_id: string;
    open_id: string;
    display_name: string | null;
    avatar_url: string | null;
    /** Only with user.info.profile in the plugin's scopes. */
    username?: string;
  };
}

/** What the client does next: try again later, start a new TikTok login, tell the user, or fix the app or server. */
export type NextStep = 'retry' | 'restart_login' | 'show_message' | 'fix_app';

/** Every `error.details.code` the plugin's routes for apps answer with, and the next step for each (docs/guides/errors.md). */
export const NEXT_STEPS = {
  invalid_request: 'fix_app',
  payload_too_large: 'fix_app',
  access_token_disabled: 'fix_app',
  unknown_client: 'fix_app',
  redirect_uri_mismatch: 'fix_app',
  app_redirect_not_allowed: 'fix_app',
  tiktok_code_invalid: 'restart_login',
  tiktok_token_invalid: 'restart_login',
  tiktok_scope_missing: 'restart_login',
  login_code_invalid: 'restart_login',
  registration_disabled: 'show_message',
  user_blocked: 'show_message',
  user_role_missing: 'show_message',
  identity_not_found: 'show_message',
  identity_already_linked: 'show_message',
  user_already_linked: 'show_message',
  last_login_method: 'show_message',
  tiktok_unavailable: 'retry',
  tiktok_rate_limited: 'retry',
  registration_unavailable: 'retry',
  session_unavailable: 'retry',
} as const satisfies Record<string, NextStep>;

export type ErrorCode = keyof typeof NEXT_STEPS;

const isErrorCode = (code: unknown): code is ErrorCode =>
  typeof code === 'string' && Object.prototype.hasOwnProperty.call(NEXT_STEPS, code);

/**
 * A failed login. `code` is the plugin's `error.details.code`; `rate_limited` for a 429 (users-permissions'
 * limiter sends no code); `unexpected` for any other answer (Strapi's body parser, a proxy's error page,
 * a code this client does not know yet); `network` when no complete answer came in time.
 */
export class TikTokLoginError extends Error {
  readonly nextStep: NextStep;

  constructor(
    readonly code: ErrorCode | 'rate_limited' | 'unexpected' | 'network',
    readonly status: number | null,
    message: string
  ) {
    super(message);
    this.name = 'TikTokLoginError';
    if (isErrorCode(code)) this.nextStep = NEXT_STEPS[code];
    // Without a known code, a 4xx is a request the server will refuse again; a 5xx or no answer may pass later.
    else this.nextStep = code === 'unexpected' && status !== null && status < 500 ? 'fix_app' : 'retry';
  }
}

/** Strapi's error envelope: `{ data: null, error: { status, name, message, details } }`. */
interface ErrorEnvelope {
  error?: { status?: number; name?: string; message?: string; details?: { code?: unknown } };
}

const readJson = async (res: Response): Promise<unknown> => {
  try {
    return await res.json();
  } catch {
    return null; // not JSON: a proxy or load balancer answered
  }
};

const toError = (status: number, body: unknown): TikTokLoginError => {
  const error = (body as ErrorEnvelope | null)?.error;
  const message = typeof error?.message === 'string' ? error.message : `HTTP ${status}`;
  const code = error?.details?.code;
  if (isErrorCode(code)) return new TikTokLoginError(code, status, message);
  if (status === 429) return new TikTokLoginError('rate_limited', status, message);
  return new TikTokLoginError('unexpected', status, message);
};

/**
 * Posts one proof to `<baseUrl>/api/tiktok-auth-mobile/connect` and answers the login, or throws a
 * TikTokLoginError. `baseUrl` is the Strapi server, such as `https://api.example.com`.
 */
export async function connectWithTikTok(
  baseUrl: string,
  body: ConnectBody,
  { timeoutMs = 15_000 }: { timeoutMs?: number } = {}
): Promise<TikTokLogin> {
  // A code login waits for two TikTok calls: keep timeoutMs above twice the plugin's `timeout`.
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  let res: Response;
  let answer: unknown;
  try {
    res = await fetch(`${baseUrl.replace(/\/+$/, '')}/api/tiktok-auth-mobile/connect`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
      signal: abort.signal,
    });
    answer = await readJson(res);
  } catch (error) {
    throw new TikTokLoginError('network', null, error instanceof Error ? error.message : String(error));
  } finally {
    clearTimeout(timer);
  }

  if (res.status !== 200) throw toError(res.status, answer);
  if (typeof (answer as Partial<TikTokLogin> | null)?.jwt !== 'string') {
    throw new TikTokLoginError('unexpected', res.status, 'the answer holds no jwt');
  }
  return answer as TikTokLogin;
}
