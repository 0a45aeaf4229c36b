import * as React from 'react';

import { Flex } from '@strapi/design-system';
import { Layouts, Page, Pagination, SearchInput, useQueryParams, useRBAC } from '@strapi/strapi/admin';
import { useIntl } from 'react-intl';

import { AccountsTable } from '../../components/AccountsTable';
import { EmptyList } from '../../components/ListParts';
import { useApiData } from '../../hooks/useApiData';
import { PERMISSIONS } from '../../permissions';
import { getTranslation } from '../../utils/getTranslation';

import { IDENTITIES_URL, type IdentitiesResponse, type Identity } from './accountsApi';

/** The list's URL query, as Strapi's SearchInput and Pagination write it. */
interface ListQuery {
  page?: string;
  pageSize?: string;
  _q?: string;
}

const ProtectedAccountsPage = () => (
  <Page.Protect permissions={PERMISSIONS.readAccounts}>
    <AccountsPage />
  </Page.Protect>
);

const AccountsPage = () => {
  const { formatMessage } = useIntl();
  const [{ query }] = useQueryParams<ListQuery>();
  const {
    isLoading: isLoadingPermissions,
    allowedActions: { canRevoke },
  } = useRBAC({ revoke: PERMISSIONS.revokeTokens });
  const t = (id: string, defaultMessage: string) => formatMessage({ id: getTranslation(id), defaultMessage });

  const { page = '1', pageSize = '10', _q: search = '' } = query;
  const {
    data: list,
    setData: setList,
    failed: loadFailed,
  } = useApiData<IdentitiesResponse>(IDENTITIES_URL, { page, pageSize, ...(search.trim() && { q: search.trim() }) });

  /** A revoke answers the account's fresh status: it replaces the row, no reload needed. */
  const replace = React.useCallback(
    (identity: Identity) =>
      setList((current) => current && { ...current, data: current.data.map((row) => (row.id === identity.id ? identity : row)) }),
    [setList]
  );

  if (loadFailed) return <Page.Error />;
  if (isLoadingPermissions || !list) return <Page.Loading />;

  const title = t('accounts.title', 'TikTok accounts');
  const { pagination } = list.meta;

  return (
    <Page.Main>
      <Page.Title>{formatMessage({ id: 'Settings.PageTitle', defaultMessage: 'Settings - {name}' }, { name: title })}</Page.Title>
      <Layouts.Header
        title={title}
        subtitle={t(
          'accounts.subtitle',
          'The TikTok accounts that signed in, their users and, per client, what they authorized and whether their TikTok tokens are stored. Read-only: tokens are never shown.'
        )}
      />
      <Layouts.Action startActions={<SearchInput label={t('accounts.search', 'Search by union_id, name, TikTok username or email')} />} />
      <Layouts.Content>
        <Flex direction="column" alignItems="stretch" gap={4}>
          {list.data.length === 0 ? (
            <EmptyList>
              {search ? t('accounts.empty.search', 'No TikTok account matches this search.') : t('accounts.empty', 'No TikTok account has signed in yet.')}
            </EmptyList>
          ) : (
            <AccountsTable identities={list.data} canRevoke={canRevoke} onRevoked={replace} />
          )}
          <Pagination.Root pageCount={pagination.pageCount} total={pagination.total}>
            <Pagination.PageSize />
            <Pagination.Links />
          </Pagination.Root>
        </Flex>
      </Layouts.Content>
    </Page.Main>
  );
};

export { AccountsPage, ProtectedAccountsPage };
