import type { Core } from '@strapi/strapi';
import { yup } from '@strapi/utils';

import { IDENTITY_UID } from '../constants';
import { emitEvent, EVENTS } from '../utils/events';
import { getService } from '../utils/get-service';
import { isFresh, isSignedWith, parseSignatureHeader, SIGNATURE_TOLERANCE_S } from '../utils/webhook-signature';
import { string } from '../validation/settings';

/** TikTok's reasons for `authorization.removed`: 0 unknown … 5 developer revoked. */
const MAX_REMOVAL_REASON = 5;

const required = (max: number) => string(max).required('${path} is required').min(1, '${path} must not be empty');

// Every event has these; the rest is read per event, so that an event this plugin does not handle is
// acknowledged whatever its shape.
const envelopeSchema = yup.object({ client_key: required(128), event: required(128) });

const removalSchema = yup.object({
  user_openid: required(128),
  create_time: yup
    .number()
    .typeError('${path} must be a number')
    .integer('${path} must be an integer')
    .min(0, '${path} must be a unix time')
    .max(2 ** 32, '${path} must be a unix time')
    .required('${path} is required'),
  content: string(4096).required('${path} is required'),
});

/**
 * A delivery refused: 401 `webhook_signature_invalid` or 400 `webhook_payload_invalid`. The controller
 * answers it itself: Strapi's route pipeline turns a thrown UnauthorizedError into a bare 401.
 */
export class WebhookError extends Error {
  constructor(
    readonly status: 400 | 401,
    message: string
  ) {
    super(message);
    this.name = 'WebhookError';
  }

  get code() {
    return this.status === 401 ? 'webhook_signature_invalid' : 'webhook_payload_invalid';
  }
}

const invalid = (message: string) => new WebhookError(400, message);

const validate = <Schema extends yup.AnyObjectSchema>(schema: Schema, value: object): yup.InferType<Schema> => {
  try {
    return schema.validateSync(value, { strict: true, abortEarly: false });
  } catch (error) {
    if (error instanceof yup.ValidationError) throw invalid(error.errors.join('; '));
    throw error;
  }
};

/** The signed body as an object; a 400 for anything else. */
const parseJsonObject = (rawBody: Buffer): Record<string, unknown> => {
  let body: unknown;
  try {
    body = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw invalid('The webhook body is not JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('The webhook body must be a JSON object');
  return body as Record<string, unknown>;
};

/**
 * `content` is `{"reason":N}` as a JSON string. A reason that is missing, unreadable or not 0–5 is
 * recorded as 0 (unknown): the tokens are dead whatever the reason, and refusing the event would only
 * make TikTok retry it for 72 hours.
 */
const reasonOf = (content: string) => {
  let reason: unknown;
  try {
    reason = (JSON.parse(content) as { reason?: unknown } | null)?.reason;
  } catch {
    return 0;
  }
  return typeof reason === 'number' && Number.isInteger(reason) && reason >= 0 && reason <= MAX_REMOVAL_REASON ? reason : 0;
};

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const refused = (why: string) => {
    strapi.log.debug(`[tiktok-auth-mobile] webhook refused: ${why}`);
    return new WebhookError(401, 'The TikTok-Signature header does not hold for this body');
  };

  /** The configured clients whose secret signed this body: normally one, none for a forgery. */
  const signersOf = async (signatureHeader: string, rawBody: Buffer) => {
    const signature = parseSignatureHeader(signatureHeader);
    if (!signature) throw refused('no TikTok-Signature header, or not t=<unix seconds>,s=<64 hex digits>');
    if (!isFresh(signature)) throw refused(`its timestamp is more than ${SIGNATURE_TOLERANCE_S} s away from this server's clock`);
    const settings = getService('settings');
    const { clients } = await settings.get();
    return clients.filter((client) => {
      const secret = settings.clientSecret(client);
      return secret !== null && isSignedWith(secret, signature, rawBody);
    });
  };

  /** tiktok-auth-mobile.authorization.removed, for the account's user (if it still has one). */
  const announceRemoval = async (clientKey: string, openId: string) => {
    const { unionId } = (await getService('tokens').authorizationOf(clientKey, openId)) ?? {};
    if (!unionId) return;
    const identity = (await strapi.db
      .query(IDENTITY_UID)
      .findOne({ where: { unionId }, populate: { user: { select: ['id'] } } })) as { user: { id: number } | null } | null;
    await emitEvent(strapi, EVENTS.authorizationRemoved, { userId: identity?.user?.id ?? null, unionId, clientKey, flow: 'webhook' });
  };

  const removeAuthorization = async (clientKey: string, body: Record<string, unknown>) => {
    const { user_openid: openId, create_time: createTime, content } = validate(removalSchema, body);
    const reason = reasonOf(content);
    // create_time has whole seconds: an event in the second of a login counts as after it.
    const eventTime = new Date((createTime + 1) * 1000);
    const outcome = await getService('tokens').removeAuthorization({ clientKey, openId, reason, eventTime });
    if (outcome === 'removed') {
      await announceRemoval(clientKey, openId);
      strapi.log.info(`[tiktok-auth-mobile] TikTok removed an account's authorization of client_key ${clientKey} (reason ${reason}): its stored tokens, if any, are deleted`);
    } else {
      strapi.log.debug(`[tiktok-auth-mobile] webhook authorization.removed of client_key ${clientKey}: ${outcome === 'unknown' ? 'no account with this open_id' : 'already removed, or older than the last login'}`);
    }
  };

  return {
    /**
     * One delivery of TikTok's webhook. The signature is checked first, on the exact bytes, against
     * the secret of each configured client; the body is read only once it holds, and must name the
     * client that signed it. Throws a WebhookError: 401 for a signature that does not hold, 400
     * for a signed body that is malformed. Idempotent: TikTok delivers at least once.
     */
    async receive(rawBody: Buffer, signatureHeader: string): Promise<void> {
      const signers = await signersOf(signatureHeader, rawBody);
      if (signers.length === 0) throw refused('no configured client secret signed this body');
      const body = parseJsonObject(rawBody);
      const { client_key: clientKey, event } = validate(envelopeSchema, body);
      if (!signers.some((client) => client.clientKey === clientKey)) throw refused('its client_key is not the client that signed it');

      if (event === 'authorization.removed') return removeAuthorization(clientKey, body);
      strapi.log.debug(`[tiktok-auth-mobile] webhook event ${JSON.stringify(event)} of client_key ${clientKey} ignored`);
    },
  };
};
