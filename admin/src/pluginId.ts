export const PLUGIN_ID = 'tiktok-auth-mobile';
