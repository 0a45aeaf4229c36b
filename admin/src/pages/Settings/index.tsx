import * as React from 'react';

import { Button, Flex } from '@strapi/design-system';
import { Check } from '@strapi/icons';
import {
  Blocker,
  Form,
  Layouts,
  Page,
  isFetchError,
  useAPIErrorHandler,
  useFetchClient,
  useNotification,
  useRBAC,
  type FormHelpers,
} from '@strapi/strapi/admin';
import { useIntl } from 'react-intl';

import { AccessTokenSection } from '../../components/AccessTokenSection';
import { BrowserLoginSection } from '../../components/BrowserLoginSection';
import { ClientsSection } from '../../components/ClientsSection';
import { ScopesSection } from '../../components/ScopesSection';
import { StoredSettingsWarning } from '../../components/StoredSettingsWarning';
import { StoreTokensSection } from '../../components/StoreTokensSection';
import { useApiData } from '../../hooks/useApiData';
import { useErrorNotification } from '../../hooks/useErrorNotification';
import { PERMISSIONS } from '../../permissions';
import { getTranslation } from '../../utils/getTranslation';

import { toFormError } from './readableErrors';
import {
  SETTINGS_URL,
  toFormValues,
  toRequestBody,
  type SettingsFormValues,
  type SettingsRequestBody,
  type SettingsResponse,
} from './settingsForm';

const ProtectedSettingsPage = () => (
  <Page.Protect permissions={PERMISSIONS.read}>
    <SettingsPage />
  </Page.Protect>
);

const SettingsPage = () => {
  const { formatMessage } = useIntl();
  const { toggleNotification } = useNotification();
  const { put } = useFetchClient();
  const { _unstableFormatValidationErrors: formatValidationErrors } = useAPIErrorHandler();
  const notifyError = useErrorNotification();
  const {
    isLoading: isLoadingPermissions,
    allowedActions: { canUpdate, canDeleteTokens },
  } = useRBAC({ update: PERMISSIONS.update, deleteTokens: PERMISSIONS.deleteTokens });

  const { data: settings, setData: setSettings, failed: loadFailed } = useApiData<SettingsResponse>(SETTINGS_URL);

  const initialValues = React.useMemo(() => (settings ? toFormValues(settings.data) : undefined), [settings]);

  const handleSubmit = async (values: SettingsFormValues, { setErrors, resetForm }: FormHelpers<SettingsFormValues>) => {
    try {
      const { data } = await put<SettingsResponse, SettingsRequestBody>(SETTINGS_URL, toRequestBody(values));
      const next = toFormValues(data.data);
      resetForm(next);
      setSettings(data);
      toggleNotification({
        type: 'success',
        message: formatMessage({ id: getTranslation('settings.saved'), defaultMessage: 'Settings saved' }),
      });
    } catch (error) {
      const apiError = isFetchError(error) ? error.response?.data?.error : undefined;
      if (apiError?.name !== 'ValidationError') return notifyError(error);
      setErrors(formatValidationErrors(toFormError(apiError)));
      // Field errors show next to their fields; the notification only points at them.
      toggleNotification({
        type: 'danger',
        message: formatMessage({ id: getTranslation('settings.invalid'), defaultMessage: 'Some settings are invalid: see the marked fields' }),
      });
    }
  };

  if (loadFailed) {
    return <Page.Error />;
  }

  if (isLoadingPermissions || !settings || !initialValues) {
    return <Page.Loading />;
  }

  const title = formatMessage({ id: getTranslation('settings.title'), defaultMessage: 'TikTok login' });
  const { sources, storedSettingsInvalid, callbackUrl } = settings.meta;

  return (
    <Page.Main>
      <Page.Title>
        {formatMessage({ id: 'Settings.PageTitle', defaultMessage: 'Settings - {name}' }, { name: title })}
      </Page.Title>
      <Form<SettingsFormValues> method="PUT" initialValues={initialValues} onSubmit={handleSubmit} disabled={!canUpdate}>
        {({ isSubmitting, modified }) => (
          <>
            <Blocker />
            <Layouts.Header
              title={title}
              subtitle={formatMessage({
                id: getTranslation('settings.subtitle'),
                defaultMessage: 'How your apps sign users in with TikTok.',
              })}
              primaryAction={
                canUpdate ? (
                  // Saving the values as shown is how an admin replaces invalid saved settings.
                  <Button type="submit" loading={isSubmitting} disabled={!modified && !storedSettingsInvalid} startIcon={<Check />} size="S">
                    {formatMessage({ id: 'global.save', defaultMessage: 'Save' })}
                  </Button>
                ) : undefined
              }
            />
            <Layouts.Content>
              <Flex direction="column" alignItems="stretch" gap={6} aria-busy={isSubmitting}>
                {storedSettingsInvalid ? <StoredSettingsWarning /> : null}
                <ClientsSection source={sources.clients} canUpdate={canUpdate} />
                <ScopesSection source={sources.scopes} canUpdate={canUpdate} />
                <AccessTokenSection source={sources.allowAccessToken} canUpdate={canUpdate} />
                <StoreTokensSection source={sources.storeTokens} canUpdate={canUpdate} canDeleteTokens={canDeleteTokens} />
                <BrowserLoginSection source={sources.appRedirects} callbackUrl={callbackUrl} canUpdate={canUpdate} />
              </Flex>
            </Layouts.Content>
          </>
        )}
      </Form>
    </Page.Main>
  );
};

export { ProtectedSettingsPage, SettingsPage };
