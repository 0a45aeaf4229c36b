/** Visible ASCII, 0x21–0x7E: what an HTTP header value carries unchanged through every client. */
export const VISIBLE_ASCII = /^[\x21-\x7e]*$/;

/** No control character and no unpaired surrogate: what a form, JSON and every database carry unchanged. */
export const PRINTABLE = /^[^\p{Cc}\p{Cs}]*$/u;

const MAX_LENGTH = 50;
export const MIN_LENGTH = 3;

/**
 * A readable username base from what TikTok sent: display names can hold any character, including
 * control characters, zero-width joiners and nothing at all. Never throws.
 */
export const usernameBase = (...candidates: Array<string | undefined>): string => {
  for (const candidate of candidates) {
    if (typeof candidate !== 'string') continue;
    const cleaned = candidate
      .normalize('NFC')
      .replace(/[\p{Cf}\p{Co}\p{Cn}\p{Cs}]/gu, '')
      .replace(/[\s\p{Cc}]+/gu, ' ')
      .trim();
    if (cleaned) return Array.from(cleaned).slice(0, MAX_LENGTH).join('');
  }
  return 'tiktok';
};

/**
 * TikTok text as every supported database can store it: PostgreSQL refuses NUL characters and
 * unpaired surrogates, and a string column holds 255 characters.
 */
export const storableText = (value: string | undefined, max = 255): string | null =>
  value === undefined ? null : Array.from(value.replace(/[\u0000\p{Cs}]/gu, '')).slice(0, max).join('');
