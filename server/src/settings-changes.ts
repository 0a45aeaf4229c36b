import type { Core } from '@strapi/strapi';

import { ROLE_UID } from './constants';
import { getService } from './utils/get-service';

/** Where Strapi keeps every plugin's settings (`strapi.store`): this plugin's and users-permissions' advanced settings. */
const CORE_STORE_UID = 'strapi::core-store';

/**
 * Logins use in-process copies of the settings and of users-permissions' registration settings. Any
 * write to the settings store or to the roles in this process drops them, so that the next login here
 * reads them again; other processes read them again within a second.
 */
export const forgetSettingsOnChange = (strapi: Core.Strapi) => {
  const forget = () => {
    getService('settings').forgetCopy();
    getService('accounts').forgetCopy();
  };
  strapi.db.lifecycles.subscribe({
    models: [CORE_STORE_UID, ROLE_UID],
    afterCreate: forget,
    afterCreateMany: forget,
    afterUpdate: forget,
    afterUpdateMany: forget,
    afterDelete: forget,
    afterDeleteMany: forget,
  });
};
