import * as React from 'react';

import { Flex, TextButton, Typography } from '@strapi/design-system';
import { useIntl } from 'react-intl';

import { useDateTime } from '../hooks/useDateTime';
import type { LoginRecord } from '../pages/Accounts/accountsApi';
import { getTranslation } from '../utils/getTranslation';

/** Shown before "Show all": the rest of the last 20 stays one click away. */
const FIRST_SHOWN = 3;

/** A TikTok account's last logins, newest first: when, how, through which client, from where. */
export const RecentLogins = ({ logins }: { logins: LoginRecord[] }) => {
  const { formatMessage } = useIntl();
  const t = (id: string, defaultMessage: string, values?: Record<string, number>) =>
    formatMessage({ id: getTranslation(id), defaultMessage }, values);
  const date = useDateTime();
  const [expanded, setExpanded] = React.useState(false);

  if (logins.length === 0) return <Typography textColor="neutral600">{t('accounts.logins.none', 'No login recorded')}</Typography>;
  const shown = expanded ? logins : logins.slice(0, FIRST_SHOWN);

  return (
    <Flex direction="column" alignItems="flex-start" gap={1} data-testid="recent-logins">
      {shown.map((login) => (
        <Typography key={`${login.at}-${login.clientKey}-${login.ip}`} variant="pi" textColor="neutral800">
          <Typography variant="pi" fontWeight="bold">
            {date(login.at)}
          </Typography>{' '}
          {[login.flow, login.clientKey, login.ip, login.userAgent].filter(Boolean).join(' · ')}
        </Typography>
      ))}
      {logins.length > FIRST_SHOWN ? (
        <TextButton onClick={() => setExpanded(!expanded)}>
          {expanded
            ? t('accounts.logins.fewer', 'Show fewer')
            : t('accounts.logins.all', 'Show all {count}', { count: logins.length })}
        </TextButton>
      ) : null}
    </Flex>
  );
};
