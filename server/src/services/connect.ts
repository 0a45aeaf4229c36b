import type { Context } from 'koa';
import type { Core } from '@strapi/strapi';

import { ConnectError } from '../errors';
import { parseConnectRequest, type ConnectRequest } from '../utils/connect-request';
import { parseDeviceId } from '../utils/device-id';
import { emitEvent, EVENTS, type LoginFlow } from '../utils/events';
import { retryOnDeadlock } from '../utils/deadlock';
import { getService } from '../utils/get-service';
import { pickClient, type UsableClient } from '../utils/pick-client';
import type { UpUser } from './accounts';
import type { EffectiveSettings } from './settings';
import type { TikTokProfile, TikTokToken } from './tiktok-api';

/** A login TikTok vouched for, whatever the proof. */
export interface VerifiedLogin {
  flow: LoginFlow;
  profile: TikTokProfile;
  /** The client the code was exchanged for; unknown for a bare access token. */
  clientKey?: string;
  scopes: string[];
  /** The code exchange's token answer, for the token vault: nothing else reads it. */
  tokens?: { answer: TikTokToken; store: boolean };
}

/** A login's outcome: the user it is, what TikTok said about them, and how it was proven. */
export interface ResolvedLogin {
  user: UpUser;
  profile: TikTokProfile;
  flow: LoginFlow;
  clientKey?: string;
}

/** Where a login came from, for its record. */
export interface LoginOrigin {
  ip?: string;
  userAgent?: string;
}

/** What the app may show without another TikTok call. */
const publicProfile = ({ union_id, open_id, display_name, avatar_url, username }: TikTokProfile) => ({
  union_id,
  open_id,
  display_name: display_name ?? null,
  avatar_url: avatar_url ?? null,
  ...(username !== undefined && { username }),
});

/** The /connect answer: users-permissions' credentials (`jwt`, `user`, and in refresh mode `refreshToken`) plus `profile`. */
export type LoginAnswer = { jwt: string; refreshToken?: string; user: unknown; profile: ReturnType<typeof publicProfile> };

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const tiktok = () => getService('tiktokApi');

  /** The authorization code flow: the only one that proves the login was made for our own app. */
  const verifyCode = async (
    client: UsableClient,
    { code, codeVerifier, redirectUri }: { code: string; codeVerifier: string; redirectUri: string },
    settings: EffectiveSettings,
    flow: 'code' | 'browser' = 'code'
  ): Promise<VerifiedLogin> => {
    const token = await tiktok().exchangeCode(client, { code, codeVerifier, redirectUri });
    const profile = await tiktok()
      .fetchUserInfo(token.accessToken, settings.scopes)
      .catch((error: unknown) => {
        // The app sent a code, not a token: a token TikTok just issued and now refuses is TikTok's fault.
        if (!(error instanceof ConnectError) || error.code !== 'tiktok_token_invalid') throw error;
        strapi.log.warn(`[tiktok-auth-mobile] TikTok user/info refused the access token oauth/token just issued for client_key ${client.clientKey}`);
        throw new ConnectError('tiktok_unavailable', 'TikTok could not be reached, try again later');
      });
    if (profile.open_id !== token.openId) {
      strapi.log.warn(`[tiktok-auth-mobile] TikTok oauth/token: open_id differs from user/info for client_key ${client.clientKey}`);
      throw new ConnectError('tiktok_code_invalid', 'The TikTok authorization code does not belong to this user');
    }
    return {
      flow,
      profile,
      clientKey: client.clientKey,
      scopes: token.scopes,
      tokens: { answer: token, store: settings.storeTokens },
    };
  };

  const verifyAccessToken = async (accessToken: string, settings: EffectiveSettings): Promise<VerifiedLogin> => {
    if (!settings.allowAccessToken) {
      throw new ConnectError(
        'access_token_disabled',
        'This server accepts TikTok logins with an authorization code only: send code and code_verifier'
      );
    }
    // user/info answered for every configured scope, so the user granted at least those.
    return { flow: 'access_token', profile: await tiktok().fetchUserInfo(accessToken, settings.scopes), scopes: settings.scopes };
  };

  /** A code-flow login is recorded with its client (and, with storeTokens, its tokens) once its user is known. */
  const recordAuthorization = async ({ profile, clientKey, tokens }: VerifiedLogin) => {
    if (clientKey && tokens) {
      await getService('tokens').recordLogin({ profile, clientKey, token: tokens.answer }, { storeTokens: tokens.store });
    }
  };

  /** The user a verified login is: found or created. */
  const resolve = async (verified: VerifiedLogin): Promise<ResolvedLogin> => {
    const { profile, clientKey, scopes, flow } = verified;
    const { user, created } = await getService('accounts').resolveUser(profile, { clientKey, scopes });
    await recordAuthorization(verified);
    if (created) {
      await emitEvent(strapi, EVENTS.userCreated, { userId: user.id, unionId: profile.union_id, clientKey: clientKey ?? null, flow });
    }
    return { user, profile, flow, clientKey };
  };

  /** Checks an access token or a code with TikTok: the same verification for a login and a link. */
  const verify = async (request: Exclude<ConnectRequest, { flow: 'login_code' }>): Promise<VerifiedLogin> => {
    const settings = await getService('settings').get();
    if (request.flow === 'access_token') return verifyAccessToken(request.accessToken, settings);
    const client = pickClient(settings, request);
    return verifyCode(client, { ...request, redirectUri: client.redirectUri }, settings);
  };

  return {
    verifyCode,
    resolve,
    recordAuthorization,

    /** Validates what the app posted (with TikTok, or against a browser login's code) and returns the user it logs in as. */
    async connect(rawBody: unknown): Promise<ResolvedLogin> {
      const request = parseConnectRequest(rawBody);
      // The browser login's TikTok exchange already happened at its callback.
      if (request.flow === 'login_code') return getService('browserLogin').redeem(request.loginCode);
      return resolve(await verify(request));
    },

    /**
     * The whole login of /connect (and GraphQL's tiktokConnect): the proof checked, the user found or
     * created, Strapi credentials issued as /api/auth/local would, the login recorded and announced.
     */
    async login(ctx: Context, rawBody: unknown): Promise<LoginAnswer> {
      const deviceId = parseDeviceId(rawBody);
      const { user, profile, flow, clientKey } = await this.connect(rawBody);
      const credentials = (await getService('session').issue(ctx, user, { deviceId })) as Omit<LoginAnswer, 'profile'>;
      const origin: LoginOrigin = { ip: ctx.request.ip, userAgent: ctx.request.headers['user-agent'] };
      // Concurrent logins of one account trim its history together: InnoDB may make one of them a deadlock victim.
      await retryOnDeadlock(() => getService('loginHistory').record({ unionId: profile.union_id, userId: user.id, clientKey, flow, ...origin }));
      await emitEvent(strapi, EVENTS.login, { userId: user.id, unionId: profile.union_id, clientKey: clientKey ?? null, flow });
      return { ...credentials, profile: publicProfile(profile) };
    },

    /** Validates a /link body as /connect does; a login code (already spent on a login) cannot link. */
    async verifyForLink(rawBody: unknown): Promise<VerifiedLogin> {
      const request = parseConnectRequest(rawBody);
      if (request.flow === 'login_code') {
        throw new ConnectError('invalid_request', 'login_code cannot link an account: send code and code_verifier, or access_token', {
          errors: [{ path: 'login_code', message: 'login_code cannot link an account' }],
        });
      }
      return verify(request);
    },
  };
};
