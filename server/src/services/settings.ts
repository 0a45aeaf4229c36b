import type { Core } from '@strapi/strapi';

import type { TikTokClientConfig, TikTokScope } from '../config';
import { getPluginConfig } from '../utils/plugin-config';

/** The settings a login runs with. Read once per login and passed down. */
export interface EffectiveSettings {
  clients: TikTokClientConfig[];
  scopes: TikTokScope[];
  allowAccessToken: boolean;
}

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async get(): Promise<EffectiveSettings> {
    const { clients, scopes, allowAccessToken } = getPluginConfig(strapi);
    return { clients, scopes, allowAccessToken };
  },
});
