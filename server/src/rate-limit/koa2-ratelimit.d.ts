/** The part of koa2-ratelimit (1.1.x, which ships no types) that the plugin uses. */
declare module 'koa2-ratelimit' {
  import type { Context, Next } from 'koa';
  type RateLimitHit = import('./store').RateLimitHit;
  type RateLimitStoreOptions = import('./store').RateLimitStoreOptions;

  export interface RateLimitOptions {
    /** Milliseconds, or an object such as `{ min: 5 }`. */
    interval?: number | Record<string, number>;
    max?: number;
    store?: Store;
    keyGenerator?: (ctx: Context) => string | Promise<string>;
    handler?: (ctx: Context) => void;
    [option: string]: unknown;
  }

  /** koa2-ratelimit refuses any store that is not an instance of this class (its own copy of it). */
  export abstract class Store {
    abstract incr(key: string, options: RateLimitStoreOptions, weight: number): Promise<RateLimitHit>;
    abstract decrement(key: string, options: RateLimitStoreOptions, weight: number): unknown;
    abstract saveAbuse(options: unknown): unknown;
  }

  /** `middleware(options)` builds one limiter (`new RateLimit(options)`) and answers its middleware. */
  export const RateLimit: {
    middleware(options: RateLimitOptions): (ctx: Context, next: Next) => Promise<unknown>;
  };

  export const Stores: {
    Memory: new () => Store;
    Store: typeof Store;
  };
}
