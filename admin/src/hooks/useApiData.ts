import * as React from 'react';

import { useFetchClient } from '@strapi/strapi/admin';

import { useErrorNotification } from './useErrorNotification';

/**
 * GETs `url` with `params`, again whenever they change, and shows a failure as a notification. An
 * answer that comes after a newer request was sent is dropped.
 */
export const useApiData = <TData>(url: string, params: Record<string, string> = {}) => {
  const { get } = useFetchClient();
  const notifyError = useErrorNotification();
  const [data, setData] = React.useState<TData | null>(null);
  const [failed, setFailed] = React.useState(false);
  // By value: callers pass a new object at every render.
  const query = JSON.stringify(params);

  React.useEffect(() => {
    let active = true;
    get<TData>(url, { params: JSON.parse(query) })
      .then(({ data: answer }) => active && setData(answer))
      .catch((error: unknown) => {
        if (!active) return;
        setFailed(true);
        notifyError(error);
      });
    return () => {
      active = false;
    };
  }, [get, notifyError, url, query]);

  return { data, setData, failed };
};
