import { Button } from '@strapi/design-system';
import { Plus } from '@strapi/icons';
import { useField, useForm } from '@strapi/strapi/admin';
import { useIntl } from 'react-intl';

import { emptyClient, type ClientFormValue, type Source } from '../pages/Settings/settingsForm';
import { getTranslation } from '../utils/getTranslation';

import { ClientFields } from './ClientFields';
import { EmptyList, ListError } from './ListParts';
import { Section } from './Section';

/** TikTok accepts 10 redirect URIs per app; the API takes at most 10 clients. */
const MAX_CLIENTS = 10;

export const ClientsSection = ({ source, canUpdate }: { source: Source; canUpdate: boolean }) => {
  const { formatMessage } = useIntl();
  const { value, error, onChange } = useField<ClientFormValue[]>('clients');
  const removeFieldRow = useForm('ClientsSection', (state) => state.removeFieldRow);
  const clients = value ?? [];

  const addButton =
    canUpdate && clients.length < MAX_CLIENTS ? (
      <Button variant="secondary" startIcon={<Plus />} onClick={() => onChange('clients', [...clients, emptyClient()])}>
        {formatMessage({ id: getTranslation('settings.clients.add'), defaultMessage: 'Add a client' })}
      </Button>
    ) : null;

  return (
    <Section
      title={formatMessage({ id: getTranslation('settings.clients.title'), defaultMessage: 'TikTok clients' })}
      description={formatMessage({
        id: getTranslation('settings.clients.description'),
        defaultMessage:
          'The TikTok apps (Login Kit clients) whose authorization codes this server exchanges, one per redirect URI. Access-token logins do not need one.',
      })}
      source={source}
      action={addButton}
    >
      <ListError error={error} />
      {clients.length === 0 ? (
        <EmptyList>
          {formatMessage({
            id: getTranslation('settings.clients.empty'),
            defaultMessage: 'No client yet: the authorization-code login answers an error until you add one.',
          })}
        </EmptyList>
      ) : (
        clients.map((client, index) => (
          <ClientFields
            key={client.rowKey}
            index={index}
            client={client}
            canUpdate={canUpdate}
            onRemove={() => removeFieldRow('clients', index)}
          />
        ))
      )}
    </Section>
  );
};
