import type { Services } from '../services';

export const PLUGIN_ID = 'tiktok-auth-mobile';

/** The plugin's services, typed: `getService('accounts').resolveUser(...)`. */
export const getService = <Name extends keyof Services>(name: Name): Services[Name] =>
  strapi.plugin(PLUGIN_ID).service(name);
