import type { Core } from '@strapi/strapi';

import { IDENTITY_UID } from '../constants';
import { tableOf } from './table';

type Knex = Core.Strapi['db']['connection'];
type Subquery = ReturnType<Knex['select']>;
type IdentityValue = string | number | boolean | Date;

interface JoinTable {
  name: string;
  joinColumn: { name: string };
  inverseJoinColumn: { name: string };
}

/**
 * The link between an identity and its user, as subqueries for the query engine's `$in`.
 *
 * The query engine turns a filter on a relation (`users where tiktokIdentity.unionId = …`, `identities
 * where user.id = …`) into LEFT JOINs from the filtered table, which SQLite can only run by reading that
 * whole table: every login would read every user. Through the link table's own indexes, the same
 * lookups read one row of each table.
 */
export const identityLink = (strapi: Core.Strapi) => {
  const readNames = () => {
    const identityMeta = strapi.db.metadata.get(IDENTITY_UID);
    const { joinTable } = identityMeta.attributes.user as unknown as { joinTable: JoinTable };
    const schema = strapi.db.getSchemaName();
    const from = (table: string, alias: string) => (schema ? `${schema}.${table} as ${alias}` : `${table} as ${alias}`);
    return {
      link: from(joinTable.name, 'link'),
      identity: from(identityMeta.tableName, 'identity'),
      identityColumn: `link.${joinTable.joinColumn.name}`,
      userColumn: `link.${joinTable.inverseJoinColumn.name}`,
      identityTable: tableOf(strapi, IDENTITY_UID),
    };
  };
  // Read on first use (the database metadata exists only once Strapi has loaded), then kept: every login uses it.
  let names: ReturnType<typeof readNames> | undefined;
  const tables = () => (names ??= readNames());
  const knex = () => strapi.db.connection;

  return {
    /**
     * The id of the user linked to this TikTok account (none or one), if its identity also has these
     * values (`[operator, value]` for another comparison than equality).
     */
    userIdsOf(unionId: string, identityHas: Record<string, IdentityValue | [string, IdentityValue]> = {}): Subquery {
      const { link, identity, identityColumn, userColumn, identityTable } = tables();
      const query = knex().select(userColumn).from(link).join(identity, 'identity.id', identityColumn);
      for (const [attribute, value] of Object.entries({ unionId, ...identityHas })) {
        const column = `identity.${identityTable.column(attribute)}`;
        if (Array.isArray(value)) query.where(column, value[0], value[1]);
        else query.where(column, value);
      }
      return query;
    },

    /** The ids of the identities linked to these users: one user's id, or a subquery of user ids. */
    identityIdsOf(users: number | Subquery): Subquery {
      const { link, identityColumn, userColumn } = tables();
      const query = knex().select(identityColumn).from(link);
      return typeof users === 'number' ? query.where(userColumn, users) : query.whereIn(userColumn, users);
    },
  };
};
