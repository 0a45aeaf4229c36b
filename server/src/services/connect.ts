import type { Core } from '@strapi/strapi';
import { yup } from '@strapi/utils';

import { ConnectError } from '../errors';
import type { PluginConfig } from '../config';
import { getService } from '../utils/get-service';

/** TikTok access tokens are ~70 characters; anything far longer is not one. */
const MAX_TOKEN_LENGTH = 2048;

const tokenField = yup
  .string()
  .typeError('${path} must be a string')
  .min(1, '${path} must not be empty')
  .max(MAX_TOKEN_LENGTH, '${path} must be at most ${max} characters');

const connectBodySchema = yup
  .object({ access_token: tokenField.required('${path} is required') })
  .typeError('the request body must be a JSON object');

export interface ConnectBody {
  access_token: string;
}

const parseBody = (body: unknown): ConnectBody => {
  try {
    return connectBodySchema.validateSync(body, { strict: true, abortEarly: false }) as ConnectBody;
  } catch (error) {
    if (error instanceof yup.ValidationError) {
      // Only paths and messages: echoing the value back could leak a token.
      const errors = (error.inner.length ? error.inner : [error]).map(({ path, message }) => ({
        path: path ?? '',
        message,
      }));
      throw new ConnectError('invalid_request', errors.map((e) => e.message).join('; '), { errors });
    }
    throw error;
  }
};

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const config = strapi.config.get('plugin::tiktok-auth-mobile') as PluginConfig;

  return {
    /** Validates what the app posted with TikTok and returns the user it logs in as. */
    async connect(rawBody: unknown) {
      // Arrays and primitives are not bodies; yup's object() would not reject arrays.
      if (typeof rawBody !== 'object' || rawBody === null || Array.isArray(rawBody)) {
        throw new ConnectError('invalid_request', 'the request body must be a JSON object', {
          errors: [{ path: '', message: 'the request body must be a JSON object' }],
        });
      }
      const body = parseBody(rawBody);

      if (!config.allowAccessToken) {
        throw new ConnectError(
          'access_token_disabled',
          'Logging in with a TikTok access token is disabled on this server'
        );
      }

      const profile = await getService('tiktokApi').fetchUserInfo(body.access_token);
      const user = await getService('accounts').resolveUser(profile);
      return { user, profile };
    },
  };
};
