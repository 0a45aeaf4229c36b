import type { Core } from '@strapi/strapi';

import { ConnectError } from '../errors';
import { parseConnectRequest, type ConnectRequest } from '../utils/connect-request';
import { getService } from '../utils/get-service';
import type { UpUser } from './accounts';
import type { EffectiveSettings } from './settings';
import type { TikTokProfile } from './tiktok-api';

type CodeRequest = Extract<ConnectRequest, { flow: 'code' }>;

interface VerifiedLogin {
  profile: TikTokProfile;
  /** The client the code was exchanged for; unknown for a bare access token. */
  clientKey?: string;
  scopes: string[];
}

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const tiktok = () => getService('tiktokApi');

  const pickClient = (request: CodeRequest, settings: EffectiveSettings) => {
    const client = request.clientKey
      ? settings.clients.find(({ clientKey }) => clientKey === request.clientKey)
      : settings.clients[0];
    if (!client) {
      throw new ConnectError(
        'unknown_client',
        request.clientKey ? 'client_key is not a TikTok client of this server' : 'No TikTok client is configured on this server'
      );
    }
    if (request.redirectUri !== undefined && request.redirectUri !== client.redirectUri) {
      throw new ConnectError('redirect_uri_mismatch', 'redirect_uri is not the one configured for this client');
    }
    // Only this client's secret is decrypted: a junk request cannot make every client's fail and log.
    const clientSecret = getService('settings').clientSecret(client);
    if (!clientSecret) {
      throw new ConnectError('tiktok_unavailable', 'TikTok login is not available right now');
    }
    return { clientKey: client.clientKey, redirectUri: client.redirectUri, clientSecret };
  };

  /** The authorization code flow: the only one that proves the login was made for our own app. */
  const verifyCode = async (request: CodeRequest, settings: EffectiveSettings): Promise<VerifiedLogin> => {
    const client = pickClient(request, settings);
    const token = await tiktok().exchangeCode(client, {
      code: request.code,
      codeVerifier: request.codeVerifier,
      redirectUri: client.redirectUri,
    });
    const profile = await tiktok().fetchUserInfo(token.accessToken, settings.scopes);
    if (profile.open_id !== token.openId) {
      strapi.log.warn(`[tiktok-auth-mobile] TikTok oauth/token: open_id differs from user/info for client_key ${client.clientKey}`);
      throw new ConnectError('tiktok_code_invalid', 'The TikTok authorization code does not belong to this user');
    }
    return { profile, clientKey: client.clientKey, scopes: token.scopes };
  };

  const verifyAccessToken = async (accessToken: string, settings: EffectiveSettings): Promise<VerifiedLogin> => {
    if (!settings.allowAccessToken) {
      throw new ConnectError(
        'access_token_disabled',
        'This server accepts TikTok logins with an authorization code only: send code and code_verifier'
      );
    }
    // user/info answered for every configured scope, so the user granted at least those.
    return { profile: await tiktok().fetchUserInfo(accessToken, settings.scopes), scopes: settings.scopes };
  };

  return {
    /** Validates what the app posted with TikTok and returns the user it logs in as. */
    async connect(rawBody: unknown): Promise<{ user: UpUser; profile: TikTokProfile }> {
      const request = parseConnectRequest(rawBody);
      const settings = await getService('settings').get();

      const login =
        request.flow === 'code'
          ? await verifyCode(request, settings)
          : await verifyAccessToken(request.accessToken, settings);

      const user = await getService('accounts').resolveUser(login.profile, {
        clientKey: login.clientKey,
        scopes: login.scopes,
      });
      return { user, profile: login.profile };
    },
  };
};
