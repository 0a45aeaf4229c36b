import type { Core } from '@strapi/strapi';

import { ACTION_DEFINITIONS } from './permissions';

export default async ({ strapi }: { strapi: Core.Strapi }) => {
  await strapi.service('admin::permission').actionProvider.registerMany(ACTION_DEFINITIONS);
};
