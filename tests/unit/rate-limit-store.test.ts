/**
 * The login limiter's store pieces that need no Redis: the fallback to the per-process count when the
 * shared store fails or is late, its throttled log, and what the Redis store sends and reads.
 */
import { FallbackStore } from '../../server/src/rate-limit/limiter';
import { redisRateLimitStore, type RateLimitStore, type RedisCommandClient } from '../../server/src/rate-limit/store';

const OPTIONS = { interval: 60_000, max: 5 };
const DEADLINE_MS = 20;

const storeOf = (incr: RateLimitStore['incr']): RateLimitStore => ({ incr, decrement: async () => {}, saveAbuse: () => {} });

/** A FallbackStore over `shared` whose clock the test sets, and the lines it logged. */
function fallbackOver(shared: RateLimitStore) {
  const logged: string[] = [];
  const clock = { now: 1_000_000 };
  const store = new FallbackStore(shared, (line) => logged.push(line), DEADLINE_MS, () => clock.now);
  return { store, logged, clock };
}

let counter = 0;
const keyOf = () => `test|203.0.113.${(counter += 1)}`;

describe('FallbackStore', () => {
  it('answers with the shared store while it answers in time', async () => {
    const { store, logged } = fallbackOver(storeOf(async () => ({ counter: 42, dateEnd: 123 })));
    await expect(store.incr(keyOf(), OPTIONS, 1)).resolves.toEqual({ counter: 42, dateEnd: 123 });
    expect(logged).toEqual([]);
  });

  it('counts in memory when the shared store does not answer within the deadline, and logs that once a minute', async () => {
    const { store, logged, clock } = fallbackOver(storeOf(() => new Promise(() => {})));
    const key = keyOf();

    const started = Date.now();
    const hits = [await store.incr(key, OPTIONS, 1), await store.incr(key, OPTIONS, 1)];

    expect(Date.now() - started).toBeLessThan(1000);
    expect(hits.map((hit) => hit.counter)).toEqual([1, 2]);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('(TIMEOUT)');

    clock.now += 59_999;
    await store.incr(key, OPTIONS, 1);
    expect(logged).toHaveLength(1);
    clock.now += 1;
    await store.incr(key, OPTIONS, 1);
    expect(logged).toHaveLength(2);
  });

  it("logs a failing store's error code, never its message (which may hold a URL or a password)", async () => {
    const secretUrl = 'redis://:s3cret-pass@cache.internal:6379';
    const failure = Object.assign(new Error(`connect ECONNREFUSED ${secretUrl}`), { code: 'ECONNREFUSED' });
    const { store, logged } = fallbackOver(storeOf(() => Promise.reject(failure)));

    await expect(store.incr(keyOf(), OPTIONS, 1)).resolves.toMatchObject({ counter: 1 });

    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('(ECONNREFUSED)');
    for (const secret of ['s3cret-pass', 'cache.internal', 'redis://']) expect(logged[0]).not.toContain(secret);
  });

  it('falls back when the shared store throws instead of rejecting', async () => {
    const { store, logged } = fallbackOver(
      storeOf(() => {
        throw new TypeError('not a promise');
      })
    );
    await expect(store.incr(keyOf(), OPTIONS, 1)).resolves.toMatchObject({ counter: 1 });
    expect(logged[0]).toContain('(TypeError)');
  });
});

describe('redisRateLimitStore', () => {
  const clientAnswering = (reply: unknown, isReady = true) => {
    const sent: string[][] = [];
    const client: RedisCommandClient = {
      isReady,
      sendCommand: async (args) => {
        sent.push(args);
        return reply;
      },
    };
    return { client, sent };
  };

  it('counts with one EVAL on the prefixed key, and reads the count and the time left as numbers', async () => {
    const { client, sent } = clientAnswering(['3', '59000']);
    const before = Date.now();

    const hit = await redisRateLimitStore(client, { prefix: 'app:' }).incr('tiktok-auth-mobile:login|203.0.113.1', OPTIONS, 2);

    expect(sent).toHaveLength(1);
    expect(sent[0]).toEqual(['EVAL', expect.any(String), '1', 'app:tiktok-auth-mobile:login|203.0.113.1', '2', '60000']);
    expect(hit.counter).toBe(3);
    expect(Number(hit.dateEnd) - before).toBeGreaterThanOrEqual(59_000);
    expect(Number(hit.dateEnd) - before).toBeLessThan(60_000);
  });

  it("uses 'ratelimit:' as the default prefix", async () => {
    const { client, sent } = clientAnswering([1, 60000]);
    await redisRateLimitStore(client).incr('bucket', OPTIONS, 1);
    expect(sent[0][3]).toBe('ratelimit:bucket');
  });

  it('refuses at once, sending nothing, while the client is not connected', async () => {
    const { client, sent } = clientAnswering([1, 60000], false);
    await expect(redisRateLimitStore(client).incr('bucket', OPTIONS, 1)).rejects.toMatchObject({ code: 'REDIS_NOT_READY' });
    expect(sent).toEqual([]);
  });

  it('refuses an answer that is not a count and a time', async () => {
    for (const reply of [null, 'OK', [1], ['x', 1]]) {
      await expect(redisRateLimitStore(clientAnswering(reply).client).incr('bucket', OPTIONS, 1)).rejects.toThrow('unexpected answer from Redis');
    }
  });
});
