// A route of the host app that calls TikTok for the signed-in user, with the tokens the plugin keeps.
module.exports = {
  routes: [{ method: 'GET', path: '/tiktok-stats', handler: 'tiktok-stats.find' }],
};
