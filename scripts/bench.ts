/**
 * `npm run bench`: how fast /api/tiktok-auth-mobile/connect logs users in, next to Strapi's own
 * GET /api/users/me ("verify a credential, load a user, answer") on the same process.
 *
 * Strapi (the playground app, NODE_ENV=production, no admin panel, warn-level logs, rate limiting
 * off, a temporary SQLite file) runs in a child process (scripts/bench-server.ts) that counts knex's
 * SQL statements; this process runs the TikTok emulator and autocannon. For each kind of request and
 * each emulator latency it reports requests/s, p50/p99 latency, non-2xx answers, the ratio to
 * users/me, TikTok calls and connections, and SQL statements per request; the exact counts come from
 * a few sequential requests.
 *
 * Options: --json (only JSON on stdout), --queries (the SQL of one login of each kind),
 * --duration=<s> per run (5), --connections=<n> (20), --warmup=<s> per kind (2), --db-dir=<folder>
 * for the temporary SQLite file (the system's temporary folder; SQLite syncs every write transaction
 * to disk, so the disk under that folder shows in every login that writes), --only=<kinds> to run
 * some of me,returning,new,code, --cpu-prof=<folder> to write a V8 CPU profile of the Strapi process.
 * Progress goes to stderr, results to stdout.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
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
  /** This run's requests/s over the users/me run's at the same TikTok latency. */
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
  tiktokConnectionsOpened: number;
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

  command(type: BenchCommand['type'], record = false) {
    const id = this.nextId++;
    return new Promise<Counters>((resolve, reject) => {
      if (!this.running) return reject(new Error('Strapi is not running'));
      this.pending.set(id, { resolve, reject });
      const command: BenchCommand = { id, type, record };
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
    execArgv: ['--import', 'tsx', ...(cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(cpuProfDir)}`] : [])],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      STRAPI_TELEMETRY_DISABLED: 'true',
      STRAPI_STARTUP_LOG: 'false',
      LOG_LEVEL: 'warn',
      LOG_SILENT: 'false',
      UP_RATELIMIT_ENABLED: 'false',
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
  // Strapi's own output (warnings and errors only) goes to stderr: stdout is for the results.
  child.stdout?.pipe(process.stderr);
  child.stderr?.pipe(process.stderr);
  const strapi = new StrapiChild(child);
  state.child = strapi;
  await strapi.ready(120_000);
  return strapi;
}

// ── Requests ────────────────────────────────────────────────────────────────────────────────────

interface Fixtures {
  fake: FakeTikTok;
  tokens: string[];
  accounts: FakeAccount[];
  jwt: string;
}

let newUserCounter = 0;
let returningCounter = 0;
let codeCounter = 0;

/** The body of the next login of this kind: each call is a different login. */
const nextLoginBody = (kind: Exclude<Kind, 'me'>, { fake, tokens, accounts }: Omit<Fixtures, 'jwt'>) => {
  switch (kind) {
    case 'returning':
      return JSON.stringify({ access_token: tokens[returningCounter++ % tokens.length] });
    case 'new':
      return JSON.stringify({ access_token: `${NEW_USER_PREFIX}${newUserCounter++}` });
    case 'code': {
      const account = accounts[codeCounter++ % accounts.length];
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
    tiktokConnectionsOpened: 0,
  };
  let statements: string[] = [];
  fake.latencyMs = 0;
  for (let i = 0; i < SEQUENTIAL_REQUESTS; i += 1) {
    resetFake(fake);
    await child.command('reset', i === 0);
    const { status } = await send(base, kind, fixtures);
    const read = await child.command('read');
    if (i === 0) statements = read.statements;
    count.statuses.push(status);
    count.dbQueries.push(read.queries);
    count.transactionControl.push(read.transactionControl);
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

  const result = await cannonade({ url: base, connections, duration, requests: [autocannonRequest(kind, fixtures)] });
  await settle(child, fake);

  const { queries, transactionControl, cpuMs } = await child.command('read');
  const sent = result.requests.sent;
  const perRequest = (value: number, digits = 2) => round(value / Math.max(sent, 1), digits);
  const run: LoadRun = {
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
  };
  fake.latencyMs = 0;
  return run;
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

function evaluateTargets(runs: LoadRun[], exact: ExactCount[], connections: number): Target[] {
  const targets: Target[] = [];
  const run = (kind: Kind, latencyMs: number) => runs.find((r) => r.kind === kind && r.tiktokLatencyMs === latencyMs);
  const returning0 = run('returning', 0);
  if (returning0?.ratioToUsersMe != null) {
    targets.push({
      description: 'returning-user connect @0 ms: requests/s vs users/me',
      target: '≥ 1.30×',
      actual: `${returning0.ratioToUsersMe.toFixed(2)}×`,
      met: returning0.ratioToUsersMe >= 1.3,
    });
  }
  for (const kind of ['returning', 'new'] as const) {
    const at50 = run(kind, 50);
    if (at50) {
      targets.push({
        description: `${LABELS[kind]} @50 ms: p50 within 10 ms of 50 ms`,
        target: '40–60 ms',
        actual: `${at50.latencyMs.p50} ms`,
        met: Math.abs(at50.latencyMs.p50 - 50) <= 10,
      });
    }
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
  const limits: Partial<Record<Kind, number>> = { returning: 3, new: 8 };
  for (const count of exact) {
    const limit = limits[count.kind];
    if (limit === undefined) continue;
    targets.push({
      description: `${count.name}: database queries per login (sequential)`,
      target: `≤ ${limit}`,
      actual: describeCounts(count.dbQueries),
      met: Math.max(...count.dbQueries) <= limit,
    });
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
      `NODE_ENV=production, SQLite (in ${config.sqliteFolder}), node ${config.node}, ${config.cpus} CPUs, ` +
      `CPUs ${config.cpuBusyBeforeStartPercent}% busy before the start`,
    ''
  );
  out.push(
    table(
      [
        'run',
        'TikTok',
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
      ],
      runs.map((r) => [
        r.name,
        `${r.tiktokLatencyMs} ms`,
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
      ]),
      new Set([2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
    ),
    '  req/s: answers per second; p50/p99: of 2xx answers; TikTok calls and queries: per request sent;',
    '  TikTok conns: TCP connections Strapi opened to TikTok during the run; queries include BEGIN/COMMIT;',
    '  Strapi CPU: CPU time of the Strapi process (all threads) per request sent.',
    '',
    `Exact counts (${SEQUENTIAL_REQUESTS} sequential requests of each kind, TikTok at 0 ms):`,
    table(
      ['request', 'HTTP', 'TikTok calls', 'DB queries', 'of which BEGIN/COMMIT', 'TikTok conns opened'],
      exact.map((c) => [
        c.name,
        describeCounts(c.statuses),
        describeCounts(c.tiktokCalls),
        describeCounts(c.dbQueries),
        describeCounts(c.transactionControl),
        String(c.tiktokConnectionsOpened),
      ]),
      new Set([1, 2, 3, 4, 5])
    ),
    '',
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

  // Returning users: TikTok accounts that have logged in once with a token and once with a code.
  const accounts = Array.from({ length: RETURNING_ACCOUNTS }, () => fake.addAccount());
  const tokens = accounts.map((account) => fake.issueAccessToken(account));
  const partial = { fake, tokens, accounts };
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
    let meRps = 0;
    for (const kind of selected) {
      progress(`${LABELS[kind]} @${latencyMs}ms…`);
      const run = await loadRun(base, kind, fixtures, { latencyMs, duration, connections });
      if (kind === 'me') meRps = run.requestsPerSecond;
      else run.ratioToUsersMe = meRps > 0 ? round(run.requestsPerSecond / meRps) : null;
      runs.push(run);
    }
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
    targets: evaluateTargets(runs, exact, connections),
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
