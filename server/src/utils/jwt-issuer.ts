import { createPrivateKey, createSecretKey, type KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Core } from '@strapi/strapi';

type Issue = (payload: { id: number | string }) => string | Promise<string>;
type Sign = (payload: object, key: KeyObject, options: object) => string;

/** users-permissions' own `issue`, as its source text, and the jsonwebtoken `sign` it calls. */
interface Stock {
  issueSource: string;
  sign: Sign;
}

/**
 * Loads the users-permissions copy Strapi runs, from where Strapi loaded it. Undefined when its build is
 * laid out otherwise (another version): the plugin then always calls the service.
 */
const loadStock = (strapi: Core.Strapi): Stock | undefined => {
  try {
    const enabled = strapi.config.get<Record<string, { pathToPlugin?: string }>>('enabledPlugins');
    const root = enabled?.['users-permissions']?.pathToPlugin;
    if (!root) return undefined;
    const requireUp = createRequire(path.join(root, 'package.json'));
    const factory = requireUp('./dist/server/services/jwt.js').__require() as (deps: { strapi: Core.Strapi }) => { issue: Issue };
    const { sign } = requireUp('jsonwebtoken') as { sign: Sign };
    return { issueSource: factory({ strapi }).issue.toString(), sign };
  } catch {
    return undefined;
  }
};

/** The key jsonwebtoken derives from a string secret, the same way it does: a PEM private key, else the bytes as an HMAC key. */
const keyOf = (secret: unknown): KeyObject | undefined => {
  if (typeof secret !== 'string' && !Buffer.isBuffer(secret)) return undefined;
  try {
    return createPrivateKey(secret);
  } catch {
    try {
      return createSecretKey(typeof secret === 'string' ? Buffer.from(secret) : secret);
    } catch {
      return undefined;
    }
  }
};

/**
 * Issues users-permissions' JWT (legacy mode) for a user.
 *
 * users-permissions hands jsonwebtoken its secret as a string, and jsonwebtoken turns it into a key on every
 * call, first by failing to parse it as a PEM private key: about 0.5 ms, a seventh of a returning login's
 * CPU. While the app runs users-permissions' own `jwt.issue`, unchanged, this signs what it would sign (the
 * same payload, secret and options, with the same jsonwebtoken) with the key derived once. When an
 * extension or a decorator has replaced `issue`, it calls the service, whatever the service does.
 */
export const jwtIssuer = (strapi: Core.Strapi) => {
  let stock: Stock | undefined | null = null;
  let checkedIssue: Issue | undefined;
  let issueIsStock = false;
  let derived: { secret: unknown; key: KeyObject | undefined } | undefined;

  const keyFor = (secret: unknown) => {
    if (!derived || derived.secret !== secret) derived = { secret, key: keyOf(secret) };
    return derived.key;
  };

  return {
    issue(userId: number | string): string | Promise<string> {
      const service = strapi.plugin('users-permissions').service('jwt') as { issue: Issue };
      if (service.issue !== checkedIssue) {
        if (stock === null) stock = loadStock(strapi);
        checkedIssue = service.issue;
        issueIsStock = stock !== undefined && service.issue.toString() === stock.issueSource;
      }
      const key = issueIsStock ? keyFor(strapi.config.get('plugin::users-permissions.jwtSecret')) : undefined;
      if (!key || !stock) return service.issue({ id: userId });
      // A copy, as users-permissions' own `_.defaults({}, …)`: jsonwebtoken must not write into the config.
      return stock.sign({ id: userId }, key, { ...strapi.config.get<object>('plugin::users-permissions.jwt', {}) });
    },
  };
};
