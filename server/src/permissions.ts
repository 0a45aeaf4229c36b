import { PLUGIN_ID } from './constants';

/** The RBAC actions of the plugin, shown under Settings → Roles → Plugins. */
export const ACTIONS = {
  readSettings: `plugin::${PLUGIN_ID}.settings.read`,
  updateSettings: `plugin::${PLUGIN_ID}.settings.update`,
} as const;

export const ACTION_DEFINITIONS = [
  { section: 'plugins', displayName: 'Read', uid: 'settings.read', subCategory: 'settings', pluginName: PLUGIN_ID },
  { section: 'plugins', displayName: 'Update', uid: 'settings.update', subCategory: 'settings', pluginName: PLUGIN_ID },
];
