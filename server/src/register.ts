import type { Core } from '@strapi/strapi';

import { IDENTITY_UID, USER_UID } from './constants';

/**
 * Gives users-permissions users the inverse side of the identity link, so that a login finds its user
 * by union_id in one query. Private: never part of a content-API answer.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  strapi.get('content-types').extend(USER_UID, (contentType: { attributes: Record<string, unknown> }) => {
    contentType.attributes.tiktokIdentity = {
      type: 'relation',
      relation: 'oneToOne',
      target: IDENTITY_UID,
      mappedBy: 'user',
      private: true,
      configurable: false,
    };
  });
};
