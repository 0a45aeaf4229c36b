import { yup } from '@strapi/utils';

/** The user/info scopes TikTok defines; user.info.basic is the one every login needs. */
export const TIKTOK_SCOPES = ['user.info.basic', 'user.info.profile', 'user.info.stats'] as const;
export type TikTokScope = (typeof TIKTOK_SCOPES)[number];

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
}

export const DEFAULT_CONFIG: PluginConfig = {
  apiBaseUrl: 'https://open.tiktokapis.com',
  clients: [],
  scopes: ['user.info.basic'],
  allowAccessToken: true,
  timeout: 5000,
};

const httpsUrlWithoutFragment = (value: string | undefined) => {
  if (value === undefined) return true;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.hash === '' && !value.includes('#');
  } catch {
    return false;
  }
};

const clientSchema = yup
  .object({
    clientKey: yup.string().trim().min(1).max(128).required(),
    clientSecret: yup.string().min(1).max(512).required(),
    redirectUri: yup
      .string()
      .max(512)
      .required()
      .test('https-uri', '${path} must be an absolute https URI without a fragment', httpsUrlWithoutFragment),
    label: yup.string().max(100),
  })
  .noUnknown(true, '${path} has unknown keys: ${unknown}');

const configSchema = yup
  .object({
    apiBaseUrl: yup
      .string()
      .required()
      .test('http-url', '${path} must be an http(s) URL', (value) => /^https?:\/\/[^\s]+$/.test(value ?? '')),
    clients: yup
      .array()
      .of(clientSchema)
      .required()
      .test('unique-keys', 'clients must not repeat a clientKey', (clients) => {
        const keys = (clients ?? []).map((client) => client.clientKey);
        return new Set(keys).size === keys.length;
      }),
    scopes: yup
      .array()
      .of(yup.string().oneOf([...TIKTOK_SCOPES], '${path} must be one of: ${values}').required())
      .required()
      .test('basic-scope', 'scopes must include user.info.basic', (scopes) =>
        (scopes ?? []).includes('user.info.basic')
      ),
    allowAccessToken: yup.boolean().required(),
    timeout: yup.number().integer().min(100).max(60000).required(),
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
