/**
 * The login rate limit shared through Redis: the store on its own, then two Strapi processes sharing
 * one Redis, as behind a load balancer. Runs with `npm run test:redis` only, which starts the
 * redis-server (TIKTOK_TEST_REDIS_URL, with a password) whose process the last tests pause and stop:
 * they stay in this one file, last. Each Strapi process has its own SQLite file: the limiter needs no
 * shared database.
 */
import { createClient } from 'redis';
import supertest from 'supertest';

import { createTestDatabase, type TestDatabase } from '../support/database';
import { FakeTikTok, type FakeAccount } from '../support/fake-tiktok';
import { startStrapiChild, stopStrapiChild, type StrapiChild } from '../support/strapi-child';
import { redisRateLimitStore } from '../../server/src/rate-limit/store';

const REDIS_URL = process.env.TIKTOK_TEST_REDIS_URL ?? '';
const REDIS_PID = Number(process.env.TIKTOK_TEST_REDIS_PID);
const MAX = 6;
const INTERVAL_MS = 60_000;
/** A login waits at most the store's deadline (300 ms) for Redis; this bounds the whole request. */
const BOUNDED_MS = 2000;
const FAILURE_LOG = "The login rate limit's shared store failed";

interface StrapiProcess extends StrapiChild {
  database: TestDatabase;
}

let tiktok: FakeTikTok;
let account: FakeAccount;
let redis: ReturnType<typeof createClient>;
/** Two processes sharing the Redis store, and two counting in their own memory. */
let shared: StrapiProcess[] = [];
let local: StrapiProcess[] = [];

async function startProcess(env: Record<string, string>): Promise<StrapiProcess> {
  const database = await createTestDatabase();
  const started = await startStrapiChild({
    ...database.env,
    LOG_LEVEL: 'warn',
    UP_RATELIMIT_ENABLED: 'true',
    UP_RATELIMIT_MAX: String(MAX),
    UP_RATELIMIT_INTERVAL_MS: String(INTERVAL_MS),
    // Each test picks its client IPs with X-Forwarded-For.
    SERVER_PROXY: 'true',
    TIKTOK_API_BASE_URL: tiktok.url,
    ...env,
  });
  return { ...started, database };
}

beforeAll(async () => {
  if (!REDIS_URL || !REDIS_PID) throw new Error('tests/redis/ needs the redis-server that `npm run test:redis` starts');
  tiktok = await FakeTikTok.start();
  account = tiktok.addAccount();
  redis = createClient({ url: REDIS_URL });
  // Once the last test stops the server, the client keeps reconnecting and reports each failure here.
  redis.on('error', () => {});
  await redis.connect();
  const withRedis = { TIKTOK_RATE_LIMIT_REDIS_URL: REDIS_URL };
  [shared, local] = [
    await Promise.all([startProcess(withRedis), startProcess(withRedis)]),
    await Promise.all([startProcess({}), startProcess({})]),
  ];
}, 120_000);

afterAll(async () => {
  await Promise.all([...shared, ...local].map(stopStrapiChild));
  await Promise.all([...shared, ...local].map(({ database }) => database.drop()));
  // The last test stopped the server: the client gives up reconnecting.
  if (redis?.isOpen) redis.destroy();
  await tiktok?.close();
});

describe('redisRateLimitStore on a real Redis', () => {
  const options = { interval: INTERVAL_MS, max: MAX };
  let second: ReturnType<typeof createClient>;
  beforeAll(async () => {
    second = createClient({ url: REDIS_URL });
    second.on('error', () => {});
    await second.connect();
  });
  afterAll(() => second?.destroy());

  it('counts 50 concurrent hits through two connections as 1 to 50, each once, in a window of interval ms', async () => {
    const stores = [redisRateLimitStore(redis, { prefix: 'store-test:' }), redisRateLimitStore(second, { prefix: 'store-test:' })];

    const hits = await Promise.all(Array.from({ length: 50 }, (_, i) => stores[i % 2].incr('concurrent', options, 1)));

    expect(hits.map((hit) => hit.counter).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(await redis.get('store-test:concurrent')).toBe('50');
    const ttl = await redis.pTTL('store-test:concurrent');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(INTERVAL_MS);
  });

  it('takes a hit back only from a bucket that still exists, keeping its window', async () => {
    const store = redisRateLimitStore(redis, { prefix: 'store-test:' });
    await store.incr('decrement', options, 3);

    await store.decrement('decrement', options, 1);
    await store.decrement('gone', options, 1);

    expect(await redis.get('store-test:decrement')).toBe('2');
    expect(await redis.pTTL('store-test:decrement')).toBeGreaterThan(0);
    expect(await redis.exists('store-test:gone')).toBe(0);
  });

  it('gives a bucket that lost its expiry a new window on its next hit', async () => {
    await redis.set('store-test:no-expiry', '5');

    const hit = await redisRateLimitStore(redis, { prefix: 'store-test:' }).incr('no-expiry', options, 1);

    expect(hit.counter).toBe(6);
    expect(await redis.pTTL('store-test:no-expiry')).toBeGreaterThan(0);
  });
});

let lastIp = 0;
/** A client IP no earlier request used: a fresh bucket. */
const freshIp = () => `198.51.100.${(lastIp += 1)}`;
const keyOf = (ip: string) => `ratelimit:tiktok-auth-mobile:login|${ip}`;

const login = (to: StrapiProcess, ip: string) =>
  supertest(to.url).post('/api/tiktok-auth-mobile/connect').set('X-Forwarded-For', ip).send({ access_token: tiktok.issueAccessToken(account) });

/** `count` logins from `ip`, one after the other, alternating between `processes`; their statuses. */
async function alternate(processes: StrapiProcess[], ip: string, count: number) {
  const statuses: number[] = [];
  for (let i = 0; i < count; i += 1) statuses.push((await login(processes[i % processes.length], ip)).status);
  return statuses;
}

const countOf = (statuses: number[], status: number) => statuses.filter((value) => value === status).length;

it('lets exactly max logins of one IP through across both processes; the rest are 429 on either', async () => {
  const ip = freshIp();
  const before = tiktok.counters.userInfo;

  const statuses = await alternate(shared, ip, 2 * MAX + 4);

  expect(statuses).toEqual([...Array(MAX).fill(200), ...Array(MAX + 4).fill(429)]);
  // A refused login never reached TikTok.
  expect(tiktok.counters.userInfo - before).toBe(MAX);
  expect(await redis.get(keyOf(ip))).toBe(String(2 * MAX + 4));
  const ttl = await redis.pTTL(keyOf(ip));
  expect(ttl).toBeGreaterThan(0);
  expect(ttl).toBeLessThanOrEqual(INTERVAL_MS);
});

it('without the Redis store, the same two processes let 2 × max through (each counts alone)', async () => {
  const ip = freshIp();
  const before = tiktok.counters.userInfo;

  const statuses = await alternate(local, ip, 2 * MAX + 4);

  expect(countOf(statuses, 200)).toBe(2 * MAX);
  expect(tiktok.counters.userInfo - before).toBe(2 * MAX);
  expect(await redis.exists(keyOf(ip))).toBe(0);
});

it('keeps one bucket per client IP', async () => {
  const [first, second] = [freshIp(), freshIp()];

  const spent = await alternate(shared, first, MAX + 1);
  const other = await alternate(shared, second, 2);

  expect(spent).toEqual([...Array(MAX).fill(200), 429]);
  expect(other).toEqual([200, 200]);
  expect(await redis.get(keyOf(first))).toBe(String(MAX + 1));
  expect(await redis.get(keyOf(second))).toBe('2');
});

it('lets exactly max through a burst of 40 concurrent logins split across both processes', async () => {
  const ip = freshIp();
  const before = tiktok.counters.userInfo;

  const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => login(shared[i % 2], ip)));

  const statuses = answers.map((res) => res.status);
  expect(countOf(statuses, 200)).toBe(MAX);
  expect(countOf(statuses, 429)).toBe(40 - MAX);
  expect(tiktok.counters.userInfo - before).toBe(MAX);
  expect(await redis.get(keyOf(ip))).toBe('40');
});

/** Per process: `MAX + 1` logins from a fresh IP, each timed; their statuses and the slowest. */
async function loginsPerProcess(processes: StrapiProcess[]) {
  return Promise.all(
    processes.map(async (to) => {
      const ip = freshIp();
      const statuses: number[] = [];
      let slowestMs = 0;
      for (let i = 0; i <= MAX; i += 1) {
        const started = Date.now();
        statuses.push((await login(to, ip)).status);
        slowestMs = Math.max(slowestMs, Date.now() - started);
      }
      return { statuses, slowestMs };
    })
  );
}

const failureLines = (to: StrapiProcess) => to.output().split('\n').filter((line) => line.includes(FAILURE_LOG));

it('with Redis not answering, logins answer within a bounded time, counted per process, and each process logs the failure once, without the URL or password', async () => {
  process.kill(REDIS_PID, 'SIGSTOP');
  let results;
  try {
    results = await loginsPerProcess(shared);
  } finally {
    process.kill(REDIS_PID, 'SIGCONT');
  }

  for (const { statuses, slowestMs } of results) {
    expect(statuses).toEqual([...Array(MAX).fill(200), 429]);
    expect(slowestMs).toBeLessThan(BOUNDED_MS);
  }
  const { password, port } = new URL(REDIS_URL);
  for (const to of shared) {
    const lines = failureLines(to);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('(TIMEOUT)');
    for (const secret of [password, port, 'redis://', REDIS_URL]) expect(lines[0]).not.toContain(secret);
  }
});

it('with Redis stopped, logins still answer within a bounded time, counted per process, with no second log line within the minute', async () => {
  process.kill(REDIS_PID, 'SIGKILL');

  const results = await loginsPerProcess(shared);

  for (const { statuses, slowestMs } of results) {
    expect(statuses).toEqual([...Array(MAX).fill(200), 429]);
    expect(slowestMs).toBeLessThan(BOUNDED_MS);
  }
  for (const to of shared) expect(failureLines(to)).toHaveLength(1);
});
