/**
 * Which tables a statement reads whole, as the database itself plans it.
 *
 * SQLite plans without table statistics, as if every table were large: its EXPLAIN QUERY PLAN is the
 * plan a production database gets. PostgreSQL and MySQL/MariaDB plan by statistics, and a test
 * database's few rows make reading a whole table the cheapest plan even where an index would serve.
 * There, only what no index can avoid is told: PostgreSQL's sequential scans once they are priced
 * out, MySQL's and MariaDB's full scans of a table that has no usable index (EXPLAIN's possible_keys).
 */
import type { Core } from '@strapi/strapi';

import { serverClient } from './database';

type Knex = Core.Strapi['db']['connection'];

export interface Statement {
  sql: string;
  bindings: unknown[];
}

/** Records the statements Strapi sends while `run` runs. */
export async function statementsOf(strapi: Core.Strapi, run: () => Promise<unknown>): Promise<Statement[]> {
  const statements: Statement[] = [];
  const listener = ({ sql, bindings }: { sql: string; bindings?: unknown[] }) => statements.push({ sql, bindings: bindings ?? [] });
  strapi.db.connection.on('query', listener);
  try {
    await run();
  } finally {
    strapi.db.connection.removeListener('query', listener);
  }
  return statements;
}

/** The tables of a statement by the names a plan gives them: their aliases (`table` as `t0`) and their own. */
const tablesByAlias = (sql: string) => {
  const aliases = new Map<string, string>();
  for (const [, table, alias] of sql.matchAll(/[`"](\w+)[`"](?:\s+as\s+[`"](\w+)[`"])?/gi)) {
    if (alias) aliases.set(alias, table);
    if (!aliases.has(table)) aliases.set(table, table);
  }
  return aliases;
};

const sqliteScans = async (knex: Knex, { sql, bindings }: Statement) => {
  const plan = (await knex.raw(`EXPLAIN QUERY PLAN ${sql}`, bindings as never[])) as Array<{ detail: string }>;
  return plan.flatMap(({ detail }) => detail.match(/^SCAN (?:TABLE )?(\S+)/)?.[1] ?? []);
};

interface PgPlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PgPlanNode[];
}

const pgScans = (knex: Knex, { sql, bindings }: Statement) =>
  knex.transaction(async (trx) => {
    await trx.raw('SET LOCAL enable_seqscan = off');
    await trx.raw('SET LOCAL enable_hashjoin = off');
    await trx.raw('SET LOCAL enable_mergejoin = off');
    // knex reports PostgreSQL statements with $1, $2, … placeholders.
    const { rows } = (await trx.raw(`EXPLAIN (FORMAT JSON) ${sql.replace(/\$\d+/g, '?')}`, bindings as never[])) as {
      rows: Array<{ 'QUERY PLAN': Array<{ Plan: PgPlanNode }> }>;
    };
    const scans: string[] = [];
    const visit = (node: PgPlanNode) => {
      if (node['Node Type'] === 'Seq Scan' && node['Relation Name']) scans.push(node['Relation Name']);
      node.Plans?.forEach(visit);
    };
    visit(rows[0]['QUERY PLAN'][0].Plan);
    return scans;
  });

const mysqlScans = async (knex: Knex, { sql, bindings }: Statement) => {
  const [rows] = (await knex.raw(`EXPLAIN ${sql}`, bindings as never[])) as [
    Array<{ table: string | null; type: string | null; possible_keys: string | null }>,
  ];
  // ALL reads every row, index every entry of an index; possible_keys lists the indexes that could serve.
  return rows.flatMap(({ table, type, possible_keys }) => (table && (type === 'ALL' || type === 'index') && !possible_keys ? [table] : []));
};

/** The tables (not subqueries) this statement reads whole. Inserts and transaction control read none. */
export async function fullScans(knex: Knex, statement: Statement): Promise<string[]> {
  if (!/^\s*(select|update|delete)\b/i.test(statement.sql)) return [];
  const client = serverClient();
  const scanned =
    client === 'postgres' ? await pgScans(knex, statement) : client === 'mysql' ? await mysqlScans(knex, statement) : await sqliteScans(knex, statement);
  const aliases = tablesByAlias(statement.sql);
  return scanned.flatMap((name) => aliases.get(name) ?? []);
}
