import { validateYupSchema, yup } from '@strapi/utils';

import { string } from './settings';

/** Longer searches are refused: no union_id, name, username or email comes near it. */
export const MAX_SEARCH_LENGTH = 100;
export const MAX_PAGE_SIZE = 100;
const DEFAULT_PAGE_SIZE = 10;

/**
 * A query-string or route-param integer from 1 to `max`, as the text it arrives as: digits only, so
 * '1e3', ' 2' and '2.0' are refused. (A non-strict yup number would cast them, and non-strict objects
 * silently drop unknown keys.)
 */
const integerText = (max: number) =>
  string(16)
    .matches(/^\d+$/, '${path} must be an integer')
    .test('range', `\${path} must be from 1 to ${max}`, (value) => value === undefined || (Number(value) >= 1 && Number(value) <= max));

const listQuerySchema = yup
  .object({ page: integerText(1_000_000), pageSize: integerText(MAX_PAGE_SIZE), q: string(MAX_SEARCH_LENGTH) })
  .noUnknown(true, 'unknown query parameter(s): ${unknown}');

const idSchema = yup.object({ id: integerText(Number.MAX_SAFE_INTEGER).required('${path} is required') });

const revokeOptionsSchema = yup
  .object({ clientKey: string(128).min(1, '${path} must not be empty') })
  .noUnknown(true, 'unknown field(s): ${unknown}')
  .typeError('${path} must be an object');

export interface ListQuery {
  page: number;
  pageSize: number;
  /** Trimmed, and not empty. */
  q?: string;
}

export const validateListQuery = async (query: unknown): Promise<ListQuery> => {
  const { page, pageSize, q } = await validateYupSchema(listQuerySchema)(query ?? {});
  return { page: Number(page ?? 1), pageSize: Number(pageSize ?? DEFAULT_PAGE_SIZE), q: q?.trim() || undefined };
};

export const validateIdentityId = async (params: unknown): Promise<number> => Number((await validateYupSchema(idSchema)(params)).id);

/** The client whose tokens to revoke, from the body or the query string; none means every client. */
export const validateRevokeOptions = async (body: unknown, query: unknown): Promise<{ clientKey?: string }> => {
  const validate = validateYupSchema(revokeOptionsSchema);
  const [fromBody, fromQuery] = await Promise.all([validate(body ?? {}), validate(query ?? {})]);
  return { clientKey: fromBody.clientKey ?? fromQuery.clientKey };
};
