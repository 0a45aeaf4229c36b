import type { Core } from '@strapi/strapi';

/**
 * users-permissions' own rate limiter (config `plugin::users-permissions.ratelimit`), keyed per IP.
 * On routes it does not know, that limiter also keys its buckets by `body.email`: a caller could get
 * a fresh bucket per request by varying it. This route has no use for an email, so it is dropped.
 */
const rateLimit: Core.MiddlewareFactory = (config, { strapi }) => {
  const limiter = strapi.middleware('plugin::users-permissions.rateLimit')(config, { strapi });
  if (!limiter) throw new Error('users-permissions rateLimit middleware is not available');

  return async (ctx, next) => {
    const body: unknown = ctx.request.body;
    if (typeof body === 'object' && body !== null && 'email' in body) {
      const { email: _ignored, ...rest } = body as Record<string, unknown>;
      ctx.request.body = rest;
    }
    return limiter(ctx, next);
  };
};

export default rateLimit;
