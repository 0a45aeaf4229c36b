/**
 * A local TikTok Open API (v2) for tests and the playground: a real HTTP server on 127.0.0.1 that
 * speaks the formats described in the project's TikTok notes, with accounts, scopes, fault modes
 * and request counters. It is never part of the published package.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { GrantStore, newAccessToken, type IssuedTokens, type TokenGrant } from './fake-tiktok-grants';
import { deliverWebhook, type WebhookEvent, type WebhookSigning } from './fake-tiktok-webhooks';

export { signWebhook, type WebhookDelivery, type WebhookEvent, type WebhookSigning } from './fake-tiktok-webhooks';

export type Scope = 'user.info.basic' | 'user.info.profile' | 'user.info.stats';

export interface FakeAccount {
  unionId: string;
  /** open_id per client key: TikTok gives each app its own id for the same person. */
  openIds: Record<string, string>;
  displayName: string;
  avatarUrl: string;
  username: string;
  isVerified: boolean;
  stats: { follower_count: number; following_count: number; likes_count: number; video_count: number };
}

/** An app registered in the developer portal: one per platform (iOS, Android, sandbox…). */
export interface FakeClient {
  clientKey: string;
  clientSecret: string;
  redirectUris: string[];
}

interface AuthorizationCode {
  account: FakeAccount;
  clientKey: string;
  redirectUri: string;
  codeChallenge: string;
  scopes: Scope[];
  used: boolean;
}

/** What the next user/info answers look like instead of a normal answer. */
export type Fault =
  | { kind: 'delay'; ms: number } // answers normally, late
  | { kind: 'hang' } // never answers
  | { kind: 'trickle'; intervalMs: number; bytes: number } // HTTP 200 headers at once, then `bytes` spaces one every intervalMs, then the normal body
  | { kind: 'reset' } // destroys the connection
  | { kind: 'status'; status: number; code: string; withData?: boolean } // a TikTok error object
  | { kind: 'malformed' } // 200 with a body that is not JSON
  | { kind: 'truncated' } // 200 whose body stops half way
  | { kind: 'html'; status: number } // a proxy error page
  | { kind: 'no-union-id' } // ok, but the user has no union_id
  | { kind: 'no-error-object' } // 200 with data but no error object
  | { kind: 'user'; fields: Record<string, unknown> }; // ok, with these user fields replacing the account's

const FIELD_SCOPES: Record<string, Scope> = {
  open_id: 'user.info.basic',
  union_id: 'user.info.basic',
  avatar_url: 'user.info.basic',
  avatar_url_100: 'user.info.basic',
  avatar_large_url: 'user.info.basic',
  display_name: 'user.info.basic',
  bio_description: 'user.info.profile',
  profile_deep_link: 'user.info.profile',
  is_verified: 'user.info.profile',
  username: 'user.info.profile',
  follower_count: 'user.info.stats',
  following_count: 'user.info.stats',
  likes_count: 'user.info.stats',
  video_count: 'user.info.stats',
};

/** An OAuth error answer: {"error": …, "error_description": …, "log_id": …}. */
type OAuthErrorFault = { kind: 'oauth-error'; status: number; error: string };

/** What the token endpoint answers instead of a normal answer (code exchange or refresh). */
export type TokenFault =
  | Fault
  | OAuthErrorFault
  | { kind: 'open-id-mismatch' } // a token whose open_id is not the user's
  | { kind: 'answer'; fields: Record<string, unknown> }; // a token answer with these fields replaced

/** What the revoke endpoint answers instead of `{}`; a faulted call revokes nothing (but 'delay'). */
export type RevokeFault = Fault | OAuthErrorFault;

/** One call of `POST /v2/oauth/revoke/`, and what came of it. */
export interface Revocation {
  clientKey: string;
  token: string;
  /** revoked: the grant of the token is gone; not_found: no live token of that client; fault: a fault answered. */
  result: 'revoked' | 'not_found' | 'invalid_client' | 'invalid_request' | 'fault';
}

export const DEFAULT_CLIENT_KEY = 'aw-default-client';

/**
 * An answer that arrives a byte every 50 ms, so that no idle timer ever fires, and ends only at 15
 * times `timeoutMs`: a client with a real deadline gives up on it.
 */
export const trickleOutliving = (timeoutMs: number): Fault => ({ kind: 'trickle', intervalMs: 50, bytes: Math.ceil(timeoutMs / 50) * 15 });

/** TikTok's PKCE variant: the challenge is the lower-case hex SHA-256 of the verifier. */
export const codeChallengeOf = (verifier: string) => createHash('sha256').update(verifier).digest('hex');

/** An authorize request TikTok would refuse with its own error page. */
export class WebAuthorizeError extends Error {}

/** What a valid Login Kit for Web authorize request asks for. */
interface WebAuthorizeRequest {
  client: FakeClient;
  redirectUri: string;
  state: string;
  codeChallenge: string;
  scopes: Scope[];
}

const AUTHORIZE_PATH = '/v2/auth/authorize/';
const DEMO_APP_PATH = '/demo/app';
const DEFAULT_CONNECT_URL = 'http://localhost:1337/api/tiktok-auth-mobile/connect';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** A shell word that the shell reads back as exactly `text`. */
const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** A whole page around `body` (already HTML): no script, no external asset. */
const htmlPage = (title: string, body: string) =>
  [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    '<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;line-height:1.5}',
    'button{display:block;width:100%;margin:.5rem 0;padding:.6rem;font:inherit;text-align:left;cursor:pointer}',
    'pre{white-space:pre-wrap;word-break:break-all;background:#f3f3f3;padding:.6rem}.note{color:#666}</style>',
    `</head><body>${body}</body></html>`,
  ].join('\n');

const authorizePageHtml = (request: WebAuthorizeRequest, formAction: string, accounts: FakeAccount[]) => {
  const accountButtons = accounts.map(
    ({ unionId, displayName, username }) =>
      `<button type="submit" name="account" value="${escapeHtml(unionId)}">${escapeHtml(displayName)} (@${escapeHtml(username)})</button>`
  );
  return htmlPage(
    'Log in with TikTok',
    [
      '<h1>Log in with TikTok</h1>',
      '<p class="note">TikTok emulator: no real TikTok account is involved.</p>',
      `<p>The app <code>${escapeHtml(request.client.clientKey)}</code> asks to use your TikTok account with these scopes:</p>`,
      `<ul>${request.scopes.map((scope) => `<li>${escapeHtml(scope)}</li>`).join('')}</ul>`,
      `<p class="note">You will be sent back to <code>${escapeHtml(request.redirectUri)}</code>.</p>`,
      `<form method="post" action="${escapeHtml(formAction)}">`,
      '<h2>Continue as</h2>',
      ...(accountButtons.length ? accountButtons : ['<p>The emulator has no account.</p>']),
      '<button type="submit" name="deny" value="1">Cancel</button>',
      '</form>',
    ].join('\n')
  );
};

const authorizeErrorHtml = (reason: string) =>
  htmlPage(
    'TikTok login error',
    [
      '<h1>This login cannot continue</h1>',
      `<p>TikTok refused the request: ${escapeHtml(reason)}.</p>`,
      '<p class="note">TikTok shows this page instead of sending the user back to the app.</p>',
    ].join('\n')
  );

/** The emulator's stand-in for the app that the browser login sends the user back to. */
const demoAppHtml = (query: URLSearchParams, connectUrl: string) => {
  const param = (name: string) => query.get(name) ?? '';
  const state = param('state') ? [`<p>state: <code>${escapeHtml(param('state'))}</code></p>`] : [];
  if (param('login_code')) {
    const body = JSON.stringify({ login_code: param('login_code') });
    const curl = `curl -s -X POST ${connectUrl} -H 'Content-Type: application/json' -d ${shellQuote(body)}`;
    return htmlPage('Demo app: login code received', [
      '<h1>Login code received</h1>',
      `<p>login_code: <code>${escapeHtml(param('login_code'))}</code></p>`,
      ...state,
      '<p>Your app exchanges it for a JWT (it works once):</p>',
      `<pre>${escapeHtml(curl)}</pre>`,
    ].join('\n'));
  }
  if (param('error')) {
    return htmlPage('Demo app: login failed', [
      '<h1>The login did not complete</h1>',
      `<p>error: <code>${escapeHtml(param('error'))}</code></p>`,
      ...state,
    ].join('\n'));
  }
  return htmlPage('Demo app', '<h1>Demo app</h1>\n<p>Nothing received: the browser login sends users here with a login_code or an error.</p>');
};

async function readBody(req: IncomingMessage) {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const logId = () => `2026${randomBytes(13).toString('hex').toUpperCase()}`;

export class FakeTikTok {
  /**
   * Calls per endpoint (authorizePage: views of the authorize page and decisions posted to it), TCP
   * connections accepted, and requests the client gave up on: it closed the connection before the
   * answer was complete (read them after `settled()`).
   */
  readonly counters = { userInfo: 0, token: 0, refresh: 0, revoke: 0, connections: 0, abandoned: 0, authorizePage: 0 };
  /** The TikTok log_ids of every error answer, in order, so tests can find them in the logs. */
  readonly errorLogIds: string[] = [];
  /** Every call of the revoke endpoint, in order (cleared by resetCounters()). */
  readonly revocations: Revocation[] = [];
  /** `expires_in` of the access tokens that code exchanges and refreshes mint, in seconds. */
  accessTokenLifetimeS = 86400;
  /** `refresh_expires_in` of the refresh tokens they mint, in seconds. */
  refreshTokenLifetimeS = 31536000;
  /** Extra latency of every answer, in milliseconds. */
  latencyMs = 0;
  /**
   * Sliding one-minute window of user/info calls, as TikTok enforces it (600 per minute).
   * `Infinity` turns the limit off, and its per-call bookkeeping with it (for load tests).
   */
  rateLimitPerMinute = 600;

  private readonly accounts = new Map<string, FakeAccount>();
  private readonly grants = new GrantStore();
  private readonly faults: Fault[] = [];
  private readonly tokenFaults: TokenFault[] = [];
  private readonly refreshFaults: TokenFault[] = [];
  private readonly revokeFaults: RevokeFault[] = [];
  private clockOffsetS = 0;
  private readonly clients = new Map<string, FakeClient>();
  private readonly codes = new Map<string, AuthorizationCode>();
  private readonly sockets = new Set<Socket>();
  private readonly recentCalls: number[] = [];
  /** Answers the fake cut itself (reset, truncated): not abandoned by the client. */
  private readonly hungUp = new WeakSet<ServerResponse>();
  private inFlight = 0;
  private settledWaiters: Array<() => void> = [];
  private pausedPort = 0;
  private demoAuthorizeEnabled = false;
  private demoConnectUrl = DEFAULT_CONNECT_URL;
  private anyToken: { prefix: string; scopes: Scope[] } | null = null;
  private readonly server: http.Server;

  private constructor() {
    this.server = http.createServer((req, res) => {
      this.track(res);
      this.handle(req, res).catch(() => res.destroy());
    });
    this.server.on('connection', (socket) => {
      this.counters.connections += 1;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(port = 0): Promise<FakeTikTok> {
    const fake = new FakeTikTok();
    await new Promise<void>((resolve, reject) => {
      fake.server.once('error', reject);
      fake.server.listen(port, '127.0.0.1', () => resolve());
    });
    return fake;
  }

  get url() {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** A new TikTok user; fields not given are made up. */
  addAccount(overrides: Partial<FakeAccount> = {}): FakeAccount {
    const unionId = overrides.unionId ?? randomUUID();
    const account: FakeAccount = {
      unionId,
      openIds: {},
      displayName: `Tester ${unionId.slice(0, 6)}`,
      avatarUrl: `https://p16-sign.tiktokcdn.example/${unionId}.jpeg`,
      username: `tester.${unionId.slice(0, 8)}`,
      isVerified: false,
      stats: { follower_count: 10, following_count: 20, likes_count: 30, video_count: 4 },
      ...overrides,
    };
    this.accounts.set(unionId, account);
    return account;
  }

  /** Every account added so far, in the order they were added. */
  listAccounts(): FakeAccount[] {
    return [...this.accounts.values()];
  }

  openIdFor(account: FakeAccount, clientKey = DEFAULT_CLIENT_KEY) {
    account.openIds[clientKey] ??= randomUUID();
    return account.openIds[clientKey];
  }

  /**
   * An access token for the account, as TikTok's authorize + token flow would mint it, on a grant of
   * its own without a refresh token. It never expires: tokens from a code exchange or a refresh do.
   */
  issueAccessToken(
    account: FakeAccount,
    { clientKey = DEFAULT_CLIENT_KEY, scopes = ['user.info.basic'] as Scope[], token = '' } = {}
  ) {
    const accessToken = token || newAccessToken();
    this.openIdFor(account, clientKey);
    this.grants.addAccessToken(accessToken, { account, clientKey, scopes });
    return accessToken;
  }

  /** The fake's clock, in unix seconds: the real one moved on by advanceClock(). Token expiry follows it. */
  now() {
    return Math.floor(Date.now() / 1000) + this.clockOffsetS;
  }

  /** Moves the fake's clock `seconds` ahead, so that tokens expire without waiting. */
  advanceClock(seconds: number) {
    this.clockOffsetS += seconds;
  }

  /**
   * Signs a TikTok webhook event and POSTs it to `url`, as TikTok delivers them: the body
   * `{"client_key","event","create_time","user_openid","content"}` (content a JSON string) and the
   * header `TikTok-Signature: t=<unix seconds>,s=<hex HMAC-SHA256 of "<t>.<body>">` keyed with the
   * client's secret. `signing` makes bad deliveries: another secret, an old `timestamp`, a body
   * changed after signing (`tamper`), another header. Times are the real clock's, not now()'s: the
   * receiver judges them with its own. Resolves to what was sent and the receiver's status and body.
   */
  sendWebhook(url: string, event: WebhookEvent & WebhookSigning) {
    const { secret, timestamp, tamper, signatureHeader, ...body } = event;
    const clientSecret = secret ?? this.clients.get(event.clientKey)?.clientSecret;
    if (clientSecret === undefined) throw new Error(`sendWebhook(): no client ${event.clientKey} and no secret given`);
    return deliverWebhook(url, body, clientSecret, { timestamp, tamper, signatureHeader });
  }

  registerClient(client: FakeClient) {
    this.clients.set(client.clientKey, client);
    return client;
  }

  /**
   * What TikTok's iOS/Android SDK hands the app once the user approves: a single-use code bound to
   * the client, the redirect URI and the PKCE challenge, plus the verifier the SDK generated.
   */
  authorize(
    account: FakeAccount,
    {
      clientKey,
      redirectUri = this.clients.get(clientKey)?.redirectUris[0] ?? '',
      scopes = ['user.info.basic'] as Scope[],
      // Android's SDK makes 32 alphanumerics, below RFC 7636's 43-character minimum.
      codeVerifier = randomBytes(24).toString('base64url').replace(/[-_]/g, 'x').slice(0, 32),
    }: { clientKey: string; redirectUri?: string; scopes?: Scope[]; codeVerifier?: string }
  ) {
    const code = `${randomBytes(18).toString('base64url')}*!3v${randomBytes(6).toString('hex')}`;
    this.openIdFor(account, clientKey);
    this.codes.set(code, { account, clientKey, redirectUri, codeChallenge: codeChallengeOf(codeVerifier), scopes, used: false });
    return { code, codeVerifier };
  }

  /**
   * TikTok's Login Kit for Web authorize page, decided by the user: checks the authorize URL the way
   * TikTok does (known client_key, response_type=code, a redirect_uri registered for that client exactly,
   * a state, an S256 code challenge) and returns where TikTok sends the browser next: the redirect URI
   * with a code bound to that challenge, its scopes and the state, or with `error=access_denied` when the
   * user declines. A request TikTok would refuse throws: TikTok shows its own error page and never
   * redirects to a URI it does not know. The emulator's authorize page runs this too.
   */
  approveWebLogin(authorizeUrl: string, account: FakeAccount | null) {
    const { client, redirectUri, state, codeChallenge, scopes } = this.checkWebAuthorize(new URL(authorizeUrl).searchParams);
    const back = new URL(redirectUri);
    if (!account) {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'The user denied the request');
    } else {
      const code = `${randomBytes(18).toString('base64url')}*!3v${randomBytes(6).toString('hex')}`;
      this.openIdFor(account, client.clientKey);
      this.codes.set(code, { account, clientKey: client.clientKey, redirectUri, codeChallenge, scopes, used: false });
      back.searchParams.set('code', code);
      back.searchParams.set('scopes', scopes.join(','));
    }
    back.searchParams.set('state', state);
    return back.toString();
  }

  /**
   * Emulator-only conveniences for the playground, off unless this is called. Real TikTok has no such
   * endpoints: there the user approves the login in the TikTok app and the SDK hands the app a code.
   *
   * `POST /demo/authorize` with a form or JSON body `{ account, client_key? }` runs authorize() for
   * one account (`account` is one of its access tokens or its union_id; the code carries that token's
   * scopes, or user.info.basic) and a registered client (`client_key`, or the first one registered).
   * It answers `{ code, code_verifier, client_key, redirect_uri }`: what the SDK gives the app, and
   * exactly the body the plugin's /connect takes. Unknown account or client: 404 with a JSON error.
   *
   * `GET /demo/app` stands in for an app the browser login sends the user back to: a page showing the
   * `login_code` (with the curl that posts it to `connectUrl`, the plugin's /connect) or the `error`
   * it was given, and the `state`.
   */
  enableDemoAuthorize({ connectUrl = DEFAULT_CONNECT_URL }: { connectUrl?: string } = {}) {
    this.demoAuthorizeEnabled = true;
    this.demoConnectUrl = connectUrl;
  }

  /**
   * Load-test mode, off unless this is called: from then on user/info also accepts an access token
   * it has never issued, `<prefix><n>` (n a decimal integer), as the token of a TikTok account made
   * on its first use with union_id `FakeTikTok.unionIdFor(n)` and a display name and username unique
   * to n. The same token is then known like any issued one; other unknown tokens are still refused.
   */
  acceptAnyToken(prefix: string, { scopes = ['user.info.basic'] as Scope[] } = {}) {
    if (!prefix) throw new Error('acceptAnyToken() needs a non-empty prefix');
    this.anyToken = { prefix, scopes };
  }

  /** The union_id of the account acceptAnyToken() makes for `<prefix><n>`: a UUID derived from n. */
  static unionIdFor(n: number) {
    return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
  }

  /**
   * The next `times` code exchanges (token-endpoint calls whose grant_type is not refresh_token) answer
   * with this fault. Refreshes have their own queue, failNextRefresh(), so that a refresh never uses up
   * a fault meant for a login.
   */
  failNextToken(fault: TokenFault, times = 1) {
    for (let i = 0; i < times; i += 1) this.tokenFaults.push(fault);
  }

  /** The next `times` refreshes (grant_type=refresh_token) answer with this fault. */
  failNextRefresh(fault: TokenFault, times = 1) {
    for (let i = 0; i < times; i += 1) this.refreshFaults.push(fault);
  }

  /** The next `times` revoke calls answer with this fault; they revoke nothing, but with 'delay'. */
  failNextRevoke(fault: RevokeFault, times = 1) {
    for (let i = 0; i < times; i += 1) this.revokeFaults.push(fault);
  }

  /** As if the user disconnected the app: every access and refresh token of this token's grant stops working. */
  revoke(token: string) {
    this.grants.revokeGrant(token);
  }

  /** The next `times` user/info calls answer with this fault. */
  failNext(fault: Fault, times = 1) {
    for (let i = 0; i < times; i += 1) this.faults.push(fault);
  }

  resetCounters() {
    this.counters.userInfo = 0;
    this.counters.token = 0;
    this.counters.refresh = 0;
    this.counters.revoke = 0;
    this.faults.length = 0;
    this.tokenFaults.length = 0;
    this.refreshFaults.length = 0;
    this.revokeFaults.length = 0;
    this.revocations.length = 0;
    this.counters.connections = 0;
    this.counters.abandoned = 0;
    this.counters.authorizePage = 0;
    this.errorLogIds.length = 0;
  }

  /**
   * Resolves once every request received so far has closed: answered, cut by the fake, or abandoned
   * by the client. A client that gives up closes its side at once, but the fake sees it a little later.
   */
  settled(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  /** Stops accepting connections (clients get ECONNREFUSED) until resume(); drops open ones. */
  async pause() {
    this.pausedPort = (this.server.address() as AddressInfo).port;
    await this.close();
  }

  async resume() {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.pausedPort, '127.0.0.1', () => resolve());
    });
  }

  async close() {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private track(res: ServerResponse) {
    this.inFlight += 1;
    res.once('close', () => {
      if (!res.writableFinished && !this.hungUp.has(res)) this.counters.abandoned += 1;
      this.inFlight -= 1;
      if (this.inFlight > 0) return;
      const waiters = this.settledWaiters;
      this.settledWaiters = [];
      waiters.forEach((resolve) => resolve());
    });
  }

  /** Drops the connection of an answer on purpose. */
  private hangUp(res: ServerResponse) {
    this.hungUp.add(res);
    res.socket?.destroy();
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://fake.tiktok');
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));

    if (req.method === 'GET' && url.pathname === '/v2/user/info/') {
      this.counters.userInfo += 1;
      return this.userInfo(req, res);
    }
    if (req.method === 'POST' && url.pathname === '/v2/oauth/token/') {
      return this.token(req, res);
    }
    if (req.method === 'POST' && url.pathname === '/v2/oauth/revoke/') {
      this.counters.revoke += 1;
      return this.revokeEndpoint(req, res);
    }
    if (url.pathname === AUTHORIZE_PATH && (req.method === 'GET' || req.method === 'POST')) {
      this.counters.authorizePage += 1;
      return this.authorizePage(req, res, url);
    }
    if (this.demoAuthorizeEnabled && req.method === 'POST' && url.pathname === '/demo/authorize') {
      return this.demoAuthorize(req, res);
    }
    if (this.demoAuthorizeEnabled && req.method === 'GET' && url.pathname === DEMO_APP_PATH) {
      return this.sendHtml(res, 200, demoAppHtml(url.searchParams, this.demoConnectUrl));
    }
    return this.sendJson(res, 404, {
      error: { code: 'not_found', message: 'Not found', log_id: this.newErrorLogId() },
    });
  }

  private async userInfo(req: IncomingMessage, res: ServerResponse) {
    const fault = this.faults.shift();
    if (fault) {
      const handled = await this.applyFault(fault, req, res);
      if (handled) return;
    }

    if (Number.isFinite(this.rateLimitPerMinute)) {
      const now = Date.now();
      while (this.recentCalls.length && this.recentCalls[0] <= now - 60_000) this.recentCalls.shift();
      this.recentCalls.push(now);
      if (this.recentCalls.length > this.rateLimitPerMinute) {
        return this.sendError(res, 429, 'rate_limit_exceeded', 'Rate limit exceeded.');
      }
    }

    const query = (req.url ?? '').split('?')[1] ?? '';
    const rawFields = /(?:^|&)fields=([^&]*)/.exec(query)?.[1];
    // TikTok was observed to reject an encoded comma: fields must be sent with literal commas.
    if (!rawFields || /%2C/i.test(rawFields)) {
      return this.sendError(res, 400, 'invalid_params', 'The fields parameter is missing or invalid.');
    }
    const fields = decodeURIComponent(rawFields).split(',');
    if (fields.some((field) => !(field in FIELD_SCOPES))) {
      return this.sendError(res, 400, 'invalid_params', 'Unknown field requested.');
    }

    const grant = this.findGrant(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
    if (!grant) {
      return this.sendError(res, 401, 'access_token_invalid', 'The access token is invalid or not found in the request.');
    }
    if (fields.some((field) => !grant.scopes.includes(FIELD_SCOPES[field]))) {
      return this.sendError(res, 401, 'scope_not_authorized', 'The user did not authorize the scope required for completing this request.');
    }

    const { account } = grant;
    const all: Record<string, unknown> = {
      open_id: account.openIds[grant.clientKey],
      union_id: account.unionId,
      avatar_url: account.avatarUrl,
      avatar_url_100: account.avatarUrl,
      avatar_large_url: account.avatarUrl,
      display_name: account.displayName,
      bio_description: '',
      profile_deep_link: `https://vm.tiktok.example/${account.username}`,
      is_verified: account.isVerified,
      username: account.username,
      ...account.stats,
    };
    const user = { ...Object.fromEntries(fields.map((field) => [field, all[field]])), ...(fault?.kind === 'user' && fault.fields) };
    return this.sendJson(res, 200, { data: { user }, error: { code: 'ok', message: '', log_id: logId() } });
  }

  /**
   * `POST /v2/oauth/token/`: a code exchange, counted in counters.token with faults from
   * failNextToken(), or a refresh (grant_type=refresh_token), counted in counters.refresh with faults
   * from failNextRefresh().
   */
  private async token(req: IncomingMessage, res: ServerResponse) {
    const form = new URLSearchParams(await readBody(req));
    const field = (name: string) => form.get(name) ?? '';
    const refreshing = field('grant_type') === 'refresh_token';
    this.counters[refreshing ? 'refresh' : 'token'] += 1;

    const fault = (refreshing ? this.refreshFaults : this.tokenFaults).shift();
    if (fault?.kind === 'oauth-error') {
      return this.sendOAuthError(res, fault.status, fault.error, `Fake ${fault.error}`);
    }
    if (fault && fault.kind !== 'open-id-mismatch' && fault.kind !== 'answer' && (await this.applyFault(fault, req, res))) return;

    const client = this.checkClient(req, res, form);
    if (typeof client === 'string') return;
    if (refreshing) {
      const rotated = this.grants.rotate(field('refresh_token'), client.clientKey, this.now(), this.lifetimes());
      if (!rotated) return this.sendOAuthError(res, 400, 'invalid_grant', 'Refresh token is invalid or expired.');
      return this.sendTokenAnswer(res, rotated.grant, rotated.issued, fault);
    }
    if (field('grant_type') !== 'authorization_code') {
      return this.sendOAuthError(res, 400, 'unsupported_grant_type', 'Unsupported grant type.');
    }
    const code = this.codes.get(field('code'));
    if (!code || code.used || code.clientKey !== client.clientKey || code.redirectUri !== field('redirect_uri')) {
      return this.sendOAuthError(res, 400, 'invalid_grant', 'Authorization code is expired or invalid.');
    }
    code.used = true;
    if (codeChallengeOf(field('code_verifier')) !== code.codeChallenge) {
      return this.sendOAuthError(res, 400, 'invalid_request', 'Code verifier or code challenge is invalid.');
    }

    const grant: TokenGrant = { account: code.account, clientKey: client.clientKey, scopes: code.scopes };
    return this.sendTokenAnswer(res, grant, this.grants.issue(grant, this.now(), this.lifetimes()), fault);
  }

  /**
   * `POST /v2/oauth/revoke/` (client_key, client_secret, token): revokes the whole grant of the token
   * (an access or a refresh token of that client) and answers `{}`, also for a token it does not know.
   * Every call is recorded in `revocations`.
   */
  private async revokeEndpoint(req: IncomingMessage, res: ServerResponse) {
    const form = new URLSearchParams(await readBody(req));
    const revocation: Revocation = { clientKey: form.get('client_key') ?? '', token: form.get('token') ?? '', result: 'fault' };
    this.revocations.push(revocation);

    const fault = this.revokeFaults.shift();
    if (fault?.kind === 'oauth-error') {
      return this.sendOAuthError(res, fault.status, fault.error, `Fake ${fault.error}`);
    }
    if (fault && (await this.applyFault(fault, req, res))) return;

    const client = this.checkClient(req, res, form);
    if (typeof client === 'string') {
      revocation.result = client;
      return;
    }
    revocation.result = this.grants.revokeGrant(revocation.token, client.clientKey) ? 'revoked' : 'not_found';
    return this.sendJson(res, 200, {});
  }

  /** The client of a form-encoded OAuth call, or the error it has been answered with. */
  private checkClient(req: IncomingMessage, res: ServerResponse, form: URLSearchParams): FakeClient | 'invalid_request' | 'invalid_client' {
    if (!/^application\/x-www-form-urlencoded/.test(req.headers['content-type'] ?? '')) {
      this.sendOAuthError(res, 400, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded.');
      return 'invalid_request';
    }
    const client = this.clients.get(form.get('client_key') ?? '');
    if (!client || client.clientSecret !== (form.get('client_secret') ?? '')) {
      this.sendOAuthError(res, 401, 'invalid_client', 'Client key or secret is invalid.');
      return 'invalid_client';
    }
    return client;
  }

  private lifetimes() {
    return { accessS: this.accessTokenLifetimeS, refreshS: this.refreshTokenLifetimeS };
  }

  private sendTokenAnswer(res: ServerResponse, grant: TokenGrant, issued: IssuedTokens, fault: TokenFault | undefined) {
    return this.sendJson(res, 200, {
      access_token: issued.accessToken,
      expires_in: issued.expiresIn,
      open_id: fault?.kind === 'open-id-mismatch' ? randomUUID() : grant.account.openIds[grant.clientKey],
      refresh_expires_in: issued.refreshExpiresIn,
      refresh_token: issued.refreshToken,
      scope: grant.scopes.join(','),
      token_type: 'Bearer',
      ...(fault?.kind === 'answer' && fault.fields),
    });
  }

  /** An issued token's grant, or, in acceptAnyToken() mode, one made for `<prefix><n>`. */
  private findGrant(token: string): TokenGrant | undefined {
    const known = this.grants.grantOfAccessToken(token, this.now());
    if (known || !this.anyToken || !token.startsWith(this.anyToken.prefix)) return known;
    const digits = token.slice(this.anyToken.prefix.length);
    const n = /^\d{1,15}$/.test(digits) ? Number(digits) : NaN;
    if (!Number.isSafeInteger(n)) return undefined;
    const unionId = FakeTikTok.unionIdFor(n);
    const account =
      this.accounts.get(unionId) ?? this.addAccount({ unionId, displayName: `Load User ${n}`, username: `load.user.${n}` });
    this.issueAccessToken(account, { token, scopes: this.anyToken.scopes });
    return this.grants.grantOfAccessToken(token, this.now());
  }

  /**
   * Checks an authorize request the way TikTok does: known client_key, response_type=code, a redirect_uri
   * registered for that client exactly, a state, an S256 code challenge, user.info.basic among the scopes.
   */
  private checkWebAuthorize(query: URLSearchParams): WebAuthorizeRequest {
    const param = (name: string) => query.get(name) ?? '';
    const client = this.clients.get(param('client_key'));
    if (!client) throw new WebAuthorizeError('client_key is unknown');
    if (!client.redirectUris.includes(param('redirect_uri'))) throw new WebAuthorizeError('redirect_uri is not registered for this client');
    if (param('response_type') !== 'code') throw new WebAuthorizeError('response_type must be code');
    if (!param('state')) throw new WebAuthorizeError('state is missing');
    if (param('code_challenge_method') !== 'S256' || !/^[0-9a-f]{64}$/.test(param('code_challenge'))) {
      throw new WebAuthorizeError('code_challenge must be a hex S256 challenge');
    }
    const scopes = param('scope').split(',').filter(Boolean) as Scope[];
    if (!scopes.includes('user.info.basic')) throw new WebAuthorizeError('scope must include user.info.basic');
    return { client, redirectUri: param('redirect_uri'), state: param('state'), codeChallenge: param('code_challenge'), scopes };
  }

  /**
   * TikTok's authorize page: GET shows the app, its scopes and a button per account, plus Cancel; the
   * buttons POST to the same URL (query included), which answers 302 to what approveWebLogin() returns.
   * A request TikTok would refuse gets a 400 page, never a redirect.
   */
  private async authorizePage(req: IncomingMessage, res: ServerResponse, url: URL) {
    try {
      const request = this.checkWebAuthorize(url.searchParams);
      if (req.method === 'GET') {
        return this.sendHtml(res, 200, authorizePageHtml(request, `${url.pathname}${url.search}`, this.listAccounts()));
      }
      const form = new URLSearchParams(await readBody(req));
      const account = form.has('deny') ? null : this.accounts.get(form.get('account') ?? '');
      if (account === undefined) throw new WebAuthorizeError('choose a listed account, or Cancel');
      res.writeHead(302, { Location: this.approveWebLogin(url.toString(), account) }).end();
    } catch (error) {
      if (!(error instanceof WebAuthorizeError)) throw error;
      this.sendHtml(res, 400, authorizeErrorHtml(error.message));
    }
  }

  /** See enableDemoAuthorize(). Not counted, and its errors are not TikTok errors (no log_id). */
  private async demoAuthorize(req: IncomingMessage, res: ServerResponse) {
    const text = await readBody(req);
    const demoError = (status: number, error: string, description: string) =>
      this.sendJson(res, status, { error, error_description: description });

    let body: Record<string, unknown>;
    if (/^application\/json/.test(req.headers['content-type'] ?? '')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return demoError(400, 'invalid_request', 'The body is not JSON.');
      }
      body = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
    } else {
      body = Object.fromEntries(new URLSearchParams(text));
    }

    const accountId = typeof body.account === 'string' ? body.account : '';
    if (!accountId) {
      return demoError(400, 'invalid_request', 'account is required: an access token of the account, or its union_id.');
    }
    const grant = this.grants.grantOfAccessToken(accountId, this.now());
    const account = grant?.account ?? this.accounts.get(accountId);
    if (!account) {
      return demoError(404, 'unknown_account', 'No emulator account has this access token or union_id.');
    }

    const clientKey = typeof body.client_key === 'string' && body.client_key ? body.client_key : undefined;
    const client = clientKey ? this.clients.get(clientKey) : [...this.clients.values()][0];
    if (!client) {
      return demoError(
        404,
        'unknown_client',
        clientKey ? 'No client with this client_key is registered in the emulator.' : 'No client is registered in the emulator.'
      );
    }

    const redirectUri = client.redirectUris[0] ?? '';
    const { code, codeVerifier } = this.authorize(account, {
      clientKey: client.clientKey,
      redirectUri,
      scopes: grant?.scopes ?? ['user.info.basic'],
    });
    return this.sendJson(res, 200, { code, code_verifier: codeVerifier, client_key: client.clientKey, redirect_uri: redirectUri });
  }

  /** Returns true when the fault produced the whole answer. */
  private async applyFault(fault: Fault, req: IncomingMessage, res: ServerResponse) {
    switch (fault.kind) {
      case 'delay':
        await new Promise((resolve) => setTimeout(resolve, fault.ms));
        return false;
      case 'user':
        return false; // userInfo() merges the fields into its answer
      case 'hang':
        return true; // the socket stays open until the client gives up or close() runs
      case 'trickle':
        return this.trickle(res, fault);
      case 'reset':
        this.hangUp(res);
        return true;
      case 'status':
        this.sendJson(res, fault.status, {
          ...(fault.withData ? { data: {} } : {}),
          error: { code: fault.code, message: `Fake ${fault.code}`, log_id: this.newErrorLogId() },
        });
        return true;
      case 'malformed':
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"data":{"user":');
        return true;
      case 'truncated':
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '400' });
        res.write('{"data":{"user":{"open_id":"x"');
        setImmediate(() => this.hangUp(res));
        return true;
      case 'html':
        res.writeHead(fault.status, { 'Content-Type': 'text/html' }).end('<html><body>Bad gateway</body></html>');
        return true;
      case 'no-union-id':
      case 'no-error-object': {
        const grant = this.grants.grantOfAccessToken(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '', this.now());
        const user = { open_id: grant ? grant.account.openIds[grant.clientKey] : randomUUID(), display_name: 'Nobody' };
        this.sendJson(
          res,
          200,
          fault.kind === 'no-union-id'
            ? { data: { user }, error: { code: 'ok', message: '', log_id: this.newErrorLogId() } }
            : { data: { user: { ...user, union_id: randomUUID() } } }
        );
        return true;
      }
    }
  }

  /** Sends the headers, then one space at a time; true when the client gave up before the last one. */
  private async trickle(res: ServerResponse, { intervalMs, bytes }: { intervalMs: number; bytes: number }) {
    let closed = false;
    res.once('close', () => {
      closed = true;
    });
    res.writeHead(200, { 'Content-Type': 'application/json' });
    for (let sent = 0; sent < bytes && !closed; sent += 1) {
      res.write(' ');
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
    return closed;
  }

  private newErrorLogId() {
    const id = logId();
    this.errorLogIds.push(id);
    return id;
  }

  private sendOAuthError(res: ServerResponse, status: number, error: string, description: string) {
    this.sendJson(res, status, { error, error_description: description, log_id: this.newErrorLogId() });
  }

  private sendError(res: ServerResponse, status: number, code: string, message: string) {
    this.sendJson(res, status, { data: {}, error: { code, message, log_id: this.newErrorLogId() } });
  }

  private sendHtml(res: ServerResponse, status: number, html: string) {
    res
      .writeHead(status, {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Length': Buffer.byteLength(html),
        // Defence in depth behind the escaping: the pages run no script and load nothing.
        'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
      })
      .end(html);
  }

  /** After a trickle the headers (HTTP 200) are gone already: the body follows them. */
  private sendJson(res: ServerResponse, status: number, body: unknown) {
    const text = JSON.stringify(body);
    if (!res.headersSent) {
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    }
    res.end(text);
  }
}
