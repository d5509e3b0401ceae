// Password checks: static credentials, an /etc/shadow-format file, or rpcd's session login.
import { readFile, stat } from 'node:fs/promises';
import type { Settings } from '../config.js';
import { safeEqual, verifyCrypt } from './crypt.js';
import { passwordFromFileContent } from './password-file.js';

/** Says whether a user name and password are good. Never throws for a wrong password. */
export type PasswordVerifier = (user: string, password: string) => Promise<boolean>;

export function staticVerifier(expectedUser: string, expectedPassword: string): PasswordVerifier {
  return async (user, password) => {
    const userOk = safeEqual(user, expectedUser);
    const passwordOk = safeEqual(password, expectedPassword);
    return userOk && passwordOk && expectedPassword !== '';
  };
}

/** The hash field of `user` in shadow-format text, or undefined. */
export function shadowHash(text: string, user: string): string | undefined {
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === user && fields.length >= 2) return fields[1];
  }
  return undefined;
}

/**
 * Checks against the user's hash in a shadow-format file, read at each login so that a
 * `passwd` on the box takes effect at once. Locked hashes (`!`, `*`) never match. An empty
 * hash field is an account without a password (a fresh OpenWRT's root): it logs in with the
 * empty password, as LuCI and rpcd let it, and with nothing else.
 */
export function shadowVerifier(file: string, allowedUser?: string): PasswordVerifier {
  return async (user, password) => {
    if (allowedUser !== undefined && user !== allowedUser) return false;
    const hash = shadowHash(await readFile(file, 'utf8'), user);
    if (hash === '') return password === '';
    if (!hash || !hash.startsWith('$')) return false;
    return verifyCrypt(password, hash);
  };
}

/** Whether `user` has an empty password field in the shadow file (false when unreadable). */
export async function shadowPasswordEmpty(file: string, user: string): Promise<boolean> {
  try {
    return shadowHash(await readFile(file, 'utf8'), user) === '';
  } catch {
    return false;
  }
}

/**
 * rpcd's `ubus call session login`: a good login answers with a `ubus_rpc_session`, which is
 * destroyed again at once since the agent keeps its own sessions.
 */
export function ubusVerifier(ubusBin = 'ubus', allowedUser?: string): PasswordVerifier {
  return async (user, password) => {
    if (allowedUser !== undefined && user !== allowedUser) return false;
    const { execa } = await import('execa');
    const login = await execa(ubusBin, ['call', 'session', 'login', JSON.stringify({ username: user, password })], {
      reject: false,
      timeout: 10_000,
    });
    if (login.exitCode !== 0) return false;
    let sid: unknown;
    try {
      sid = (JSON.parse(login.stdout) as { ubus_rpc_session?: unknown }).ubus_rpc_session;
    } catch {
      return false;
    }
    if (typeof sid !== 'string' || sid === '') return false;
    await execa(ubusBin, ['call', 'session', 'destroy', JSON.stringify({ ubus_rpc_session: sid })], {
      reject: false,
      timeout: 10_000,
    });
    return true;
  };
}

export function verifierFor(settings: Settings): PasswordVerifier {
  switch (settings.auth) {
    case 'static':
      if (settings.passwordFile !== undefined) return passwordFileVerifier(settings.passwordFile, settings.user);
      return staticVerifier(settings.user, settings.password ?? '');
    case 'shadow':
      return shadowVerifier(settings.shadowFile, settings.user);
    case 'ubus':
      return ubusVerifier('ubus', settings.user);
  }
}

const fileIdentity = (s: { dev: number; ino: number; size: number; mtimeMs: number; ctimeMs: number }) =>
  `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;

/**
 * A verifier for `expectedUser` with the password held in `file`. An unreadable file throws
 * (the login route logs it and refuses the login); an empty password never matches.
 */
export function passwordFileVerifier(file: string, expectedUser: string): PasswordVerifier {
  let cached: { id: string; password: string } | undefined;
  return async (user, password) => {
    const id = fileIdentity(await stat(file));
    if (cached?.id !== id) cached = { id, password: passwordFromFileContent(await readFile(file, 'utf8')) };
    const expected = cached.password;
    const userOk = safeEqual(user, expectedUser);
    const passwordOk = safeEqual(password, expected);
    return userOk && passwordOk && expected !== '';
  };
}
