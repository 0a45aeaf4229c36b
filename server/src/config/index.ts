import { yup } from '@strapi/utils';

import {
  allowAccessTokenSchema,
  clientFields,
  clientsSchema,
  scopesSchema,
  type TikTokScope,
} from '../validation/settings';

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
}

export const DEFAULT_CONFIG: PluginConfig = {
  apiBaseUrl: 'https://open.tiktokapis.com',
  clients: [],
  scopes: ['user.info.basic'],
  allowAccessToken: true,
  timeout: 5000,
};

const configSchema = yup
  .object({
    apiBaseUrl: yup
      .string()
      .required()
      .test('http-url', '${path} must be an http(s) URL', (value) => /^https?:\/\/[^\s]+$/.test(value ?? '')),
    clients: clientsSchema(
      yup.object({ ...clientFields, clientSecret: yup.string().min(1).max(512).required() })
    ).required(),
    scopes: scopesSchema.required(),
    allowAccessToken: allowAccessTokenSchema.required(),
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
