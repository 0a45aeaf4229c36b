import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';

import { AUTHORIZATION_UID, IDENTITY_UID, LOGIN_CODE_UID, LOGIN_RECORD_UID, PENDING_LOGIN_UID, USER_UID } from '../constants';

const WRITES = new Set(['create', 'update', 'delete', 'clone', 'publish', 'unpublish', 'discardDraft']);

/** The plugin's records: which user a login becomes, the user's TikTok tokens, login records, and the browser login's states and codes. */
const PLUGIN_RECORDS = new Set([IDENTITY_UID, AUTHORIZATION_UID, LOGIN_RECORD_UID, PENDING_LOGIN_UID, LOGIN_CODE_UID]);

/** The users-permissions user's side of the link (added in register). */
export const USER_IDENTITY_ATTRIBUTE = 'tiktokIdentity';

/**
 * The plugin's records decide which user a TikTok login becomes, so only the plugin's own code (which
 * writes through the query engine) may change them or a user's link to an identity. Their types are
 * hidden from the Content Manager, which takes every admin role's write rights on them away; on top of
 * that, the document service (which the Content Manager writes through) refuses writes to them and drops
 * the link from user writes, whatever a role's permissions say.
 */
export const protectIdentities = (strapi: Core.Strapi) => {
  strapi.documents.use(async (context, next) => {
    if (!WRITES.has(context.action)) return next();
    if (PLUGIN_RECORDS.has(context.uid)) {
      throw new errors.ForbiddenError('TikTok identities and logins are managed by the tiktok-auth-mobile plugin only');
    }
    const data = (context.params as { data?: unknown } | undefined)?.data;
    if (context.uid === USER_UID && typeof data === 'object' && data !== null && USER_IDENTITY_ATTRIBUTE in data) {
      const { [USER_IDENTITY_ATTRIBUTE]: _link, ...rest } = data as Record<string, unknown>;
      (context.params as { data: unknown }).data = rest;
    }
    return next();
  });
};
