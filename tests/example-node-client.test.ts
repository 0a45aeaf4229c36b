/**
 * The example client in examples/node-client/ against the playground app over real HTTP (global fetch),
 * with the fake TikTok: what it answers for a login, and the code and next step of each kind of failure.
 */
import type { AddressInfo } from 'node:net';

import { main } from '../examples/node-client/main';
import { connectWithTikTok, TikTokLoginError, type ConnectBody } from '../examples/node-client/tiktok-login';
import type { FakeTikTok } from './support/fake-tiktok';
import { startWithFakeTikTok, stopAll, type TestApp } from './support/strapi';

const IOS = { clientKey: 'aw-example-ios', clientSecret: 'example-secret-5e1d', redirectUri: 'https://app.example/tiktok/ios' };
const RATE_LIMIT_MAX = 10;

let tiktok: FakeTikTok;
let app: TestApp;
let baseUrl: string;

beforeAll(async () => {
  ({ tiktok, app } = await startWithFakeTikTok({ UP_RATELIMIT_ENABLED: 'true', UP_RATELIMIT_MAX: String(RATE_LIMIT_MAX) }, [IOS]));
  const server = app.strapi.server.httpServer;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => stopAll({ app, tiktok }));

/** What TikTok's SDK hands the app after the user approved, as the app posts it. */
const codeBody = () => {
  const { code, codeVerifier } = tiktok.authorize(tiktok.addAccount({ displayName: 'Example User' }), { clientKey: IOS.clientKey });
  return { code, code_verifier: codeVerifier, client_key: IOS.clientKey };
};

/** The error connectWithTikTok() throws for this body. */
const refusal = async (body: ConnectBody, url = baseUrl) => {
  const error = await connectWithTikTok(url, body).then(
    () => null,
    (failure: unknown) => failure
  );
  expect(error).toBeInstanceOf(TikTokLoginError);
  return error as TikTokLoginError;
};

// Every request below counts in the rate limiter's bucket of 127.0.0.1 (RATE_LIMIT_MAX a minute); the
// rate-limit test runs last.

describe('connectWithTikTok()', () => {
  it('logs in with a code and answers a jwt that the API accepts', async () => {
    const login = await connectWithTikTok(`${baseUrl}/`, codeBody());

    expect(login.user).toMatchObject({ provider: 'tiktok', username: 'Example User' });
    expect(login.profile.display_name).toBe('Example User');
    const me = await fetch(`${baseUrl}/api/users/me`, { headers: { Authorization: `Bearer ${login.jwt}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { id: number }).id).toBe(login.user.id);
  });

  it('a code posted twice: tiktok_code_invalid, start a new TikTok login', async () => {
    const body = codeBody();
    await connectWithTikTok(baseUrl, body);

    const error = await refusal(body);

    expect(error).toMatchObject({ code: 'tiktok_code_invalid', status: 400, nextStep: 'restart_login' });
  });

  it('TikTok unreachable: tiktok_unavailable, try again later', async () => {
    tiktok.failNextToken({ kind: 'reset' });

    expect(await refusal(codeBody())).toMatchObject({ code: 'tiktok_unavailable', status: 502, nextStep: 'retry' });
  });

  it('a body of no known shape: invalid_request, a bug to fix in the app', async () => {
    const error = await refusal({ code: 'only-a-code' } as unknown as ConnectBody);

    expect(error).toMatchObject({ code: 'invalid_request', status: 400, nextStep: 'fix_app' });
    expect(error.message).toMatch(/code_verifier/);
  });

  it('no server: network, try again later', async () => {
    const closed = 'http://127.0.0.1:1';

    expect(await refusal({ access_token: 'act.example' }, closed)).toMatchObject({ code: 'network', status: null, nextStep: 'retry' });
  });
});

describe('the command line (main.ts)', () => {
  it('prints the user of a login and exits 0', async () => {
    const lines: string[] = [];

    expect(await main([baseUrl, JSON.stringify(codeBody())], (line) => lines.push(line))).toBe(0);
    expect(lines[0]).toMatch(/^logged in as user \d+ \(Example User[^)]*\), TikTok Example User$/);
  });

  it('prints the code and the next step of a refusal and exits 1', async () => {
    const lines: string[] = [];

    expect(await main([baseUrl, JSON.stringify({ login_code: 'not-a-login-code' })], (line) => lines.push(line))).toBe(1);
    expect(lines).toEqual([expect.stringMatching(/^refused: login_code_invalid \(400\): /), 'next: start a new TikTok login']);
  });

  it('exits 2 without a JSON body', async () => {
    const lines: string[] = [];

    expect(await main([baseUrl, '{not json'], (line) => lines.push(line))).toBe(2);
    expect(lines[0]).toMatch(/^usage: /);
  });
});

describe('the rate limit (users-permissions answers 429 without a details.code)', () => {
  it('comes as rate_limited: try again later', async () => {
    let error: TikTokLoginError | undefined;
    for (let request = 0; request <= RATE_LIMIT_MAX && error?.code !== 'rate_limited'; request += 1) {
      error = await refusal({} as ConnectBody);
    }

    expect(error).toMatchObject({ code: 'rate_limited', status: 429, nextStep: 'retry' });
  });
});
