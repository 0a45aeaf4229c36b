/**
 * The 8 KiB body limit also holds for a body sent in chunks with no Content-Length, where the size is
 * known only once the body is read.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { FakeTikTok } from './support/fake-tiktok';
import { startWithFakeTikTok, stopAll, type TestApp } from './support/strapi';

let tiktok: FakeTikTok;
let app: TestApp;

beforeAll(async () => ({ tiktok, app } = await startWithFakeTikTok()));
afterAll(() => stopAll({ app, tiktok }));

/** POSTs JSON in 1 KiB chunks: Node then sends `Transfer-Encoding: chunked` and no Content-Length. */
const postChunked = (body: object) =>
  new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: any }>((resolve, reject) => {
    const { port } = app.strapi.server.httpServer.address() as AddressInfo;
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: '/api/tiktok-auth-mobile/connect', headers: { 'Content-Type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) }));
      }
    );
    req.on('error', reject);
    const payload = JSON.stringify(body);
    for (let offset = 0; offset < payload.length; offset += 1024) req.write(payload.slice(offset, offset + 1024));
    req.end();
  });

beforeAll(() => app.strapi.server.httpServer.listening || new Promise<void>((resolve) => app.strapi.server.httpServer.listen(0, '127.0.0.1', resolve)));

it('refuses a chunked body over 8 KiB with 413 before calling TikTok', async () => {
  tiktok.resetCounters();
  const account = tiktok.addAccount();
  const usersBefore = await app.strapi.db.query('plugin::users-permissions.user').count();

  const res = await postChunked({ access_token: tiktok.issueAccessToken(account), padding: 'p'.repeat(9000) });

  expect(res.status).toBe(413);
  expect(res.body).toMatchObject({ data: null, error: { status: 413, name: 'PayloadTooLargeError', details: { code: 'payload_too_large' } } });
  expect(tiktok.counters.userInfo).toBe(0);
  expect(await app.strapi.db.query('plugin::users-permissions.user').count()).toBe(usersBefore);
});

it('logs a chunked body under the limit in', async () => {
  const account = tiktok.addAccount();

  const res = await postChunked({ access_token: tiktok.issueAccessToken(account), padding: 'p'.repeat(3000) });

  expect(res.status).toBe(200);
  expect(res.body.user.email).toBe(`${account.unionId}@tiktok.com`);
});
