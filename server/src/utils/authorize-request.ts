import { yup } from '@strapi/utils';

import { ConnectError } from '../errors';
import type { BrowserLoginCallback, BrowserLoginStart } from '../services/browser-login';
import { VISIBLE_ASCII } from './text';

// A repeated query parameter arrives as an array: the type check refuses it.
const param = (max: number) =>
  yup
    .string()
    .typeError('${path} must be given once, as text')
    .min(1, '${path} must not be empty')
    .max(max, '${path} must be at most ${max} characters')
    .matches(VISIBLE_ASCII, '${path} may only hold visible ASCII characters (URL-encode the rest)');

const authorizeSchema = yup.object({
  client_key: param(128),
  app_redirect: param(512).required('${path} is required'),
  app_state: param(512),
});

/** The authorize query checked: paths and messages in the error, never a value. */
export const parseAuthorizeQuery = (query: unknown): BrowserLoginStart => {
  try {
    const { client_key: clientKey, app_redirect: appRedirect, app_state: appState } = authorizeSchema.validateSync(query, {
      strict: true,
      abortEarly: false,
    });
    return { clientKey, appRedirect: appRedirect as string, appState };
  } catch (error) {
    if (!(error instanceof yup.ValidationError)) throw error;
    const errors = (error.inner.length ? error.inner : [error]).map(({ path, message }) => ({ path: path ?? '', message }));
    throw new ConnectError('invalid_request', errors.map(({ message }) => message).join('; '), { errors });
  }
};

/** What TikTok appended to the callback; anything else (a repeated parameter) counts as absent. */
export const parseCallbackQuery = (query: Record<string, unknown>): BrowserLoginCallback => {
  const single = (name: string) => (typeof query[name] === 'string' ? (query[name] as string) : undefined);
  return { code: single('code'), state: single('state'), error: single('error') };
};
