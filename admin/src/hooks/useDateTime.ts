import { useIntl } from 'react-intl';

/** Formats an ISO date as a short date and time in the admin's locale; '—' for none. */
export const useDateTime = () => {
  const { formatDate } = useIntl();
  return (value: string | null) => (value ? formatDate(value, { dateStyle: 'medium', timeStyle: 'short' }) : '—');
};
