import { PLUGIN_ID } from '../constants';
import type { Services } from '../services';

/** The plugin's services, typed: `getService('accounts').resolveUser(...)`. */
export const getService = <Name extends keyof Services>(name: Name): Services[Name] =>
  strapi.plugin(PLUGIN_ID).service(name);
