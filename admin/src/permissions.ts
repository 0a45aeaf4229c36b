import type { Permission } from '@strapi/strapi/admin';

import { PLUGIN_ID } from './pluginId';

const action = (uid: string): Permission[] => [{ action: `plugin::${PLUGIN_ID}.${uid}`, subject: null }];

/** The RBAC actions the server registers (Settings → Roles → Plugins → TikTok Auth Mobile). */
export const PERMISSIONS = {
  read: action('settings.read'),
  update: action('settings.update'),
  readAccounts: action('identities.read'),
  revokeTokens: action('identities.revoke'),
  deleteTokens: action('tokens.delete'),
} satisfies Record<string, Permission[]>;
