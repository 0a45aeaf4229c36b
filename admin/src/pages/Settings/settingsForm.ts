/** The settings API's shapes and the conversions between them and the form's values. */

export const SETTINGS_URL = '/tiktok-auth-mobile/settings';

export const SCOPES = ['user.info.basic', 'user.info.profile', 'user.info.stats'] as const;
export type Scope = (typeof SCOPES)[number];
export const REQUIRED_SCOPE: Scope = 'user.info.basic';

export type Source = 'config' | 'admin';

export interface SettingsResponse {
  data: {
    clients: Array<{
      clientKey: string;
      redirectUri: string;
      label?: string | null;
      hasClientSecret: boolean;
      /** A secret is stored but the server cannot decrypt it (its encryption key changed). */
      clientSecretUnreadable: boolean;
    }>;
    scopes: string[];
    allowAccessToken: boolean;
    appRedirects: string[];
    storeTokens: boolean;
  };
  meta: {
    sources: { clients: Source; scopes: Source; allowAccessToken: Source; appRedirects: Source; storeTokens: Source };
    /** The saved value is not valid settings: the data are the config file's, access tokens refused. */
    storedSettingsInvalid: boolean;
    /** The browser login's callback, to register at TikTok for each client. */
    callbackUrl: string;
  };
}

export interface SettingsRequestBody {
  clients: Array<{ clientKey: string; redirectUri: string; label?: string; clientSecret?: string }>;
  scopes: string[];
  allowAccessToken: boolean;
  appRedirects: string[];
  storeTokens: boolean;
}

/** Text inputs of Strapi's Form set `null` when emptied. */
type Text = string | null;

export interface ClientFormValue {
  /** A stable React key for the row; never sent. */
  rowKey: string;
  clientKey: Text;
  label: Text;
  redirectUri: Text;
  /** A new secret to store; empty keeps the stored one. Write-only: never filled from the API. */
  clientSecret: Text;
  /** The client key the server holds a secret for, or null. A renamed client no longer has it. */
  storedSecretFor: string | null;
  /** The stored secret cannot be decrypted on the server: it has to be typed again. */
  storedSecretUnreadable: boolean;
  /** Send `''` to drop the stored secret. */
  removeSecret: boolean;
}

/** A row object rather than a string: the Form drops empty strings when it removes a row. */
export interface AppRedirectFormValue {
  rowKey: string;
  url: Text;
}

export interface SettingsFormValues {
  clients: ClientFormValue[];
  scopes: string[];
  allowAccessToken: boolean;
  appRedirects: AppRedirectFormValue[];
  storeTokens: boolean;
}

let rowCounter = 0;
const nextRowKey = () => `row-${(rowCounter += 1)}`;

export const emptyClient = (): ClientFormValue => ({
  rowKey: nextRowKey(),
  clientKey: '',
  label: '',
  redirectUri: '',
  clientSecret: '',
  storedSecretFor: null,
  storedSecretUnreadable: false,
  removeSecret: false,
});

export const emptyAppRedirect = (): AppRedirectFormValue => ({ rowKey: nextRowKey(), url: '' });

export const toFormValues = ({ clients, scopes, allowAccessToken, appRedirects, storeTokens }: SettingsResponse['data']): SettingsFormValues => ({
  clients: clients.map((client, index) => ({
    rowKey: `saved-${index}`,
    clientKey: client.clientKey,
    label: client.label ?? '',
    redirectUri: client.redirectUri,
    clientSecret: '',
    storedSecretFor: client.hasClientSecret ? client.clientKey : null,
    storedSecretUnreadable: client.clientSecretUnreadable,
    removeSecret: false,
  })),
  scopes: SCOPES.filter((scope) => scope === REQUIRED_SCOPE || scopes.includes(scope)),
  allowAccessToken,
  appRedirects: appRedirects.map((url, index) => ({ rowKey: `saved-redirect-${index}`, url })),
  storeTokens,
});

/** Whether the row's client currently has a stored secret (and the admin has not asked to drop it). */
export const hasStoredSecret = (client: ClientFormValue) =>
  client.storedSecretFor !== null && client.storedSecretFor === (client.clientKey ?? '').trim();

/** What the secret field of a row shows. */
export type SecretState = 'none' | 'stored' | 'unreadable' | 'removing';

export const secretState = (client: ClientFormValue): SecretState => {
  if (!hasStoredSecret(client)) return 'none';
  if (client.removeSecret) return 'removing';
  return client.storedSecretUnreadable ? 'unreadable' : 'stored';
};

export const toRequestBody = ({ clients, scopes, allowAccessToken, appRedirects, storeTokens }: SettingsFormValues): SettingsRequestBody => ({
  clients: clients.map((client) => {
    const secret = client.clientSecret ?? '';
    const label = (client.label ?? '').trim();
    return {
      clientKey: (client.clientKey ?? '').trim(),
      redirectUri: (client.redirectUri ?? '').trim(),
      ...(label ? { label } : {}),
      // A typed secret replaces; "remove" sends ''; otherwise the stored one (if any) is kept.
      ...(secret ? { clientSecret: secret } : client.removeSecret ? { clientSecret: '' } : {}),
    };
  }),
  scopes: SCOPES.filter((scope) => scope === REQUIRED_SCOPE || scopes.includes(scope)),
  allowAccessToken,
  appRedirects: appRedirects.map(({ url }) => (url ?? '').trim()),
  storeTokens,
});
