import * as React from 'react';

import { Badge, Box, Flex, Typography } from '@strapi/design-system';
import { useIntl } from 'react-intl';

import { useDateTime } from '../hooks/useDateTime';
import type { AuthorizationStatus, Identity } from '../pages/Accounts/accountsApi';
import { getTranslation } from '../utils/getTranslation';
import { removalMessages } from '../utils/removal';

import { RevokeTokensButton } from './RevokeTokensButton';

interface AuthorizationDetailsProps {
  identityId: number;
  status: AuthorizationStatus;
  canRevoke: boolean;
  onRevoked: (identity: Identity) => void;
}

/** One client's authorization of a TikTok account: what it may do, and whether its tokens are kept. */
export const AuthorizationDetails = ({ identityId, status, canRevoke, onRevoked }: AuthorizationDetailsProps) => {
  const { formatMessage } = useIntl();
  const t = (id: string, defaultMessage: string) => formatMessage({ id: getTranslation(id), defaultMessage });
  const date = useDateTime();
  const removal = removalMessages(status);

  return (
    <Box background="neutral100" hasRadius padding={3} data-testid={`authorization-${status.clientKey}`}>
      <Flex direction="column" alignItems="stretch" gap={1}>
        <Flex gap={2}>
          <Typography fontWeight="semiBold">{status.clientKey}</Typography>
          {status.tokensStored ? (
            <Badge variant="success">{t('accounts.tokens.stored', 'Tokens stored')}</Badge>
          ) : (
            <Badge>{t('accounts.tokens.none', 'No tokens stored')}</Badge>
          )}
        </Flex>
        <Detail label={t('accounts.scopes', 'Scopes')}>{status.scopes.join(', ') || '—'}</Detail>
        <Detail label={t('accounts.authorizedAt', 'Authorized')}>{date(status.authorizedAt)}</Detail>
        {status.tokensStored ? (
          <>
            <Detail label={t('accounts.accessTokenExpiresAt', 'Access token expires')}>{date(status.accessTokenExpiresAt)}</Detail>
            <Detail label={t('accounts.refreshTokenExpiresAt', 'Refresh token expires')}>{date(status.refreshTokenExpiresAt)}</Detail>
          </>
        ) : null}
        {status.removedAt ? (
          <Detail label={t('accounts.removedAt', 'Removed')}>
            {date(status.removedAt)}, {t('accounts.removedBy', 'by')} {formatMessage(removal.by)}
            {removal.reason ? `: ${formatMessage(removal.reason, { code: status.removedReason })}` : null}
          </Detail>
        ) : null}
        {canRevoke && status.tokensStored ? (
          <Box paddingTop={1}>
            <RevokeTokensButton identityId={identityId} clientKey={status.clientKey} onRevoked={onRevoked} />
          </Box>
        ) : null}
      </Flex>
    </Box>
  );
};

const Detail = ({ label, children }: { label: string; children: React.ReactNode }) => (
  <Typography variant="pi" textColor="neutral800">
    <Typography variant="pi" fontWeight="bold">
      {label}:
    </Typography>{' '}
    {children}
  </Typography>
);
