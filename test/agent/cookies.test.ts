// The session cookies of a Cookie header (src/auth/cookies.ts), scanned in place: fixed cases,
// and the same answers as a plain split-and-trim reading on generated headers.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loginCookies, logoutCookies, sessionTokens } from '../../src/auth/cookies.js';

const T = '0123456789abcdef0123456789abcdef';
const U = 'fedcba9876543210fedcba9876543210';

/** The reading by splitting: pairs on ';', name and value trimmed, the first of each name, quotes removed. */
function bySplitting(header: string | undefined): string[] {
  const names = ['sysauth', 'sysauth_https', 'sysauth_http'];
  const found: (string | undefined)[] = [undefined, undefined, undefined];
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const at = names.indexOf(part.slice(0, eq).trim());
    if (at === -1 || found[at] !== undefined) continue;
    const v = part.slice(eq + 1).trim();
    found[at] = v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
  }
  return found.filter((v) => v !== undefined);
}

describe('sessionTokens', () => {
  it.each([
    ['the controller', `sysauth=${T}`, [T]],
    ['none', undefined, []],
    ['other cookies only', 'theme=dark; lang=en', []],
    ['in the order sysauth, _https, _http', `sysauth_http=${U}; a=1; sysauth_https=${T}; sysauth=${U}`, [U, T, U]],
    ['spaces and tabs around names and values', ` \tsysauth \t= ${T} ;x=1`, [T]],
    ['a quoted value', `sysauth="${T}"`, [T]],
    ['the first of a name', `sysauth=${T}; sysauth=${U}`, [T]],
    ['look-alike names', `xsysauth=${T}; sysauthx=${T}; sysauth_httpx=${T}; sysauth_htt=${T}`, []],
    ['an empty value', 'sysauth=', ['']],
    ['a pair without =', `sysauth; sysauth_http=${T}`, [T]],
    ['a value holding =', 'sysauth=a=b', ['a=b']],
  ])('%s', (_what, header, expected) => {
    expect(sessionTokens(header)).toEqual(expected);
  });

  it('reads generated headers as splitting them does', () => {
    const piece = fc.oneof(
      fc.constantFrom('sysauth', 'sysauth_http', 'sysauth_https', 'sysauth_', 'xsysauth', '=', ';', ' ', '\t', '"', T, 'a', ''),
      fc.string({ maxLength: 4 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 24 }), (parts) => {
        const header = parts.join('');
        expect(sessionTokens(header)).toEqual(bySplitting(header));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('Set-Cookie values', () => {
  it('sysauth first, byte for byte as the contract writes them', () => {
    expect(loginCookies(T, false)).toEqual([`sysauth=${T}; path=/cgi-bin/luci/; SameSite=Strict; HttpOnly`, `sysauth_http=${T}; path=/cgi-bin/luci/; SameSite=Strict; HttpOnly`]);
    expect(loginCookies(T, true)[0]).toBe(`sysauth=${T}; path=/cgi-bin/luci/; SameSite=Strict; HttpOnly; Secure`);
    expect(logoutCookies(false).map((c) => c.split('=')[0])).toEqual(['sysauth', 'sysauth_https', 'sysauth_http']);
  });
});
