import type { StrapiApp } from '@strapi/strapi/admin';

import { PERMISSIONS } from './permissions';
import { PLUGIN_ID } from './pluginId';
import { getTranslation } from './utils/getTranslation';

const plugin: StrapiApp['appPlugins'][string] = {
  register(app) {
    app.addSettingsLink(
      {
        id: PLUGIN_ID,
        intlLabel: { id: getTranslation('settings.section'), defaultMessage: 'TikTok Auth Mobile' },
      },
      [
        {
          id: 'login-settings',
          to: `${PLUGIN_ID}/settings`,
          intlLabel: { id: getTranslation('settings.link'), defaultMessage: 'Login settings' },
          permissions: PERMISSIONS.read,
          Component: () => import('./pages/Settings').then((mod) => ({ default: mod.ProtectedSettingsPage })),
        },
        {
          id: 'tiktok-accounts',
          to: `${PLUGIN_ID}/accounts`,
          intlLabel: { id: getTranslation('accounts.link'), defaultMessage: 'TikTok accounts' },
          permissions: PERMISSIONS.readAccounts,
          Component: () => import('./pages/Accounts').then((mod) => ({ default: mod.ProtectedAccountsPage })),
        },
      ]
    );

    app.registerPlugin({ id: PLUGIN_ID, name: PLUGIN_ID });
  },

  async registerTrads({ locales }) {
    return Promise.all(
      locales.map(async (locale) => {
        try {
          const { default: data } = (await import(`./translations/${locale}.json`)) as {
            default: Record<string, string>;
          };
          const prefixed = Object.fromEntries(
            Object.entries(data).map(([key, value]) => [getTranslation(key), value])
          );
          return { data: prefixed, locale };
        } catch {
          return { data: {}, locale };
        }
      })
    );
  },
};

export default plugin;
