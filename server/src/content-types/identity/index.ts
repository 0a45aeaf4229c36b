import schema from './schema.json';

export default {
  schema: {
    ...schema,
    // Strapi gives content types no database-level uniqueness; concurrent first logins of one
    // TikTok account rely on this index to end with exactly one identity (and so one user).
    indexes: [{ name: 'tiktok_identities_union_id_unique', columns: ['union_id'], type: 'unique' }],
  },
};
