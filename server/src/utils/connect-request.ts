import { yup } from '@strapi/utils';

import { ConnectError } from '../errors';
import { PRINTABLE, VISIBLE_ASCII } from './text';

/** What the app posted, once validated: one of the three ways to prove a TikTok login. */
export type ConnectRequest =
  | { flow: 'access_token'; accessToken: string }
  | { flow: 'code'; code: string; codeVerifier: string; clientKey?: string; redirectUri?: string }
  | { flow: 'login_code'; loginCode: string };

const FIELDS = ['access_token', 'code', 'code_verifier', 'client_key', 'redirect_uri', 'login_code'] as const;

const text = (max: number) =>
  yup
    .string()
    .typeError('${path} must be a string')
    .min(1, '${path} must not be empty')
    .max(max, '${path} must be at most ${max} characters');

const PRINTABLE_MESSAGE = '${path} must not hold control characters or unpaired surrogates';

// axios drops what a header cannot carry and a form turns unpaired surrogates into U+FFFD: TikTok
// would be asked about another value than the one checked here.
const bodySchema = yup
  .object({
    // TikTok tokens and codes are well under 200 characters; anything far longer is not one.
    access_token: text(2048).matches(VISIBLE_ASCII, '${path} may only hold visible ASCII characters, without spaces'),
    code: text(2048).matches(PRINTABLE, PRINTABLE_MESSAGE),
    // Older Android SDKs make verifiers outside RFC 7636's characters: TikTok judges them. No minimum:
    // Android's SDK sends 32.
    code_verifier: text(128).matches(PRINTABLE, PRINTABLE_MESSAGE),
    client_key: text(128),
    redirect_uri: text(2048),
    // What the browser login handed the app: the plugin's own, base64url.
    login_code: text(128).matches(VISIBLE_ASCII, '${path} may only hold visible ASCII characters, without spaces'),
  })
  .typeError('the request body must be a JSON object');

interface FieldError {
  path: string;
  message: string;
}

const invalid = (errors: FieldError[]): never => {
  throw new ConnectError('invalid_request', errors.map((error) => error.message).join('; '), { errors });
};

/** The flow a body asks for, and each of its fields checked; a clear 400 for anything else. */
export const parseConnectRequest = (rawBody: unknown): ConnectRequest => {
  // yup's object() lets arrays through: only a plain object is a body.
  if (typeof rawBody !== 'object' || rawBody === null || Array.isArray(rawBody)) {
    return invalid([{ path: '', message: 'the request body must be a JSON object' }]);
  }

  let body: yup.InferType<typeof bodySchema>;
  try {
    body = bodySchema.validateSync(rawBody, { strict: true, abortEarly: false });
  } catch (error) {
    if (!(error instanceof yup.ValidationError)) throw error;
    // Paths and messages only: echoing a value back could leak a credential.
    return invalid((error.inner.length ? error.inner : [error]).map(({ path, message }) => ({ path: path ?? '', message })));
  }

  const { access_token: accessToken, code, code_verifier: codeVerifier, client_key: clientKey, redirect_uri: redirectUri, login_code: loginCode } = body;

  /** One proof per request: the fields of another flow are refused, not ignored. */
  const alone = (field: 'access_token' | 'login_code') => {
    const extra = FIELDS.filter((key) => key !== field && body[key] !== undefined);
    if (extra.length) {
      invalid(extra.map((path) => ({ path, message: `${path} cannot be sent with ${field}: send one of access_token, code and code_verifier, or login_code` })));
    }
  };

  if (loginCode !== undefined) {
    alone('login_code');
    return { flow: 'login_code', loginCode };
  }
  if (accessToken !== undefined) {
    alone('access_token');
    return { flow: 'access_token', accessToken };
  }
  if (code !== undefined && codeVerifier !== undefined) {
    return { flow: 'code', code, codeVerifier, clientKey, redirectUri };
  }
  if (code !== undefined || codeVerifier !== undefined) {
    const missing = code === undefined ? 'code' : 'code_verifier';
    return invalid([{ path: missing, message: `${missing} is required with ${missing === 'code' ? 'code_verifier' : 'code'}` }]);
  }
  return invalid([{ path: '', message: 'send access_token, or code and code_verifier, or login_code' }]);
};
