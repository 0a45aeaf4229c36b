import type { Permission } from '@strapi/strapi/admin';

import { PLUGIN_ID } from './pluginId';

/** The RBAC actions the server registers (Settings → Roles → Plugins → TikTok Auth Mobile). */
export const PERMISSIONS = {
  read: [{ action: `plugin::${PLUGIN_ID}.settings.read`, subject: null }],
  update: [{ action: `plugin::${PLUGIN_ID}.settings.update`, subject: null }],
} satisfies Record<string, Permission[]>;
