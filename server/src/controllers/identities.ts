import type { Context } from 'koa';

import { getService } from '../utils/get-service';
import { validateIdentityId, validateListQuery, validateRevokeOptions } from '../validation/identities';

export default {
  async find(ctx: Context) {
    ctx.body = await getService('identities').list(await validateListQuery(ctx.query));
  },

  async revoke(ctx: Context) {
    const id = await validateIdentityId(ctx.params);
    const options = await validateRevokeOptions(ctx.request.body, ctx.query);
    ctx.body = await getService('identities').revoke(id, options);
  },
};
