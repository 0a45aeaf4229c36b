import { Field, Flex, Toggle } from '@strapi/design-system';
import { useField } from '@strapi/strapi/admin';
import { useIntl } from 'react-intl';

import type { Source } from '../pages/Settings/settingsForm';
import { getTranslation } from '../utils/getTranslation';

import { Section } from './Section';

export const AccessTokenSection = ({ source, canUpdate }: { source: Source; canUpdate: boolean }) => {
  const { formatMessage } = useIntl();
  const { value, error, onChange } = useField<boolean>('allowAccessToken');

  return (
    <Section
      title={formatMessage({ id: getTranslation('settings.accessToken.title'), defaultMessage: 'Access-token login' })}
      description={formatMessage({
        id: getTranslation('settings.accessToken.description'),
        defaultMessage: 'Whether an app may log in by sending a TikTok access token instead of an authorization code.',
      })}
      source={source}
    >
      <Field.Root
        name="allowAccessToken"
        error={error}
        hint={formatMessage({
          id: getTranslation('settings.accessToken.hint'),
          defaultMessage:
            'An access token issued to any TikTok app is accepted, so anyone holding a token for a TikTok account can sign in as that account. The authorization-code login binds every login to your own client. Turn this off once your apps send codes.',
        })}
        maxWidth="64rem"
      >
        <Flex direction="column" alignItems="stretch" gap={1}>
          <Field.Label>
            {formatMessage({
              id: getTranslation('settings.accessToken.label'),
              defaultMessage: 'Accept TikTok access tokens',
            })}
          </Field.Label>
          <Flex maxWidth="32rem" direction="column" alignItems="stretch">
            <Toggle
              name="allowAccessToken"
              checked={value === true}
              disabled={!canUpdate}
              onChange={() => onChange('allowAccessToken', !value)}
              onLabel={formatMessage({ id: getTranslation('settings.accessToken.on'), defaultMessage: 'Accepted' })}
              offLabel={formatMessage({ id: getTranslation('settings.accessToken.off'), defaultMessage: 'Refused' })}
            />
          </Flex>
          <Field.Hint />
          <Field.Error />
        </Flex>
      </Field.Root>
    </Section>
  );
};
