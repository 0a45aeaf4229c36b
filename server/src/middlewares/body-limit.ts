import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';

/** A login body holds a token or a code and a verifier: a few hundred bytes. */
const MAX_BODY_BYTES = 8 * 1024;

/**
 * Strapi's body parser accepts up to its app-wide limit (1 MB by default); a login body far larger
 * than any real one is refused here, before any TikTok call.
 */
const bodyLimit: Core.MiddlewareFactory = () => async (ctx, next) => {
  const declared = ctx.request.length;
  const size = declared ?? Buffer.byteLength(JSON.stringify(ctx.request.body ?? null) ?? '');
  if (size > MAX_BODY_BYTES) {
    throw new errors.PayloadTooLargeError(`The request body must be at most ${MAX_BODY_BYTES} bytes`, {
      code: 'payload_too_large',
    });
  }
  return next();
};

export default bodyLimit;
