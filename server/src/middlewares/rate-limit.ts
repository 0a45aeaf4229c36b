import type { Context } from 'koa';
import type { Core } from '@strapi/strapi';

import { PLUGIN_ID } from '../constants';

/** Every TikTok login request of one client IP counts in this one bucket. */
const bucketOf = (ctx: Context) => `${PLUGIN_ID}:login|${ctx.request.ip}`;

/**
 * users-permissions' own rate limiter (config `plugin::users-permissions.ratelimit`), with its key
 * chosen here: one bucket per client IP, whatever form of the path Koa routed (`/connect/`,
 * `/CONNECT`) and whatever the body holds (the limiter keys unknown routes by `body.email` too, which
 * a caller could vary to get a fresh bucket per request).
 */
const rateLimit: Core.MiddlewareFactory = (config, { strapi }) => {
  const limiter = strapi.middleware('plugin::users-permissions.rateLimit')({ ...config, keyGenerator: bucketOf }, { strapi });
  if (!limiter) throw new Error('users-permissions rateLimit middleware is not available');
  return limiter;
};

export default rateLimit;
