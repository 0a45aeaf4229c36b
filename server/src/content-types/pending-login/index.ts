import schema from './schema.json';

export default {
  schema: {
    ...schema,
    // A state is spent once (looked up by its hash); the sweep deletes by expiry.
    indexes: [
      { name: 'tiktok_pending_logins_state_hash_unique', columns: ['state_hash'], type: 'unique' },
      { name: 'tiktok_pending_logins_expires_at', columns: ['expires_at'] },
    ],
  },
};
