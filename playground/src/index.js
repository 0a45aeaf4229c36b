/** The playground's example route is for signed-in users: grant it to Authenticated once, as an admin would in Settings → Roles. */
const STATS_ACTION = 'api::tiktok-stats.tiktok-stats.find';

module.exports = {
  register() {},
  async bootstrap({ strapi }) {
    const role = await strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'authenticated' } });
    const permissions = strapi.db.query('plugin::users-permissions.permission');
    if (role && (await permissions.count({ where: { action: STATS_ACTION } })) === 0) {
      await permissions.create({ data: { action: STATS_ACTION, role: role.id } });
    }
  },
};
