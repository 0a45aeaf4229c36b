import type { Core } from '@strapi/strapi';

import { PLUGIN_ID, ROLE_UID } from './constants';
import { compareIdsExactly } from './exact-ids';
import { ACTION_DEFINITIONS } from './permissions';
import { forgetSettingsOnChange } from './settings-changes';
import { forgetDeletedUsers } from './user-deletion';
import { getService } from './utils/get-service';

/** The routes a signed-in user manages their TikTok link with (GET /me, POST /link, DELETE /me). */
export const USER_ROUTE_ACTIONS = ['find', 'link', 'unlink'].map((action) => `plugin::${PLUGIN_ID}.me.${action}`);

/**
 * Lets the Authenticated role use them, once: a later choice of an admin (Settings → Users &
 * Permissions → Roles) is never overridden, because the plugin store remembers it was done.
 */
const grantUserRoutes = async (strapi: Core.Strapi) => {
  const done = strapi.store({ type: 'plugin', name: PLUGIN_ID, key: 'user-routes-granted' });
  if (await done.get({})) return;
  const role = (await strapi.db.query(ROLE_UID).findOne({ where: { type: 'authenticated' }, select: ['id'] })) as { id: number } | null;
  if (role) {
    const permissions = strapi.db.query('plugin::users-permissions.permission');
    for (const action of USER_ROUTE_ACTIONS) {
      if (!(await permissions.count({ where: { action, role: role.id } }))) await permissions.create({ data: { action, role: role.id } });
    }
  }
  await done.set({ value: true });
};

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
  await compareIdsExactly(strapi);
  forgetSettingsOnChange(strapi);
  await strapi.service('admin::permission').actionProvider.registerMany(ACTION_DEFINITIONS);
  await warnAboutAccessTokens(strapi);
  await grantUserRoutes(strapi);
  forgetDeletedUsers(strapi);
};
