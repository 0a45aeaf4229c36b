import { MIN_LENGTH, usernameBase } from '../../server/src/utils/text';

describe('usernameBase', () => {
  it('prefers the first usable candidate', () => {
    expect(usernameBase('handle', 'Display')).toBe('handle');
    expect(usernameBase(undefined, 'Display')).toBe('Display');
    expect(usernameBase('  \u200b ', 'Display')).toBe('Display');
  });

  it('drops invisible characters and folds white space and control characters', () => {
    expect(usernameBase('a\u0000b\u202ec\u200d d\n\te')).toBe('a bc d e');
    expect(usernameBase('a \u200b b')).toBe('a b');
    expect(usernameBase('\ud800ok')).toBe('ok');
  });

  it('normalises to NFC', () => {
    expect(usernameBase('Zoe\u0308')).toBe('Zoë');
  });

  it('cuts long names at 50 characters without splitting a code point', () => {
    const name = usernameBase('🦄'.repeat(80));
    expect(Array.from(name)).toHaveLength(50);
    expect(name).toBe('🦄'.repeat(50));
  });

  it('falls back to "tiktok" when nothing usable is left', () => {
    expect(usernameBase('', undefined, '\u0007')).toBe('tiktok');
    expect(usernameBase()).toBe('tiktok');
    expect(Array.from(usernameBase()).length).toBeGreaterThanOrEqual(MIN_LENGTH);
  });
});
