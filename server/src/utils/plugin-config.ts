import type { Core } from '@strapi/strapi';

import type { PluginConfig } from '../config';
import { PLUGIN_ID } from '../constants';

/** The validated `config/plugins` options, defaults applied. */
export const getPluginConfig = (strapi: Core.Strapi) => strapi.config.get(`plugin::${PLUGIN_ID}`) as PluginConfig;
