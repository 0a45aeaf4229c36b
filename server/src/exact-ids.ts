import type { Core } from '@strapi/strapi';

import { AUTHORIZATION_UID, IDENTITY_UID, LOGIN_RECORD_UID } from './constants';

/** The columns holding TikTok's ids and client keys, which the plugin's queries compare. */
const ID_COLUMNS: Record<string, string[]> = {
  [IDENTITY_UID]: ['unionId'],
  [AUTHORIZATION_UID]: ['unionId', 'clientKey', 'openId'],
  [LOGIN_RECORD_UID]: ['unionId'],
};

interface ColumnInfo {
  type: string;
  nullable: 'YES' | 'NO';
  charset: string | null;
  collation: string | null;
}

/**
 * MySQL and MariaDB compare strings with the table's collation, usually a case-insensitive one
 * (utf8mb4_general_ci, utf8mb4_0900_ai_ci): a union_id would then find, and its unique index refuse,
 * another account's that differs only in case. Gives those columns the binary collation of their
 * character set, once; Strapi's schema sync leaves a collation alone. Other databases compare exactly.
 */
export const compareIdsExactly = async (strapi: Core.Strapi) => {
  if (strapi.db.dialect.client !== 'mysql') return;
  const knex = strapi.db.connection;
  for (const [uid, attributes] of Object.entries(ID_COLUMNS)) {
    const meta = strapi.db.metadata.get(uid);
    for (const attribute of attributes) {
      const column = (meta.attributes[attribute] as { columnName?: string }).columnName ?? attribute;
      const [[info]] = (await knex.raw(
        'SELECT COLUMN_TYPE AS type, IS_NULLABLE AS nullable, CHARACTER_SET_NAME AS charset, COLLATION_NAME AS collation ' +
          'FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?',
        [meta.tableName, column]
      )) as [ColumnInfo[]];
      if (!info?.charset || info.collation === `${info.charset}_bin`) continue;
      await knex.raw(
        `ALTER TABLE ?? MODIFY ?? ${info.type} CHARACTER SET ${info.charset} COLLATE ${info.charset}_bin ${info.nullable === 'YES' ? 'NULL' : 'NOT NULL'}`,
        [meta.tableName, column]
      );
    }
  }
};
