import type { Core } from '@strapi/strapi';
import { errors, validateYupSchema, yup } from '@strapi/utils';

import type { TikTokScope } from '../config';
import { callbackUrl } from '../utils/callback-url';
import { encryptionOf } from '../utils/encryption';
import { createFreshCopy } from '../utils/fresh-copy';
import { getPluginConfig } from '../utils/plugin-config';
import { PLUGIN_ID } from '../constants';
import {
  allowAccessTokenSchema,
  appRedirectsSchema,
  clientsSchema,
  flag,
  scopesSchema,
  storeTokensSchema,
  string,
} from '../validation/settings';

/**
 * A client as the plugin store holds it and a login sees it. Its secret is one the admin typed
 * (encrypted), or the one the config file gives for the same key (never copied into the database), or
 * none. `clientSecret(client)` reads it.
 */
export interface SettingsClient {
  clientKey: string;
  redirectUri: string;
  label?: string;
  encryptedSecret?: string;
  secretFromConfig?: true;
}

/** The settings a login runs with: read once per login (from the in-process copy) and passed down. */
export interface EffectiveSettings {
  clients: SettingsClient[];
  scopes: TikTokScope[];
  allowAccessToken: boolean;
  /** Where the browser login may send the user back; empty turns the browser login off. */
  appRedirects: string[];
  /** Whether code-flow logins keep the user's TikTok tokens. */
  storeTokens: boolean;
}

/** What the plugin store holds: each key present overrides the config file. */
interface StoredSettings {
  clients?: SettingsClient[];
  scopes?: TikTokScope[];
  allowAccessToken?: boolean;
  appRedirects?: string[];
  storeTokens?: boolean;
}

/** The store's value once checked: one that is not valid settings counts as nothing saved. */
interface StoredRead {
  stored: StoredSettings;
  invalid: boolean;
}

type Source = 'config' | 'admin';

const updateSchema = yup
  .object({
    clients: clientsSchema({ clientSecret: string(512) }).required('${path} is required'),
    scopes: scopesSchema.required('${path} is required'),
    allowAccessToken: allowAccessTokenSchema.required('${path} is required'),
    // Optional: API clients written before these settings existed keep working, and keep the current value.
    appRedirects: appRedirectsSchema,
    storeTokens: storeTokensSchema,
  })
  .noUnknown(true, 'unknown setting(s): ${unknown}')
  .typeError('settings must be an object');

type SettingsUpdate = yup.InferType<typeof updateSchema>;

const storedSchema = yup
  .object({
    clients: clientsSchema({
      encryptedSecret: string(4096).min(1, '${path} must not be empty'),
      secretFromConfig: flag().oneOf([true], '${path} must be true when present'),
    }),
    scopes: scopesSchema,
    allowAccessToken: allowAccessTokenSchema,
    appRedirects: appRedirectsSchema,
    storeTokens: storeTokensSchema,
  })
  .noUnknown(true, 'unknown setting(s): ${unknown}')
  .typeError('the saved settings must be an object');

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const store = () => strapi.store({ type: 'plugin', name: PLUGIN_ID, key: 'settings' });
  const encryption = () => encryptionOf(strapi);

  /** The last invalid value logged: a corrupted value is reported once, not at every login. */
  let reportedInvalid: string | undefined;

  const reportInvalid = (serialized: string, problems: string[]) => {
    if (serialized === reportedInvalid) return;
    reportedInvalid = serialized;
    strapi.log.error(
      `[tiktok-auth-mobile] the saved settings are invalid (${problems.join('; ')}): logins use the config file's settings, with access tokens refused, until an admin saves the Login settings page again`
    );
  };

  /** The last saved value found valid: every login reads the settings, and they rarely change. */
  let lastValid: string | undefined;

  const readStored = async (): Promise<StoredRead> => {
    const value: unknown = await store().get({});
    if (value === null || value === undefined) return { stored: {}, invalid: false };
    const serialized = JSON.stringify(value);
    if (serialized === lastValid) return { stored: value as StoredSettings, invalid: false };
    try {
      storedSchema.validateSync(value, { strict: true, abortEarly: false });
      lastValid = serialized;
      return { stored: value as StoredSettings, invalid: false };
    } catch (error) {
      if (!(error instanceof yup.ValidationError)) throw error;
      reportInvalid(serialized, error.errors);
      return { stored: {}, invalid: true };
    }
  };

  /** Encrypted values that failed: a key cannot change without a restart, so they are not tried again. */
  const undecryptable = new Set<string>();
  /** Clients already reported without a secret: told once per process until the next save, not at every junk request. */
  const reportedWithoutSecret = new Set<string>();

  const decrypt = (clientKey: string, encrypted: string) => {
    const attempt = `${clientKey}\n${encrypted}`;
    if (undecryptable.has(attempt)) return null;
    try {
      const secret = encryption().decrypt(encrypted);
      if (secret !== null) return secret;
    } catch {
      // A malformed value: reported below like a key mismatch.
    }
    undecryptable.add(attempt);
    strapi.log.error(
      `[tiktok-auth-mobile] the stored client secret of client_key ${clientKey} cannot be decrypted: was admin.secrets.encryptionKey changed? Save the secret again in the admin panel.`
    );
    return null;
  };

  const configSecret = (clientKey: string) =>
    getPluginConfig(strapi).clients.find((client) => client.clientKey === clientKey)?.clientSecret || null;

  /** The clients in effect: the config file's until an admin saves. */
  const clientsOf = (stored: StoredSettings): SettingsClient[] =>
    stored.clients ??
    getPluginConfig(strapi).clients.map(({ clientKey, redirectUri, label }) => ({
      clientKey,
      redirectUri,
      label,
      secretFromConfig: true,
    }));

  const effective = ({ stored, invalid }: StoredRead): EffectiveSettings => {
    const config = getPluginConfig(strapi);
    return {
      clients: clientsOf(stored),
      scopes: stored.scopes ?? config.scopes,
      // Invalid saved settings may have meant to refuse access tokens: refuse them until an admin saves.
      allowAccessToken: !invalid && (stored.allowAccessToken ?? config.allowAccessToken),
      appRedirects: stored.appRedirects ?? config.appRedirects,
      storeTokens: stored.storeTokens ?? config.storeTokens,
    };
  };

  /** The saved settings logins use; the config file is read each time, as before. */
  const savedCopy = createFreshCopy(readStored);

  /** The admin view: no secret in any form, and where each value comes from. */
  const adminView = (read: StoredRead) => {
    const { stored, invalid } = read;
    const source = (key: keyof StoredSettings): Source => (stored[key] === undefined ? 'config' : 'admin');
    const { scopes, allowAccessToken, appRedirects, storeTokens } = effective(read);
    return {
      data: {
        clients: clientsOf(stored).map(({ clientKey, redirectUri, label, encryptedSecret, secretFromConfig }) => ({
          clientKey,
          redirectUri,
          label: label ?? '',
          hasClientSecret: Boolean(encryptedSecret) || Boolean(secretFromConfig && configSecret(clientKey)),
          clientSecretUnreadable: encryptedSecret !== undefined && decrypt(clientKey, encryptedSecret) === null,
        })),
        scopes,
        allowAccessToken,
        appRedirects,
        storeTokens,
      },
      meta: {
        sources: {
          clients: source('clients'),
          scopes: source('scopes'),
          allowAccessToken: source('allowAccessToken'),
          appRedirects: source('appRedirects'),
          storeTokens: source('storeTokens'),
        },
        storedSettingsInvalid: invalid,
        callbackUrl: callbackUrl(strapi),
      },
    };
  };

  /** What a client's secret becomes: typed → encrypted; '' → none; omitted → as it was. */
  const storedSecret = (clientKey: string, clientSecret: string | undefined, previous: SettingsClient | undefined) => {
    if (clientSecret === undefined) {
      if (previous) return { encryptedSecret: previous.encryptedSecret, secretFromConfig: previous.secretFromConfig };
      return configSecret(clientKey) ? { secretFromConfig: true as const } : {};
    }
    if (clientSecret === '') return {};
    const encryptedSecret = encryption().encrypt(clientSecret);
    if (!encryptedSecret) {
      throw new errors.ApplicationError(
        'Client secrets cannot be stored: set admin.secrets.encryptionKey (ENCRYPTION_KEY) in config/admin'
      );
    }
    return { encryptedSecret };
  };

  const validateUpdate = async (input: unknown): Promise<SettingsUpdate> => {
    try {
      return await validateYupSchema(updateSchema)(input);
    } catch (error) {
      // Strapi's formatter copies each rejected value into the answer: a secret must not go back.
      if (error instanceof errors.ValidationError && Array.isArray(error.details?.errors)) {
        error.details.errors = error.details.errors.map(({ value: _value, ...rest }: { value?: unknown }) => rest);
      }
      throw error;
    }
  };

  return {
    /**
     * Stored values over the config file: what a login uses. No secret is decrypted here. An
     * in-process copy, replaced at once by a save in this process and within a second by one in another.
     */
    async get(): Promise<EffectiveSettings> {
      return effective(await savedCopy.get());
    },

    /** The plugin store changed (bootstrap's subscription): the next login reads the settings again. */
    forgetCopy() {
      savedCopy.clear();
    },

    /**
     * The secret of the one client a login exchanges a code for, or null (logged: none is set, or the
     * saved one cannot be decrypted).
     */
    clientSecret({ clientKey, encryptedSecret, secretFromConfig }: SettingsClient): string | null {
      if (encryptedSecret) return decrypt(clientKey, encryptedSecret);
      const secret = secretFromConfig ? configSecret(clientKey) : null;
      if (!secret && !reportedWithoutSecret.has(clientKey)) {
        reportedWithoutSecret.add(clientKey);
        strapi.log.error(`[tiktok-auth-mobile] client_key ${clientKey} has no usable client secret: set one in the admin panel`);
      }
      return secret;
    },

    async getForAdmin() {
      return adminView(await readStored());
    },

    /**
     * Replaces the settings. A client sent without `clientSecret` keeps the secret it has now (typed
     * in the admin panel, or from the config file); `''` removes it. `appRedirects` omitted keeps the
     * saved list, or leaves it to the config file. Invalid saved settings are replaced as if nothing
     * was saved.
     */
    async update(input: unknown) {
      const update = await validateUpdate(input);
      reportedWithoutSecret.clear();
      const current = (await readStored()).stored;
      const previous = clientsOf(current);

      const clients = update.clients.map(({ clientKey, redirectUri, label, clientSecret }) => {
        const secret = storedSecret(clientKey, clientSecret, previous.find((client) => client.clientKey === clientKey));
        const client: SettingsClient = { clientKey, redirectUri };
        if (label) client.label = label;
        if (secret.encryptedSecret) client.encryptedSecret = secret.encryptedSecret;
        if (secret.secretFromConfig) client.secretFromConfig = true;
        return client;
      });

      const stored: StoredSettings = { clients, scopes: update.scopes as TikTokScope[], allowAccessToken: update.allowAccessToken };
      const appRedirects = update.appRedirects ?? current.appRedirects;
      if (appRedirects) stored.appRedirects = appRedirects as string[];
      const storeTokens = update.storeTokens ?? current.storeTokens;
      if (storeTokens !== undefined) stored.storeTokens = storeTokens;
      await store().set({ value: stored });
      const read = { stored, invalid: false };
      strapi.log.info(
        `[tiktok-auth-mobile] settings saved: ${clients.length} client(s), scopes ${stored.scopes?.join(',')}, access tokens ${stored.allowAccessToken ? 'allowed' : 'refused'}, ${effective(read).appRedirects.length} app redirect(s), TikTok tokens ${effective(read).storeTokens ? 'stored' : 'not stored'}`
      );
      return adminView(read);
    },
  };
};
