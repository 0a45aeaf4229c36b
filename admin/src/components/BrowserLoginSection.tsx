import { Field, TextInput } from '@strapi/design-system';
import { Duplicate } from '@strapi/icons';
import { useClipboard, useNotification } from '@strapi/strapi/admin';
import { useIntl } from 'react-intl';

import type { Source } from '../pages/Settings/settingsForm';
import { getTranslation } from '../utils/getTranslation';

import { AppRedirectsField } from './AppRedirectsField';
import { Section } from './Section';

interface BrowserLoginSectionProps {
  source: Source;
  callbackUrl: string;
  canUpdate: boolean;
}

/** The browser login (Login Kit for Web): the callback to register at TikTok, and where apps get users back. */
export const BrowserLoginSection = ({ source, callbackUrl, canUpdate }: BrowserLoginSectionProps) => {
  const { formatMessage } = useIntl();
  const t = (id: string, defaultMessage: string) => formatMessage({ id: getTranslation(id), defaultMessage });

  return (
    <Section
      title={t('settings.browserLogin.title', 'Browser login')}
      description={t(
        'settings.browserLogin.description',
        "For Expo, React Native and web apps that sign users in on TikTok's web page (Login Kit for Web). TikTok sends the browser back to this server, which sends it on to your app with a short-lived login code."
      )}
      source={source}
    >
      <CallbackUrlField callbackUrl={callbackUrl} />
      <AppRedirectsField canUpdate={canUpdate} />
    </Section>
  );
};

/** Read-only, and copyable by anyone who may see the page: it is what an admin pastes into TikTok's portal. */
const CallbackUrlField = ({ callbackUrl }: { callbackUrl: string }) => {
  const { formatMessage } = useIntl();
  const { toggleNotification } = useNotification();
  const { copy } = useClipboard();
  const t = (id: string, defaultMessage: string) => formatMessage({ id: getTranslation(id), defaultMessage });

  const copyUrl = async () => {
    const copied = await copy(callbackUrl);
    toggleNotification(
      copied
        ? { type: 'success', message: t('settings.browserLogin.callbackUrl.copied', 'Callback URL copied') }
        : { type: 'danger', message: t('settings.browserLogin.callbackUrl.copyFailed', 'The callback URL could not be copied') }
    );
  };

  return (
    <Field.Root
      name="callbackUrl"
      hint={t(
        'settings.browserLogin.callbackUrl.hint',
        "Register this URL as a redirect URI of each TikTok client, in TikTok's developer portal (Login Kit for Web). It is built from server.url in config/server: set that to this server's public URL."
      )}
      maxWidth="64rem"
    >
      <Field.Label>{t('settings.browserLogin.callbackUrl', 'Callback URL')}</Field.Label>
      <TextInput
        value={callbackUrl}
        readOnly
        endAction={
          <Field.Action label={t('settings.browserLogin.callbackUrl.copy', 'Copy the callback URL')} onClick={copyUrl}>
            <Duplicate />
          </Field.Action>
        }
      />
      <Field.Hint />
    </Field.Root>
  );
};
