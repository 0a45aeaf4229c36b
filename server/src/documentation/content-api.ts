/**
 * The plugin's content API as OpenAPI 3, for `@strapi/plugin-documentation`: every route, its request
 * (each login flow), its 200 answer and each error code with its status, built from `CONNECT_ERRORS` so
 * the document cannot drift from what the routes answer.
 */
import { CONNECT_ERRORS, type ConnectErrorCode } from '../errors';

const TAG = 'TikTok Auth Mobile';
const PREFIX = '/tiktok-auth-mobile';

type Schema = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const string = (description: string, extra: Schema = {}) => ({ type: 'string', description, ...extra });
const json = (schema: Schema, example?: unknown) => ({ 'application/json': { schema, ...(example !== undefined && { example }) } });

/** Errors other than the login's own (`CONNECT_ERRORS`), each with its status and Strapi error name. */
const OTHER_ERRORS = {
  payload_too_large: 413,
  webhook_payload_invalid: 400,
  webhook_signature_invalid: 401,
} as const;

type ErrorCode = ConnectErrorCode | keyof typeof OTHER_ERRORS;

const STATUS_NAMES: Record<number, string> = {
  400: 'BadRequestError',
  401: 'UnauthorizedError',
  403: 'ForbiddenError',
  404: 'NotFoundError',
  409: 'ConflictError',
  413: 'PayloadTooLargeError',
  429: 'RateLimitError',
  502: 'BadGatewayError',
  503: 'ServiceUnavailableError',
};

const statusOf = (code: ErrorCode): number =>
  code in CONNECT_ERRORS ? CONNECT_ERRORS[code as ConnectErrorCode] : OTHER_ERRORS[code as keyof typeof OTHER_ERRORS];

/** Strapi's error envelope with `details.code`. */
const errorExample = (code: ErrorCode) => {
  const status = statusOf(code);
  return { data: null, error: { status, name: STATUS_NAMES[status], message: '…', details: { code } } };
};

/** One response per status, listing its codes, with an example of each. */
const errorResponses = (codes: readonly ErrorCode[], { rateLimited = false, authenticated = false } = {}) => {
  const responses: Record<string, unknown> = {};
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(statusOf(code), [...(byStatus.get(statusOf(code)) ?? []), code]);
  for (const [status, group] of byStatus) {
    responses[status] = {
      description: `\`details.code\`: ${group.map((code) => `\`${code}\``).join(', ')}`,
      content: {
        'application/json': {
          schema: ref('TiktokAuthMobileError'),
          examples: Object.fromEntries(group.map((code) => [code, { value: errorExample(code) }])),
        },
      },
    };
  }
  if (authenticated) {
    const noPermission = "the caller's role lacks the route permission (no `details.code`)";
    responses[401] = { description: 'No valid users-permissions JWT (no `details.code`)', content: json(ref('Error')) };
    const forbidden = responses[403] as { description: string } | undefined;
    if (forbidden) forbidden.description += `; or ${noPermission}`;
    else responses[403] = { description: noPermission[0].toUpperCase() + noPermission.slice(1), content: json(ref('Error')) };
  }
  if (rateLimited) responses[429] = { description: 'Too many login requests from this IP (no `details.code`)', content: json(ref('Error')) };
  return responses;
};

/** The failures every TikTok verification can end with, at /connect and /link alike. */
const VERIFY_ERRORS: ConnectErrorCode[] = [
  'invalid_request',
  'access_token_disabled',
  'unknown_client',
  'redirect_uri_mismatch',
  'tiktok_code_invalid',
  'tiktok_token_invalid',
  'tiktok_scope_missing',
  'tiktok_unavailable',
  'tiktok_rate_limited',
];

const proofSchemas = {
  TiktokAccessTokenProof: {
    type: 'object',
    required: ['access_token'],
    properties: { access_token: string('A TikTok access token (only when allowAccessToken is on)', { maxLength: 2048 }) },
  },
  TiktokCodeProof: {
    type: 'object',
    required: ['code', 'code_verifier'],
    properties: {
      code: string("The authorization code TikTok's iOS or Android SDK returned", { maxLength: 2048 }),
      code_verifier: string('Its PKCE verifier: any printable characters, up to 128', { maxLength: 128 }),
      client_key: string('The client the app is (default: the first configured)', { maxLength: 128 }),
      redirect_uri: string("Optional: must equal the client's redirectUri", { maxLength: 2048 }),
    },
  },
  TiktokLoginCodeProof: {
    type: 'object',
    required: ['login_code'],
    properties: { login_code: string('What the browser login sent the app redirect', { maxLength: 128 }) },
  },
};

const deviceId = { deviceId: string("Refresh mode: the users-permissions session's device id", { maxLength: 128 }) };

const linkSchema = {
  type: 'object',
  properties: {
    union_id: { type: 'string' },
    display_name: { type: 'string', nullable: true },
    avatar_url: { type: 'string', nullable: true },
    username: { type: 'string', nullable: true },
    is_verified: { type: 'boolean', nullable: true },
    scopes: { type: 'array', items: { type: 'string' } },
    linked_at: { type: 'string', format: 'date-time', nullable: true },
    last_login_at: { type: 'string', format: 'date-time', nullable: true },
    clients: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          client_key: { type: 'string' },
          tokens_stored: { type: 'boolean' },
          access_token_expires_at: { type: 'string', format: 'date-time', nullable: true },
          refresh_token_expires_at: { type: 'string', format: 'date-time', nullable: true },
        },
      },
    },
  },
};

const connectAnswer = {
  type: 'object',
  required: ['jwt', 'user', 'profile'],
  properties: {
    jwt: { type: 'string' },
    refreshToken: { type: 'string', description: "Refresh mode only, unless users-permissions' refresh cookie is used" },
    user: { type: 'object', description: "The sanitized users-permissions user, as /api/auth/local answers it" },
    profile: {
      type: 'object',
      properties: {
        union_id: { type: 'string' },
        open_id: { type: 'string' },
        display_name: { type: 'string', nullable: true },
        avatar_url: { type: 'string', nullable: true },
        username: { type: 'string', description: 'With user.info.profile' },
      },
    },
  },
};

const loginBody = (withLoginCode: boolean) => ({
  required: true,
  content: {
    'application/json': {
      schema: {
        oneOf: [ref('TiktokCodeProof'), ref('TiktokAccessTokenProof'), ...(withLoginCode ? [ref('TiktokLoginCodeProof')] : [])],
      },
      examples: {
        code: { summary: 'Authorization code + PKCE (iOS, Android SDK)', value: { code: '…', code_verifier: '…', client_key: 'aw…' } },
        access_token: { summary: 'Access token', value: { access_token: 'act.…' } },
        ...(withLoginCode && { login_code: { summary: 'Browser login', value: { login_code: '…' } } }),
      },
    },
  },
});

const bearer = [{ bearerAuth: [] }];

export const contentApiDocumentation = () => ({
  tags: [{ name: TAG, description: 'Sign in iOS, Android and web users with TikTok' }],
  paths: {
    [`${PREFIX}/connect`]: {
      post: {
        tags: [TAG],
        summary: 'Log a TikTok user in',
        description: 'Checks the proof with TikTok, finds or creates the users-permissions user, and answers as /api/auth/local does, plus `profile`. Each body may also hold `deviceId`.',
        security: [],
        requestBody: loginBody(true),
        responses: {
          200: { description: 'Logged in', content: json(connectAnswer) },
          ...errorResponses(
            [
              ...VERIFY_ERRORS,
              'login_code_invalid',
              'registration_disabled',
              'user_blocked',
              'user_role_missing',
              'registration_unavailable',
              'session_unavailable',
              'payload_too_large',
            ],
            { rateLimited: true }
          ),
        },
      },
    },
    [`${PREFIX}/authorize`]: {
      get: {
        tags: [TAG],
        summary: 'Start a browser login (Login Kit for Web)',
        security: [],
        parameters: [
          { name: 'app_redirect', in: 'query', required: true, schema: { type: 'string', maxLength: 512 }, description: 'One of the configured appRedirects' },
          { name: 'app_state', in: 'query', schema: { type: 'string', maxLength: 512 }, description: 'Sent back to the app redirect as `state`' },
          { name: 'client_key', in: 'query', schema: { type: 'string', maxLength: 128 } },
        ],
        responses: {
          302: { description: "To TikTok's authorize page, with a state and a PKCE challenge" },
          ...errorResponses(['invalid_request', 'app_redirect_not_allowed', 'unknown_client', 'tiktok_unavailable'], { rateLimited: true }),
        },
      },
    },
    [`${PREFIX}/callback`]: {
      get: {
        tags: [TAG],
        summary: 'Where TikTok sends the browser back (register this URL at TikTok)',
        security: [],
        parameters: ['code', 'state', 'scopes', 'error', 'error_description'].map((name) => ({ name, in: 'query', schema: { type: 'string' } })),
        responses: {
          302: { description: 'To the app redirect with `login_code` (or `error`) and the app\'s `state`' },
          400: { description: 'An HTML page: the state is unknown, spent or expired', content: { 'text/html': { schema: { type: 'string' } } } },
        },
      },
    },
    [`${PREFIX}/webhook`]: {
      post: {
        tags: [TAG],
        summary: "TikTok's webhook events (authorization.removed)",
        description: 'Authenticated by the `TikTok-Signature` header: HMAC-SHA256 of `<t>.<raw body>` with the client secret.',
        security: [],
        parameters: [{ name: 'TikTok-Signature', in: 'header', required: true, schema: { type: 'string', example: 't=1764662400,s=<64 hex digits>' } }],
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            required: ['client_key', 'event'],
            properties: {
              client_key: { type: 'string' },
              event: { type: 'string', example: 'authorization.removed' },
              create_time: { type: 'integer' },
              user_openid: { type: 'string' },
              content: { type: 'string', description: 'JSON as a string, e.g. {"reason":1}' },
            },
          }),
        },
        responses: {
          200: { description: 'Handled, already handled, or nothing to do', content: json({ type: 'object' }, {}) },
          ...errorResponses(['webhook_payload_invalid', 'webhook_signature_invalid', 'payload_too_large']),
        },
      },
    },
    [`${PREFIX}/me`]: {
      get: {
        tags: [TAG],
        summary: "The caller's TikTok link",
        security: bearer,
        responses: {
          200: { description: 'The link', content: json(ref('TiktokLink')) },
          ...errorResponses(['identity_not_found'], { authenticated: true }),
        },
      },
      delete: {
        tags: [TAG],
        summary: "Unlink the caller's TikTok account",
        description: 'Revokes and deletes the stored TikTok tokens and removes the link; the user stays.',
        security: bearer,
        parameters: [{ name: 'confirm', in: 'query', schema: { type: 'boolean' }, description: 'Required when TikTok is the only way in' }],
        responses: {
          204: { description: 'Unlinked' },
          ...errorResponses(['user_blocked', 'identity_not_found', 'last_login_method'], { authenticated: true }),
        },
      },
    },
    [`${PREFIX}/link`]: {
      post: {
        tags: [TAG],
        summary: 'Link a TikTok account to the caller',
        description: 'Verifies the body with TikTok exactly as /connect does (not with a login_code).',
        security: bearer,
        requestBody: loginBody(false),
        responses: {
          200: { description: 'Linked (or already linked to the caller)', content: json(ref('TiktokLink')) },
          ...errorResponses([...VERIFY_ERRORS, 'user_blocked', 'identity_already_linked', 'user_already_linked', 'payload_too_large'], {
            rateLimited: true,
            authenticated: true,
          }),
        },
      },
    },
  },
  components: {
    schemas: {
      ...Object.fromEntries(
        Object.entries(proofSchemas).map(([name, schema]) => [name, { ...schema, properties: { ...schema.properties, ...deviceId } }])
      ),
      TiktokLink: linkSchema,
      TiktokAuthMobileError: {
        type: 'object',
        properties: {
          data: { nullable: true },
          error: {
            type: 'object',
            properties: {
              status: { type: 'integer' },
              name: { type: 'string' },
              message: { type: 'string' },
              details: { type: 'object', properties: { code: { type: 'string', enum: [...Object.keys(CONNECT_ERRORS), ...Object.keys(OTHER_ERRORS)] } } },
            },
          },
        },
      },
    },
  },
});
