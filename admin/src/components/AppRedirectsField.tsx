import { Box, Button, Flex, IconButton, Typography } from '@strapi/design-system';
import { Plus, Trash } from '@strapi/icons';
import { InputRenderer, useField, useForm } from '@strapi/strapi/admin';
import { useIntl } from 'react-intl';

import { emptyAppRedirect, type AppRedirectFormValue } from '../pages/Settings/settingsForm';
import { getTranslation } from '../utils/getTranslation';

import { EmptyList, ListError } from './ListParts';

/** The API takes at most 20 app redirects. */
const MAX_APP_REDIRECTS = 20;

/** The app redirect URLs: one text row each, with the API's error for a row next to it. */
export const AppRedirectsField = ({ canUpdate }: { canUpdate: boolean }) => {
  const { formatMessage } = useIntl();
  const { value, error, onChange } = useField<AppRedirectFormValue[]>('appRedirects');
  const removeFieldRow = useForm('AppRedirectsField', (state) => state.removeFieldRow);
  const rows = value ?? [];
  const t = (id: string, defaultMessage: string, values?: Record<string, number>) =>
    formatMessage({ id: getTranslation(id), defaultMessage }, values);

  return (
    <Flex direction="column" alignItems="stretch" gap={3} maxWidth="64rem" data-testid="app-redirects">
      <Flex direction="column" alignItems="stretch" gap={1}>
        <Typography variant="pi" fontWeight="bold" tag="h3">
          {t('settings.browserLogin.appRedirects', 'App redirect URLs')}
        </Typography>
        <Typography variant="pi" textColor="neutral600">
          {t(
            'settings.browserLogin.appRedirects.hint',
            "Where the browser login may send users back with their login code. Each URL is compared exactly: https, an app scheme such as myapp://auth or Expo's exp://…, and http only for localhost, 127.0.0.1 or [::1]. No fragment, no spaces. With no URL, the browser login is off."
          )}
        </Typography>
      </Flex>
      <ListError error={error} />
      {rows.length === 0 ? (
        <EmptyList>
          {t('settings.browserLogin.appRedirects.empty', 'No app redirect URL: the browser login is off.')}
        </EmptyList>
      ) : (
        rows.map((row, index) => (
          <Flex key={row.rowKey} gap={2} alignItems="flex-start">
            <Box flex="1">
              <InputRenderer
                type="string"
                name={`appRedirects.${index}.url`}
                label={t('settings.browserLogin.appRedirects.url', 'App redirect URL {number}', { number: index + 1 })}
                placeholder="myapp://auth"
                disabled={!canUpdate}
              />
            </Box>
            {canUpdate ? (
              // Level with the input, below its label.
              <Box paddingTop={6}>
                <IconButton
                  label={t('settings.browserLogin.appRedirects.remove', 'Remove app redirect URL {number}', { number: index + 1 })}
                  variant="ghost"
                  onClick={() => removeFieldRow('appRedirects', index)}
                >
                  <Trash />
                </IconButton>
              </Box>
            ) : null}
          </Flex>
        ))
      )}
      {canUpdate && rows.length < MAX_APP_REDIRECTS ? (
        <Box>
          <Button variant="secondary" startIcon={<Plus />} onClick={() => onChange('appRedirects', [...rows, emptyAppRedirect()])}>
            {t('settings.browserLogin.appRedirects.add', 'Add an app redirect URL')}
          </Button>
        </Box>
      ) : null}
    </Flex>
  );
};
