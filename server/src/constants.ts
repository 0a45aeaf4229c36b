export const PLUGIN_ID = 'tiktok-auth-mobile';

export const IDENTITY_UID = `plugin::${PLUGIN_ID}.identity`;
export const USER_UID = 'plugin::users-permissions.user';
export const ROLE_UID = 'plugin::users-permissions.role';
export const PENDING_LOGIN_UID = `plugin::${PLUGIN_ID}.pending-login`;
export const LOGIN_CODE_UID = `plugin::${PLUGIN_ID}.login-code`;
export const AUTHORIZATION_UID = `plugin::${PLUGIN_ID}.authorization`;
export const LOGIN_RECORD_UID = `plugin::${PLUGIN_ID}.login-record`;
