import type { MessageDescriptor } from 'react-intl';

import type { AuthorizationStatus } from '../pages/Accounts/accountsApi';

import { getTranslation } from './getTranslation';

const message = (id: string, defaultMessage: string): MessageDescriptor => ({ id: getTranslation(id), defaultMessage });

/** TikTok's deauthorization reason codes (the `authorization.removed` webhook's `reason`). */
const REASONS: Record<number, MessageDescriptor> = {
  0: message('accounts.reason.0', 'Unknown reason'),
  1: message('accounts.reason.1', 'The user disconnected the app'),
  2: message('accounts.reason.2', 'The TikTok account was deleted'),
  3: message('accounts.reason.3', "The user's age changed"),
  4: message('accounts.reason.4', 'The TikTok account was banned'),
  5: message('accounts.reason.5', 'The developer revoked the authorization'),
};

/** Who ended an authorization, and why, as the page says it. */
export const removalMessages = ({ removedBy, removedReason }: Pick<AuthorizationStatus, 'removedBy' | 'removedReason'>) => ({
  by:
    removedBy === 'tiktok'
      ? message('accounts.removedBy.tiktok', 'TikTok')
      : message('accounts.removedBy.app', 'This server (revoke)'),
  reason:
    removedReason === null
      ? null
      : (REASONS[removedReason] ?? message('accounts.reason.other', 'Reason code {code}')),
});
