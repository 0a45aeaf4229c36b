import type { Core } from '@strapi/strapi';
import { errors, validateYupSchema, yup } from '@strapi/utils';

import type { TikTokScope } from '../config';
import { getPluginConfig } from '../utils/plugin-config';
import { PLUGIN_ID } from '../constants';
import { allowAccessTokenSchema, clientFields, clientsSchema, scopesSchema } from '../validation/settings';

/** A TikTok client as a login uses it. `clientSecret` is null when none is stored or it cannot be read. */
export interface ResolvedClient {
  clientKey: string;
  redirectUri: string;
  label?: string;
  clientSecret: string | null;
}

/** The settings a login runs with: read once per login and passed down. */
export interface EffectiveSettings {
  clients: ResolvedClient[];
  scopes: TikTokScope[];
  allowAccessToken: boolean;
}

/**
 * A client as the plugin store holds it. Its secret is one the admin typed (encrypted), or the one
 * the config file gives for the same key (never copied into the database), or none.
 */
interface StoredClient {
  clientKey: string;
  redirectUri: string;
  label?: string;
  encryptedSecret?: string;
  secretFromConfig?: true;
}

/** What the plugin store holds: each key present overrides the config file. */
interface StoredSettings {
  clients?: StoredClient[];
  scopes?: TikTokScope[];
  allowAccessToken?: boolean;
}

type Source = 'config' | 'admin';

const updateSchema = yup
  .object({
    clients: clientsSchema(
      yup.object({ ...clientFields, clientSecret: yup.string().typeError('${path} must be a string').max(512, '${path} must be at most ${max} characters') })
    ).required('${path} is required'),
    scopes: scopesSchema.required('${path} is required'),
    allowAccessToken: allowAccessTokenSchema.required('${path} is required'),
  })
  .noUnknown(true, 'unknown setting(s): ${unknown}')
  .typeError('settings must be an object');

type SettingsUpdate = yup.InferType<typeof updateSchema>;

interface EncryptionService {
  encrypt(value: string): string | null;
  decrypt(value: string): string | null;
}

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const store = () => strapi.store({ type: 'plugin', name: PLUGIN_ID, key: 'settings' });
  const encryption = () => strapi.service('admin::encryption') as unknown as EncryptionService;

  const readStored = async () => ((await store().get({})) ?? {}) as StoredSettings;

  const decrypt = (clientKey: string, encrypted: string) => {
    try {
      const secret = encryption().decrypt(encrypted);
      if (secret !== null) return secret;
    } catch {
      // A malformed value: reported below like a key mismatch.
    }
    strapi.log.error(
      `[tiktok-auth-mobile] the stored client secret of client_key ${clientKey} cannot be decrypted: was admin.secrets.encryptionKey changed? Save the secret again in the admin panel.`
    );
    return null;
  };

  const configSecret = (clientKey: string) =>
    getPluginConfig(strapi).clients.find((client) => client.clientKey === clientKey)?.clientSecret || null;

  /** The clients in effect, in stored form: the config file's until an admin saves. */
  const clientsOf = (stored: StoredSettings): StoredClient[] =>
    stored.clients ??
    getPluginConfig(strapi).clients.map(({ clientKey, redirectUri, label }) => ({
      clientKey,
      redirectUri,
      label,
      secretFromConfig: true,
    }));

  const secretOf = ({ clientKey, encryptedSecret, secretFromConfig }: StoredClient) => {
    if (encryptedSecret) return decrypt(clientKey, encryptedSecret);
    return secretFromConfig ? configSecret(clientKey) : null;
  };

  const effective = (stored: StoredSettings): EffectiveSettings => {
    const config = getPluginConfig(strapi);
    return {
      clients: clientsOf(stored).map((client) => ({
        clientKey: client.clientKey,
        redirectUri: client.redirectUri,
        label: client.label,
        clientSecret: secretOf(client),
      })),
      scopes: stored.scopes ?? config.scopes,
      allowAccessToken: stored.allowAccessToken ?? config.allowAccessToken,
    };
  };

  /** The admin view: no secret in any form, and where each value comes from. */
  const adminView = (stored: StoredSettings) => {
    const config = getPluginConfig(strapi);
    const source = (key: keyof StoredSettings): Source => (stored[key] === undefined ? 'config' : 'admin');
    return {
      data: {
        clients: clientsOf(stored).map(({ clientKey, redirectUri, label, encryptedSecret, secretFromConfig }) => ({
          clientKey,
          redirectUri,
          label: label ?? '',
          hasClientSecret: Boolean(encryptedSecret) || Boolean(secretFromConfig && configSecret(clientKey)),
        })),
        scopes: stored.scopes ?? config.scopes,
        allowAccessToken: stored.allowAccessToken ?? config.allowAccessToken,
      },
      meta: {
        sources: { clients: source('clients'), scopes: source('scopes'), allowAccessToken: source('allowAccessToken') },
      },
    };
  };

  /** What a client's secret becomes: typed → encrypted; '' → none; omitted → as it was. */
  const storedSecret = (clientKey: string, clientSecret: string | undefined, previous: StoredClient | undefined) => {
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
    /** Stored values over the config file, secrets decrypted: what a login uses. */
    async get(): Promise<EffectiveSettings> {
      return effective(await readStored());
    },

    async getForAdmin() {
      return adminView(await readStored());
    },

    /**
     * Replaces the settings. A client sent without `clientSecret` keeps the secret it has now (typed
     * in the admin panel, or from the config file); `''` removes it.
     */
    async update(input: unknown) {
      const update = await validateUpdate(input);
      const previous = clientsOf(await readStored());

      const clients = update.clients.map(({ clientKey, redirectUri, label, clientSecret }) => {
        const secret = storedSecret(clientKey, clientSecret, previous.find((client) => client.clientKey === clientKey));
        const client: StoredClient = { clientKey, redirectUri };
        if (label) client.label = label;
        if (secret.encryptedSecret) client.encryptedSecret = secret.encryptedSecret;
        if (secret.secretFromConfig) client.secretFromConfig = true;
        return client;
      });

      const stored: StoredSettings = { clients, scopes: update.scopes as TikTokScope[], allowAccessToken: update.allowAccessToken };
      await store().set({ value: stored });
      strapi.log.info(
        `[tiktok-auth-mobile] settings saved: ${clients.length} client(s), scopes ${stored.scopes?.join(',')}, access tokens ${stored.allowAccessToken ? 'allowed' : 'refused'}`
      );
      return adminView(stored);
    },
  };
};
