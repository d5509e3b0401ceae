// The sysauth cookies of LuCI's login, written byte for byte as the contract says.

import { LUCI_HOME as COOKIE_PATH } from '../paths.js';
export const SESSION_COOKIES = ['sysauth', 'sysauth_https', 'sysauth_http'] as const;

/** Set-Cookie values after a login: `sysauth` first (the controller reads only that one). */
export function loginCookies(token: string, tls: boolean): string[] {
  const attrs = `; path=${COOKIE_PATH}; SameSite=Strict; HttpOnly${tls ? '; Secure' : ''}`;
  return [`sysauth=${token}${attrs}`, `sysauth_${tls ? 'https' : 'http'}=${token}${attrs}`];
}

/** Set-Cookie values that clear every session cookie. */
export function logoutCookies(tls: boolean): string[] {
  const attrs = `; path=${COOKIE_PATH}; expires=Thu, 01 Jan 1970 00:00:00 GMT; SameSite=Strict; HttpOnly${tls ? '; Secure' : ''}`;
  return SESSION_COOKIES.map((name) => `${name}=${attrs}`);
}

/** Which session cookie a name is (an index into SESSION_COOKIES), or -1; compared in place. */
function sessionCookieAt(header: string, start: number, end: number): number {
  const len = end - start;
  if (len < 7 || !header.startsWith('sysauth', start)) return -1;
  if (len === 7) return 0;
  if (len === 13 && header.startsWith('_https', start + 7)) return 1;
  if (len === 12 && header.startsWith('_http', start + 7)) return 2;
  return -1;
}

const isSpace = (code: number) => code === 32 || code === 9;

/**
 * Values of the session cookies in a Cookie header, in the order sysauth, _https, _http (the
 * first of each name counts; a value in double quotes is unquoted). The header is scanned in
 * place: only the values found are copied out.
 */
export function sessionTokens(cookieHeader: string | undefined): string[] {
  if (!cookieHeader || !cookieHeader.includes('sysauth')) return [];
  const h = cookieHeader;
  const found: (string | undefined)[] = [undefined, undefined, undefined];
  for (let pos = 0; pos < h.length; ) {
    let end = h.indexOf(';', pos);
    if (end === -1) end = h.length;
    const eq = h.indexOf('=', pos);
    if (eq !== -1 && eq < end) {
      let ns = pos;
      let ne = eq;
      while (ns < ne && isSpace(h.charCodeAt(ns))) ns++;
      while (ne > ns && isSpace(h.charCodeAt(ne - 1))) ne--;
      const at = sessionCookieAt(h, ns, ne);
      if (at !== -1 && found[at] === undefined) {
        let vs = eq + 1;
        let ve = end;
        while (vs < ve && isSpace(h.charCodeAt(vs))) vs++;
        while (ve > vs && isSpace(h.charCodeAt(ve - 1))) ve--;
        if (ve - vs >= 2 && h.charCodeAt(vs) === 34 && h.charCodeAt(ve - 1) === 34) {
          vs++;
          ve--;
        }
        found[at] = h.slice(vs, ve);
      }
    }
    pos = end + 1;
  }
  return found.filter((v) => v !== undefined);
}
