/** The admin API of TikTok accounts: its routes and the shapes it answers. */

export const IDENTITIES_URL = '/tiktok-auth-mobile/identities';
export const TOKENS_URL = '/tiktok-auth-mobile/tokens';
export const revokeUrl = (identityId: number) => `${IDENTITIES_URL}/${identityId}/revoke`;

/** What one client was authorized to do, and whether its tokens are kept: never a token. */
export interface AuthorizationStatus {
  clientKey: string;
  openId: string;
  scopes: string[];
  authorizedAt: string | null;
  tokensStored: boolean;
  accessTokenExpiresAt: string | null;
  refreshTokenExpiresAt: string | null;
  tokensIssuedAt: string | null;
  removedAt: string | null;
  /** 'tiktok': TikTok's deauthorization webhook; 'app': a revoke by this server. */
  removedBy: 'tiktok' | 'app' | null;
  /** TikTok's deauthorization reason code. */
  removedReason: number | null;
}

/** A successful login, as the server recorded it. */
export interface LoginRecord {
  at: string;
  clientKey: string | null;
  flow: 'access_token' | 'code' | 'browser';
  ip: string | null;
  userAgent: string | null;
}

export interface Identity {
  id: number;
  unionId: string;
  displayName: string | null;
  username: string | null;
  isVerified: boolean;
  grantedScopes: string[];
  firstLoginAt: string | null;
  lastLoginAt: string | null;
  /** Null once the user was deleted. */
  user: { id: number; documentId: string; username: string; email: string | null } | null;
  authorizations: AuthorizationStatus[];
  /** The last 20 logins, newest first. */
  logins: LoginRecord[];
}

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
