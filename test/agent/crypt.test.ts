// crypt(3) hashes: known answers of the SHA-crypt specification, and agreement with
// `openssl passwd` for $1$, $5$ and $6$.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { md5Crypt, shaCrypt, verifyCrypt } from '../../src/auth/crypt.js';

describe('sha-crypt known answers (Drepper specification)', () => {
  it.each([
    [5, 'Hello world!', 'saltstring', undefined, '$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5'],
    [5, 'Hello world!', 'saltstringsaltstring', 10000, '$5$rounds=10000$saltstringsaltst$3xv.VbSHBb41AL9AvLeujZkZRBAwqFMz2.opqey6IcA'],
    [5, 'we have a short salt string but not a short password', 'roundstoolow', 10, '$5$rounds=1000$roundstoolow$p20OiWa5GmKDHyeQuvXKgAXjYozUMLD5yQL6RzRpZCC'],
    [6, 'Hello world!', 'saltstring', undefined, '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1'],
    [6, 'Hello world!', 'saltstringsaltstring', 10000, '$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.'],
    [6, 'a very much longer text to encrypt.  This one even stretches over morethan one line.', 'anotherlongsaltstring', 1400, '$6$rounds=1400$anotherlongsalts$POfYwTEok97VWcjxIiSOjiykti.o/pQs.wPvMxQ6Fm7I6IoYN3CmLs66x9t0oSwbtEW7o7UmJEiDwGqd8p4ur1'],
  ] as const)('$%i %s', (variant, password, salt, rounds, expected) => {
    expect(shaCrypt(variant, password, salt, rounds)).toBe(expected);
    expect(verifyCrypt(password, expected)).toBe(true);
    expect(verifyCrypt(`${password}x`, expected)).toBe(false);
  });
});

describe('agreement with openssl passwd', () => {
  const passwords = ['secret', 'pässwörd with spaces', 'x'.repeat(100), "quote'\"$`\\"];
  for (const method of ['1', '5', '6'] as const) {
    it.each(passwords)(`-${method} %s`, (password) => {
      const hash = execFileSync('openssl', ['passwd', `-${method}`, '--', password], { encoding: 'utf8' }).trim();
      expect(hash.startsWith(`$${method}$`)).toBe(true);
      expect(verifyCrypt(password, hash)).toBe(true);
      expect(verifyCrypt(password.slice(1), hash)).toBe(false);
      if (method === '1') {
        const salt = hash.split('$')[2]!;
        expect(md5Crypt(password, salt)).toBe(hash);
      }
    });
  }

  it('rejects locked, empty and unknown hashes', () => {
    expect(verifyCrypt('secret', '')).toBe(false);
    expect(verifyCrypt('secret', '!')).toBe(false);
    expect(verifyCrypt('secret', '*')).toBe(false);
    expect(verifyCrypt('secret', '$y$j9T$abc$def')).toBe(false);
    expect(verifyCrypt('secret', '$2b$10$abcdefghijklmnopqrstuv')).toBe(false);
  });
});
