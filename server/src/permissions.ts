import { PLUGIN_ID } from './constants';

/** The RBAC actions of the plugin, shown under Settings → Roles → Plugins. */
export const ACTIONS = {
  readSettings: `plugin::${PLUGIN_ID}.settings.read`,
  updateSettings: `plugin::${PLUGIN_ID}.settings.update`,
  readIdentities: `plugin::${PLUGIN_ID}.identities.read`,
  revokeIdentities: `plugin::${PLUGIN_ID}.identities.revoke`,
  deleteTokens: `plugin::${PLUGIN_ID}.tokens.delete`,
} as const;

const action = (uid: string, displayName: string, subCategory: string) => ({
  section: 'plugins',
  displayName,
  uid,
  subCategory,
  pluginName: PLUGIN_ID,
});

export const ACTION_DEFINITIONS = [
  action('settings.read', 'Read', 'settings'),
  action('settings.update', 'Update', 'settings'),
  action('identities.read', 'Read', 'accounts'),
  action('identities.revoke', 'Revoke stored tokens', 'accounts'),
  action('tokens.delete', 'Delete all stored tokens', 'accounts'),
];
