import type { Core } from '@strapi/strapi';

import { ACTION_DEFINITIONS } from './permissions';
import { getService } from './utils/get-service';

/** Once per boot: access tokens are accepted although the apps could prove their logins with codes. */
const warnAboutAccessTokens = async (strapi: Core.Strapi) => {
  const { allowAccessToken, clients } = await getService('settings').get();
  if (!allowAccessToken || clients.length === 0) return;
  strapi.log.warn(
    '[tiktok-auth-mobile] allowAccessToken is on while code-flow clients are configured: an access token from any other TikTok app logs in too, ' +
      'and only the code flow proves the login was made for this app. Once every app version in use sends codes, turn it off: ' +
      'allowAccessToken: false in config/plugins or, once the settings are saved in the admin panel, "Accept TikTok access tokens" on its Login settings page.'
  );
};

export default async ({ strapi }: { strapi: Core.Strapi }) => {
  await strapi.service('admin::permission').actionProvider.registerMany(ACTION_DEFINITIONS);
  await warnAboutAccessTokens(strapi);
};
