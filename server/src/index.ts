import bootstrap from './bootstrap';
import config from './config';
import contentTypes from './content-types';
import controllers from './controllers';
import middlewares from './middlewares';
import register from './register';
import routes from './routes';
import services from './services';
import { getService } from './utils/get-service';

/** Logins still waiting to be recorded are written before Strapi closes the database. */
const destroy = () => getService('loginHistory').flush();

export default { register, bootstrap, destroy, config, contentTypes, controllers, middlewares, routes, services };

// For TypeScript host apps: the answers, errors and config the plugin documents.
export { CONNECT_ERRORS, type ConnectErrorCode } from './errors';
export { TikTokReauthRequiredError, TikTokUnavailableError, type ReauthReason } from './token-errors';
export { EVENTS, type TikTokEvent, type TikTokEventName, type LoginFlow } from './utils/events';
export type { PluginConfig, RateLimitConfig, TikTokClientConfig, TikTokScope } from './config';
export {
  redisRateLimitStore,
  type RateLimitHit,
  type RateLimitStore,
  type RateLimitStoreOptions,
  type RedisCommandClient,
  type RedisRateLimitStoreOptions,
} from './rate-limit/store';
export type { LoginAnswer } from './services/connect';
export type { LinkView } from './services/links';
export type { GetAccessTokenOptions, TikTokAccessToken } from './services/tokens';
