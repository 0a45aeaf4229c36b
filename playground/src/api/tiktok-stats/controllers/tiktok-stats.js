const STATS_FIELDS = 'follower_count,following_count,likes_count,video_count';

module.exports = ({ strapi }) => ({
  /** GET /api/tiktok-stats: the signed-in user's TikTok follower, like and video counts. */
  async find(ctx) {
    const tokens = strapi.plugin('tiktok-auth-mobile').service('tokens');
    let token;
    try {
      token = await tokens.getAccessToken(ctx.state.user.id);
    } catch (error) {
      // The app should send the user through "Continue with TikTok" again.
      if (error.code === 'tiktok_reauth_required') {
        return ctx.forbidden('Sign in with TikTok again', { code: error.code, reason: error.reason });
      }
      if (error.code === 'tiktok_unavailable') return ctx.serviceUnavailable('TikTok is unavailable, try again later');
      throw error;
    }
    if (!token.scopes.includes('user.info.stats')) {
      return ctx.forbidden('The user did not grant user.info.stats', { code: 'tiktok_scope_missing' });
    }

    const apiBaseUrl = strapi.config.get('plugin::tiktok-auth-mobile.apiBaseUrl');
    const res = await fetch(`${apiBaseUrl}/v2/user/info/?fields=${STATS_FIELDS}`, {
      headers: { Authorization: `Bearer ${token.accessToken}` },
      signal: AbortSignal.timeout(5000),
    });
    const body = await res.json().catch(() => ({}));
    if (body.error?.code !== 'ok') return ctx.badGateway('TikTok did not answer with the stats');
    ctx.body = body.data.user;
  },
});
