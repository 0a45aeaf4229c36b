interface ValidationErrorItem {
  path: Array<string | number>;
  message: string;
}

/** The path as yup writes it at the start of its messages: `clients[0].redirectUri`. */
const yupPath = (path: ValidationErrorItem['path']) =>
  path.map((part, index) => (/^\d+$/.test(String(part)) ? `[${part}]` : `${index ? '.' : ''}${part}`)).join('');

/**
 * The API's messages start with the field's path ("clients[0].redirectUri must be…"). Shown next to
 * the field, the path is noise: drop it. The notification keeps the full message.
 */
function withoutPathPrefix<TError extends { details?: unknown }>(error: TError): TError {
  const items = (error.details as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(items)) return error;
  const errors = (items as ValidationErrorItem[]).map((item) => {
    const prefix = `${yupPath(item.path ?? [])} `;
    if (typeof item.message !== 'string' || !item.message.startsWith(prefix)) return item;
    const rest = item.message.slice(prefix.length);
    return { ...item, message: rest.charAt(0).toUpperCase() + rest.slice(1) };
  });
  return { ...error, details: { ...(error.details as object), errors } };
}

/** Lists of strings the form holds as row objects: an entry's error belongs to its row's `url`. */
const ROW_LISTS = new Set(['appRedirects']);

/** The API's validation error made ready for the form: messages without their paths, paths of the form. */
export function toFormError<TError extends { details?: unknown }>(error: TError): TError {
  const readable = withoutPathPrefix(error);
  const items = (readable.details as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(items)) return readable;
  const errors = (items as ValidationErrorItem[]).map((item) =>
    item.path?.length === 2 && ROW_LISTS.has(String(item.path[0])) ? { ...item, path: [...item.path, 'url'] } : item
  );
  return { ...readable, details: { ...(readable.details as object), errors } };
}
