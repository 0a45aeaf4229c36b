import { yup } from '@strapi/utils';

import {
  allowAccessTokenSchema,
  appRedirectsSchema,
  clientsSchema,
  flag,
  LOOPBACK_HOST,
  scopesSchema,
  storeTokensSchema,
  string,
  type TikTokScope,
} from '../validation/settings';
import type { RateLimitStore } from '../rate-limit/store';

export { TIKTOK_SCOPES, type TikTokScope } from '../validation/settings';

export interface TikTokClientConfig {
  clientKey: string;
  clientSecret: string;
  redirectUri: string;
  label?: string;
}

export interface PluginConfig {
  apiBaseUrl: string;
  clients: TikTokClientConfig[];
  scopes: TikTokScope[];
  allowAccessToken: boolean;
  /** Deadline in milliseconds for one TikTok request. */
  timeout: number;
  /** Link users the original JavaScript plugin created (`<union_id>@tiktok.com`, provider `tiktok`) on their first login. */
  linkLegacyUsers: boolean;
  /** TikTok's Login Kit for Web authorize page, where the browser login sends the user. */
  authorizeUrl: string;
  /** Where the browser login may send the user back with a login code; empty turns the browser login off. */
  appRedirects: string[];
  /** Keep each code-flow login's TikTok tokens (encrypted) for the tokens service. */
  storeTokens: boolean;
  /** The login rate limit, over users-permissions' `ratelimit` (which still decides whether it is on). */
  rateLimit: RateLimitConfig;
}

export interface RateLimitConfig {
  /** Requests allowed per client IP in one window; default users-permissions' `ratelimit.max`. */
  max?: number;
  /** The window in milliseconds; default users-permissions' `ratelimit.interval`. */
  interval?: number;
  /** Where the counts live, e.g. `redisRateLimitStore(client)` to share them across processes; default each process's memory. */
  store?: RateLimitStore;
}

export const DEFAULT_CONFIG: PluginConfig = {
  apiBaseUrl: 'https://open.tiktokapis.com',
  clients: [],
  scopes: ['user.info.basic'],
  allowAccessToken: true,
  timeout: 5000,
  linkLegacyUsers: true,
  authorizeUrl: 'https://www.tiktok.com/v2/auth/authorize/',
  appRedirects: [],
  storeTokens: false,
  rateLimit: {},
};

const isHttpsOrLoopbackHttp = (value: string | undefined) => {
  if (value === undefined) return true;
  if (/\s/.test(value)) return false;
  try {
    const { protocol, hostname } = new URL(value);
    if (protocol === 'https:') return hostname !== '';
    return protocol === 'http:' && LOOPBACK_HOST.test(hostname);
  } catch {
    return false;
  }
};

/** A URL the plugin sends TikTok requests (and so the client secret) to. */
const tiktokUrl = () =>
  string(2048)
    .required('${path} is required')
    .test(
      'https-or-loopback',
      '${path} must be an https URL (http only for localhost, 127.0.0.0/8 or ::1: the client secret is sent to it)',
      isHttpsOrLoopbackHttp
    );

const STORE_METHODS = ['incr', 'decrement', 'saveAbuse'] as const;

const isStore = (value: unknown) =>
  value === undefined ||
  (typeof value === 'object' && value !== null && STORE_METHODS.every((method) => typeof (value as Record<string, unknown>)[method] === 'function'));

const integerFrom = (min: number) =>
  yup
    .number()
    .typeError('${path} must be a number')
    .integer('${path} must be an integer')
    .min(min, '${path} must be greater than or equal to ${min}');

const rateLimitSchema = yup
  .object({
    max: integerFrom(1),
    interval: integerFrom(1),
    store: yup.mixed().test('store', '${path} must be a rate-limit store (with incr, decrement and saveAbuse methods)', isStore),
  })
  .noUnknown(true, '${path} has unknown keys: ${unknown}');

const configSchema = yup
  .object({
    apiBaseUrl: tiktokUrl(),
    clients: clientsSchema({
      clientSecret: string(512).min(1, '${path} is required').required('${path} is required'),
    }).required('${path} is required'),
    scopes: scopesSchema.required('${path} is required'),
    allowAccessToken: allowAccessTokenSchema.required('${path} is required'),
    timeout: integerFrom(100).max(60000, '${path} must be less than or equal to ${max}').required('${path} is required'),
    linkLegacyUsers: flag().required('${path} is required'),
    authorizeUrl: tiktokUrl(),
    appRedirects: appRedirectsSchema.required('${path} is required'),
    storeTokens: storeTokensSchema.required('${path} is required'),
    rateLimit: rateLimitSchema.required('${path} is required'),
  })
  .noUnknown(true, 'unknown option(s): ${unknown}');

export default {
  default: DEFAULT_CONFIG,
  validator(config: unknown) {
    try {
      configSchema.validateSync(config, { strict: true, abortEarly: false });
    } catch (error) {
      if (error instanceof yup.ValidationError) {
        throw new Error(`invalid plugin config: ${error.errors.join('; ')}`);
      }
      throw error;
    }
  },
};
