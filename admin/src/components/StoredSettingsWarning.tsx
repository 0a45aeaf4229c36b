import { Box, Flex, Typography } from '@strapi/design-system';
import { WarningCircle } from '@strapi/icons';
import { useIntl } from 'react-intl';

import { getTranslation } from '../utils/getTranslation';

/** Shown while the saved settings are not valid: what logins do meanwhile, and how to repair it. */
export const StoredSettingsWarning = () => {
  const { formatMessage } = useIntl();
  return (
    <Box background="warning100" borderColor="warning200" hasRadius padding={5} role="alert" data-testid="stored-settings-invalid">
      <Flex gap={3} alignItems="flex-start">
        <Box paddingTop="2px" color="warning600">
          <WarningCircle width="1.6rem" height="1.6rem" fill="warning600" aria-hidden />
        </Box>
        <Flex direction="column" alignItems="stretch" gap={1}>
          <Typography fontWeight="bold" textColor="neutral800">
            {formatMessage({ id: getTranslation('settings.storedInvalid.title'), defaultMessage: 'The saved settings are invalid' })}
          </Typography>
          <Typography textColor="neutral800">
            {formatMessage({
              id: getTranslation('settings.storedInvalid.body'),
              defaultMessage:
                'The database holds a value that is not valid settings (the server log says what is wrong). Until you save, logins use the config file values shown here, with access tokens refused. Save to replace the invalid value.',
            })}
          </Typography>
        </Flex>
      </Flex>
    </Box>
  );
};
