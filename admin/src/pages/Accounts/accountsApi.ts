/** The admin API of TikTok accounts: its routes and the shapes it answers. */

// The shapes are the server's own declaration of what it answers.
import type { AdminIdentity as Identity } from '../../../../server/src/admin-api';

export type { AuthorizationStatus, LoginRecord } from '../../../../server/src/admin-api';
export type { Identity };

export const IDENTITIES_URL = '/tiktok-auth-mobile/identities';
export const TOKENS_URL = '/tiktok-auth-mobile/tokens';
export const revokeUrl = (identityId: number) => `${IDENTITIES_URL}/${identityId}/revoke`;


export interface Pagination {
  page: number;
  pageSize: number;
  pageCount: number;
  total: number;
}

export interface IdentitiesResponse {
  data: Identity[];
  meta: { pagination: Pagination };
}

export interface RevokeResponse {
  data: { revoked: number; identity: Identity };
}
