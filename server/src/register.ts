import type { Core } from '@strapi/strapi';

import { IDENTITY_UID, PLUGIN_ID, USER_UID } from './constants';
import { protectIdentities, USER_IDENTITY_ATTRIBUTE } from './content-types/read-only';
import { contentApiDocumentation } from './documentation/content-api';
import { registerGraphql } from './graphql';
import { keepWebhookBody } from './middlewares/webhook-body';
import { EVENTS } from './utils/events';

/** The plugin's events, as Strapi webhooks may subscribe to them (`TIKTOK_AUTH_MOBILE_LOGIN`, …). */
const allowWebhookEvents = (strapi: Core.Strapi) => {
  const store = strapi.get('webhookStore') as { addAllowedEvent(key: string, value: string): void };
  for (const [name, event] of Object.entries(EVENTS)) {
    store.addAllowedEvent(`TIKTOK_AUTH_MOBILE_${name.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase()}`, event);
  }
};

/**
 * What a first login looks users up by (a user of the original plugin by its email, a free username):
 * users-permissions declares no index on either, and without one each lookup reads the whole table.
 * Strapi creates them with the table and on existing databases at the next boot.
 */
const USER_INDEXES = [
  { name: 'tiktok_up_users_email_idx', columns: ['email'] },
  { name: 'tiktok_up_users_username_idx', columns: ['username'] },
];

/**
 * Gives users-permissions users the inverse side of the identity link, so that a login finds its user
 * by union_id in one query. Private (never in a content-API answer) and not visible (never edited
 * in the Content Manager: moving it would change which user a TikTok account logs in as).
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  strapi.get('content-types').extend(USER_UID, (contentType: { attributes: Record<string, unknown>; indexes?: unknown[] }) => {
    contentType.indexes = [...(contentType.indexes ?? []), ...USER_INDEXES];
    contentType.attributes[USER_IDENTITY_ATTRIBUTE] = {
      type: 'relation',
      relation: 'oneToOne',
      target: IDENTITY_UID,
      mappedBy: 'user',
      private: true,
      visible: false,
      configurable: false,
    };
  });
  protectIdentities(strapi);
  keepWebhookBody(strapi);
  allowWebhookEvents(strapi);
  registerGraphql(strapi);
  // With @strapi/plugin-documentation, when the app lists this plugin in its `x-strapi-config.plugins`.
  strapi.plugin('documentation')?.service('override').registerOverride(contentApiDocumentation(), {
    pluginOrigin: PLUGIN_ID,
    excludeFromGeneration: [PLUGIN_ID],
  });
};
