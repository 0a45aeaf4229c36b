import { Field, Flex, Toggle } from '@strapi/design-system';
import { useFetchClient, useField, useNotification } from '@strapi/strapi/admin';
import { useIntl } from 'react-intl';

import { useErrorNotification } from '../hooks/useErrorNotification';
import { TOKENS_URL } from '../pages/Accounts/accountsApi';
import type { Source } from '../pages/Settings/settingsForm';
import { getTranslation } from '../utils/getTranslation';

import { ConfirmButton } from './ConfirmButton';
import { Section } from './Section';

interface StoreTokensSectionProps {
  source: Source;
  canUpdate: boolean;
  canDeleteTokens: boolean;
}

/** Whether code-flow logins keep the user's TikTok tokens, and the way to delete all that are kept. */
export const StoreTokensSection = ({ source, canUpdate, canDeleteTokens }: StoreTokensSectionProps) => {
  const { formatMessage } = useIntl();
  const { value, error, onChange } = useField<boolean>('storeTokens');
  const t = (id: string, defaultMessage: string) => formatMessage({ id: getTranslation(id), defaultMessage });

  return (
    <Section
      title={t('settings.storeTokens.title', 'TikTok tokens')}
      description={t(
        'settings.storeTokens.description',
        "Whether an authorization-code login keeps the user's TikTok access and refresh tokens (encrypted), so that your server can call TikTok for the user. Turning it off stops storing new ones: it does not delete those already stored."
      )}
      source={source}
      action={canDeleteTokens ? <DeleteStoredTokensButton /> : null}
    >
      <Field.Root name="storeTokens" error={error} maxWidth="64rem">
        <Flex direction="column" alignItems="stretch" gap={1}>
          <Field.Label>{t('settings.storeTokens.label', 'Store TikTok tokens')}</Field.Label>
          <Flex maxWidth="32rem" direction="column" alignItems="stretch">
            <Toggle
              name="storeTokens"
              checked={value === true}
              disabled={!canUpdate}
              onChange={() => onChange('storeTokens', !value)}
              onLabel={t('settings.storeTokens.on', 'Stored')}
              offLabel={t('settings.storeTokens.off', 'Not stored')}
            />
          </Flex>
          <Field.Error />
        </Flex>
      </Field.Root>
    </Section>
  );
};

const DeleteStoredTokensButton = () => {
  const { formatMessage } = useIntl();
  const { toggleNotification } = useNotification();
  const notifyError = useErrorNotification();
  const { del } = useFetchClient();
  const t = (id: string, defaultMessage: string, values?: Record<string, number>) =>
    formatMessage({ id: getTranslation(id), defaultMessage }, values);

  const deleteAll = async () => {
    try {
      const { data } = await del<{ data: { deleted: number } }>(TOKENS_URL);
      toggleNotification({
        type: 'success',
        message: t('settings.storeTokens.deleted', 'Stored TikTok tokens deleted: {count} authorization(s)', { count: data.data.deleted }),
      });
    } catch (error) {
      notifyError(error);
    }
  };

  return (
    <ConfirmButton
      label={t('settings.storeTokens.deleteAll', 'Delete all stored TikTok tokens')}
      description={t(
        'settings.storeTokens.deleteAll.confirm',
        "Every user's stored TikTok tokens are deleted from this server, without revoking them at TikTok. Your server can then no longer call TikTok for any user until they sign in with TikTok again."
      )}
      onConfirm={deleteAll}
    />
  );
};
