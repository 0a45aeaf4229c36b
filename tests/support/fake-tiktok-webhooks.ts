/**
 * TikTok's webhook events as the fake TikTok sends them: the JSON body and the `TikTok-Signature`
 * header, `t=<unix seconds>,s=<hex HMAC-SHA256 of "<t>.<raw body>" keyed with the client secret>`.
 */
import { createHmac } from 'node:crypto';

/** The hex `s` of a TikTok-Signature header for this raw body, secret and unix second. */
export const signWebhook = (rawBody: string, secret: string, t: number) =>
  createHmac('sha256', secret).update(`${t}.${rawBody}`).digest('hex');

/** One event, as `FakeTikTok.sendWebhook()` takes it. */
export interface WebhookEvent {
  clientKey: string;
  /** e.g. `authorization.removed` */
  event: string;
  /** The user's open_id for `clientKey`. */
  userOpenId: string;
  /** Sent as a JSON string, as TikTok does: `{"reason":1}` becomes `"{\"reason\":1}"`. */
  content: Record<string, unknown>;
  /** `create_time` of the body, unix seconds; the current time if not given. */
  createTime?: number;
}

/** How the event is signed and sent; the defaults make a delivery TikTok would make. */
export interface WebhookSigning {
  /** The signing key: the client's secret if not given (a wrong one makes a forged event). */
  secret?: string;
  /** `t` of the signature, unix seconds: the current time if not given (an old one makes a stale event). */
  timestamp?: number;
  /** Changes the raw body after it was signed: what is sent is tamper(signed body). */
  tamper?: (rawBody: string) => string;
  /** Replaces the whole header value; null sends no TikTok-Signature header at all. */
  signatureHeader?: string | null;
}

/** What was sent and what the receiver answered. */
export interface WebhookDelivery {
  status: number;
  body: string;
  /** The body as sent (after `tamper`). */
  rawBody: string;
  /** The TikTok-Signature header as sent, or null when none was. */
  signatureHeader: string | null;
}

/** The unix second of the real clock: what a receiver compares `t` with. */
export const realUnixSeconds = () => Math.floor(Date.now() / 1000);

export const webhookBody = ({ clientKey, event, userOpenId, content, createTime = realUnixSeconds() }: WebhookEvent) =>
  JSON.stringify({
    client_key: clientKey,
    event,
    create_time: createTime,
    user_openid: userOpenId,
    content: JSON.stringify(content),
  });

/** Signs `event` with `secret` and POSTs it to `url`; gives up after 10 s. */
export async function deliverWebhook(url: string, event: WebhookEvent, secret: string, signing: Omit<WebhookSigning, 'secret'> = {}) {
  const signed = webhookBody(event);
  const t = signing.timestamp ?? realUnixSeconds();
  const signatureHeader =
    signing.signatureHeader === undefined ? `t=${t},s=${signWebhook(signed, secret, t)}` : signing.signatureHeader;
  const rawBody = signing.tamper ? signing.tamper(signed) : signed;
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(signatureHeader === null ? {} : { 'TikTok-Signature': signatureHeader }) },
    body: rawBody,
    signal: AbortSignal.timeout(10_000),
  });
  const delivery: WebhookDelivery = { status: res.status, body: await res.text(), rawBody, signatureHeader };
  return delivery;
}
