import * as React from 'react';

import { isFetchError, useAPIErrorHandler, useNotification } from '@strapi/strapi/admin';
import { useIntl } from 'react-intl';

/** Shows a failed request as a danger notification: the API's message, or a generic one. */
export const useErrorNotification = () => {
  const { formatMessage } = useIntl();
  const { toggleNotification } = useNotification();
  const { formatAPIError } = useAPIErrorHandler();

  return React.useCallback(
    (error: unknown) =>
      toggleNotification({
        type: 'danger',
        message: isFetchError(error)
          ? formatAPIError(error)
          : formatMessage({ id: 'notification.error', defaultMessage: 'An error occurred' }),
      }),
    [toggleNotification, formatAPIError, formatMessage]
  );
};
