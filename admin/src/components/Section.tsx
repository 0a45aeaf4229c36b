import * as React from 'react';

import { Box, Flex, Typography } from '@strapi/design-system';
import { Information } from '@strapi/icons';
import { useIntl } from 'react-intl';

import type { Source } from '../pages/Settings/settingsForm';
import { getTranslation } from '../utils/getTranslation';

interface SectionProps {
  title: string;
  description: React.ReactNode;
  /** Where the section's current value comes from: a note is shown when it is the config file. */
  source: Source;
  action?: React.ReactNode;
  children: React.ReactNode;
}

/** One white card of the settings page, like the other settings pages of the admin panel. */
export const Section = ({ title, description, source, action, children }: SectionProps) => (
  <Box
    tag="section"
    background="neutral0"
    hasRadius
    shadow="filterShadow"
    paddingTop={6}
    paddingBottom={6}
    paddingLeft={7}
    paddingRight={7}
  >
    <Flex direction="column" alignItems="stretch" gap={4}>
      <Flex justifyContent="space-between" alignItems="flex-start" gap={4}>
        <Flex direction="column" alignItems="stretch" gap={1}>
          <Typography variant="delta" tag="h2">
            {title}
          </Typography>
          <Typography variant="pi" textColor="neutral600">
            {description}
          </Typography>
        </Flex>
        {action}
      </Flex>
      {source === 'config' ? <ConfigSourceNote /> : null}
      {children}
    </Flex>
  </Box>
);

const ConfigSourceNote = () => {
  const { formatMessage } = useIntl();
  return (
    <Flex gap={2} alignItems="flex-start" data-testid="config-source-note">
      <Box paddingTop="2px" color="primary600">
        <Information width="1.2rem" height="1.2rem" fill="primary600" aria-hidden />
      </Box>
      <Typography variant="pi" textColor="neutral600">
        {formatMessage({
          id: getTranslation('settings.source.config'),
          defaultMessage:
            'Currently set in the config file (config/plugins). Saving this page stores it here, and the value in the file is then no longer used.',
        })}
      </Typography>
    </Flex>
  );
};
