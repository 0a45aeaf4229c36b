import type { Context } from 'koa';
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';

import { PLUGIN_ID } from '../constants';
import { ConnectError } from '../errors';
import type { LinkView } from '../services/links';
import { getService } from '../utils/get-service';
import { restBody, typeDefs } from './schema';

interface ResolverContext {
  koaContext: Context;
  state: { user?: { id: number } };
}

type Args = { input?: Record<string, unknown>; confirm?: boolean | null };

/**
 * A /connect failure as Strapi's GraphQL plugin formats application errors: `extensions.error.details.code`
 * is the REST answer's `error.details.code`, and `extensions.code` is `STRAPI_CONNECT_ERROR`. (Strapi's
 * own GraphQL error types are not used: the graphql package is the host app's, not a dependency.)
 */
class ConnectGraphqlError extends errors.ApplicationError {
  constructor(error: ConnectError) {
    super(error.message, { ...error.details, code: error.code, status: error.status });
    (this as Error).name = 'ConnectError';
  }
}

const asGraphqlError = (error: unknown) => (error instanceof ConnectError ? new ConnectGraphqlError(error) : error);

const answering = async <T>(work: () => Promise<T>): Promise<T> => {
  try {
    return await work();
  } catch (error) {
    throw asGraphqlError(error);
  }
};

const link = (view: LinkView) => ({
  unionId: view.union_id,
  displayName: view.display_name,
  avatarUrl: view.avatar_url,
  username: view.username,
  isVerified: view.is_verified,
  scopes: view.scopes,
  linkedAt: view.linked_at,
  lastLoginAt: view.last_login_at,
  clients: view.clients.map((client) => ({
    clientKey: client.client_key,
    tokensStored: client.tokens_stored,
    accessTokenExpiresAt: client.access_token_expires_at,
    refreshTokenExpiresAt: client.refresh_token_expires_at,
  })),
});

const scope = (action: string) => ({ auth: { scope: [`plugin::${PLUGIN_ID}.me.${action}`] } });

/**
 * With `@strapi/plugin-graphql` installed, the plugin's content API is in the GraphQL schema too:
 * `tiktokConnect` (users-permissions' `login` is the model), `tiktokMe`, `tiktokLink` and `tiktokUnlink`,
 * under the same rate limit and route permissions as their REST routes.
 */
export const registerGraphql = (strapi: Core.Strapi) => {
  if (!strapi.plugin('graphql')) return;
  const loginRateLimit = strapi.middleware(`plugin::${PLUGIN_ID}.rateLimit`)({}, { strapi }) as (ctx: Context, next: () => Promise<void>) => Promise<void>;
  /** Runs `work` behind the login rate limit, as the REST route would. */
  const limited = async <T>(ctx: Context, work: () => Promise<T>) => {
    let result: T | undefined;
    await loginRateLimit(ctx, async () => {
      result = await work();
    });
    return result as T;
  };
  const userId = (context: ResolverContext) => (context.state.user as { id: number }).id;

  strapi
    .plugin('graphql')
    .service('extension')
    .use(() => ({
      typeDefs,
      resolvers: {
        Query: {
          tiktokMe: (_parent: unknown, _args: Args, context: ResolverContext) =>
            answering(async () => link(await getService('links').describe(userId(context)))),
        },
        Mutation: {
          tiktokConnect: (_parent: unknown, { input = {} }: Args, context: ResolverContext) =>
            answering(async () => {
              const answer = await limited(context.koaContext, () => getService('connect').login(context.koaContext, restBody(input)));
              const { union_id: unionId, open_id: openId, display_name: displayName, avatar_url: avatarUrl, username } = answer.profile;
              return { ...answer, profile: { unionId, openId, displayName, avatarUrl, username } };
            }),
          tiktokLink: (_parent: unknown, { input = {} }: Args, context: ResolverContext) =>
            answering(async () =>
              link(await limited(context.koaContext, () => getService('links').link(userId(context), restBody(input))))
            ),
          tiktokUnlink: (_parent: unknown, { confirm }: Args, context: ResolverContext) =>
            answering(async () => {
              await getService('links').unlink(userId(context), { confirm: confirm === true });
              return true;
            }),
        },
      },
      resolversConfig: {
        'Mutation.tiktokConnect': { auth: false },
        'Query.tiktokMe': scope('find'),
        'Mutation.tiktokLink': scope('link'),
        'Mutation.tiktokUnlink': scope('unlink'),
      },
    }));
};
