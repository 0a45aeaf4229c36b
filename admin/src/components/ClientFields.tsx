import { Box, Flex, Grid, IconButton, Typography } from '@strapi/design-system';
import { Trash } from '@strapi/icons';
import { InputRenderer } from '@strapi/strapi/admin';
import { useIntl } from 'react-intl';

import type { ClientFormValue } from '../pages/Settings/settingsForm';
import { getTranslation } from '../utils/getTranslation';

import { ClientSecretField } from './ClientSecretField';

interface ClientFieldsProps {
  index: number;
  client: ClientFormValue;
  canUpdate: boolean;
  onRemove: () => void;
}

/** One TikTok client: its key, label, redirect URI and a write-only secret. */
export const ClientFields = ({ index, client, canUpdate, onRemove }: ClientFieldsProps) => {
  const { formatMessage } = useIntl();
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
            <ClientSecretField name={`clients.${index}`} client={client} canUpdate={canUpdate} />
          </Grid.Item>
        </Grid.Root>
      </Flex>
    </Box>
  );
};
