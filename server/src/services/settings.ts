import type { Core } from '@strapi/strapi';
import { errors, validateYupSchema, yup } from '@strapi/utils';

import type { TikTokScope } from '../config';
import { getPluginConfig } from '../utils/plugin-config';
import { PLUGIN_ID } from '../utils/get-service';
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

/** What the plugin store holds: each key present overrides the config file. Secrets are encrypted. */
interface StoredSettings {
  clients?: Array<{ clientKey: string; redirectUri: string; label?: string; encryptedSecret?: string }>;
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

  const effective = (stored: StoredSettings) => {
    const config = getPluginConfig(strapi);
    return {
      clients: stored.clients
        ? stored.clients.map(({ encryptedSecret, ...client }) => ({
            ...client,
            clientSecret: encryptedSecret ? decrypt(client.clientKey, encryptedSecret) : null,
          }))
        : config.clients.map((client) => ({ ...client })),
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
        clients: stored.clients
          ? stored.clients.map(({ clientKey, redirectUri, label, encryptedSecret }) => ({
              clientKey,
              redirectUri,
              label: label ?? '',
              hasClientSecret: Boolean(encryptedSecret),
            }))
          : config.clients.map(({ clientKey, redirectUri, label, clientSecret }) => ({
              clientKey,
              redirectUri,
              label: label ?? '',
              hasClientSecret: Boolean(clientSecret),
            })),
        scopes: stored.scopes ?? config.scopes,
        allowAccessToken: stored.allowAccessToken ?? config.allowAccessToken,
      },
      meta: {
        sources: { clients: source('clients'), scopes: source('scopes'), allowAccessToken: source('allowAccessToken') },
      },
    };
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
     * Replaces the settings. A client sent without `clientSecret` keeps the secret it has now (stored
     * or from the config file); `''` removes it.
     */
    async update(input: unknown) {
      const update = await validateUpdate(input);
      const current = effective(await readStored());

      const clients = update.clients.map(({ clientKey, redirectUri, label, clientSecret }) => {
        const secret =
          clientSecret ?? current.clients.find((client) => client.clientKey === clientKey)?.clientSecret ?? '';
        let encryptedSecret: string | undefined;
        if (secret) {
          const encrypted = encryption().encrypt(secret);
          if (!encrypted) {
            throw new errors.ApplicationError(
              'Client secrets cannot be stored: set admin.secrets.encryptionKey (ENCRYPTION_KEY) in config/admin'
            );
          }
          encryptedSecret = encrypted;
        }
        return { clientKey, redirectUri, ...(label ? { label } : {}), ...(encryptedSecret ? { encryptedSecret } : {}) };
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
