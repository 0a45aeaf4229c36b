import schema from './schema.json';

export default {
  schema: {
    ...schema,
    // A login code is redeemed once (looked up by its hash); the sweep deletes by expiry.
    indexes: [
      { name: 'tiktok_login_codes_code_hash_unique', columns: ['code_hash'], type: 'unique' },
      { name: 'tiktok_login_codes_expires_at', columns: ['expires_at'] },
    ],
  },
};
