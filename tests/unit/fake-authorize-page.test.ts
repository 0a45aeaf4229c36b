/**
 * The TikTok emulator's Login Kit for Web pages over HTTP, without Strapi: the authorize page a browser
 * is sent to, its approve and deny buttons, its refusals, and the demo app page.
 */
import { FakeTikTok, codeChallengeOf, type FakeAccount } from '../support/fake-tiktok';

const VERIFIER = 'verifier-0123456789abcdefghijklmnopqrstuvwxyz';
const CLIENT = {
  clientKey: 'aw-web-client',
  clientSecret: 'web-client-secret',
  redirectUris: ['https://strapi.example/api/tiktok-auth-mobile/callback'],
};

let fake: FakeTikTok;
let jane: FakeAccount;

beforeAll(async () => {
  fake = await FakeTikTok.start();
  fake.registerClient(CLIENT);
  jane = fake.addAccount({ displayName: 'Jane Doe', username: 'jane.doe' });
  fake.addAccount({ displayName: '<script>alert("x")</script>', username: 'mallory&co' });
});

afterAll(() => fake.close());

/** The authorize URL the plugin sends browsers to, with some parameters replaced (null: left out). */
const authorizeUrl = (overrides: Record<string, string | null> = {}) => {
  const url = new URL('/v2/auth/authorize/', fake.url);
  const params: Record<string, string | null> = {
    client_key: CLIENT.clientKey,
    scope: 'user.info.basic,user.info.profile',
    response_type: 'code',
    redirect_uri: CLIENT.redirectUris[0],
    state: 'state-7f3a',
    code_challenge: codeChallengeOf(VERIFIER),
    code_challenge_method: 'S256',
    ...overrides,
  };
  for (const [name, value] of Object.entries(params)) if (value !== null) url.searchParams.set(name, value);
  return url.toString();
};

const unescapeHtml = (text: string) => text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));

async function getPage(url: string) {
  const res = await fetch(url, { redirect: 'manual' });
  return { status: res.status, type: res.headers.get('content-type'), html: await res.text() };
}

/** Submits the page's form as a browser does: to its action URL, with the clicked button's name and value. */
async function submit(html: string, button: Record<string, string>) {
  const action = /<form method="post" action="([^"]*)">/.exec(html)?.[1];
  if (action === undefined) throw new Error(`no form in the page:\n${html}`);
  const res = await fetch(new URL(unescapeHtml(action), fake.url), {
    method: 'POST',
    body: new URLSearchParams(button),
    redirect: 'manual',
  });
  return { status: res.status, location: res.headers.get('location'), html: await res.text() };
}

const accountButtonValue = (html: string, displayName: string) => {
  const match = new RegExp(`<button type="submit" name="account" value="([^"]*)">${displayName} `).exec(html);
  if (!match) throw new Error(`no button for ${displayName}:\n${html}`);
  return unescapeHtml(match[1]);
};

describe('GET /v2/auth/authorize/', () => {
  it('shows the app, its scopes and every account, with a Cancel button', async () => {
    const page = await getPage(authorizeUrl());
    expect(page.status).toBe(200);
    expect(page.type).toBe('text/html; charset=utf-8');
    expect(page.html).toContain(`<code>${CLIENT.clientKey}</code>`);
    expect(page.html).toContain('<li>user.info.basic</li><li>user.info.profile</li>');
    expect(page.html).toContain('Jane Doe (@jane.doe)</button>');
    expect(page.html).toContain('<button type="submit" name="deny" value="1">Cancel</button>');
    expect(page.html).not.toMatch(/<script|src=|href=/);
  });

  it('escapes what it prints', async () => {
    const { html } = await getPage(authorizeUrl({ state: '"><b>state' }));
    expect(html).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; (@mallory&#38;co)</button>');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('"><b>');
  });
});

describe('a decision on the authorize page', () => {
  it('approving as an account redirects to the registered URI with a code, the scopes and the state', async () => {
    const page = await getPage(authorizeUrl());
    const answer = await submit(page.html, { account: accountButtonValue(page.html, 'Jane Doe') });
    expect(answer.status).toBe(302);
    const back = new URL(answer.location ?? '');
    expect(`${back.origin}${back.pathname}`).toBe(CLIENT.redirectUris[0]);
    expect(back.searchParams.get('scopes')).toBe('user.info.basic,user.info.profile');
    expect(back.searchParams.get('state')).toBe('state-7f3a');

    // The code is Jane's, bound to the challenge of the request.
    const token = await fetch(`${fake.url}/v2/oauth/token/`, {
      method: 'POST',
      body: new URLSearchParams({
        client_key: CLIENT.clientKey,
        client_secret: CLIENT.clientSecret,
        grant_type: 'authorization_code',
        code: back.searchParams.get('code') ?? '',
        redirect_uri: CLIENT.redirectUris[0],
        code_verifier: VERIFIER,
      }),
    });
    expect(token.status).toBe(200);
    expect(((await token.json()) as { open_id: string }).open_id).toBe(jane.openIds[CLIENT.clientKey]);
  });

  it('Cancel redirects with error=access_denied and the state', async () => {
    const page = await getPage(authorizeUrl());
    const answer = await submit(page.html, { deny: '1' });
    expect(answer.status).toBe(302);
    const back = new URL(answer.location ?? '');
    expect(`${back.origin}${back.pathname}`).toBe(CLIENT.redirectUris[0]);
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('state')).toBe('state-7f3a');
    expect(back.searchParams.has('code')).toBe(false);
  });

  it('an account the emulator does not know gets an error page', async () => {
    const page = await getPage(authorizeUrl());
    const answer = await submit(page.html, { account: 'no-such-account' });
    expect(answer).toMatchObject({ status: 400, location: null });
    expect(answer.html).toContain('choose a listed account, or Cancel');
  });

  it('counts the views and decisions', async () => {
    fake.resetCounters();
    const page = await getPage(authorizeUrl());
    await submit(page.html, { deny: '1' });
    expect(fake.counters.authorizePage).toBe(2);
  });
});

describe.each([
  ['an unregistered redirect_uri', { redirect_uri: 'https://evil.example/callback' }, 'redirect_uri is not registered for this client'],
  ['an unknown client', { client_key: 'aw-unknown' }, 'client_key is unknown'],
  ['a missing state', { state: null }, 'state is missing'],
  ['a base64url challenge', { code_challenge: Buffer.from(codeChallengeOf(VERIFIER), 'hex').toString('base64url') }, 'code_challenge must be a hex S256 challenge'],
  ['a plain challenge', { code_challenge_method: 'plain' }, 'code_challenge must be a hex S256 challenge'],
])('a request with %s', (_, overrides, reason) => {
  it('gets a 400 page saying what is wrong, and no redirect', async () => {
    const page = await getPage(authorizeUrl(overrides));
    expect(page.status).toBe(400);
    expect(page.type).toBe('text/html; charset=utf-8');
    expect(page.html).toContain(`TikTok refused the request: ${reason}.`);
    expect(page.html).not.toContain('<form');
  });

  it('is refused when a decision is posted to it too', async () => {
    const res = await fetch(authorizeUrl(overrides), {
      method: 'POST',
      body: new URLSearchParams({ account: jane.unionId }),
      redirect: 'manual',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain(reason);
  });
});

describe('GET /demo/app', () => {
  const demoApp = (query: Record<string, string>) => getPage(`${fake.url}/demo/app?${new URLSearchParams(query)}`);

  it('is off unless the demo endpoints are enabled', async () => {
    expect((await demoApp({ login_code: 'abc' })).status).toBe(404);
  });

  describe('enabled', () => {
    beforeAll(() => fake.enableDemoAuthorize({ connectUrl: 'http://localhost:4000/api/tiktok-auth-mobile/connect' }));

    it('shows the login code, the state and the curl that exchanges the code', async () => {
      const page = await demoApp({ login_code: 'lc_123-abc', state: 'app-state' });
      expect(page.status).toBe(200);
      expect(page.html).toContain('login_code: <code>lc_123-abc</code>');
      expect(page.html).toContain('state: <code>app-state</code>');
      expect(unescapeHtml(page.html)).toContain(
        `curl -s -X POST http://localhost:4000/api/tiktok-auth-mobile/connect -H 'Content-Type: application/json' -d '{"login_code":"lc_123-abc"}'`
      );
    });

    it('quotes and escapes what it was given', async () => {
      const page = await demoApp({ login_code: `it's<b>` });
      expect(page.html).not.toContain('<b>');
      expect(unescapeHtml(page.html)).toContain(`-d '{"login_code":"it'\\''s<b>"}'`);
    });

    it('shows the error', async () => {
      const page = await demoApp({ error: 'access_denied', state: 'app-state' });
      expect(page.html).toContain('error: <code>access_denied</code>');
      expect(page.html).not.toContain('curl');
    });
  });
});
