import schema from './schema.json';

export default {
  schema: {
    ...schema,
    // An account's latest logins, newest first, and the pruning of the older ones.
    indexes: [{ name: 'tiktok_login_records_union_id_at', columns: ['union_id', 'at'] }],
  },
};
