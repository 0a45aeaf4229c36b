/**
 * The Strapi side of `npm run bench`: the playground app in its own process (forked by
 * scripts/bench.ts, configured through the environment, no admin panel), so the load generator and
 * the TikTok emulator never share its event loop. It counts every SQL statement knex runs and answers
 * the parent's IPC messages with that count (and the statements themselves while recording).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createStrapi } from '@strapi/strapi';
import type { Core } from '@strapi/strapi';
import { Session, type Profiler } from 'node:inspector';

import { summarizeProfile } from './cpu-profile-summary';

/**
 * Parent → child: `reset` zeroes the counter (and starts or stops recording), `read` only reads,
 * `profile-start` and `profile-stop` run V8's CPU profiler in between (the summary comes with the counters),
 * `add-users` adds `users` email users with the authenticated role, as an app in production has them.
 */
export interface BenchCommand {
  id: number;
  type: 'reset' | 'read' | 'profile-start' | 'profile-stop' | 'add-users';
  /** With `add-users`: how many. */
  users?: number;
  /** With `reset`: keep the text of each statement until the next reset. */
  record?: boolean;
  /** Run a full garbage collection before measuring memory (the process runs with --expose-gc). */
  gc?: boolean;
}

/** Child → parent. */
export type BenchMessage =
  | { type: 'ready'; port: number }
  | {
      type: 'counters';
      id: number;
      /** Every statement knex ran since the last reset, BEGIN and COMMIT included. */
      queries: number;
      /** Of those, BEGIN, COMMIT, ROLLBACK and savepoint statements. */
      transactionControl: number;
      /** Of those, the statements of transactions that wrote login records (BEGIN and COMMIT included). */
      loginRecord: number;
      /** Of the others: reads of Strapi's settings store (logins keep a copy and read it again once a second)… */
      settingsReads: number;
      /** …other SELECTs, and INSERT/UPDATE/DELETEs. */
      reads: number;
      writes: number;
      /** CPU time this process used since the last reset (user + system), in milliseconds. */
      cpuMs: number;
      statements: string[];
      /** After `profile-stop`: CPU time by component while the profiler ran. */
      profile?: ReturnType<typeof summarizeProfile>;
      /** Resident set size and V8 heap in use, in bytes (after a full GC when asked). */
      memory: { rss: number; heapUsed: number };
    };

/** What knex passes to its `query` listeners (the fields used here). */
interface KnexQueryEvent {
  sql: string;
  __knexTxId?: string;
}

const TRANSACTION_CONTROL = /^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b/i;
const TRANSACTION_BEGIN = /^\s*BEGIN\b/i;
const TRANSACTION_END = /^\s*(COMMIT|ROLLBACK)\b/i;
const WRITE = /^\s*(INSERT|UPDATE|DELETE)\b/i;
const LOGIN_RECORDS = /tiktok_login_records/;
const SETTINGS_STORE = /^\s*select\b.*\bstrapi_core_store_settings\b/i;

const appDir = path.resolve(__dirname, '..', 'playground');

const send = (message: BenchMessage) => process.send?.(message);

const USER_UID = 'plugin::users-permissions.user';

/**
 * Email users straight into users-permissions' tables (through the query engine, 100,000 users would
 * take minutes): a user row and its role link each, in batches, in one transaction.
 */
async function addUsers(app: Core.Strapi, count: number) {
  const role = (await app.db.query('plugin::users-permissions.role').findOne({ where: { type: 'authenticated' } })) as { id: number };
  const { tableName, attributes } = app.db.metadata.get(USER_UID);
  const roleLink = (attributes.role as unknown as { joinTable: { name: string; joinColumn: { name: string }; inverseJoinColumn: { name: string } } }).joinTable;
  const now = new Date();
  const batch = 500;
  await app.db.connection.transaction(async (trx) => {
    for (let first = 0; first < count; first += batch) {
      const rows = Array.from({ length: Math.min(batch, count - first) }, (_, i) => ({
        document_id: `bench${first + i}`.padEnd(24, '0'),
        username: `bench-user-${first + i}`,
        email: `bench-user-${first + i}@example.com`,
        provider: 'local',
        confirmed: true,
        blocked: false,
        created_at: now,
        updated_at: now,
        published_at: now,
      }));
      const ids = (await trx(tableName).insert(rows, ['id'])) as Array<{ id: number } | number>;
      await trx(roleLink.name).insert(
        ids.map((row) => ({ [roleLink.joinColumn.name]: typeof row === 'number' ? row : row.id, [roleLink.inverseJoinColumn.name]: role.id }))
      );
    }
  });
}

async function main() {
  if (!process.send) throw new Error('bench-server is started by scripts/bench.ts (it needs an IPC channel)');

  // A JavaScript app: it runs from its own folder, nothing to compile.
  const app: Core.Strapi = createStrapi({
    appDir,
    distDir: appDir,
    autoReload: false,
    serveAdminPanel: false,
  });

  // Strapi destroys itself and exits on SIGTERM and SIGINT (the parent stops it that way). If the
  // parent goes away without stopping it (it crashed, or was killed), stop too rather than outlive
  // it, and remove the temporary folder the parent can no longer remove. (Not in an 'exit'
  // listener: Strapi's destroy() removes every process listener.)
  process.once('disconnect', () => {
    Promise.resolve()
      .then(() => app.destroy())
      .catch(() => undefined)
      .finally(() => {
        const tmpDir = process.env.BENCH_TMP_DIR;
        if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
        process.exit(0);
      });
  });

  await app.start();

  let queries = 0;
  let transactionControl = 0;
  let loginRecord = 0;
  let settingsReads = 0;
  let reads = 0;
  let writes = 0;
  let recording = false;
  let statements: string[] = [];
  let cpuAtReset = process.cpuUsage();
  const classify = (sqls: string[]) => {
    if (sqls.some((sql) => LOGIN_RECORDS.test(sql))) {
      loginRecord += sqls.length;
      return;
    }
    for (const sql of sqls) {
      if (WRITE.test(sql)) writes += 1;
      else if (SETTINGS_STORE.test(sql)) settingsReads += 1;
      else if (!TRANSACTION_CONTROL.test(sql)) reads += 1;
    }
  };
  /** A transaction's statements are classified together once it ends: a login record's BEGIN is its own. */
  const openTransactions = new Map<string, string[]>();
  app.db.connection.on('query', ({ sql, __knexTxId: txId }: KnexQueryEvent) => {
    queries += 1;
    if (TRANSACTION_CONTROL.test(sql)) transactionControl += 1;
    if (recording) statements.push(sql);
    // knex leaves the last transaction's id on a pooled connection: only a BEGIN opens one.
    if (!txId || (!openTransactions.has(txId) && !TRANSACTION_BEGIN.test(sql))) return classify([sql]);
    const transaction = [...(openTransactions.get(txId) ?? []), sql];
    if (TRANSACTION_END.test(sql)) {
      openTransactions.delete(txId);
      classify(transaction);
    } else {
      openTransactions.set(txId, transaction);
    }
  });

  const inspector = new Session();
  inspector.connect();
  const post = <T>(method: string) =>
    new Promise<T>((resolve, reject) => inspector.post(method, (error, result) => (error ? reject(error) : resolve(result as T))));

  const gc = (globalThis as { gc?: () => void }).gc;
  const handle = async (command: BenchCommand) => {
    let profile: ReturnType<typeof summarizeProfile> | undefined;
    if (command.type === 'profile-start') {
      await post('Profiler.enable');
      await post('Profiler.start');
    }
    if (command.type === 'profile-stop') {
      profile = summarizeProfile((await post<{ profile: Profiler.Profile }>('Profiler.stop')).profile);
      await post('Profiler.disable');
    }
    if (command.type === 'add-users') await addUsers(app, command.users ?? 0);
    if (command.type === 'reset') {
      queries = transactionControl = loginRecord = settingsReads = reads = writes = 0;
      statements = [];
      recording = Boolean(command.record);
      cpuAtReset = process.cpuUsage();
    }
    const cpu = process.cpuUsage(cpuAtReset);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    if (command.gc) gc?.();
    const { rss, heapUsed } = process.memoryUsage();
    send({ type: 'counters', id: command.id, queries, transactionControl, loginRecord, settingsReads, reads, writes, cpuMs, statements, profile, memory: { rss, heapUsed } });
  };
  process.on('message', (command: BenchCommand) => {
    handle(command).catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
  });

  const { port } = app.server.httpServer.address() as AddressInfo;
  send({ type: 'ready', port });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
