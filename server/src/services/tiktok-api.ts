import http from 'node:http';
import https from 'node:https';
import axios, { AxiosError, type AxiosInstance } from 'axios';
import type { Core } from '@strapi/strapi';

import { ConnectError, type ConnectErrorCode } from '../errors';
import type { PluginConfig, TikTokScope } from '../config';

/** The TikTok profile fields the plugin reads from user/info. */
export interface TikTokProfile {
  open_id: string;
  union_id: string;
  display_name?: string;
  avatar_url?: string;
  username?: string;
  is_verified?: boolean;
}

const BASIC_FIELDS = ['open_id', 'union_id', 'display_name', 'avatar_url'];
const PROFILE_FIELDS = ['username', 'is_verified'];

/** user/info `fields` for the granted scopes: TikTok rejects fields whose scope is missing. */
export const userInfoFields = (scopes: readonly TikTokScope[]) =>
  scopes.includes('user.info.profile') ? [...BASIC_FIELDS, ...PROFILE_FIELDS] : BASIC_FIELDS;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const nonEmptyString = (value: unknown): value is string => typeof value === 'string' && value !== '';

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const config = strapi.config.get('plugin::tiktok-auth-mobile') as PluginConfig;

  // One keep-alive pool per process: a login should not pay for a TLS handshake.
  const client: AxiosInstance = axios.create({
    baseURL: config.apiBaseUrl.replace(/\/+$/, ''),
    timeout: config.timeout,
    httpAgent: new http.Agent({ keepAlive: true }),
    httpsAgent: new https.Agent({ keepAlive: true }),
    maxRedirects: 0,
    maxContentLength: 1024 * 1024,
    // TikTok's status codes are not reliable (200 with an error body happens): decide from the body.
    validateStatus: () => true,
    transitional: { clarifyTimeoutError: true },
    headers: { Accept: 'application/json' },
  });

  const clientMessages = {
    tiktok_unavailable: 'TikTok could not be reached, try again later',
    tiktok_rate_limited: 'TikTok is rate limiting logins, try again shortly',
    tiktok_token_invalid: 'The TikTok access token is invalid or expired',
    tiktok_scope_missing: `The TikTok user did not grant the scopes this app requires: ${config.scopes.join(',')}`,
  } satisfies Partial<Record<ConnectErrorCode, string>>;

  /** Logs why TikTok refused (with its log_id, never the token) and answers the client with `code`. */
  const fail = (code: keyof typeof clientMessages, reason: string, logId?: unknown): never => {
    const level = code === 'tiktok_unavailable' || code === 'tiktok_rate_limited' ? 'warn' : 'info';
    strapi.log[level](
      `[tiktok-auth-mobile] TikTok user/info: ${reason} (log_id ${nonEmptyString(logId) ? logId : 'none'})`
    );
    throw new ConnectError(code, clientMessages[code]);
  };

  const describeNetworkError = (error: unknown) => {
    if (error instanceof AxiosError) {
      return error.code === AxiosError.ETIMEDOUT || error.code === AxiosError.ECONNABORTED
        ? `no answer within ${config.timeout} ms`
        : `network error ${error.code ?? 'unknown'}`;
    }
    return 'unexpected client error';
  };

  return {
    /** Validates an access token the only way TikTok allows: by reading the user it belongs to. */
    async fetchUserInfo(accessToken: string): Promise<TikTokProfile> {
      const fields = userInfoFields(config.scopes).join(',');

      let response;
      try {
        // Literal commas: TikTok was seen to reject an encoded `%2C` in `fields`.
        response = await client.get(`/v2/user/info/?fields=${fields}`, {
          headers: { Authorization: `Bearer ${accessToken}` },
        });
      } catch (error) {
        return fail('tiktok_unavailable', describeNetworkError(error));
      }

      // Every TikTok answer carries an `error` object; its code decides, not the HTTP status.
      const body: unknown = response.data;
      const { code, log_id: logId } = isObject(body) && isObject(body.error) ? body.error : {};

      if (response.status === 429 || code === 'rate_limit_exceeded') {
        return fail('tiktok_rate_limited', `rate limited (HTTP ${response.status})`, logId);
      }
      if (code === 'access_token_invalid') return fail('tiktok_token_invalid', 'access token rejected', logId);
      if (code === 'scope_not_authorized') return fail('tiktok_scope_missing', 'scope not granted', logId);
      if (code !== 'ok') {
        const described = nonEmptyString(code) ? `error ${code}` : 'no error object';
        return fail('tiktok_unavailable', `HTTP ${response.status}, ${described}`, logId);
      }

      const user = isObject(body) && isObject(body.data) && isObject(body.data.user) ? body.data.user : null;
      if (!user || !nonEmptyString(user.open_id) || !nonEmptyString(user.union_id)) {
        return fail('tiktok_unavailable', 'answer without open_id or union_id', logId);
      }

      return {
        open_id: user.open_id,
        union_id: user.union_id,
        display_name: typeof user.display_name === 'string' ? user.display_name : undefined,
        avatar_url: typeof user.avatar_url === 'string' ? user.avatar_url : undefined,
        username: typeof user.username === 'string' ? user.username : undefined,
        is_verified: typeof user.is_verified === 'boolean' ? user.is_verified : undefined,
      };
    },
  };
};
