import Agent, { HttpsAgent } from 'agentkeepalive';
import axios, { AxiosError, type AxiosResponse } from 'axios';
import type { Core } from '@strapi/strapi';

import { ConnectError } from '../errors';
import type { TikTokScope } from '../config';
import { TikTokUnavailableError } from '../token-errors';
import { withDeadline, type Deadline } from '../utils/deadline';
import { getPluginConfig } from '../utils/plugin-config';
import { PRINTABLE, VISIBLE_ASCII } from '../utils/text';

/** The TikTok profile fields the plugin reads from user/info. */
export interface TikTokProfile {
  open_id: string;
  union_id: string;
  display_name?: string;
  avatar_url?: string;
  username?: string;
  is_verified?: boolean;
}

/** What the token endpoint gives for an authorization code or a refresh token. */
export interface TikTokToken {
  accessToken: string;
  openId: string;
  scopes: string[];
  /** The refresh token and both lifetimes (seconds), when the answer carried usable ones. */
  refresh?: { refreshToken: string; expiresIn: number; refreshExpiresIn: number };
}

/** A client and its secret: what every OAuth call to TikTok sends. */
export interface ClientCredentials {
  clientKey: string;
  clientSecret: string;
}

const BASIC_FIELDS = ['open_id', 'union_id', 'display_name', 'avatar_url'];
const PROFILE_FIELDS = ['username', 'is_verified'];

/** user/info `fields` for the configured scopes: TikTok rejects fields whose scope is missing. */
export const userInfoFields = (scopes: readonly TikTokScope[]) =>
  scopes.includes('user.info.profile') ? [...BASIC_FIELDS, ...PROFILE_FIELDS] : BASIC_FIELDS;

/** Token-endpoint errors that mean the code (or its verifier) is no good: the app should start over. */
const CODE_ERRORS = new Set(['invalid_grant', 'invalid_request', 'access_denied']);
/** Token-endpoint errors that mean this server's client configuration is wrong. */
const CLIENT_CONFIG_ERRORS = new Set(['invalid_client', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope']);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const nonEmptyString = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** TikTok's ids are UUID-sized; 128 keeps the pseudo-email `<union_id>@tiktok.com` within a 255-character column. */
const MAX_ID_LENGTH = 128;
/** As for an access_token the app posts. */
const MAX_TOKEN_LENGTH = 2048;
const MAX_URL_LENGTH = 2048;

/** A lifetime in seconds TikTok could mean: positive, at most ten years. */
const isLifetime = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= 10 * 365 * 86400;

const isTikTokId = (value: unknown): value is string =>
  nonEmptyString(value) && value.length <= MAX_ID_LENGTH && PRINTABLE.test(value);

/** The token is sent back to TikTok in a header: it must reach it unchanged. */
const isAccessToken = (value: unknown): value is string =>
  nonEmptyString(value) && value.length <= MAX_TOKEN_LENGTH && VISIBLE_ASCII.test(value);

/** An avatar the app can show as is: an https URL, nothing else. */
const httpsUrl = (value: unknown): string | undefined => {
  if (typeof value !== 'string' || value.length > MAX_URL_LENGTH || !VISIBLE_ASCII.test(value)) return undefined;
  try {
    return new URL(value).protocol === 'https:' ? value : undefined;
  } catch {
    return undefined;
  }
};

const logIdOf = (body: unknown) =>
  isObject(body) && isObject(body.error) && nonEmptyString(body.error.log_id) ? ` (log_id ${body.error.log_id})` : '';

const CLIENT_MESSAGES = {
  tiktok_unavailable: 'TikTok could not be reached, try again later',
  tiktok_rate_limited: 'TikTok is rate limiting logins, try again shortly',
  tiktok_token_invalid: 'The TikTok access token is invalid or expired',
  tiktok_code_invalid: 'The TikTok authorization code is invalid, expired or already used, or the code_verifier does not match',
  tiktok_scope_missing: 'The TikTok user did not grant the scopes this app requires',
} as const;

type TikTokFailure = keyof typeof CLIENT_MESSAGES;

/** How long an idle connection to TikTok stays in the pool. */
const IDLE_SOCKET_MS = 4000;

/** Below this, a retry could not get an answer before the deadline anyway. */
const MIN_RETRY_BUDGET_MS = 100;

/** One HTTP request to TikTok, given the deadline's signal and the time left as its idle timeout. */
type TikTokRequest = (options: { signal: AbortSignal; timeout: number }) => Promise<AxiosResponse>;

interface FailOptions {
  logId?: unknown;
  level?: 'info' | 'warn' | 'error';
  message?: string;
}

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const { apiBaseUrl, timeout } = getPluginConfig(strapi);

  // One keep-alive pool per process: a login should not pay for a TCP and TLS handshake. Idle sockets
  // are closed after a few seconds, before a server or load balancer drops them: a request written to
  // a connection the other side just closed fails, and a code exchange cannot be retried.
  const keepAlive = { keepAlive: true, freeSocketTimeout: IDLE_SOCKET_MS };
  const client = axios.create({
    baseURL: apiBaseUrl.replace(/\/+$/, ''),
    httpAgent: new Agent(keepAlive),
    httpsAgent: new HttpsAgent(keepAlive),
    maxRedirects: 0,
    maxContentLength: 1024 * 1024,
    // TikTok's status codes are not reliable (200 with an error body happens): the body decides.
    validateStatus: () => true,
    transitional: { clarifyTimeoutError: true },
    headers: { Accept: 'application/json' },
  });

  /** Logs why TikTok said no (with its log_id, never a credential) and answers the app with `code`. */
  const fail = (
    endpoint: string,
    code: TikTokFailure,
    reason: string,
    { logId, level, message = CLIENT_MESSAGES[code] }: FailOptions = {}
  ): never => {
    const upstream = code === 'tiktok_unavailable' || code === 'tiktok_rate_limited';
    strapi.log[level ?? (upstream ? 'warn' : 'info')](
      `[tiktok-auth-mobile] TikTok ${endpoint}: ${reason} (log_id ${nonEmptyString(logId) ? logId : 'none'})`
    );
    throw new ConnectError(code, message);
  };

  /** One request under the call's deadline: the answer, or why there was none. */
  const attempt = async (request: TikTokRequest, deadline: Deadline) => {
    try {
      // The idle timeout alone would let an answer that trickles in outlive the deadline; the signal cannot.
      return { response: await request({ signal: deadline.signal, timeout: deadline.remaining() }) };
    } catch (error) {
      const code = error instanceof AxiosError ? error.code : undefined;
      const timedOut = deadline.signal.aborted || code === AxiosError.ETIMEDOUT || code === AxiosError.ECONNABORTED;
      return {
        failure: timedOut ? `no answer within ${timeout} ms` : `network error ${code ?? 'unknown'}`,
        // A pooled keep-alive connection TikTok closed, or an answer cut short: worth one more try.
        retryable: !timedOut,
      };
    }
  };

  /** A form POST to an OAuth endpoint under one deadline. Never retried: a code or a refresh token works once. */
  const postForm = (endpoint: string, fields: Record<string, string>) => {
    const form = new URLSearchParams(fields).toString();
    const request: TikTokRequest = (options) =>
      client.post(endpoint, form, { headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, ...options });
    return withDeadline(timeout, (deadline) => attempt(request, deadline));
  };

  /** The token answer's fields the plugin keeps, or null when it has no usable access token and open_id. */
  const parseToken = (answer: Record<string, unknown>): TikTokToken | null => {
    if (!isAccessToken(answer.access_token) || !isTikTokId(answer.open_id)) return null;
    const { refresh_token: refreshToken, expires_in: expiresIn, refresh_expires_in: refreshExpiresIn } = answer;
    return {
      accessToken: answer.access_token,
      openId: answer.open_id,
      scopes: typeof answer.scope === 'string' ? answer.scope.split(',').filter(Boolean) : [],
      ...(isAccessToken(refreshToken) &&
        isLifetime(expiresIn) &&
        isLifetime(refreshExpiresIn) && { refresh: { refreshToken, expiresIn, refreshExpiresIn } }),
    };
  };

  /** Logs why a token-vault call to TikTok failed (never a credential) and returns the error to throw. */
  const unavailable = (endpoint: string, reason: string, logId?: unknown, level: 'warn' | 'error' = 'warn') => {
    strapi.log[level](`[tiktok-auth-mobile] TikTok ${endpoint}: ${reason} (log_id ${nonEmptyString(logId) ? logId : 'none'})`);
    return new TikTokUnavailableError(`TikTok ${endpoint} failed: ${reason}`);
  };

  /** user/info only reads: a reset connection or a TikTok 5xx is tried once more, within the same deadline. */
  const attemptTwice = async (request: TikTokRequest, deadline: Deadline) => {
    const first = await attempt(request, deadline);
    const failed = first.response ? first.response.status >= 500 : first.retryable;
    if (!failed || deadline.remaining() < MIN_RETRY_BUDGET_MS) return first;
    const reason = first.response ? `HTTP ${first.response.status}${logIdOf(first.response.data)}` : first.failure;
    strapi.log.debug(`[tiktok-auth-mobile] TikTok user/info: ${reason}, trying once more`);
    return attempt(request, deadline);
  };

  return {
    /** Validates an access token the only way TikTok allows: by reading the user it belongs to. */
    async fetchUserInfo(accessToken: string, scopes: readonly TikTokScope[]): Promise<TikTokProfile> {
      // Literal commas: TikTok was seen to reject an encoded `%2C` in `fields`.
      const url = `/v2/user/info/?fields=${userInfoFields(scopes).join(',')}`;
      const request: TikTokRequest = (options) =>
        client.get(url, { headers: { Authorization: `Bearer ${accessToken}` }, ...options });

      const result = await withDeadline(timeout, (deadline) => attemptTwice(request, deadline));
      if (!result.response) return fail('user/info', 'tiktok_unavailable', result.failure);
      const { response } = result;

      // Every user/info answer carries an `error` object; its code decides, not the HTTP status.
      const body: unknown = response.data;
      const { code, log_id: logId } = isObject(body) && isObject(body.error) ? body.error : {};
      const failUserInfo = (failure: TikTokFailure, reason: string, message?: string) =>
        fail('user/info', failure, reason, { logId, message });

      if (response.status === 429 || code === 'rate_limit_exceeded') {
        return failUserInfo('tiktok_rate_limited', `rate limited (HTTP ${response.status})`);
      }
      if (code === 'access_token_invalid') return failUserInfo('tiktok_token_invalid', 'access token rejected');
      if (code === 'scope_not_authorized') {
        return failUserInfo(
          'tiktok_scope_missing',
          'scope not granted',
          `${CLIENT_MESSAGES.tiktok_scope_missing}: ${scopes.join(',')}`
        );
      }
      if (code !== 'ok') {
        const described = nonEmptyString(code) ? `error ${code}` : 'no error object';
        return failUserInfo('tiktok_unavailable', `HTTP ${response.status}, ${described}`);
      }

      const user = isObject(body) && isObject(body.data) && isObject(body.data.user) ? body.data.user : null;
      if (!user || !isTikTokId(user.open_id) || !isTikTokId(user.union_id)) {
        return failUserInfo('tiktok_unavailable', 'answer without a usable open_id or union_id');
      }

      return {
        open_id: user.open_id,
        union_id: user.union_id,
        display_name: typeof user.display_name === 'string' ? user.display_name : undefined,
        avatar_url: httpsUrl(user.avatar_url),
        username: typeof user.username === 'string' ? user.username : undefined,
        is_verified: typeof user.is_verified === 'boolean' ? user.is_verified : undefined,
      };
    },

    /**
     * Exchanges a Login Kit authorization code and its PKCE verifier with the client secret.
     * Never retried: a code is single-use, a second try could only fail.
     */
    async exchangeCode(
      tiktokClient: ClientCredentials,
      { code, codeVerifier, redirectUri }: { code: string; codeVerifier: string; redirectUri: string }
    ): Promise<TikTokToken> {
      const result = await postForm('/v2/oauth/token/', {
        client_key: tiktokClient.clientKey,
        client_secret: tiktokClient.clientSecret,
        code,
        grant_type: 'authorization_code',
        redirect_uri: redirectUri,
        code_verifier: codeVerifier,
      });
      if (!result.response) return fail('oauth/token', 'tiktok_unavailable', result.failure);
      const { response } = result;

      // TikTok has answered errors with HTTP 200: the `error` key decides.
      const body: unknown = response.data;
      const answer = isObject(body) ? body : {};
      const failToken = (failure: TikTokFailure, reason: string, level?: 'error') =>
        fail('oauth/token', failure, reason, { logId: answer.log_id, level });

      if (response.status === 429 || answer.error === 'rate_limit_exceeded') {
        return failToken('tiktok_rate_limited', `rate limited (HTTP ${response.status})`);
      }
      if (nonEmptyString(answer.error)) {
        if (CODE_ERRORS.has(answer.error)) return failToken('tiktok_code_invalid', `code refused: ${answer.error}`);
        if (CLIENT_CONFIG_ERRORS.has(answer.error)) {
          // The app can do nothing about this; the server's client key, secret or portal setup is wrong.
          return failToken(
            'tiktok_unavailable',
            `refused client_key ${tiktokClient.clientKey}: ${answer.error}; check its client secret and redirect URI`,
            'error'
          );
        }
        return failToken('tiktok_unavailable', `HTTP ${response.status}, error ${answer.error}`);
      }
      return parseToken(answer) ?? failToken('tiktok_unavailable', `HTTP ${response.status}, answer without a usable access_token or open_id`);
    },

    /**
     * A new token pair for a stored refresh token (which TikTok then retires), or `'rejected'` when TikTok
     * says it is no good (invalid_grant): expired, revoked, or already used. Throws TikTokUnavailableError
     * otherwise. Never retried: a refresh whose answer was lost may already have retired the token.
     */
    async refreshToken(tiktokClient: ClientCredentials, refreshToken: string): Promise<TikTokToken | 'rejected'> {
      const endpoint = 'oauth/token (refresh)';
      const result = await postForm('/v2/oauth/token/', {
        client_key: tiktokClient.clientKey,
        client_secret: tiktokClient.clientSecret,
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
      });
      if (!result.response) throw unavailable(endpoint, result.failure);
      const { status, data } = result.response;
      const answer = isObject(data) ? data : {};

      if (answer.error === 'invalid_grant') {
        strapi.log.info(`[tiktok-auth-mobile] TikTok ${endpoint}: refresh token refused for client_key ${tiktokClient.clientKey} (log_id ${nonEmptyString(answer.log_id) ? answer.log_id : 'none'})`);
        return 'rejected';
      }
      if (status === 429 || answer.error === 'rate_limit_exceeded') throw unavailable(endpoint, `rate limited (HTTP ${status})`, answer.log_id);
      if (nonEmptyString(answer.error)) {
        const misconfigured = CLIENT_CONFIG_ERRORS.has(answer.error);
        throw unavailable(
          endpoint,
          `HTTP ${status}, error ${answer.error}${misconfigured ? ` for client_key ${tiktokClient.clientKey}: check its client secret` : ''}`,
          answer.log_id,
          misconfigured ? 'error' : 'warn'
        );
      }
      const token = parseToken(answer);
      if (!token?.refresh) throw unavailable(endpoint, `HTTP ${status}, answer without a usable access_token, refresh_token or lifetimes`, answer.log_id);
      return token;
    },

    /** Revokes a token at TikTok (the whole grant goes with it). Throws TikTokUnavailableError when TikTok did not confirm. */
    async revokeToken(tiktokClient: ClientCredentials, token: string): Promise<void> {
      const result = await postForm('/v2/oauth/revoke/', {
        client_key: tiktokClient.clientKey,
        client_secret: tiktokClient.clientSecret,
        token,
      });
      if (!result.response) throw unavailable('oauth/revoke', result.failure);
      const { status, data } = result.response;
      const answer = isObject(data) ? data : {};
      if (status !== 200 || answer.error !== undefined) {
        throw unavailable('oauth/revoke', `HTTP ${status}, error ${nonEmptyString(answer.error) ? answer.error : 'none'}`, answer.log_id);
      }
    },
  };
};
