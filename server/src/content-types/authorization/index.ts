import schema from './schema.json';

export default {
  schema: {
    ...schema,
    // One row per TikTok account and client, also under concurrent logins; TikTok's webhooks name the
    // account by its open_id for the client.
    indexes: [
      { name: 'tiktok_authorizations_union_client_unique', columns: ['union_id', 'client_key'], type: 'unique' },
      { name: 'tiktok_authorizations_client_open_id', columns: ['client_key', 'open_id'] },
    ],
  },
};
