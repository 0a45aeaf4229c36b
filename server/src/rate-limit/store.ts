import { Stores } from 'koa2-ratelimit';

/** What a store tells the limiter after counting a request: the bucket's count and when it resets. */
export interface RateLimitHit {
  counter: number;
  /** When the bucket resets: a timestamp in milliseconds, or a Date. */
  dateEnd: number | Date;
}

/** The limiter's options a store sees; `interval` is in milliseconds by then. */
export interface RateLimitStoreOptions {
  interval: number;
  max: number;
  [option: string]: unknown;
}

/**
 * A koa2-ratelimit store: counts the requests of one bucket (`key`) in the current window. Any object
 * with these three methods will do; the plugin wraps it in its own koa2-ratelimit `Store`.
 */
export interface RateLimitStore {
  incr(key: string, options: RateLimitStoreOptions, weight: number): Promise<RateLimitHit>;
  decrement(key: string, options: RateLimitStoreOptions, weight: number): unknown;
  saveAbuse(options: unknown): unknown;
}

/** The part of a node-redis client (`createClient()` from the `redis` package, 4 or later) the store uses. */
export interface RedisCommandClient {
  sendCommand(args: string[]): Promise<unknown>;
  /** node-redis' own flag: false while it is not connected (commands would wait in its offline queue). */
  readonly isReady?: boolean;
}

export interface RedisRateLimitStoreOptions {
  /** Put before every bucket key in Redis. Default `'ratelimit:'`. */
  prefix?: string;
}

/**
 * One round trip, atomic (Redis runs a script alone): count the hit, and start the window on the first
 * one (or on a key that lost its expiry). Answers the count and the milliseconds left in the window.
 */
const INCR_SCRIPT = `
local counter = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
return { counter, ttl }`;

/** Takes a hit back, without bringing back a bucket that expired meanwhile. */
const DECR_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.call('DECRBY', KEYS[1], ARGV[1])
end
return 0`;

export class RedisNotReadyError extends Error {
  readonly code = 'REDIS_NOT_READY';

  constructor() {
    super('the Redis client is not connected');
    this.name = 'RedisNotReadyError';
  }
}

const toInteger = (value: unknown) => {
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(number)) throw new TypeError('unexpected answer from Redis');
  return number;
};

class RedisRateLimitStore extends Stores.Store implements RateLimitStore {
  constructor(
    private readonly client: RedisCommandClient,
    private readonly prefix: string
  ) {
    super();
  }

  private send(script: string, key: string, ...args: number[]) {
    // A disconnected client would queue the command until it reconnects: refuse at once instead.
    if (this.client.isReady === false) return Promise.reject(new RedisNotReadyError());
    return this.client.sendCommand(['EVAL', script, '1', `${this.prefix}${key}`, ...args.map(String)]);
  }

  async incr(key: string, options: RateLimitStoreOptions, weight: number): Promise<RateLimitHit> {
    const reply = await this.send(INCR_SCRIPT, key, weight, options.interval);
    if (!Array.isArray(reply) || reply.length !== 2) throw new TypeError('unexpected answer from Redis');
    return { counter: toInteger(reply[0]), dateEnd: Date.now() + toInteger(reply[1]) };
  }

  async decrement(key: string, _options: RateLimitStoreOptions, weight: number) {
    await this.send(DECR_SCRIPT, key, weight);
  }

  saveAbuse() {}
}

/**
 * A rate-limit store shared by every Strapi process through Redis, for the plugin's `rateLimit.store`
 * option. `client` is a node-redis client the app created and connects (`createClient({ url })`).
 * Each bucket is one Redis key, `<prefix><bucket>`, holding the count and expiring with its window.
 */
export const redisRateLimitStore = (client: RedisCommandClient, { prefix = 'ratelimit:' }: RedisRateLimitStoreOptions = {}): RateLimitStore =>
  new RedisRateLimitStore(client, prefix);
