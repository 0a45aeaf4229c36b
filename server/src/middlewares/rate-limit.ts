import type { Core } from '@strapi/strapi';

import { createLoginLimiter } from '../rate-limit/limiter';

const limiters = new WeakMap<Core.Strapi, ReturnType<typeof createLoginLimiter>>();

/**
 * The login rate limit of `/connect`, `/authorize`, `/link` and GraphQL's `tiktokConnect`: one bucket
 * per client IP, whatever form of the path Koa routed (`/connect/`, `/CONNECT`) and whatever the body
 * holds (users-permissions' limiter keys unknown routes by `body.email` too, which a caller could vary
 * to get a fresh bucket per request). Configured by users-permissions' `ratelimit` and the plugin's
 * `rateLimit` option; built once per Strapi instance and shared by every route that uses it, so that
 * they count in one store.
 */
const rateLimit: Core.MiddlewareFactory = (_config, { strapi }) => {
  let limiter = limiters.get(strapi);
  if (!limiter) {
    limiter = createLoginLimiter(strapi);
    limiters.set(strapi, limiter);
  }
  return limiter;
};

export default rateLimit;
