import type { Context, Next } from 'koa';
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { RateLimit, Stores, type RateLimitOptions } from 'koa2-ratelimit';

import type { PluginConfig } from '../config';
import { PLUGIN_ID } from '../constants';
import { withDeadline } from '../utils/deadline';
import { getPluginConfig } from '../utils/plugin-config';
import type { RateLimitHit, RateLimitStore, RateLimitStoreOptions } from './store';

/** How long a login waits for the shared store before it counts in this process's memory instead. */
export const STORE_DEADLINE_MS = 300;
/** The shared store's failures are logged at most this often (per process). */
const FAILURE_LOG_INTERVAL_MS = 60_000;

/** Every TikTok login request of one client IP counts in this one bucket. */
const bucketOf = (ctx: Context) => `${PLUGIN_ID}:login|${ctx.request.ip}`;

/** A short, credential-free name for what went wrong: an error code or class, never a message. */
const describeFailure = (error: unknown) => {
  const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown };
  if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,40}$/.test(code)) return code;
  return typeof name === 'string' && /^\w{1,40}$/.test(name) ? name : 'unknown error';
};

class StoreTimeoutError extends Error {
  readonly code = 'TIMEOUT';
}

/** `promise`, or a rejection once `ms` have passed. */
const within = <T>(ms: number, promise: Promise<T>) =>
  withDeadline(
    ms,
    ({ signal }) =>
      new Promise<T>((resolve, reject) => {
        signal.addEventListener('abort', () => reject(new StoreTimeoutError(`no answer within ${ms} ms`)));
        promise.then(resolve, reject);
      })
  );

/**
 * The limiter's store: the app's shared store (Redis), given `deadlineMs` to answer. When it fails or
 * is late, the request is counted in this process's memory instead (fail open to the per-process
 * limit), and the failure is logged at most once a minute. Being koa2-ratelimit's own `Store`, it
 * passes the limiter's `instanceof` check whatever copy of koa2-ratelimit the shared store came from.
 */
export class FallbackStore extends Stores.Store {
  private readonly memory = new Stores.Memory();
  private lastLoggedAt = -Infinity;

  constructor(
    private readonly shared: RateLimitStore,
    private readonly logError: (message: string) => void,
    private readonly deadlineMs = STORE_DEADLINE_MS,
    private readonly now: () => number = Date.now
  ) {
    super();
  }

  private report(error: unknown) {
    const now = this.now();
    if (now - this.lastLoggedAt < FAILURE_LOG_INTERVAL_MS) return;
    this.lastLoggedAt = now;
    this.logError(
      `[${PLUGIN_ID}] The login rate limit's shared store failed (${describeFailure(error)}): logins are counted per process until it answers again. Logged at most once a minute.`
    );
  }

  async incr(key: string, options: RateLimitStoreOptions, weight: number): Promise<RateLimitHit> {
    try {
      return await within(this.deadlineMs, Promise.resolve().then(() => this.shared.incr(key, options, weight)));
    } catch (error) {
      this.report(error);
      return this.memory.incr(key, options, weight);
    }
  }

  async decrement(key: string, options: RateLimitStoreOptions, weight: number) {
    try {
      await within(this.deadlineMs, Promise.resolve().then(() => this.shared.decrement(key, options, weight)));
    } catch (error) {
      this.report(error);
    }
  }

  saveAbuse(options: unknown) {
    Promise.resolve()
      .then(() => this.shared.saveAbuse(options))
      .catch(() => {});
  }
}

type Middleware = (ctx: Context, next: Next) => Promise<unknown>;

/** Options users-permissions' limiter takes from `plugin::users-permissions.ratelimit`. */
type UsersPermissionsRateLimit = RateLimitOptions & { enabled?: unknown; store?: RateLimitStore };

const definedOnly = <T extends object>(value: T) =>
  Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;

/**
 * Builds the login limiter from users-permissions' `ratelimit` config (its defaults, `enabled`,
 * `interval`, `max` and any other koa2-ratelimit option), then the plugin's own `rateLimit` option.
 */
export const createLoginLimiter = (strapi: Core.Strapi): Middleware => {
  const upConfig = (strapi.config.get('plugin::users-permissions.ratelimit') ?? {}) as UsersPermissionsRateLimit;
  // users-permissions limits unless `enabled` is set to anything but true.
  if ('enabled' in upConfig && upConfig.enabled !== true) return (_ctx, next) => next();

  const { enabled: _enabled, ...upOptions } = upConfig;
  const own: PluginConfig['rateLimit'] = getPluginConfig(strapi).rateLimit ?? {};
  const shared = own.store ?? upOptions.store;
  return RateLimit.middleware({
    // users-permissions' defaults when its config leaves these out.
    interval: { min: 5 },
    max: 5,
    ...upOptions,
    ...definedOnly({ max: own.max, interval: own.interval }),
    store: shared ? new FallbackStore(shared, (message) => strapi.log.error(message)) : new Stores.Memory(),
    keyGenerator: bucketOf,
    handler() {
      throw new errors.RateLimitError();
    },
  });
};
