/**
 * With Strapi's documentation plugin, the generated OpenAPI document describes every content-API route
 * of the plugin: request bodies (each flow), the 200 answer and each error code with its status.
 */
import fs from 'node:fs';
import path from 'node:path';

import { CONNECT_ERRORS, type ConnectErrorCode } from '../server/src/errors';
import { PLAYGROUND_DIR, startWithFakeTikTok, stopAll, type TestApp } from './support/strapi';
import type { FakeTikTok } from './support/fake-tiktok';

const GENERATED = path.join(PLAYGROUND_DIR, 'src', 'extensions', 'documentation');

interface Operation {
  requestBody?: { content: Record<string, { schema: { oneOf?: Array<{ $ref: string }> }; examples?: Record<string, unknown> }> };
  responses: Record<string, { description: string; content?: Record<string, { examples?: Record<string, { value: { error: { status: number; details: { code: string } } } }> }> }>;
  security?: unknown[];
}

let tiktok: FakeTikTok;
let app: TestApp;
let document: { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };

beforeAll(async () => {
  ({ tiktok, app } = await startWithFakeTikTok({ DOCUMENTATION_ENABLED: 'true' }));
  // The documentation plugin generates the document at boot, into the app's extensions folder.
  const [version] = fs.readdirSync(path.join(GENERATED, 'documentation'));
  document = JSON.parse(fs.readFileSync(path.join(GENERATED, 'documentation', version, 'full_documentation.json'), 'utf8'));
});
afterAll(async () => {
  await stopAll({ app, tiktok });
  fs.rmSync(path.join(PLAYGROUND_DIR, 'src', 'extensions'), { recursive: true, force: true });
});

/** Every `details.code` an operation documents, with the status it is documented under. */
const documentedCodes = (operation: Operation) =>
  Object.fromEntries(
    Object.entries(operation.responses).flatMap(([status, response]) =>
      Object.entries(response.content?.['application/json']?.examples ?? {}).map(([code, { value }]) => {
        expect(value.error.status).toBe(Number(status));
        expect(value.error.details.code).toBe(code);
        return [code, Number(status)];
      })
    )
  );

it("documents every content-API route of the plugin, and only under the plugin's prefix", () => {
  const routers = app.strapi.plugin('tiktok-auth-mobile').routes as unknown as Record<string, { routes: Array<{ method: string; path: string }> }>;
  const { routes } = routers['content-api'];
  for (const { method, path: routePath } of routes) {
    expect(document.paths[`/tiktok-auth-mobile${routePath}`]?.[method.toLowerCase()]).toEqual(expect.objectContaining({ responses: expect.any(Object) }));
  }
  const documented = Object.entries(document.paths)
    .filter(([documentedPath]) => documentedPath.startsWith('/tiktok-auth-mobile'))
    .flatMap(([documentedPath, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${documentedPath}`));
  expect(documented.sort()).toEqual(routes.map(({ method, path: routePath }) => `${method} /tiktok-auth-mobile${routePath}`).sort());
  // users-permissions' own routes are still there.
  expect(document.paths['/auth/local']).toBeDefined();
});

it('describes /connect: each flow, the 200 answer, and every error code with the status the route answers', () => {
  const connect = document.paths['/tiktok-auth-mobile/connect'].post;
  const body = connect.requestBody?.content['application/json'];
  expect(body?.schema.oneOf?.map(({ $ref }) => $ref)).toEqual([
    '#/components/schemas/TiktokCodeProof',
    '#/components/schemas/TiktokAccessTokenProof',
    '#/components/schemas/TiktokLoginCodeProof',
  ]);
  expect(Object.keys(body?.examples ?? {})).toEqual(['code', 'access_token', 'login_code']);
  expect(connect.responses['200'].description).toBe('Logged in');
  expect(connect.responses['429']).toBeDefined();
  expect(connect.security).toEqual([]);

  // The statuses the route answers with: the errors table it answers from, and its body limit.
  const answered: ConnectErrorCode[] = [
    'invalid_request',
    'access_token_disabled',
    'unknown_client',
    'redirect_uri_mismatch',
    'tiktok_code_invalid',
    'tiktok_token_invalid',
    'tiktok_scope_missing',
    'login_code_invalid',
    'registration_disabled',
    'user_blocked',
    'user_role_missing',
    'tiktok_unavailable',
    'tiktok_rate_limited',
    'registration_unavailable',
    'session_unavailable',
  ];
  expect(documentedCodes(connect)).toEqual({
    ...Object.fromEntries(answered.map((code) => [code, CONNECT_ERRORS[code]])),
    payload_too_large: 413,
  });
});

it("describes the user's own routes and the webhook with their codes, and the schemas they name", () => {
  expect(documentedCodes(document.paths['/tiktok-auth-mobile/me'].delete)).toEqual({ user_blocked: 403, identity_not_found: 404, last_login_method: 409 });
  expect(documentedCodes(document.paths['/tiktok-auth-mobile/link'].post)).toMatchObject({ identity_already_linked: 409, user_already_linked: 409 });
  expect(document.paths['/tiktok-auth-mobile/link'].post.responses['401']).toBeDefined();
  expect(documentedCodes(document.paths['/tiktok-auth-mobile/webhook'].post)).toEqual({
    webhook_payload_invalid: 400,
    webhook_signature_invalid: 401,
    payload_too_large: 413,
  });
  for (const name of ['TiktokCodeProof', 'TiktokAccessTokenProof', 'TiktokLoginCodeProof', 'TiktokLink', 'TiktokAuthMobileError', 'Error']) {
    expect(document.components.schemas[name]).toBeDefined();
  }
});
