import { Badge, Flex, Table, Tbody, Td, Th, Thead, Tr, Typography } from '@strapi/design-system';
import { useIntl } from 'react-intl';
import { styled } from 'styled-components';

import type { Identity } from '../pages/Accounts/accountsApi';
import { getTranslation } from '../utils/getTranslation';

import { AuthorizationDetails } from './AuthorizationDetails';
import { RecentLogins } from './RecentLogins';

interface AccountsTableProps {
  identities: Identity[];
  canRevoke: boolean;
  onRevoked: (identity: Identity) => void;
}

/** TikTok accounts, read-only: who they are, their user, and per client what they authorized. */
export const AccountsTable = ({ identities, canRevoke, onRevoked }: AccountsTableProps) => {
  const { formatMessage } = useIntl();
  const t = (id: string, defaultMessage: string) => formatMessage({ id: getTranslation(id), defaultMessage });
  const headers = [
    t('accounts.column.account', 'TikTok account'),
    t('accounts.column.user', 'User'),
    t('accounts.column.logins', 'Recent logins'),
    t('accounts.column.authorizations', 'Authorizations, per client'),
  ];

  return (
    <Table colCount={headers.length} rowCount={identities.length + 1}>
      <Thead>
        <Tr>
          {headers.map((header) => (
            <Th key={header}>
              <Typography variant="sigma">{header}</Typography>
            </Th>
          ))}
        </Tr>
      </Thead>
      <Tbody>
        {identities.map((identity) => (
          <Tr key={identity.id} data-testid={`account-${identity.unionId}`}>
            <Td>
              <Flex direction="column" alignItems="flex-start" gap={1}>
                <Flex gap={2}>
                  <Typography fontWeight="semiBold">{identity.displayName ?? '—'}</Typography>
                  {identity.isVerified ? <Badge variant="primary">{t('accounts.verified', 'Verified')}</Badge> : null}
                </Flex>
                {identity.username ? <Typography variant="pi">@{identity.username}</Typography> : null}
                <Wrapping variant="pi" textColor="neutral600">
                  {identity.unionId}
                </Wrapping>
              </Flex>
            </Td>
            <Td>
              {identity.user ? (
                <Flex direction="column" alignItems="flex-start" gap={1}>
                  <Typography>{identity.user.username}</Typography>
                  <Wrapping variant="pi" textColor="neutral600">
                    {identity.user.email ?? ''}
                  </Wrapping>
                </Flex>
              ) : (
                <Typography textColor="neutral600">{t('accounts.userDeleted', 'No user (deleted)')}</Typography>
              )}
            </Td>
            <Td>
              <RecentLogins logins={identity.logins} />
            </Td>
            <Td>
              <Flex direction="column" alignItems="stretch" gap={2} paddingTop={2} paddingBottom={2}>
                {identity.authorizations.length === 0 ? (
                  <Typography textColor="neutral600">{t('accounts.noAuthorization', 'No code-flow login yet')}</Typography>
                ) : (
                  identity.authorizations.map((status) => (
                    <AuthorizationDetails
                      key={status.clientKey}
                      identityId={identity.id}
                      status={status}
                      canRevoke={canRevoke}
                      onRevoked={onRevoked}
                    />
                  ))
                )}
              </Flex>
            </Td>
          </Tr>
        ))}
      </Tbody>
    </Table>
  );
};

/** Union ids and emails are long: they may break anywhere rather than widen the table. */
const Wrapping = styled(Typography)`
  max-width: 24rem;
  white-space: normal;
  overflow-wrap: anywhere;
`;
