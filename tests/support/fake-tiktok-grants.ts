/**
 * The fake TikTok's token store: which access and refresh tokens exist, what grant each belongs to
 * (account, client, scopes), when each expires, refresh-token rotation and revocation. It has no
 * clock of its own: every call that cares about time is given the fake's `now()` in unix seconds.
 */
import { randomBytes } from 'node:crypto';
import type { FakeAccount, Scope } from './fake-tiktok';

/** What a user granted one client: every token minted for it, refreshed ones included, shares it. */
export interface TokenGrant {
  account: FakeAccount;
  clientKey: string;
  scopes: Scope[];
}

/** A token and the unix second it stops working at (Infinity: never). */
interface StoredToken {
  grant: TokenGrant;
  expiresAt: number;
}

/** Lifetimes in seconds of the tokens a code exchange or a refresh mints. */
export interface TokenLifetimes {
  accessS: number;
  refreshS: number;
}

/** A freshly minted access and refresh token pair, with the lifetimes the token answer reports. */
export interface IssuedTokens {
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
}

export const newAccessToken = () => `act.${randomBytes(24).toString('hex')}!fake`;
const newRefreshToken = () => `rft.${randomBytes(24).toString('hex')}!fake`;

export class GrantStore {
  private readonly accessTokens = new Map<string, StoredToken>();
  private readonly refreshTokens = new Map<string, StoredToken>();

  /** Makes `token` a working access token of `grant` until `expiresAt` (unix seconds). */
  addAccessToken(token: string, grant: TokenGrant, expiresAt = Infinity) {
    this.accessTokens.set(token, { grant, expiresAt });
  }

  /** A new access and refresh token for `grant`, as a code exchange or a refresh answers them. */
  issue(grant: TokenGrant, now: number, { accessS, refreshS }: TokenLifetimes): IssuedTokens {
    const accessToken = newAccessToken();
    const refreshToken = newRefreshToken();
    this.accessTokens.set(accessToken, { grant, expiresAt: now + accessS });
    this.refreshTokens.set(refreshToken, { grant, expiresAt: now + refreshS });
    return { accessToken, expiresIn: accessS, refreshToken, refreshExpiresIn: refreshS };
  }

  /** The grant of a live access token: undefined when unknown, revoked or expired at `now`. */
  grantOfAccessToken(token: string, now: number): TokenGrant | undefined {
    const stored = this.accessTokens.get(token);
    return stored && now < stored.expiresAt ? stored.grant : undefined;
  }

  /**
   * Rotation: when `refreshToken` is live and was issued to `clientKey`, it stops working and the same
   * grant gets a new pair (the refresh token with a full lifetime again). Access tokens minted before
   * keep working until they expire. Undefined, and nothing changes, otherwise.
   */
  rotate(refreshToken: string, clientKey: string, now: number, lifetimes: TokenLifetimes) {
    const stored = this.refreshTokens.get(refreshToken);
    if (!stored || now >= stored.expiresAt || stored.grant.clientKey !== clientKey) return undefined;
    this.refreshTokens.delete(refreshToken);
    return { grant: stored.grant, issued: this.issue(stored.grant, now, lifetimes) };
  }

  /**
   * Revokes the whole grant of `token` (an access or a refresh token): every access and refresh token
   * of that grant stops working. With `clientKey`, only a token issued to that client counts.
   * Returns false when no such token is known (unknown, already revoked, or another client's).
   */
  revokeGrant(token: string, clientKey?: string) {
    const grant = (this.accessTokens.get(token) ?? this.refreshTokens.get(token))?.grant;
    if (!grant || (clientKey !== undefined && grant.clientKey !== clientKey)) return false;
    for (const tokens of [this.accessTokens, this.refreshTokens]) {
      for (const [key, stored] of tokens) if (stored.grant === grant) tokens.delete(key);
    }
    return true;
  }
}
