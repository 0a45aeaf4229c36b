/**
 * `npm run bench`: how fast /api/tiktok-auth-mobile/connect logs users in, next to Strapi's own
 * GET /api/users/me ("verify a credential, load a user, answer") on the same process.
 *
 * Strapi (the playground app, NODE_ENV=production, no admin panel, logging at Strapi's default
 * `http` level to a file, the login rate limiter on with its max raised so it never trips, a
 * temporary SQLite file) runs in a child process (scripts/bench-server.ts) that counts knex's SQL
 * statements; this process runs the TikTok emulator and autocannon. For each kind of request and each
 * emulator latency it reports requests/s, p50/p99 latency, non-2xx answers, the ratio to users/me,
 * TikTok calls and connections, and SQL statements per request; the exact counts come from a few
 * sequential requests. Then: the added latency of a login at 1 and 4 connections, a CPU profile of the
 * returning login summarized by component, and a soak of mixed logins with memory sampled after GC.
 *
 * Options: --json (only JSON on stdout), --queries (the SQL of one login of each kind),
 * --duration=<s> per run (5), --connections=<n> (20), --warmup=<s> per kind (2), --db-dir=<folder>
 * for the temporary SQLite file (the system's temporary folder; SQLite syncs every write transaction
 * to disk, so the disk under that folder shows in every login that writes), --only=<kinds> to run
 * some of me,returning,new,code, --cpu-prof=<folder> to write a V8 CPU profile of the Strapi process,
 * --soak=<s> for the soak's length (60; 0 leaves it out), --users=<n> for the email users the app
 * already has before the TikTok logins begin (100000; a login must not get slower with each of them),
 * --rounds=<n> for the rounds of runs with TikTok at 0 ms (3; the ratio targets take their median).
 * Progress goes to stderr, results to stdout.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

import { FakeTikTok, type FakeAccount } from '../tests/support/fake-tiktok';
import type { BenchCommand, BenchMessage } from './bench-server';

const ROOT = path.resolve(__dirname, '..');
const CONNECT_PATH = '/api/tiktok-auth-mobile/connect';
const ME_PATH = '/api/users/me';
/** Tokens `<prefix><n>` are new TikTok users (FakeTikTok.acceptAnyToken). */
const NEW_USER_PREFIX = 'bench-new-';
const RETURNING_ACCOUNTS = 5;
const SEQUENTIAL_REQUESTS = 5;
const LATENCIES_MS = [0, 50];
/** The added-latency runs: TikTok at this latency, at these numbers of connections. */
const ADDED_LATENCY_TIKTOK_MS = 50;
const ADDED_LATENCY_CONNECTIONS = [1, 4];
/** How often the soak samples the Strapi process's memory (after a full GC). */
const SOAK_SAMPLE_MS = 5000;
/** users-permissions' limiter stays on, with a max no run reaches. */
const UNREACHED_RATE_LIMIT = '1000000000';
const BENCH_CLIENT = {
  clientKey: 'aw-bench-client',
  clientSecret: 'bench-fake-secret-not-a-real-one',
  redirectUri: 'https://bench.example/tiktok/callback',
};

type Kind = 'me' | 'returning' | 'new' | 'code';
const KINDS: Kind[] = ['me', 'returning', 'new', 'code'];
const LABELS: Record<Kind, string> = {
  me: 'users/me (reference)',
  returning: 'returning login, token',
  new: 'new-user login, token',
  code: 'returning login, code',
};
/** TikTok calls a login of this kind needs: user/info, plus oauth/token for a code. */
const EXPECTED_TIKTOK_CALLS: Record<Kind, number> = { me: 0, returning: 1, new: 1, code: 2 };

interface LoadRun {
  name: string;
  kind: Kind;
  tiktokLatencyMs: number;
  durationSeconds: number;
  requestsPerSecond: number;
  /** Of 2xx answers, as autocannon measures them (1 ms resolution). */
  latencyMs: { p50: number; p99: number; average: number; max: number };
  requests: { sent: number; completed: number; non2xx: number; errors: number; timeouts: number };
  /** Which round of the runs at this TikTok latency (1, 2, …): TikTok at 0 ms runs several. */
  round: number;
  /** This run's requests/s over the mean of the users/me runs just before and just after it. */
  ratioToUsersMe: number | null;
  /** Averages over every request sent during the run. */
  tiktokCallsPerRequest: number;
  dbQueriesPerRequest: number;
  /** Of those, BEGIN/COMMIT/ROLLBACK/savepoint statements. */
  transactionControlPerRequest: number;
  /** TCP connections Strapi opened to the emulator during the run. */
  tiktokConnectionsOpened: number;
  /** CPU time of the Strapi process per request sent (user + system, all its threads). */
  strapiCpuMsPerRequest: number;
  /**
   * CPU this process (the TikTok emulator and autocannon) used during the run, in percent of one CPU:
   * near 100, the load generator rather than Strapi limits the requests per second.
   */
  benchCpuPercent: number;
}

interface ExactCount {
  name: string;
  kind: Kind;
  statuses: number[];
  tiktokCalls: number[];
  /** Every SQL statement knex ran for the request, BEGIN and COMMIT included. */
  dbQueries: number[];
  /** Of those, BEGIN/COMMIT/ROLLBACK/savepoint statements. */
  transactionControl: number[];
  /** Of those, the transaction that wrote the login record. */
  loginRecord: number[];
  /** Reads of the settings store: the in-process copies are read again once a second. */
  settingsReads: number[];
  /** The other statements: reads (SELECT) and writes (INSERT, UPDATE, DELETE). */
  reads: number[];
  writes: number[];
  tiktokConnectionsOpened: number;
}

/** A login's latency at a few connections: what it adds to the TikTok calls it waits for. */
interface AddedLatency {
  name: string;
  kind: Kind;
  connections: number;
  tiktokLatencyMs: number;
  requestsPerSecond: number;
  p50Ms: number;
  /** p50 minus the TikTok calls' latency (one per call). */
  addedP50Ms: number;
}

/** Where the CPU time of the returning login went. */
interface ProfileSummary {
  name: string;
  logins: number;
  cpuMsPerLogin: number;
  components: Array<{ component: string; msPerLogin: number; percent: number }>;
}

/** The soak: memory after a full GC, sampled while mixed logins run. */
interface Soak {
  durationSeconds: number;
  connections: number;
  requests: { completed: number; non2xx: number; errors: number };
  samples: Array<{ atSeconds: number; rssMb: number; heapUsedMb: number }>;
}

interface Target {
  description: string;
  target: string;
  actual: string;
  met: boolean;
}

const parseOptions = () =>
  parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      queries: { type: 'boolean', default: false },
      duration: { type: 'string', default: '5' },
      connections: { type: 'string', default: '20' },
      warmup: { type: 'string', default: '2' },
      'db-dir': { type: 'string' },
      only: { type: 'string' },
      'cpu-prof': { type: 'string' },
      soak: { type: 'string', default: '60' },
      users: { type: 'string', default: '100000' },
      rounds: { type: 'string', default: '3' },
    },
    strict: true,
  }).values;

const positive = (name: string, raw: string, integer = false) => {
  const value = Number(raw);
  if (!(value > 0) || (integer && !Number.isInteger(value))) {
    throw new Error(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got "${raw}"`);
  }
  return value;
};

const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

// ── The Strapi child process ────────────────────────────────────────────────────────────────────

type Counters = Extract<BenchMessage, { type: 'counters' }>;

class StrapiChild {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (message: Counters) => void; reject: (error: Error) => void }>();
  readonly exited: Promise<number | null>;
  port = 0;

  constructor(readonly process: ChildProcess) {
    this.exited = new Promise((resolve) =>
      process.once('exit', (code, signal) => {
        for (const { reject } of this.pending.values()) reject(new Error(`Strapi exited (${signal ?? `code ${code}`})`));
        this.pending.clear();
        resolve(code);
      })
    );
    process.on('message', (message: BenchMessage) => {
      if (message.type === 'counters') {
        this.pending.get(message.id)?.resolve(message);
        this.pending.delete(message.id);
      }
    });
  }

  get running() {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  async ready(timeoutMs: number) {
    const ready = new Promise<number>((resolve) => {
      const onMessage = (message: BenchMessage) => {
        if (message.type !== 'ready') return;
        this.process.off('message', onMessage);
        resolve(message.port);
      };
      this.process.on('message', onMessage);
    });
    const failed = this.exited.then((code) => {
      throw new Error(`Strapi exited (code ${code}) before it was ready: see its output above`);
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Strapi was not ready after ${timeoutMs / 1000} s`)), timeoutMs);
    });
    try {
      this.port = await Promise.race([ready, failed, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  command(type: BenchCommand['type'], { record = false, gc = false, users = 0 } = {}) {
    const id = this.nextId++;
    return new Promise<Counters>((resolve, reject) => {
      if (!this.running) return reject(new Error('Strapi is not running'));
      this.pending.set(id, { resolve, reject });
      const command: BenchCommand = { id, type, record, gc, users };
      this.process.send(command);
    });
  }

  async stop() {
    if (!this.running) return;
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}

// ── Setup and teardown ──────────────────────────────────────────────────────────────────────────

const state: { child?: StrapiChild; fake?: FakeTikTok; tmpDir?: string; cannon?: autocannon.Instance } = {};

async function cleanup() {
  state.cannon?.stop();
  await state.child?.stop();
  await state.fake?.close();
  if (state.tmpDir) fs.rmSync(state.tmpDir, { recursive: true, force: true });
  state.child = state.fake = state.tmpDir = undefined;
}

process.on('exit', () => {
  // Last resort (an exception past main's cleanup): nothing asynchronous can run here.
  if (state.child?.running) state.child.process.kill('SIGKILL');
  if (state.tmpDir) fs.rmSync(state.tmpDir, { recursive: true, force: true });
});
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    progress(`${signal}: stopping Strapi and removing the temporary database…`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function startStrapi(fake: FakeTikTok, tmpDir: string, cpuProfDir?: string) {
  const child = fork(path.join(__dirname, 'bench-server.ts'), [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx', '--expose-gc', ...(cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(cpuProfDir)}`] : [])],
    // Strapi logs every request at its default level, as in production: to a file, not to this terminal.
    stdio: ['ignore', fs.openSync(path.join(tmpDir, 'strapi.log'), 'a'), 'pipe', 'ipc'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      STRAPI_TELEMETRY_DISABLED: 'true',
      STRAPI_STARTUP_LOG: 'false',
      LOG_LEVEL: 'http',
      LOG_SILENT: 'false',
      UP_RATELIMIT_ENABLED: 'true',
      UP_RATELIMIT_MAX: UNREACHED_RATE_LIMIT,
      DATABASE_CLIENT: 'sqlite',
      DATABASE_FILENAME: path.join(tmpDir, 'data.db'),
      BENCH_TMP_DIR: tmpDir,
      HOST: '127.0.0.1',
      PORT: '0',
      TIKTOK_API_BASE_URL: fake.url,
      TIKTOK_TIMEOUT_MS: '5000',
      TIKTOK_SCOPES: 'user.info.basic',
      TIKTOK_ALLOW_ACCESS_TOKEN: 'true',
      TIKTOK_CLIENTS: JSON.stringify([BENCH_CLIENT]),
    },
  });
  child.stderr?.pipe(process.stderr);
  const strapi = new StrapiChild(child);
  state.child = strapi;
  await strapi.ready(120_000);
  return strapi;
}

// ── Requests ────────────────────────────────────────────────────────────────────────────────────

interface Fixtures {
  fake: FakeTikTok;
  /** Access tokens of the accounts that log in with a token… */
  tokens: string[];
  /** …and other accounts, that log in with a code: an app uses one flow. */
  codeAccounts: FakeAccount[];
  jwt: string;
}

/**
 * The floor of a TikTok call's latency on this machine: plain Node HTTP GETs of user/info, one at a time on a
 * kept-alive connection, from the bench's process to the emulator, with no Strapi and no axios in between.
 */
async function bareCallLatency(fixtures: Fixtures, { latencyMs, durationSeconds }: { latencyMs: number; durationSeconds: number }) {
  const agent = new http.Agent({ keepAlive: true });
  const get = () =>
    new Promise<void>((resolve, reject) => {
      http
        .get(`${fixtures.fake.url}/v2/user/info/?fields=open_id,union_id`, { agent, headers: { Authorization: `Bearer ${fixtures.tokens[0]}` } }, (res) => {
          res.resume();
          res.on('end', resolve);
        })
        .on('error', reject);
    });
  fixtures.fake.latencyMs = latencyMs;
  const times: number[] = [];
  try {
    for (const until = Date.now() + durationSeconds * 1000; Date.now() < until; ) {
      const start = performance.now();
      await get();
      times.push(performance.now() - start);
    }
  } finally {
    fixtures.fake.latencyMs = 0;
    agent.destroy();
  }
  times.sort((a, b) => a - b);
  return { calls: times.length, p50Ms: round(times[Math.floor(times.length / 2)], 1) };
}

let newUserCounter = 0;
let returningCounter = 0;
let codeCounter = 0;

/** The body of the next login of this kind: each call is a different login. */
const nextLoginBody = (kind: Exclude<Kind, 'me'>, { fake, tokens, codeAccounts }: Omit<Fixtures, 'jwt'>) => {
  switch (kind) {
    case 'returning':
      return JSON.stringify({ access_token: tokens[returningCounter++ % tokens.length] });
    case 'new':
      return JSON.stringify({ access_token: `${NEW_USER_PREFIX}${newUserCounter++}` });
    case 'code': {
      const account = codeAccounts[codeCounter++ % codeAccounts.length];
      const { code, codeVerifier } = fake.authorize(account, { clientKey: BENCH_CLIENT.clientKey });
      return JSON.stringify({ code, code_verifier: codeVerifier, client_key: BENCH_CLIENT.clientKey });
    }
  }
};

const autocannonRequest = (kind: Kind, fixtures: Fixtures): autocannon.Request =>
  kind === 'me'
    ? { method: 'GET', path: ME_PATH, headers: { authorization: `Bearer ${fixtures.jwt}` } }
    : {
        method: 'POST',
        path: CONNECT_PATH,
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => ({ ...request, body: nextLoginBody(kind, fixtures) }),
      };

async function send(base: string, kind: Kind, fixtures: Omit<Fixtures, 'jwt'> & { jwt?: string }) {
  const res =
    kind === 'me'
      ? await fetch(`${base}${ME_PATH}`, { headers: { authorization: `Bearer ${fixtures.jwt}` } })
      : await fetch(`${base}${CONNECT_PATH}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: nextLoginBody(kind, fixtures),
        });
  const text = await res.text();
  return { status: res.status, text };
}

const expectOk = ({ status, text }: { status: number; text: string }, what: string) => {
  if (status !== 200) throw new Error(`${what} answered HTTP ${status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as { jwt?: string };
};

// ── Measuring ───────────────────────────────────────────────────────────────────────────────────

/** One autocannon run; state.cannon lets Ctrl-C stop it. */
const cannonade = (opts: autocannon.Options) =>
  new Promise<autocannon.Result>((resolve, reject) => {
    state.cannon = autocannon(opts, (error: unknown, result) => {
      state.cannon = undefined;
      if (error) reject(error instanceof Error ? error : new Error(String(error)));
      else resolve(result);
    });
  });

/** TikTok connections opened since Strapi started: the fake's counter is zeroed before each phase. */
const tiktokTotals = { connections: 0, calls: 0 };

const resetFake = (fake: FakeTikTok) => {
  tiktokTotals.connections += fake.counters.connections;
  tiktokTotals.calls += fake.counters.userInfo + fake.counters.token;
  fake.resetCounters();
};

/** Waits until the in-flight requests of a finished run are done: no new query or TikTok call. */
async function settle(child: StrapiChild, fake: FakeTikTok) {
  const snapshot = async () => `${(await child.command('read')).queries}/${fake.counters.userInfo}/${fake.counters.token}`;
  let last = await snapshot();
  for (let i = 0; i < 40; i += 1) {
    await sleep(150);
    const now = await snapshot();
    if (now === last) return;
    last = now;
  }
  progress('warning: Strapi was still busy 6 s after the run ended');
}

async function exactCounts(base: string, kind: Kind, fixtures: Fixtures) {
  const { fake } = fixtures;
  const child = state.child!;
  const count: ExactCount = {
    name: LABELS[kind],
    kind,
    statuses: [],
    tiktokCalls: [],
    dbQueries: [],
    transactionControl: [],
    loginRecord: [],
    settingsReads: [],
    reads: [],
    writes: [],
    tiktokConnectionsOpened: 0,
  };
  let statements: string[] = [];
  fake.latencyMs = 0;
  for (let i = 0; i < SEQUENTIAL_REQUESTS; i += 1) {
    resetFake(fake);
    await child.command('reset', { record: i === 0 });
    const { status } = await send(base, kind, fixtures);
    const read = await child.command('read');
    if (i === 0) statements = read.statements;
    count.statuses.push(status);
    count.dbQueries.push(read.queries);
    count.transactionControl.push(read.transactionControl);
    count.loginRecord.push(read.loginRecord);
    count.settingsReads.push(read.settingsReads);
    count.reads.push(read.reads);
    count.writes.push(read.writes);
    count.tiktokCalls.push(fake.counters.userInfo + fake.counters.token);
    count.tiktokConnectionsOpened += fake.counters.connections;
  }
  return { count, statements };
}

async function loadRun(
  base: string,
  kind: Kind,
  fixtures: Fixtures,
  { latencyMs, duration, connections }: { latencyMs: number; duration: number; connections: number }
) {
  const { fake } = fixtures;
  const child = state.child!;
  fake.latencyMs = latencyMs;
  resetFake(fake);
  await child.command('reset');

  const benchCpuAtStart = process.cpuUsage();
  const result = await cannonade({ url: base, connections, duration, requests: [autocannonRequest(kind, fixtures)] });
  const benchCpu = process.cpuUsage(benchCpuAtStart);
  await settle(child, fake);

  const { queries, transactionControl, cpuMs } = await child.command('read');
  const sent = result.requests.sent;
  const perRequest = (value: number, digits = 2) => round(value / Math.max(sent, 1), digits);
  const run: Omit<LoadRun, 'round'> = {
    name: LABELS[kind],
    kind,
    tiktokLatencyMs: latencyMs,
    durationSeconds: result.duration,
    requestsPerSecond: round(result.requests.total / result.duration, 1),
    latencyMs: {
      p50: result.latency.p50,
      p99: result.latency.p99,
      average: round(result.latency.average),
      max: result.latency.max,
    },
    requests: {
      sent,
      completed: result.requests.total,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
    },
    ratioToUsersMe: null,
    tiktokCallsPerRequest: perRequest(fake.counters.userInfo + fake.counters.token, 3),
    dbQueriesPerRequest: perRequest(queries),
    transactionControlPerRequest: perRequest(transactionControl),
    tiktokConnectionsOpened: fake.counters.connections,
    strapiCpuMsPerRequest: perRequest(cpuMs),
    benchCpuPercent: round(((benchCpu.user + benchCpu.system) / 1000 / (result.duration * 1000)) * 100, 0),
  };
  fake.latencyMs = 0;
  return run;
}

/** A load run of one kind with V8's CPU profiler on in the Strapi process, summarized by component. */
async function profileRun(base: string, kind: Kind, fixtures: Fixtures, { duration, connections }: { duration: number; connections: number }) {
  const child = state.child!;
  fixtures.fake.latencyMs = 0;
  await child.command('profile-start');
  const result = await cannonade({ url: base, connections, duration, requests: [autocannonRequest(kind, fixtures)] });
  await settle(child, fixtures.fake);
  const { profile } = await child.command('profile-stop');
  if (!profile) throw new Error('the Strapi process sent no profile');
  const logins = result.requests.sent;
  return {
    name: LABELS[kind],
    logins,
    cpuMsPerLogin: round(profile.totalMs / logins, 3),
    components: profile.components
      .filter((c) => c.ms > 0)
      .sort((a, b) => b.ms - a.ms)
      .map((c) => ({ component: c.component, msPerLogin: round(c.ms / logins, 3), percent: round((100 * c.ms) / profile.totalMs, 1) })),
  } satisfies ProfileSummary;
}

/** Every kind of login at once, refused ones included, with the Strapi process's memory sampled after a full GC. */
async function soakRun(base: string, fixtures: Fixtures, { duration, connections }: { duration: number; connections: number }) {
  const child = state.child!;
  fixtures.fake.latencyMs = 0;
  const bodies = [
    () => nextLoginBody('returning', fixtures),
    () => nextLoginBody('code', fixtures),
    () => nextLoginBody('new', fixtures),
    () => JSON.stringify({ access_token: `not-a-token-${randomUUID()}` }),
    () => `{"code": "${randomUUID()}", "code_verifier": `,
  ];
  let next = 0;
  const sample = async (startedAt: number) => {
    const { memory } = await child.command('read', { gc: true });
    return { atSeconds: Math.round((Date.now() - startedAt) / 1000), rssMb: round(memory.rss / MB, 1), heapUsedMb: round(memory.heapUsed / MB, 1) };
  };
  const startedAt = Date.now();
  const samples = [await sample(startedAt)];
  const sampler = setInterval(() => {
    void sample(startedAt).then((s) => samples.push(s), () => undefined);
  }, SOAK_SAMPLE_MS);
  let result: autocannon.Result;
  try {
    result = await cannonade({
      url: base,
      connections,
      duration,
      requests: [
        {
          method: 'POST',
          path: CONNECT_PATH,
          headers: { 'content-type': 'application/json' },
          setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length]() }),
        },
      ],
    });
  } finally {
    clearInterval(sampler);
  }
  await settle(child, fixtures.fake);
  samples.push(await sample(startedAt));
  return {
    durationSeconds: duration,
    connections,
    requests: { completed: result.requests.total, non2xx: result.non2xx, errors: result.errors },
    samples,
  } satisfies Soak;
}

async function warmUp(base: string, kind: Kind, fixtures: Fixtures, seconds: number, connections: number) {
  const result = await cannonade({ url: base, connections, duration: seconds, requests: [autocannonRequest(kind, fixtures)] });
  await settle(state.child!, fixtures.fake);
  if (result.non2xx || result.errors) {
    progress(`warning: the ${LABELS[kind]} warm-up had ${result.non2xx} non-2xx answers and ${result.errors} errors`);
  }
}

// ── Report ──────────────────────────────────────────────────────────────────────────────────────

const describeCounts = (values: number[]) => {
  const min = Math.min(...values);
  const max = Math.max(...values);
  return min === max ? String(min) : `${min}–${max}`;
};

const MB = 1024 * 1024;
/** Growth over the soak's second half that counts as levelled off. */
const SOAK_HEAP_GROWTH_MB = 5;
const SOAK_RSS_GROWTH_MB = 20;

const soakGrowth = (soak: Soak, key: 'rssMb' | 'heapUsedMb') => {
  const { samples } = soak;
  const half = samples.filter((sample) => sample.atSeconds >= soak.durationSeconds / 2);
  return half.length >= 2 ? round(half[half.length - 1][key] - half[0][key], 1) : 0;
};

function evaluateTargets(runs: LoadRun[], exact: ExactCount[], latencies: AddedLatency[], soak: Soak | null, connections: number): Target[] {
  const targets: Target[] = [];
  const run = (kind: Kind, latencyMs: number) => runs.find((r) => r.kind === kind && r.tiktokLatencyMs === latencyMs);
  for (const kind of ['returning', 'code'] as const) {
    const ratios = runs.flatMap((r) => (r.kind === kind && r.tiktokLatencyMs === 0 && r.ratioToUsersMe != null ? [r.ratioToUsersMe] : []));
    if (ratios.length) {
      const middle = median(ratios);
      targets.push({
        description: `${LABELS[kind]} @0 ms: requests/s vs users/me`,
        target: '≥ 1.40×',
        actual: ratios.length > 1 ? `${middle.toFixed(2)}× (median of ${ratios.map((r) => r.toFixed(2)).join(', ')})` : `${middle.toFixed(2)}×`,
        met: middle >= 1.4,
      });
    }
  }
  for (const latency of latencies.filter((l) => l.kind !== 'me')) {
    targets.push({
      description: `${latency.name}, ${latency.connections} connection(s): p50 added to TikTok's ${latency.tiktokLatencyMs} ms per call`,
      target: '≤ 3 ms',
      actual: `${latency.addedP50Ms} ms`,
      met: latency.addedP50Ms <= 3,
    });
  }
  for (const count of exact.filter((c) => c.kind !== 'me')) {
    const expected = EXPECTED_TIKTOK_CALLS[count.kind];
    targets.push({
      description: `${count.name}: TikTok calls per login (sequential)`,
      target: `${expected}`,
      actual: describeCounts(count.tiktokCalls),
      met: count.tiktokCalls.every((calls) => calls === expected),
    });
  }
  for (const r of runs.filter((r) => r.kind !== 'me')) {
    targets.push({
      description: `${r.name} @${r.tiktokLatencyMs} ms: TikTok calls per login (load)`,
      target: `${EXPECTED_TIKTOK_CALLS[r.kind]}`,
      actual: `${r.tiktokCallsPerRequest}`,
      met: Math.abs(r.tiktokCallsPerRequest - EXPECTED_TIKTOK_CALLS[r.kind]) < 0.005,
    });
    targets.push({
      description: `${r.name} @${r.tiktokLatencyMs} ms: TikTok connections opened`,
      target: `≤ ${connections}`,
      actual: `${r.tiktokConnectionsOpened}`,
      met: r.tiktokConnectionsOpened <= connections,
    });
  }
  for (const count of exact.filter((c) => c.kind === 'returning' || c.kind === 'code')) {
    targets.push({
      description: `${count.name}: reads and writes besides the login record and the settings (sequential)`,
      target: '1 read, 0 writes',
      actual: `${describeCounts(count.reads)} read(s), ${describeCounts(count.writes)} write(s)`,
      met: count.reads.every((reads) => reads === 1) && count.writes.every((writes) => writes === 0),
    });
  }
  for (const count of exact.filter((c) => c.kind === 'new')) {
    const statements = count.dbQueries.map((queries, i) => queries - count.loginRecord[i] - count.settingsReads[i]);
    targets.push({
      description: `${count.name}: SQL statements besides the login record and the settings (sequential)`,
      target: '≤ 8',
      actual: describeCounts(statements),
      met: Math.max(...statements) <= 8,
    });
  }
  if (soak) {
    targets.push(
      {
        description: `soak: heap after GC, growth over the second half`,
        target: `≤ ${SOAK_HEAP_GROWTH_MB} MB`,
        actual: `${soakGrowth(soak, 'heapUsedMb')} MB`,
        met: soakGrowth(soak, 'heapUsedMb') <= SOAK_HEAP_GROWTH_MB,
      },
      {
        description: `soak: RSS, growth over the second half`,
        target: `≤ ${SOAK_RSS_GROWTH_MB} MB`,
        actual: `${soakGrowth(soak, 'rssMb')} MB`,
        met: soakGrowth(soak, 'rssMb') <= SOAK_RSS_GROWTH_MB,
      }
    );
  }
  return targets;
}

const table = (header: string[], rows: string[][], rightAligned: Set<number>) => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (rightAligned.has(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '─'.repeat(w))), ...rows.map(line)].join('\n');
};

function textReport(report: Report) {
  const { config, runs, exact, targets, sql } = report;
  const out: string[] = [];
  out.push(
    `TikTok Auth Mobile benchmark: ${config.connections} connections, ${config.durationSeconds} s per run, ` +
      `NODE_ENV=production, SQLite (in ${config.sqliteFolder}) with ${config.otherUsers.toLocaleString('en')} email users, node ${config.node}, ${config.cpus} CPUs, ` +
      `CPUs ${config.cpuBusyBeforeStartPercent}% busy before the start`,
    ''
  );
  out.push(
    table(
      [
        'run',
        'TikTok',
        'round',
        'req/s',
        'p50 ms',
        'p99 ms',
        'non-2xx',
        'errors',
        'vs users/me',
        'TikTok calls/req',
        'TikTok conns',
        'queries/req',
        'Strapi CPU ms/req',
        'bench CPU',
      ],
      runs.map((r) => [
        r.name,
        `${r.tiktokLatencyMs} ms`,
        String(r.round),
        r.requestsPerSecond.toFixed(1),
        String(r.latencyMs.p50),
        String(r.latencyMs.p99),
        String(r.requests.non2xx),
        String(r.requests.errors),
        r.ratioToUsersMe === null ? '' : `${r.ratioToUsersMe.toFixed(2)}×`,
        r.tiktokCallsPerRequest.toFixed(2),
        String(r.tiktokConnectionsOpened),
        r.dbQueriesPerRequest.toFixed(2),
        r.strapiCpuMsPerRequest.toFixed(2),
        `${r.benchCpuPercent}%`,
      ]),
      new Set([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13])
    ),
    '  round: with TikTok at 0 ms the runs are repeated (--rounds), users/me between each round of logins;',
    '  req/s: answers per second; p50/p99: of 2xx answers; vs users/me: to the mean of the users/me runs just before and after;',
    '  TikTok calls and queries: per request sent;',
    '  TikTok conns: TCP connections Strapi opened to TikTok during the run; queries include BEGIN/COMMIT;',
    '  Strapi CPU: CPU time of the Strapi process (all threads) per request sent;',
    '  bench CPU: what the emulator and autocannon used of one CPU (near 100%, they limit the run, not Strapi).',
    '',
    `Exact counts (${SEQUENTIAL_REQUESTS} sequential requests of each kind, TikTok at 0 ms):`,
    table(
      ['request', 'HTTP', 'TikTok calls', 'SQL statements', 'BEGIN/COMMIT', 'login record', 'settings', 'other reads', 'other writes', 'TikTok conns opened'],
      exact.map((c) => [
        c.name,
        describeCounts(c.statuses),
        describeCounts(c.tiktokCalls),
        describeCounts(c.dbQueries),
        describeCounts(c.transactionControl),
        describeCounts(c.loginRecord),
        describeCounts(c.settingsReads),
        describeCounts(c.reads),
        describeCounts(c.writes),
        String(c.tiktokConnectionsOpened),
      ]),
      new Set([1, 2, 3, 4, 5, 6, 7, 8, 9])
    ),
    '  login record: the transaction that records logins (BEGIN, insert, prune, COMMIT), once a second for all of them;',
    '  settings: reads of the settings store (users/me: every request; a login: its in-process copy, once a second).',
    '',
    `Added latency (TikTok at ${ADDED_LATENCY_TIKTOK_MS} ms per call; users/me, which calls nothing, for Strapi's own share):`,
    table(
      ['request', 'connections', 'req/s', 'p50 ms', 'added to TikTok ms'],
      report.latencies.map((l) => [l.name, String(l.connections), l.requestsPerSecond.toFixed(1), String(l.p50Ms), String(l.addedP50Ms)]),
      new Set([1, 2, 3, 4])
    ),
    ...(report.bareCall
      ? [
          `  The floor of one TikTok call here: a plain Node HTTP GET to the emulator, one at a time, without Strapi or axios, ` +
            `took ${report.bareCall.p50Ms} ms at p50 (${round(report.bareCall.p50Ms - ADDED_LATENCY_TIKTOK_MS, 1)} ms over TikTok's ${ADDED_LATENCY_TIKTOK_MS}, ${report.bareCall.calls} calls).`,
        ]
      : []),
    '',
    ...report.profiles.flatMap((profile) => [
      `Where the time of a ${profile.name} goes (${profile.cpuMsPerLogin.toFixed(2)} ms per login, ${profile.logins} logins profiled at ${report.config.connections} connections, TikTok at 0 ms):`,
      table(
        ['component', 'ms per login', 'share'],
        profile.components.map((c) => [c.component, c.msPerLogin.toFixed(3), `${c.percent.toFixed(1)}%`]),
        new Set([1, 2])
      ),
      '',
    ]),
    ...(report.soak
      ? [
          `Soak: ${report.soak.durationSeconds} s of mixed logins (returning and new with a token, returning with a code, refused tokens, malformed bodies) at ${report.soak.connections} connections: ` +
            `${report.soak.requests.completed} answers, ${report.soak.requests.non2xx} non-2xx (the refused ones), ${report.soak.requests.errors} errors`,
          table(
            ['at s', 'RSS MB', 'heap after GC MB'],
            report.soak.samples.map((sample) => [String(sample.atSeconds), sample.rssMb.toFixed(1), sample.heapUsedMb.toFixed(1)]),
            new Set([0, 1, 2])
          ),
          '',
        ]
      : []),
    `TikTok connections Strapi opened in the whole bench: ${report.tiktok.connectionsOpened} ` +
      `(for ${report.tiktok.calls} TikTok calls)`,
    '',
    'Targets:',
    ...targets.map((t) => `  ${t.met ? 'met   ' : 'MISSED'}  ${t.description}: ${t.actual} (target ${t.target})`),
    ''
  );
  if (sql) {
    for (const [kind, statements] of Object.entries(sql)) {
      out.push(`SQL of one ${LABELS[kind as Kind]} (${statements.length} statements):`);
      statements.forEach((statement, i) => out.push(`  ${String(i + 1).padStart(2)}. ${statement}`));
      out.push('');
    }
  }
  out.push(`Bench time: ${report.elapsedSeconds} s (boot ${report.bootSeconds} s)`);
  return `${out.join('\n')}\n`;
}

interface Report {
  config: {
    connections: number;
    durationSeconds: number;
    warmupSecondsPerKind: number;
    tiktokLatenciesMs: number[];
    returningAccounts: number;
    /** Email users in the database before the TikTok logins began. */
    otherUsers: number;
    nodeEnv: 'production';
    database: 'sqlite';
    /** Where the temporary SQLite file was: the system's temporary folder unless --db-dir was given. */
    sqliteFolder: string;
    node: string;
    cpus: number;
    /** Share of all CPU time the machine spent busy in the second before the bench: other work skews the figures. */
    cpuBusyBeforeStartPercent: number;
  };
  /** Over the whole bench, setup and warm-up included. */
  tiktok: { connectionsOpened: number; calls: number };
  runs: LoadRun[];
  exact: ExactCount[];
  latencies: AddedLatency[];
  /** The floor: plain Node HTTP calls to the emulator at the added-latency runs' TikTok latency, without Strapi. */
  bareCall: { calls: number; p50Ms: number } | null;
  profiles: ProfileSummary[];
  soak: Soak | null;
  targets: Target[];
  sql?: Partial<Record<Kind, string[]>>;
  bootSeconds: number;
  elapsedSeconds: number;
}

/** How busy all CPUs together were over the next `ms` milliseconds, in percent. */
async function cpuBusyPercent(ms: number) {
  const sample = () =>
    os.cpus().reduce(
      (acc, { times }) => {
        const total = times.user + times.nice + times.sys + times.idle + times.irq;
        return { idle: acc.idle + times.idle, total: acc.total + total };
      },
      { idle: 0, total: 0 }
    );
  const before = sample();
  await sleep(ms);
  const after = sample();
  const total = after.total - before.total;
  return total > 0 ? Math.round((100 * (total - (after.idle - before.idle))) / total) : 0;
}

// ── Main ────────────────────────────────────────────────────────────────────────────────────────

async function main() {
  const started = Date.now();
  const options = parseOptions();
  const cpus = os.availableParallelism();
  const busyBefore = await cpuBusyPercent(1000);
  if (busyBefore > 25) {
    progress(`note: the machine is already ${busyBefore}% busy: expect lower, noisier figures`);
  }
  const duration = positive('duration', options.duration);
  const connections = positive('connections', options.connections, true);
  const warmupSeconds = positive('warmup', options.warmup);
  const soakSeconds = options.soak === '0' ? 0 : positive('soak', options.soak);
  const otherUsers = options.users === '0' ? 0 : positive('users', options.users, true);
  const rounds = positive('rounds', options.rounds, true);
  const kinds = options.only ? options.only.split(',') : KINDS;
  const unknownKind = kinds.find((kind) => !KINDS.includes(kind as Kind));
  if (unknownKind) throw new Error(`--only takes some of ${KINDS.join(',')}, got "${unknownKind}"`);
  const selected = KINDS.filter((kind) => kinds.includes(kind));

  if (!fs.existsSync(path.join(ROOT, 'dist', 'server'))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm run bench does)');
  }

  const dbParent = options['db-dir'] ?? os.tmpdir();
  if (!fs.statSync(dbParent, { throwIfNoEntry: false })?.isDirectory()) {
    throw new Error(`--db-dir must be an existing folder, got "${dbParent}"`);
  }
  const tmpDir = fs.mkdtempSync(path.join(dbParent, 'tiktok-auth-mobile-bench-'));
  state.tmpDir = tmpDir;
  const fake = await FakeTikTok.start();
  state.fake = fake;
  fake.rateLimitPerMinute = Number.POSITIVE_INFINITY;
  fake.acceptAnyToken(NEW_USER_PREFIX);
  fake.registerClient({ ...BENCH_CLIENT, redirectUris: [BENCH_CLIENT.redirectUri] });

  progress('starting Strapi (production mode, no admin panel)…');
  const child = await startStrapi(fake, tmpDir, options['cpu-prof']);
  const bootSeconds = round((Date.now() - started) / 1000, 1);
  const base = `http://127.0.0.1:${child.port}`;
  if (otherUsers > 0) {
    progress(`adding ${otherUsers.toLocaleString('en')} email users (an app's existing users)…`);
    await child.command('add-users', { users: otherUsers });
  }

  // Returning users: TikTok accounts that have logged in once, some with a token, others with a code.
  const tokens = Array.from({ length: RETURNING_ACCOUNTS }, () => fake.issueAccessToken(fake.addAccount()));
  const codeAccounts = Array.from({ length: RETURNING_ACCOUNTS }, () => fake.addAccount());
  const partial = { fake, tokens, codeAccounts };
  let jwt = '';
  for (let i = 0; i < RETURNING_ACCOUNTS; i += 1) {
    jwt ||= expectOk(await send(base, 'returning', partial), 'first token login').jwt ?? '';
    expectOk(await send(base, 'code', partial), 'first code login');
  }
  if (!jwt) throw new Error('the first login answered without a jwt');
  const fixtures: Fixtures = { ...partial, jwt };
  expectOk(await send(base, 'me', fixtures), 'users/me');
  expectOk(await send(base, 'new', fixtures), 'new-user login');

  progress(`warming up (${warmupSeconds} s of each kind)…`);
  for (const kind of selected) await warmUp(base, kind, fixtures, warmupSeconds, connections);

  progress('counting TikTok calls and SQL statements of sequential requests…');
  const exact: ExactCount[] = [];
  const sql: Partial<Record<Kind, string[]>> = {};
  for (const kind of ['returning', 'new', 'code', 'me'] as const) {
    const { count, statements } = await exactCounts(base, kind, fixtures);
    exact.push(count);
    sql[kind] = statements;
  }

  const runs: LoadRun[] = [];
  for (const latencyMs of LATENCIES_MS) {
    // users/me runs before and after each round of logins, and each ratio is to the mean of those two: a
    // virtual machine's neighbours can slow one five-second run down by a third. The ratio targets take
    // the median over the rounds at 0 ms.
    const roundsHere = latencyMs === 0 ? rounds : 1;
    const logins = selected.filter((kind) => kind !== 'me');
    let meBefore: LoadRun | undefined;
    for (let pass = 1; pass <= roundsHere; pass += 1) {
      const label = roundsHere > 1 ? `, round ${pass} of ${roundsHere}` : '';
      const run = async (kind: Kind) => {
        progress(`${LABELS[kind]} @${latencyMs}ms${label}…`);
        const result: LoadRun = { ...(await loadRun(base, kind, fixtures, { latencyMs, duration, connections })), round: pass };
        runs.push(result);
        return result;
      };
      if (selected.includes('me')) meBefore ??= await run('me');
      const loginRuns: LoadRun[] = [];
      for (const kind of logins) loginRuns.push(await run(kind));
      if (!meBefore) continue;
      const meAfter = await run('me');
      const meRps = (meBefore.requestsPerSecond + meAfter.requestsPerSecond) / 2;
      for (const login of loginRuns) login.ratioToUsersMe = meRps > 0 ? round(login.requestsPerSecond / meRps) : null;
      meBefore = meAfter;
    }
  }

  const latencies: AddedLatency[] = [];
  // users/me first: what Strapi's own pipeline takes at these connections, with no TikTok call at all.
  for (const kind of (['me', 'returning', 'code'] as const).filter((k) => selected.includes(k))) {
    for (const latencyConnections of ADDED_LATENCY_CONNECTIONS) {
      progress(`${LABELS[kind]} @${ADDED_LATENCY_TIKTOK_MS}ms, ${latencyConnections} connection(s)…`);
      const run = await loadRun(base, kind, fixtures, { latencyMs: ADDED_LATENCY_TIKTOK_MS, duration, connections: latencyConnections });
      latencies.push({
        name: LABELS[kind],
        kind,
        connections: latencyConnections,
        tiktokLatencyMs: ADDED_LATENCY_TIKTOK_MS,
        requestsPerSecond: run.requestsPerSecond,
        p50Ms: run.latencyMs.p50,
        addedP50Ms: run.latencyMs.p50 - EXPECTED_TIKTOK_CALLS[kind] * ADDED_LATENCY_TIKTOK_MS,
      });
    }
  }

  let bareCall: Report['bareCall'] = null;
  if (selected.some((kind) => kind === 'returning' || kind === 'code')) {
    progress(`a bare HTTP call to the emulator @${ADDED_LATENCY_TIKTOK_MS}ms…`);
    bareCall = await bareCallLatency(fixtures, { latencyMs: ADDED_LATENCY_TIKTOK_MS, durationSeconds: Math.min(duration, 3) });
  }

  const profiles: ProfileSummary[] = [];
  for (const kind of (['returning', 'code'] as const).filter((k) => selected.includes(k))) {
    progress(`profiling the ${LABELS[kind]} @0ms…`);
    profiles.push(await profileRun(base, kind, fixtures, { duration, connections }));
  }

  let soak: Soak | null = null;
  if (soakSeconds > 0) {
    progress(`soak: ${soakSeconds} s of mixed logins…`);
    soak = await soakRun(base, fixtures, { duration: soakSeconds, connections });
  }

  resetFake(fake);
  await cleanup();

  const report: Report = {
    config: {
      connections,
      durationSeconds: duration,
      warmupSecondsPerKind: warmupSeconds,
      tiktokLatenciesMs: LATENCIES_MS,
      returningAccounts: RETURNING_ACCOUNTS,
      otherUsers,
      nodeEnv: 'production',
      database: 'sqlite',
      sqliteFolder: options['db-dir'] ?? 'system temporary folder',
      node: process.version,
      cpus,
      cpuBusyBeforeStartPercent: busyBefore,
    },
    tiktok: { connectionsOpened: tiktokTotals.connections, calls: tiktokTotals.calls },
    runs,
    exact,
    latencies,
    bareCall,
    profiles,
    soak,
    targets: evaluateTargets(runs, exact, latencies, soak, connections),
    ...(options.queries && { sql }),
    bootSeconds,
    elapsedSeconds: round((Date.now() - started) / 1000, 1),
  };

  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : textReport(report));
  progress(`done in ${report.elapsedSeconds} s`);
}

main().catch(async (error: Error) => {
  progress(`failed: ${error.message ?? String(error)}`);
  await cleanup().catch(() => undefined);
  process.exit(1);
});
