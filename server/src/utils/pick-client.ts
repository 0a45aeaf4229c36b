import { ConnectError } from '../errors';
import type { EffectiveSettings } from '../services/settings';
import { getService } from './get-service';

/** A configured TikTok client with its secret, ready to exchange a code. */
export interface UsableClient {
  clientKey: string;
  redirectUri: string;
  clientSecret: string;
}

/**
 * The client a login names (or the first one), with its secret: `unknown_client`, `redirect_uri_mismatch`
 * when the app names another redirect URI than the client's, or `tiktok_unavailable` without a secret.
 */
export const pickClient = (
  settings: EffectiveSettings,
  { clientKey, redirectUri }: { clientKey?: string; redirectUri?: string }
): UsableClient => {
  const client = clientKey ? settings.clients.find((candidate) => candidate.clientKey === clientKey) : settings.clients[0];
  if (!client) {
    throw new ConnectError(
      'unknown_client',
      clientKey ? 'client_key is not a TikTok client of this server' : 'No TikTok client is configured on this server'
    );
  }
  if (redirectUri !== undefined && redirectUri !== client.redirectUri) {
    throw new ConnectError('redirect_uri_mismatch', 'redirect_uri is not the one configured for this client');
  }
  // Only this client's secret is decrypted: a junk request cannot make every client's fail and log.
  const clientSecret = getService('settings').clientSecret(client);
  if (!clientSecret) {
    throw new ConnectError('tiktok_unavailable', 'TikTok login is not available right now');
  }
  return { clientKey: client.clientKey, redirectUri: client.redirectUri, clientSecret };
};
