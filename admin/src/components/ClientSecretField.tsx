import { TextButton } from '@strapi/design-system';
import { ArrowClockwise, Trash } from '@strapi/icons';
import { InputRenderer, useForm } from '@strapi/strapi/admin';
import { useIntl } from 'react-intl';

import { secretState, type ClientFormValue, type SecretState } from '../pages/Settings/settingsForm';
import { getTranslation } from '../utils/getTranslation';

type Message = [id: string, defaultMessage: string];

const PLACEHOLDERS: Record<SecretState, Message> = {
  none: ['settings.clients.secret.placeholder.none', 'Not stored'],
  stored: ['settings.clients.secret.placeholder.stored', '•••••••• stored'],
  unreadable: ['settings.clients.secret.placeholder.unreadable', 'Stored, cannot be decrypted'],
  removing: ['settings.clients.secret.placeholder.removing', 'Removed on save'],
};

const HINTS: Record<SecretState, Message> = {
  none: ['settings.clients.secret.hint.none', 'No secret stored. The authorization-code login needs one.'],
  stored: ['settings.clients.secret.hint.stored', 'A secret is stored. Leave empty to keep it, type a new one to replace it.'],
  unreadable: [
    'settings.clients.secret.hint.unreadable',
    'The stored secret cannot be decrypted: was the encryption key (ENCRYPTION_KEY) changed? Code logins with this client fail until you type the secret again.',
  ],
  removing: ['settings.clients.secret.hint.removing', 'The stored secret is removed when you save.'],
};

interface ClientSecretFieldProps {
  name: string;
  client: ClientFormValue;
  canUpdate: boolean;
}

/** The write-only secret of one client: what is stored, and a button to remove it or keep it. */
export const ClientSecretField = ({ name, client, canUpdate }: ClientSecretFieldProps) => {
  const { formatMessage } = useIntl();
  const onChange = useForm('ClientSecretField', (state) => state.onChange);
  const t = ([id, defaultMessage]: Message) => formatMessage({ id: getTranslation(id), defaultMessage });
  const state = secretState(client);
  const removing = state === 'removing';

  return (
    <>
      <InputRenderer
        type="password"
        name={`${name}.clientSecret`}
        autoComplete="new-password"
        label={t(['settings.clients.clientSecret', 'Client secret'])}
        placeholder={t(PLACEHOLDERS[state])}
        hint={t(HINTS[state])}
        disabled={!canUpdate || removing}
      />
      {state !== 'none' && canUpdate ? (
        <TextButton
          startIcon={removing ? <ArrowClockwise /> : <Trash />}
          onClick={() => {
            onChange(`${name}.clientSecret`, '');
            onChange(`${name}.removeSecret`, !client.removeSecret);
          }}
        >
          {removing
            ? t(['settings.clients.secret.keep', 'Keep the stored secret'])
            : t(['settings.clients.secret.remove', 'Remove the stored secret'])}
        </TextButton>
      ) : null}
    </>
  );
};
