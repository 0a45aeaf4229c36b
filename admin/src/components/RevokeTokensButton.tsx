import { useFetchClient, useNotification } from '@strapi/strapi/admin';
import { useIntl } from 'react-intl';

import { useErrorNotification } from '../hooks/useErrorNotification';
import { revokeUrl, type Identity, type RevokeResponse } from '../pages/Accounts/accountsApi';
import { getTranslation } from '../utils/getTranslation';

import { ConfirmButton } from './ConfirmButton';

interface RevokeTokensButtonProps {
  identityId: number;
  clientKey: string;
  onRevoked: (identity: Identity) => void;
}

/** Revokes one client's stored tokens of a TikTok account at TikTok, and deletes them, once confirmed. */
export const RevokeTokensButton = ({ identityId, clientKey, onRevoked }: RevokeTokensButtonProps) => {
  const { formatMessage } = useIntl();
  const { toggleNotification } = useNotification();
  const notifyError = useErrorNotification();
  const { post } = useFetchClient();

  const revoke = async () => {
    try {
      const { data } = await post<RevokeResponse>(revokeUrl(identityId), { clientKey });
      onRevoked(data.data.identity);
      toggleNotification({
        type: 'success',
        message: formatMessage({ id: getTranslation('accounts.revoked'), defaultMessage: 'TikTok tokens revoked and deleted' }),
      });
    } catch (error) {
      notifyError(error);
    }
  };

  return (
    <ConfirmButton
      label={formatMessage({ id: getTranslation('accounts.revoke'), defaultMessage: 'Revoke tokens' })}
      description={formatMessage(
        {
          id: getTranslation('accounts.revoke.confirm'),
          defaultMessage:
            'The TikTok tokens this server keeps for client {clientKey} are revoked at TikTok and deleted. If TikTok does not confirm the revoke, they are deleted anyway. The user stays signed in to your app.',
        },
        { clientKey }
      )}
      onConfirm={revoke}
    />
  );
};
