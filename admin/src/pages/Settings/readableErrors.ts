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
export function withoutPathPrefix<TError extends { details?: unknown }>(error: TError): TError {
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
