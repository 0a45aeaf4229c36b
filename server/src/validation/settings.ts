import { yup } from '@strapi/utils';

/** The user/info scopes TikTok defines; user.info.basic is the one every login needs. */
export const TIKTOK_SCOPES = ['user.info.basic', 'user.info.profile', 'user.info.stats'] as const;
export type TikTokScope = (typeof TIKTOK_SCOPES)[number];

/** TikTok accepts at most 10 redirect URIs per app; each client here carries one. */
export const MAX_CLIENTS = 10;

// Every node has its own messages, none interpolating ${value}: yup's default type error quotes the
// value, and a client secret must not come back in an error or a log line.
export const string = (max: number) =>
  yup.string().typeError('${path} must be a string').max(max, '${path} must be at most ${max} characters');

export const flag = () => yup.boolean().typeError('${path} must be true or false');

/** TikTok's rules for a registered redirect URI: absolute, https, no fragment. */
const isHttpsUriWithoutFragment = (value: string | undefined) => {
  if (value === undefined) return true;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && !value.includes('#') && url.hostname !== '';
  } catch {
    return false;
  }
};

const clientFields = {
  clientKey: string(128).trim('${path} must not start or end with spaces').required('${path} is required').min(1, '${path} is required'),
  redirectUri: string(512)
    .required('${path} is required')
    .test('https-uri', '${path} must be an absolute https URI without a fragment', isHttpsUriWithoutFragment),
  label: string(100),
};

/** A list of clients: the common fields plus `secretFields`, which differ between config, API and store. */
export const clientsSchema = <SecretFields extends Record<string, yup.AnySchema>>(secretFields: SecretFields) =>
  yup
    .array()
    .typeError('${path} must be a list')
    .of(
      yup
        .object({ ...clientFields, ...secretFields })
        .typeError('${path} must be an object')
        .noUnknown(true, '${path} has unknown keys: ${unknown}')
    )
    .max(MAX_CLIENTS, '${path} can hold at most ${max} clients (TikTok allows 10 redirect URIs)')
    .test('unique-keys', '${path} must not repeat a clientKey', (clients) => {
      const keys = (clients ?? []).map((client) => (client as { clientKey?: string } | undefined)?.clientKey);
      return new Set(keys).size === keys.length;
    });

export const scopesSchema = yup
  .array()
  .typeError('${path} must be a list')
  .of(
    yup
      .string()
      .typeError('${path} must be a string')
      .oneOf([...TIKTOK_SCOPES], '${path} must be one of: ${values}')
      .required('${path} is required')
  )
  .test('basic-scope', '${path} must include user.info.basic', (scopes) => (scopes ?? []).includes('user.info.basic'));

export const allowAccessTokenSchema = flag();

export const storeTokensSchema = flag();

/** Hosts that plain http may reach: nothing sensitive leaves the machine unencrypted. */
export const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/** At most this many app redirects: one per app and environment is plenty. */
export const MAX_APP_REDIRECTS = 20;

/** Schemes that run or read something in the browser instead of opening an app. */
const UNSAFE_SCHEMES = new Set(['javascript:', 'data:', 'file:', 'vbscript:', 'blob:', 'about:', 'filesystem:']);

/**
 * Where the browser login may send the user back with a login code: an https URL, an http URL on a
 * loopback host, or an app's own scheme (`myapp://auth`, Expo's `exp://…`). No fragment, no spaces.
 */
export const isAllowedAppRedirect = (value: string | undefined) => {
  if (value === undefined) return true;
  if (/[\s#]/.test(value) || !/^[\x21-\x7e]+$/.test(value)) return false;
  try {
    const { protocol, hostname } = new URL(value);
    if (protocol === 'https:') return hostname !== '';
    if (protocol === 'http:') return LOOPBACK_HOST.test(hostname);
    return !UNSAFE_SCHEMES.has(protocol) && !['ws:', 'wss:', 'ftp:'].includes(protocol);
  } catch {
    return false;
  }
};

export const appRedirectsSchema = yup
  .array()
  .typeError('${path} must be a list')
  .of(
    string(512)
      .required('${path} is required')
      .test(
        'app-redirect',
        '${path} must be an https URL, an http URL on localhost, 127.0.0.0/8 or ::1, or an app scheme such as myapp://auth, without a fragment',
        isAllowedAppRedirect
      )
  )
  .max(MAX_APP_REDIRECTS, '${path} can hold at most ${max} URLs')
  .test('unique', '${path} must not repeat a URL', (urls) => new Set(urls ?? []).size === (urls ?? []).length);
