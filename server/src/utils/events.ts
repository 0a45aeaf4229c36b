import type { Core } from '@strapi/strapi';

import type { LoginFlow } from '../admin-api';

/** How a login was proven: an access token, a code from a mobile SDK, or the browser login. */
export type { LoginFlow };

/** The events the plugin emits on `strapi.eventHub`, for the host app and Strapi's webhooks. */
export const EVENTS = {
  userCreated: 'tiktok-auth-mobile.user.created',
  login: 'tiktok-auth-mobile.login',
  linked: 'tiktok-auth-mobile.linked',
  unlinked: 'tiktok-auth-mobile.unlinked',
  authorizationRemoved: 'tiktok-auth-mobile.authorization.removed',
} as const;

export type TikTokEventName = (typeof EVENTS)[keyof typeof EVENTS];

/** Every event's payload: who and how, never a token. */
export interface TikTokEvent {
  userId: number | null;
  unionId: string;
  /** The client a code was exchanged for (or TikTok's webhook named); null for an access token. */
  clientKey: string | null;
  flow: LoginFlow | 'link' | 'unlink' | 'webhook';
}

/** Emits an event; a failing listener is logged, it never fails the request that emitted it. */
export const emitEvent = async (strapi: Core.Strapi, name: TikTokEventName, event: TikTokEvent) => {
  try {
    await strapi.eventHub.emit(name, event);
  } catch (error) {
    strapi.log.error(`[tiktok-auth-mobile] a listener of ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
};
