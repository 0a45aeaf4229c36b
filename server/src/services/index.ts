import accounts from './accounts';
import browserLogin from './browser-login';
import connect from './connect';
import identities from './identities';
import links from './links';
import loginHistory from './login-history';
import session from './session';
import settings from './settings';
import tiktokApi from './tiktok-api';
import tokens from './tokens';
import webhooks from './webhooks';

const services = { accounts, browserLogin, connect, identities, links, loginHistory, session, settings, tiktokApi, tokens, webhooks };

export default services;

export type Services = {
  [Name in keyof typeof services]: ReturnType<(typeof services)[Name]>;
};
