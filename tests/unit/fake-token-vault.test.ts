/**
 * What the fake TikTok offers a token vault, over HTTP and without Strapi: refresh tokens that rotate
 * and expire, access tokens that expire on the fake's clock, the revoke endpoint and its faults, and
 * signed webhook deliveries.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeTikTok, signWebhook, type FakeAccount, type FakeClient } from '../support/fake-tiktok';

const IOS: FakeClient = { clientKey: 'aw-ios-client', clientSecret: 'ios-secret', redirectUris: ['https://app.example/ios'] };
const ANDROID: FakeClient = { clientKey: 'aw-android-client', clientSecret: 'android-secret', redirectUris: ['https://app.example/android'] };

interface TokenAnswer {
  access_token: string;
  expires_in: number;
  open_id: string;
  refresh_expires_in: number;
  refresh_token: string;
  scope: string;
  token_type: string;
}

let fake: FakeTikTok;
let jane: FakeAccount;

beforeAll(async () => {
  fake = await FakeTikTok.start();
  fake.registerClient(IOS);
  fake.registerClient(ANDROID);
  jane = fake.addAccount({ displayName: 'Jane Doe' });
});

afterAll(() => fake.close());

beforeEach(() => {
  fake.resetCounters();
  fake.accessTokenLifetimeS = 86400;
  fake.refreshTokenLifetimeS = 31536000;
});

async function postForm(path: string, form: Record<string, string>) {
  const res = await fetch(`${fake.url}${path}`, { method: 'POST', body: new URLSearchParams(form) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A code exchange for Jane, as the plugin's /connect makes it. */
function postCodeExchange(client = IOS) {
  const { code, codeVerifier } = fake.authorize(jane, { clientKey: client.clientKey, scopes: ['user.info.basic', 'user.info.profile'] });
  return postForm('/v2/oauth/token/', {
    client_key: client.clientKey,
    client_secret: client.clientSecret,
    code,
    grant_type: 'authorization_code',
    redirect_uri: client.redirectUris[0],
    code_verifier: codeVerifier,
  });
}

/** A code exchange that must succeed: its token answer. */
async function exchangeCode(client = IOS) {
  const answer = await postCodeExchange(client);
  expect(answer.status).toBe(200);
  return answer.body as unknown as TokenAnswer;
}

const refresh = (refreshToken: string, client = IOS, secret = client.clientSecret) =>
  postForm('/v2/oauth/token/', {
    client_key: client.clientKey,
    client_secret: secret,
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
  });

const revoke = (token: string, client = IOS, secret = client.clientSecret) =>
  postForm('/v2/oauth/revoke/', { client_key: client.clientKey, client_secret: secret, token });

/** user/info's error code for this access token: 'ok' when it works. */
async function userInfoCode(accessToken: string) {
  const res = await fetch(`${fake.url}/v2/user/info/?fields=open_id,display_name`, { headers: { Authorization: `Bearer ${accessToken}` } });
  return ((await res.json()) as { error: { code: string } }).error.code;
}

describe('the code exchange', () => {
  it('answers an access token and a refresh token with the configured lifetimes', async () => {
    fake.accessTokenLifetimeS = 7200;
    fake.refreshTokenLifetimeS = 15552000;
    const answer = await exchangeCode();
    expect(answer).toEqual({
      access_token: expect.any(String),
      expires_in: 7200,
      open_id: jane.openIds[IOS.clientKey],
      refresh_expires_in: 15552000,
      refresh_token: expect.any(String),
      scope: 'user.info.basic,user.info.profile',
      token_type: 'Bearer',
    });
    expect(await userInfoCode(answer.access_token)).toBe('ok');
    expect(fake.counters).toMatchObject({ token: 1, refresh: 0 });
  });

  it('mints an access token that user/info refuses once the clock passes expires_in', async () => {
    fake.accessTokenLifetimeS = 3600;
    const { access_token } = await exchangeCode();
    fake.advanceClock(3600 - 5);
    expect(await userInfoCode(access_token)).toBe('ok');
    fake.advanceClock(5);
    expect(await userInfoCode(access_token)).toBe('access_token_invalid');
  });
});

describe('a refresh (grant_type=refresh_token)', () => {
  it('rotates: a new pair of the same grant, and the old refresh token stops working', async () => {
    const first = await exchangeCode();
    const second = await refresh(first.refresh_token);
    expect(second.status).toBe(200);
    expect(second.body).toEqual({
      access_token: expect.any(String),
      expires_in: 86400,
      open_id: jane.openIds[IOS.clientKey],
      refresh_expires_in: 31536000,
      refresh_token: expect.any(String),
      scope: 'user.info.basic,user.info.profile',
      token_type: 'Bearer',
    });
    expect(second.body.access_token).not.toBe(first.access_token);
    expect(second.body.refresh_token).not.toBe(first.refresh_token);
    expect(await userInfoCode(second.body.access_token as string)).toBe('ok');

    const again = await refresh(first.refresh_token);
    expect(again.body).toMatchObject({ error: 'invalid_grant' });
    // The new refresh token works, once.
    expect((await refresh(second.body.refresh_token as string)).status).toBe(200);
    expect(fake.counters).toMatchObject({ token: 1, refresh: 3 });
  });

  it('refuses an expired refresh token', async () => {
    fake.refreshTokenLifetimeS = 600;
    const { refresh_token } = await exchangeCode();
    fake.advanceClock(600);
    expect((await refresh(refresh_token)).body).toMatchObject({ error: 'invalid_grant', log_id: expect.any(String) });
  });

  it('accepts a refresh token just before it expires', async () => {
    fake.refreshTokenLifetimeS = 600;
    const { refresh_token } = await exchangeCode();
    fake.advanceClock(600 - 5);
    expect((await refresh(refresh_token)).status).toBe(200);
  });

  it("refuses another client's refresh token, which keeps working for its own client", async () => {
    const { refresh_token } = await exchangeCode(ANDROID);
    expect((await refresh(refresh_token, IOS)).body).toMatchObject({ error: 'invalid_grant' });
    expect((await refresh(refresh_token, ANDROID)).status).toBe(200);
  });

  it('refuses an unknown refresh token', async () => {
    expect((await refresh('rft.never-issued')).body).toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses a wrong client secret with invalid_client, and the refresh token keeps working', async () => {
    const { refresh_token } = await exchangeCode();
    const answer = await refresh(refresh_token, IOS, 'not-the-secret');
    expect(answer).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect((await refresh(refresh_token)).status).toBe(200);
  });

  it('takes its faults from failNextRefresh(), not from failNextToken()', async () => {
    const { refresh_token } = await exchangeCode();
    fake.failNextToken({ kind: 'oauth-error', status: 200, error: 'server_error' });
    fake.failNextRefresh({ kind: 'oauth-error', status: 500, error: 'temporarily_unavailable' });
    expect(await refresh(refresh_token)).toMatchObject({ status: 500, body: { error: 'temporarily_unavailable' } });
    // The faulted refresh did not rotate the token; the code exchange's fault is still queued.
    expect((await refresh(refresh_token)).status).toBe(200);
    expect((await postCodeExchange()).body).toMatchObject({ error: 'server_error' });
  });
});

describe('POST /v2/oauth/revoke/', () => {
  it("revokes the grant's access and refresh tokens, answers {} and records the call", async () => {
    const { access_token, refresh_token } = await exchangeCode();
    expect(await revoke(access_token)).toEqual({ status: 200, body: {} });
    expect(await userInfoCode(access_token)).toBe('access_token_invalid');
    expect((await refresh(refresh_token)).body).toMatchObject({ error: 'invalid_grant' });
    expect(fake.revocations).toEqual([{ clientKey: IOS.clientKey, token: access_token, result: 'revoked' }]);
    expect(fake.counters.revoke).toBe(1);
  });

  it('revokes access tokens minted before a refresh too', async () => {
    const first = await exchangeCode();
    const second = (await refresh(first.refresh_token)).body as unknown as TokenAnswer;
    await revoke(second.access_token);
    expect(await userInfoCode(first.access_token)).toBe('access_token_invalid');
    expect((await refresh(second.refresh_token)).body).toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses a wrong secret with invalid_client and revokes nothing', async () => {
    const { access_token } = await exchangeCode();
    expect(await revoke(access_token, IOS, 'not-the-secret')).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(await userInfoCode(access_token)).toBe('ok');
    expect(fake.revocations).toEqual([{ clientKey: IOS.clientKey, token: access_token, result: 'invalid_client' }]);
  });

  it("answers {} to an unknown token and to another client's, which it leaves alone", async () => {
    const { access_token } = await exchangeCode(ANDROID);
    expect(await revoke('act.never-issued')).toEqual({ status: 200, body: {} });
    expect(await revoke(access_token, IOS)).toEqual({ status: 200, body: {} });
    expect(await userInfoCode(access_token)).toBe('ok');
    expect(fake.revocations.map(({ result }) => result)).toEqual(['not_found', 'not_found']);
  });

  it('answers a queued fault instead, revoking nothing', async () => {
    const { access_token } = await exchangeCode();
    fake.failNextRevoke({ kind: 'status', status: 500, code: 'internal_error' });
    expect((await revoke(access_token)).status).toBe(500);
    expect(await userInfoCode(access_token)).toBe('ok');
    expect(fake.revocations).toEqual([{ clientKey: IOS.clientKey, token: access_token, result: 'fault' }]);
    // The next call is answered normally.
    expect(await revoke(access_token)).toEqual({ status: 200, body: {} });
  });

  it('can drop the connection or never answer', async () => {
    const { access_token } = await exchangeCode();
    fake.failNextRevoke({ kind: 'reset' });
    await expect(revoke(access_token)).rejects.toThrow();
    fake.failNextRevoke({ kind: 'hang' });
    const hung = fetch(`${fake.url}/v2/oauth/revoke/`, {
      method: 'POST',
      body: new URLSearchParams({ client_key: IOS.clientKey, client_secret: IOS.clientSecret, token: access_token }),
      signal: AbortSignal.timeout(300),
    });
    await expect(hung).rejects.toThrow();
    await fake.settled();
    expect(fake.revocations.map(({ result }) => result)).toEqual(['fault', 'fault']);
    expect(await userInfoCode(access_token)).toBe('ok');
  });

  it('fake.revoke() revokes the whole grant as well', async () => {
    const { access_token, refresh_token } = await exchangeCode();
    fake.revoke(refresh_token);
    expect(await userInfoCode(access_token)).toBe('access_token_invalid');
  });
});

describe('sendWebhook()', () => {
  let receiver: http.Server;
  let receiverUrl: string;
  const received: Array<{ signature: string | undefined; contentType: string | undefined; rawBody: string }> = [];

  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const signature = req.headers['tiktok-signature'];
        received.push({
          signature: Array.isArray(signature) ? signature.join() : signature,
          contentType: req.headers['content-type'],
          rawBody: Buffer.concat(chunks).toString('utf8'),
        });
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end('received');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/tiktok-auth-mobile/webhook`;
  });

  afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

  beforeEach(() => {
    received.length = 0;
  });

  /** What a receiver checks: the header's t is recent and its s is the HMAC of t and the raw body. */
  const verify = (rawBody: string, header: string | undefined, secret: string, maxAgeS = 300) => {
    const match = /^t=(\d+),s=([0-9a-f]{64})$/.exec(header ?? '');
    if (!match) return false;
    const t = Number(match[1]);
    return Math.abs(Date.now() / 1000 - t) <= maxAgeS && signWebhook(rawBody, secret, t) === match[2];
  };

  const removal = { clientKey: IOS.clientKey, event: 'authorization.removed', userOpenId: 'open-id-1', content: { reason: 1 } };

  it("POSTs TikTok's body with a TikTok-Signature keyed with the client's secret", async () => {
    const delivery = await fake.sendWebhook(receiverUrl, { ...removal, createTime: 1767225600 });
    expect(delivery).toMatchObject({ status: 200, body: 'received' });
    expect(received).toHaveLength(1);
    const [{ signature, contentType, rawBody }] = received;
    expect(contentType).toBe('application/json');
    expect(rawBody).toBe(delivery.rawBody);
    expect(signature).toBe(delivery.signatureHeader);
    expect(JSON.parse(rawBody)).toEqual({
      client_key: IOS.clientKey,
      event: 'authorization.removed',
      create_time: 1767225600,
      user_openid: 'open-id-1',
      content: '{"reason":1}',
    });
    expect(verify(rawBody, signature, IOS.clientSecret)).toBe(true);
    expect(verify(rawBody, signature, ANDROID.clientSecret)).toBe(false);
  });

  it('signs with the real clock, not the advanced one', async () => {
    fake.advanceClock(3 * 86400);
    await fake.sendWebhook(receiverUrl, removal);
    expect(verify(received[0].rawBody, received[0].signature, IOS.clientSecret)).toBe(true);
  });

  it('makes deliveries a receiver must refuse: wrong secret, old timestamp, body changed after signing', async () => {
    await fake.sendWebhook(receiverUrl, { ...removal, secret: 'not-the-secret' });
    await fake.sendWebhook(receiverUrl, { ...removal, timestamp: Math.floor(Date.now() / 1000) - 3600 });
    await fake.sendWebhook(receiverUrl, { ...removal, tamper: (body) => body.replace('open-id-1', 'open-id-2') });
    expect(received).toHaveLength(3);
    expect(received[2].rawBody).toContain('open-id-2');
    for (const { rawBody, signature } of received) expect(verify(rawBody, signature, IOS.clientSecret)).toBe(false);
    // The old one is signed right, only stale.
    expect(verify(received[1].rawBody, received[1].signature, IOS.clientSecret, 7200)).toBe(true);
  });

  it('can send another header, or none', async () => {
    await fake.sendWebhook(receiverUrl, { ...removal, signatureHeader: 't=1,s=00' });
    await fake.sendWebhook(receiverUrl, { ...removal, signatureHeader: null });
    expect(received.map(({ signature }) => signature)).toEqual(['t=1,s=00', undefined]);
  });

  it('signs the same event the same way twice, as a redelivery', async () => {
    const event = { ...removal, createTime: 1767225600, timestamp: Math.floor(Date.now() / 1000) };
    const first = await fake.sendWebhook(receiverUrl, event);
    const second = await fake.sendWebhook(receiverUrl, event);
    expect(second.rawBody).toBe(first.rawBody);
    expect(second.signatureHeader).toBe(first.signatureHeader);
  });

  it('refuses to sign for a client it does not know unless given a secret', async () => {
    expect(() => fake.sendWebhook(receiverUrl, { ...removal, clientKey: 'aw-unknown' })).toThrow('no client aw-unknown');
    await fake.sendWebhook(receiverUrl, { ...removal, clientKey: 'aw-unknown', secret: 'unknown-secret' });
    expect(verify(received[0].rawBody, received[0].signature, 'unknown-secret')).toBe(true);
  });
});

describe('signWebhook()', () => {
  it('is the hex HMAC-SHA256 of "<t>.<body>" keyed with the secret', () => {
    // echo -n '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret
    expect(signWebhook('{"a":1}', 'secret', 1700000000)).toBe('49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686');
  });
});
