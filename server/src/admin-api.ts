/**
 * What the admin API answers about TikTok accounts (`GET /tiktok-auth-mobile/identities` and the revoke
 * action): the server builds these, the admin panel reads them. Types only, with no import, so that the
 * admin panel can take them as they are.
 */

/** How a login was proven. */
export type LoginFlow = 'access_token' | 'code' | 'browser';

/** Per client, what an admin may see of a TikTok account's authorization: never a token. */
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
  flow: LoginFlow;
  ip: string | null;
  userAgent: string | null;
}

/** A TikTok account as the admin panel lists it: who it is, its user, and per client what it authorized. */
export interface AdminIdentity {
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
