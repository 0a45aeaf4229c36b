import type { Core } from '@strapi/strapi';

import { IDENTITY_UID, USER_UID } from './constants';
import { getService } from './utils/get-service';
import { identityLink } from './utils/identity-link';

interface DeleteEvent {
  params: { where?: unknown };
  state: Record<string, unknown>;
}

/**
 * A deleted users-permissions user takes its TikTok link with it, however it is deleted (admin panel,
 * API, code): its identity and stored tokens go in the delete's transaction, and the tokens are revoked
 * at TikTok once it is committed.
 */
export const forgetDeletedUsers = (strapi: Core.Strapi) => {
  const link = identityLink(strapi);
  const identitiesOf = async ({ params, state }: DeleteEvent) => {
    const deleted = strapi.db.queryBuilder(USER_UID).select('id').where(params.where ?? {}).getKnexQuery();
    state.tiktokIdentities = await strapi.db
      .query(IDENTITY_UID)
      .findMany({ where: { id: { $in: link.identityIdsOf(deleted) } }, select: ['id', 'unionId'] });
  };
  const forget = async ({ state }: DeleteEvent) => {
    await getService('links').forget((state.tiktokIdentities as Array<{ id: number; unionId: string }> | undefined) ?? []);
  };

  strapi.db.lifecycles.subscribe({
    models: [USER_UID],
    beforeDelete: identitiesOf,
    beforeDeleteMany: identitiesOf,
    afterDelete: forget,
    afterDeleteMany: forget,
  });
};
