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

/** Parent → child: `reset` zeroes the counter (and starts or stops recording), `read` only reads. */
export interface BenchCommand {
  id: number;
  type: 'reset' | 'read';
  /** With `reset`: keep the text of each statement until the next reset. */
  record?: boolean;
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
      /** CPU time this process used since the last reset (user + system), in milliseconds. */
      cpuMs: number;
      statements: string[];
    };

/** What knex passes to its `query` listeners (the field used here). */
interface KnexQueryEvent {
  sql: string;
}

const TRANSACTION_CONTROL = /^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b/i;

const appDir = path.resolve(__dirname, '..', 'playground');

const send = (message: BenchMessage) => process.send?.(message);

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
  let recording = false;
  let statements: string[] = [];
  let cpuAtReset = process.cpuUsage();
  app.db.connection.on('query', (event: KnexQueryEvent) => {
    queries += 1;
    if (TRANSACTION_CONTROL.test(event.sql)) transactionControl += 1;
    if (recording) statements.push(event.sql);
  });

  process.on('message', (command: BenchCommand) => {
    if (command.type === 'reset') {
      queries = 0;
      transactionControl = 0;
      statements = [];
      recording = Boolean(command.record);
      cpuAtReset = process.cpuUsage();
    }
    const cpu = process.cpuUsage(cpuAtReset);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    send({ type: 'counters', id: command.id, queries, transactionControl, cpuMs, statements });
  });

  const { port } = app.server.httpServer.address() as AddressInfo;
  send({ type: 'ready', port });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
