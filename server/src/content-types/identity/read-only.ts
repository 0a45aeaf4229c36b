import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';

import { IDENTITY_UID, USER_UID } from '../../constants';

const WRITES = new Set(['create', 'update', 'delete', 'clone', 'publish', 'unpublish', 'discardDraft']);

/** The users-permissions user's side of the link (added in register). */
export const USER_IDENTITY_ATTRIBUTE = 'tiktokIdentity';

/**
 * An identity decides which user a TikTok login becomes, so only the plugin's own code (which writes
 * through the query engine) may change one or its link. The identity type is hidden from the Content
 * Manager, which takes every admin role's write rights on it away; on top of that, the document service
 * (which the Content Manager and the content API write through) refuses identity writes and drops the
 * link from user writes, whatever a role's permissions say.
 */
export const protectIdentities = (strapi: Core.Strapi) => {
  strapi.documents.use(async (context, next) => {
    if (!WRITES.has(context.action)) return next();
    if (context.uid === IDENTITY_UID) {
      throw new errors.ForbiddenError('TikTok identities are managed by the tiktok-auth-mobile plugin only');
    }
    const data = (context.params as { data?: unknown } | undefined)?.data;
    if (context.uid === USER_UID && typeof data === 'object' && data !== null && USER_IDENTITY_ATTRIBUTE in data) {
      const { [USER_IDENTITY_ATTRIBUTE]: _link, ...rest } = data as Record<string, unknown>;
      (context.params as { data: unknown }).data = rest;
    }
    return next();
  });
};
