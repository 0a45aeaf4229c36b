import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far the signature's `t` may be from this server's clock, either way. */
export const SIGNATURE_TOLERANCE_S = 300;

/** The `TikTok-Signature` header, parsed: `t` as sent (it is signed as text) and `s` as bytes. */
export interface WebhookSignature {
  t: string;
  s: Buffer;
}

const UNIX_SECONDS = /^\d{1,12}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/i;

/**
 * `t=<unix seconds>,s=<64 hex digits>`: fields in any order, spaces around them ignored, unknown fields
 * skipped. null when either is missing, malformed or repeated (two values would be ambiguous).
 */
export const parseSignatureHeader = (header: string): WebhookSignature | null => {
  const fields = new Map<string, string>();
  for (const part of header.split(',')) {
    const at = part.indexOf('=');
    if (at === -1) continue;
    const key = part.slice(0, at).trim();
    if (fields.has(key)) return null;
    fields.set(key, part.slice(at + 1).trim());
  }
  const t = fields.get('t');
  const s = fields.get('s');
  if (t === undefined || s === undefined || !UNIX_SECONDS.test(t) || !SHA256_HEX.test(s)) return null;
  return { t, s: Buffer.from(s, 'hex') };
};

/** Whether `t` is within the tolerance of `nowMs`, in the past or the future. */
export const isFresh = ({ t }: WebhookSignature, nowMs = Date.now()) =>
  Math.abs(nowMs / 1000 - Number(t)) <= SIGNATURE_TOLERANCE_S;

/** Whether `s` is the HMAC-SHA256 of `<t>.<raw body>` keyed with `secret`, compared in constant time. */
export const isSignedWith = (secret: string, { t, s }: WebhookSignature, rawBody: Buffer) =>
  timingSafeEqual(createHmac('sha256', secret).update(`${t}.`).update(rawBody).digest(), s);
