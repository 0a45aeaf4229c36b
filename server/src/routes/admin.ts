import { ACTIONS } from '../permissions';

type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';

/** An admin route that needs an admin token holding `action`. */
const route = (method: Method, path: string, handler: string, action: string) => ({
  method,
  path,
  handler,
  config: {
    policies: ['admin::isAuthenticatedAdmin', { name: 'admin::hasPermissions', config: { actions: [action] } }],
  },
});

export default {
  type: 'admin' as const,
  routes: [
    route('GET', '/settings', 'settings.find', ACTIONS.readSettings),
    route('PUT', '/settings', 'settings.update', ACTIONS.updateSettings),
    route('GET', '/identities', 'identities.find', ACTIONS.readIdentities),
    route('POST', '/identities/:id/revoke', 'identities.revoke', ACTIONS.revokeIdentities),
    route('DELETE', '/tokens', 'tokens.deleteAll', ACTIONS.deleteTokens),
  ],
};
