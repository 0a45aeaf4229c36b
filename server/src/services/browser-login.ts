import { createHash, randomBytes } from 'node:crypto';
import type { Core } from '@strapi/strapi';

import { LOGIN_CODE_UID, PENDING_LOGIN_UID } from '../constants';
import { ConnectError } from '../errors';
import { callbackUrl } from '../utils/callback-url';
import { encryptionOf } from '../utils/encryption';
import { getService } from '../utils/get-service';
import { pickClient } from '../utils/pick-client';
import { getPluginConfig } from '../utils/plugin-config';
import { PRINTABLE } from '../utils/text';
import type { ResolvedLogin } from './connect';
import type { TikTokProfile } from './tiktok-api';

/** How long TikTok's authorize page may take: the state and verifier are kept this long. */
const STATE_TTL_MS = 10 * 60_000;
/** How long the app has to exchange the login code it was sent back with. */
const LOGIN_CODE_TTL_MS = 60_000;
/** Expired states and login codes are deleted at most this often per process, by the requests that make new ones. */
const SWEEP_INTERVAL_MS = 60_000;

/** What the app asks the browser login for. */
export interface BrowserLoginStart {
  clientKey?: string;
  appRedirect: string;
  /** Opaque to the plugin: sent back to the app redirect as `state`, so the app can tell its own login. */
  appState?: string;
}

/** What TikTok sent the browser back to the callback with. */
export interface BrowserLoginCallback {
  code?: string;
  state?: string;
  error?: string;
}

interface PendingLogin {
  id: number;
  codeVerifier: string;
  clientKey: string;
  appRedirect: string;
  appState: string | null;
  expiresAt: string | Date;
}

interface LoginCodeRecord {
  id: number;
  userId: number;
  clientKey: string | null;
  profile: TikTokProfile;
  expiresAt: string | Date;
}

/** The callback's state is unknown, spent or expired: nothing may happen, not even a redirect. */
export class StateInvalid extends Error {}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
/** 256 random bits, base64url: a state, a PKCE verifier (43 characters, RFC 7636's set) or a login code. */
const randomSecret = () => randomBytes(32).toString('base64url');
/** TikTok's PKCE variant: the lower-case hex SHA-256 of the verifier, not base64url. */
const codeChallengeOf = sha256;

const isExpired = ({ expiresAt }: { expiresAt: string | Date }, now: number) => new Date(expiresAt).getTime() <= now;

/** TikTok's `error` passed on to the app only as an error code (`access_denied`, …); anything else is `tiktok_error`. */
const tiktokErrorCode = (error: string) => (/^[a-z][a-z0-9_]{0,63}$/.test(error) ? error : 'tiktok_error');

/** The app redirect with the answer in its query: a login code or an error, and the app's own state. */
const appLocation = (pending: Pick<PendingLogin, 'appRedirect' | 'appState'>, answer: Record<string, string>) => {
  const url = new URL(pending.appRedirect);
  for (const [name, value] of Object.entries(answer)) url.searchParams.set(name, value);
  if (pending.appState) url.searchParams.set('state', pending.appState);
  return url.toString();
};

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const pendingLogins = () => strapi.db.query(PENDING_LOGIN_UID);
  const loginCodes = () => strapi.db.query(LOGIN_CODE_UID);
  const encryption = () => encryptionOf(strapi);

  let lastSweep = 0;
  /** Deletes what expired, so no host-app cron is needed; at most once a minute per process. */
  const sweep = async (now: number) => {
    if (now - lastSweep < SWEEP_INTERVAL_MS) return;
    lastSweep = now;
    const expired = { expiresAt: { $lte: new Date(now) } };
    await pendingLogins().deleteMany({ where: expired });
    await loginCodes().deleteMany({ where: expired });
  };

  /**
   * Takes a record by its hash exactly once: of two requests with the same state or code, only the one
   * whose delete removed the row goes on, in any process.
   */
  const spend = async <T extends { id: number }>(query: () => ReturnType<typeof strapi.db.query>, where: Record<string, string>) => {
    const record = (await query().findOne({ where })) as T | null;
    if (!record) return null;
    const { count } = await query().deleteMany({ where: { id: record.id } });
    return count === 1 ? record : null;
  };

  const unavailable = (reason: string): never => {
    strapi.log.error(`[tiktok-auth-mobile] browser login: ${reason}`);
    throw new ConnectError('tiktok_unavailable', 'TikTok login is not available right now');
  };

  /** Exchanges the code with the kept verifier, resolves the user as /connect does, and hands out a login code. */
  const complete = async (pending: PendingLogin, code: string | undefined, now: number) => {
    if (!code || code.length > 2048 || !PRINTABLE.test(code)) {
      throw new ConnectError('tiktok_code_invalid', 'TikTok sent no usable authorization code');
    }
    const codeVerifier = encryption().decrypt(pending.codeVerifier) ?? unavailable('a kept PKCE verifier cannot be decrypted: was admin.secrets.encryptionKey changed?');
    const settings = await getService('settings').get();
    const client = pickClient(settings, { clientKey: pending.clientKey });
    const connect = getService('connect');
    const verified = await connect.verifyCode(client, { code, codeVerifier, redirectUri: callbackUrl(strapi) }, settings, 'browser');
    const { user, profile } = await connect.resolve(verified);

    const loginCode = randomSecret();
    await loginCodes().create({
      data: { codeHash: sha256(loginCode), userId: user.id, clientKey: client.clientKey, profile, expiresAt: new Date(now + LOGIN_CODE_TTL_MS) },
      select: ['id'],
    });
    return loginCode;
  };

  return {
    /** Starts a browser login: where to send the browser (TikTok's authorize page). */
    async start({ clientKey, appRedirect, appState }: BrowserLoginStart): Promise<string> {
      const settings = await getService('settings').get();
      if (!settings.appRedirects.includes(appRedirect)) {
        throw new ConnectError('app_redirect_not_allowed', 'app_redirect is not an app redirect this server allows');
      }
      const client = pickClient(settings, { clientKey });

      const now = Date.now();
      await sweep(now);
      const state = randomSecret();
      const codeVerifier = randomSecret();
      const encryptedVerifier = encryption().encrypt(codeVerifier) ?? unavailable('set admin.secrets.encryptionKey (ENCRYPTION_KEY) in config/admin: the PKCE verifier is kept encrypted');
      await pendingLogins().create({
        data: {
          stateHash: sha256(state),
          codeVerifier: encryptedVerifier,
          clientKey: client.clientKey,
          appRedirect,
          appState: appState ?? null,
          expiresAt: new Date(now + STATE_TTL_MS),
        },
        select: ['id'],
      });

      const url = new URL(getPluginConfig(strapi).authorizeUrl);
      url.search = new URLSearchParams({
        client_key: client.clientKey,
        scope: settings.scopes.join(','),
        response_type: 'code',
        redirect_uri: callbackUrl(strapi),
        state,
        code_challenge: codeChallengeOf(codeVerifier),
        code_challenge_method: 'S256',
      }).toString();
      return url.toString();
    },

    /**
     * TikTok's answer: where to send the browser back, the app redirect with a login code or an error.
     * Throws StateInvalid when the state is unknown, spent or expired.
     */
    async finish({ code, state, error }: BrowserLoginCallback): Promise<string> {
      if (!state || state.length > 128) throw new StateInvalid();
      const pending = await spend<PendingLogin>(pendingLogins, { stateHash: sha256(state) });
      const now = Date.now();
      if (!pending || isExpired(pending, now)) throw new StateInvalid();

      if (error) return appLocation(pending, { error: tiktokErrorCode(error) });
      try {
        return appLocation(pending, { login_code: await complete(pending, code, now) });
      } catch (failure) {
        if (failure instanceof ConnectError) return appLocation(pending, { error: failure.code });
        throw failure;
      }
    },

    /** A login code the app posts to /connect: the user it was made for, once. */
    async redeem(loginCode: string): Promise<ResolvedLogin> {
      const record = await spend<LoginCodeRecord>(loginCodes, { codeHash: sha256(loginCode) });
      const user = record && !isExpired(record, Date.now()) ? await getService('accounts').findLoginUser(record.userId) : null;
      if (!record || !user) {
        throw new ConnectError('login_code_invalid', 'The login code is unknown, expired or already used: sign in with TikTok again');
      }
      return { user, profile: record.profile, flow: 'browser', clientKey: record.clientKey ?? undefined };
    },
  };
};
