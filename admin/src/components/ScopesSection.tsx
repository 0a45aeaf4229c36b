import { Box, Checkbox, Field, Flex, Typography } from '@strapi/design-system';
import { useField } from '@strapi/strapi/admin';
import { useIntl, type MessageDescriptor } from 'react-intl';

import { REQUIRED_SCOPE, SCOPES, type Scope, type Source } from '../pages/Settings/settingsForm';
import { getTranslation } from '../utils/getTranslation';

import { Section } from './Section';

const DESCRIPTIONS: Record<Scope, MessageDescriptor> = {
  'user.info.basic': {
    id: getTranslation('settings.scopes.basic'),
    defaultMessage: 'open_id, union_id, display name and avatar. Every login needs it.',
  },
  'user.info.profile': {
    id: getTranslation('settings.scopes.profile'),
    defaultMessage: 'TikTok username and verified badge: the TikTok username becomes the Strapi username.',
  },
  'user.info.stats': {
    id: getTranslation('settings.scopes.stats'),
    defaultMessage: 'Follower, following, like and video counts. The plugin does not read them today.',
  },
};

export const ScopesSection = ({ source, canUpdate }: { source: Source; canUpdate: boolean }) => {
  const { formatMessage } = useIntl();
  const { value, error, onChange } = useField<string[]>('scopes');
  const selected = value ?? [];

  const toggle = (scope: Scope, checked: boolean) => {
    const next = new Set(selected);
    if (checked) next.add(scope);
    else next.delete(scope);
    onChange('scopes', SCOPES.filter((item) => item === REQUIRED_SCOPE || next.has(item)));
  };

  return (
    <Section
      title={formatMessage({ id: getTranslation('settings.scopes.title'), defaultMessage: 'Scopes' })}
      description={formatMessage({
        id: getTranslation('settings.scopes.description'),
        defaultMessage:
          'The TikTok scopes a login asks for. Your TikTok app must have them approved, and the mobile apps must request the same ones.',
      })}
      source={source}
    >
      <Field.Root name="scopes" error={error}>
        <Flex direction="column" alignItems="stretch" gap={4}>
          {SCOPES.map((scope) => (
            <Flex key={scope} direction="column" alignItems="stretch" gap={1}>
              <Checkbox
                name={`scopes.${scope}`}
                checked={scope === REQUIRED_SCOPE || selected.includes(scope)}
                disabled={!canUpdate || scope === REQUIRED_SCOPE}
                onCheckedChange={(checked) => toggle(scope, checked === true)}
              >
                <Typography fontWeight="semiBold">{scope}</Typography>
              </Checkbox>
              <Box paddingLeft={6}>
                <Typography variant="pi" textColor="neutral600">
                  {formatMessage(DESCRIPTIONS[scope])}
                </Typography>
              </Box>
            </Flex>
          ))}
        </Flex>
        <Field.Error />
      </Field.Root>
    </Section>
  );
};
