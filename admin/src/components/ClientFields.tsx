import { Box, Flex, Grid, IconButton, TextButton, Typography } from '@strapi/design-system';
import { ArrowClockwise, Trash } from '@strapi/icons';
import { InputRenderer, useForm } from '@strapi/strapi/admin';
import { useIntl } from 'react-intl';

import { hasStoredSecret, type ClientFormValue } from '../pages/Settings/settingsForm';
import { getTranslation } from '../utils/getTranslation';

interface ClientFieldsProps {
  index: number;
  client: ClientFormValue;
  canUpdate: boolean;
  onRemove: () => void;
}

/** One TikTok client: its key, label, redirect URI and a write-only secret. */
export const ClientFields = ({ index, client, canUpdate, onRemove }: ClientFieldsProps) => {
  const { formatMessage } = useIntl();
  const onChange = useForm('ClientFields', (state) => state.onChange);
  const name = (field: keyof ClientFormValue) => `clients.${index}.${field}`;
  const t = (id: string, defaultMessage: string) => formatMessage({ id: getTranslation(id), defaultMessage });

  const textFields: Array<{
    field: 'clientKey' | 'label' | 'redirectUri';
    label: string;
    hint: string;
    placeholder?: string;
    required?: boolean;
  }> = [
    {
      field: 'clientKey',
      label: t('settings.clients.clientKey', 'Client key'),
      hint: t('settings.clients.clientKey.hint', 'From the TikTok developer portal. An app that sends no client key gets the first client.'),
      required: true,
    },
    {
      field: 'label',
      label: t('settings.clients.label', 'Label'),
      hint: t('settings.clients.label.hint', 'For you only, e.g. "iOS app".'),
    },
    {
      field: 'redirectUri',
      label: t('settings.clients.redirectUri', 'Redirect URI'),
      hint: t('settings.clients.redirectUri.hint', 'Absolute https URI, no fragment, exactly as registered at TikTok.'),
      placeholder: 'https://example.com/tiktok/callback',
      required: true,
    },
  ];

  const stored = hasStoredSecret(client);
  const removing = stored && client.removeSecret;
  const secretHint = removing
    ? t('settings.clients.secret.hint.removing', 'The stored secret is removed when you save.')
    : stored
      ? t('settings.clients.secret.hint.stored', 'A secret is stored. Leave empty to keep it, type a new one to replace it.')
      : t('settings.clients.secret.hint.none', 'No secret stored. The authorization-code login needs one.');

  return (
    <Box
      tag="fieldset"
      borderColor="neutral200"
      borderStyle="solid"
      borderWidth="1px"
      hasRadius
      padding={5}
      aria-label={formatMessage(
        { id: getTranslation('settings.clients.row'), defaultMessage: 'TikTok client {number}' },
        { number: index + 1 }
      )}
      data-testid={`client-${index}`}
    >
      <Flex direction="column" alignItems="stretch" gap={4}>
        <Flex justifyContent="space-between" alignItems="center">
          <Typography variant="omega" fontWeight="bold" tag="h3">
            {client.label || client.clientKey || t('settings.clients.new', 'New client')}
          </Typography>
          {canUpdate ? (
            <IconButton label={t('settings.clients.remove', 'Remove this client')} variant="ghost" onClick={onRemove}>
              <Trash />
            </IconButton>
          ) : null}
        </Flex>
        <Grid.Root gap={5}>
          {textFields.map(({ field, label, hint, placeholder, required }) => (
            <Grid.Item key={field} col={6} s={12} direction="column" alignItems="stretch">
              <InputRenderer
                type="string"
                name={name(field)}
                label={label}
                hint={hint}
                placeholder={placeholder}
                required={required}
                disabled={!canUpdate}
              />
            </Grid.Item>
          ))}
          <Grid.Item col={6} s={12} direction="column" alignItems="stretch" gap={1}>
            <InputRenderer
              type="password"
              name={name('clientSecret')}
              autoComplete="new-password"
              label={t('settings.clients.clientSecret', 'Client secret')}
              placeholder={
                removing
                  ? t('settings.clients.secret.placeholder.removing', 'Removed on save')
                  : stored
                    ? t('settings.clients.secret.placeholder.stored', '•••••••• stored')
                    : t('settings.clients.secret.placeholder.none', 'Not stored')
              }
              hint={secretHint}
              disabled={!canUpdate || removing}
            />
            {stored && canUpdate ? (
              <TextButton
                startIcon={removing ? <ArrowClockwise /> : <Trash />}
                onClick={() => {
                  onChange(name('clientSecret'), '');
                  onChange(name('removeSecret'), !client.removeSecret);
                }}
              >
                {removing
                  ? t('settings.clients.secret.keep', 'Keep the stored secret')
                  : t('settings.clients.secret.remove', 'Remove the stored secret')}
              </TextButton>
            ) : null}
          </Grid.Item>
        </Grid.Root>
      </Flex>
    </Box>
  );
};
