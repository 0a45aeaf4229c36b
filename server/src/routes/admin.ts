import { ACTIONS } from '../permissions';

const requires = (action: string) => [
  'admin::isAuthenticatedAdmin',
  { name: 'admin::hasPermissions', config: { actions: [action] } },
];

export default {
  type: 'admin' as const,
  routes: [
    {
      method: 'GET' as const,
      path: '/settings',
      handler: 'settings.find',
      config: { policies: requires(ACTIONS.readSettings) },
    },
    {
      method: 'PUT' as const,
      path: '/settings',
      handler: 'settings.update',
      config: { policies: requires(ACTIONS.updateSettings) },
    },
  ],
};
