import type { Core } from '@strapi/strapi';

import { PLUGIN_ID } from '../constants';

/**
 * The browser login's own callback, which TikTok redirects to and which must be registered as a
 * redirect URI of each client in TikTok's developer portal: built from Strapi's `server.url` (its
 * absolute form), so it is the same whatever Host header a request carries.
 */
export const callbackUrl = (strapi: Core.Strapi) => {
  const base = strapi.config.get<string>('server.absoluteUrl').replace(/\/+$/, '');
  const prefix = strapi.config.get<string>('api.rest.prefix', '/api');
  return `${base}${prefix}/${PLUGIN_ID}/callback`;
};
