import type { TikTokProfile } from '../services/tiktok-api';
import { storableText } from './text';

/** How a login or a link was proven: the client a code was exchanged for, and the scopes granted. */
export interface LoginContext {
  clientKey?: string;
  scopes: string[];
}

/** The identity columns TikTok's answer sets, at a login or a link. The open_id map changes only in the code flow. */
export const identityFields = (profile: TikTokProfile, login: LoginContext, previousOpenIds: Record<string, string> | null | undefined) => ({
  displayName: storableText(profile.display_name),
  avatarUrl: storableText(profile.avatar_url, 2048),
  username: storableText(profile.username),
  isVerified: profile.is_verified ?? null,
  grantedScopes: login.scopes,
  ...(login.clientKey && { openIds: { ...previousOpenIds, [login.clientKey]: profile.open_id } }),
});
