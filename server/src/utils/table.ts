import type { Core } from '@strapi/strapi';

type Knex = Core.Strapi['db']['connection'];

interface ScalarAttribute {
  columnName?: string;
  default?: unknown;
}

const TIMESTAMPS = ['createdAt', 'updatedAt', 'publishedAt'];

/**
 * A model's table for the few statements the query engine cannot write in one go (a multi-row insert
 * inside a hand-made batch, a delete ranked by a window function): its name, its columns' names and
 * its rows as the query engine would insert them, all from Strapi's own metadata.
 */
export const tableOf = (strapi: Core.Strapi, uid: string) => {
  const meta = strapi.db.metadata.get(uid);
  const attributes = meta.attributes as Record<string, ScalarAttribute>;
  const schema = strapi.db.getSchemaName();

  return {
    /** The table, in the connection's schema, for a query on `knex` (a transaction or the connection). */
    on: (knex: Knex) => (schema ? knex(meta.tableName).withSchema(schema) : knex(meta.tableName)),
    column: (attribute: string) => attributes[attribute]?.columnName ?? attribute,
    /** `data` keyed by column, with the model's defaults (its documentId) and timestamps filled in. */
    row(data: Record<string, unknown>, now: Date) {
      const row: Record<string, unknown> = {};
      for (const [name, attribute] of Object.entries(attributes)) {
        if (!attribute.columnName || name === 'id') continue;
        let value = data[name];
        if (value === undefined && TIMESTAMPS.includes(name)) value = now;
        if (value === undefined) value = typeof attribute.default === 'function' ? attribute.default() : attribute.default;
        if (value !== undefined) row[attribute.columnName] = value;
      }
      return row;
    },
  };
};
