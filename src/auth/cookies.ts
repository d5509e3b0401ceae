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

/** Values of the session cookies in a Cookie header, in the order sysauth, _https, _http. */
export function sessionTokens(cookieHeader: string | undefined): string[] {
  if (!cookieHeader || !cookieHeader.includes('sysauth')) return [];
  const found: (string | undefined)[] = SESSION_COOKIES.map(() => undefined);
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    const at = eq === -1 ? -1 : (SESSION_COOKIES as readonly string[]).indexOf(part.slice(0, eq).trim());
    if (at === -1 || found[at] !== undefined) continue;
    const value = part.slice(eq + 1).trim();
    found[at] = value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
  }
  return found.filter((v) => v !== undefined);
}
