// The settings of the mounted secrets: SDEWAN_PASSWORD_FILE and SDEWAN_TLS_DIR.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifierFor } from '../../src/auth/verifiers.js';
import { loadSettings, settingsFromAgentConfig, SettingsError } from '../../src/config.js';
import { parseUci } from '../../src/uci/parser.js';
import { settingsError } from '../helpers/settings.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'sdewan-secret-settings-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const noUci = path.join(tmp, 'empty-path');
mkdirSync(noUci);
const load = (env: Record<string, string>, openwrt = false, fileSettings = {}) =>
  loadSettings({ SDEWAN_CONFDIR: tmp, ...env }, { cwd: tmp, openwrt, searchPath: noUci, fileSettings });


const passwordFile = path.join(tmp, 'password');
writeFileSync(passwordFile, 'from-the-secret\n');
const certDir = path.join(tmp, 'certs');
mkdirSync(certDir);
// a pair that loads: the settings check that it does
execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=x', '-keyout', path.join(certDir, 'tls.key'), '-out', path.join(certDir, 'tls.crt')], { stdio: 'ignore' });

describe('SDEWAN_PASSWORD_FILE', () => {
  it('is resolved against the working directory, and logins check the file', async () => {
    const s = load({ SDEWAN_AUTH: 'static', SDEWAN_PASSWORD_FILE: 'password' });
    expect(s.passwordFile).toBe(passwordFile);
    expect(s.password).toBeUndefined();
    const verify = verifierFor(s);
    expect(await verify('root', 'from-the-secret')).toBe(true);
    expect(await verify('root', 'from-the-secret\n')).toBe(false);
  });

  it('comes from password_file in the agent config on OpenWRT', () => {
    const file = parseUci(`config agent 'main'\n\toption auth 'static'\n\toption password_file '${passwordFile}'\n`, { name: 'sdewan-agent' });
    const s = load({}, true, settingsFromAgentConfig(file));
    expect(s.passwordFile).toBe(passwordFile);
  });

  it.each([
    [{ SDEWAN_AUTH: 'shadow', SDEWAN_SHADOW: passwordFile, SDEWAN_PASSWORD_FILE: passwordFile }, 'used only with SDEWAN_AUTH=static'],
    [{ SDEWAN_AUTH: 'static', SDEWAN_PASSWORD: 'x', SDEWAN_PASSWORD_FILE: passwordFile }, 'give either SDEWAN_PASSWORD or SDEWAN_PASSWORD_FILE'],
    [{ SDEWAN_AUTH: 'static', SDEWAN_PASSWORD_FILE: path.join(tmp, 'nope') }, `cannot read ${JSON.stringify(path.join(tmp, 'nope'))}: ENOENT`],
  ])('refuses %j', (env, message) => {
    const err = settingsError(() => load(env));
    expect(err.setting).toBe('SDEWAN_PASSWORD_FILE');
    expect(err.message).toBe(`invalid setting SDEWAN_PASSWORD_FILE: ${message}`);
  });

  it('refuses an empty password file', () => {
    const empty = path.join(tmp, 'empty');
    writeFileSync(empty, '\n');
    expect(settingsError(() => load({ SDEWAN_AUTH: 'static', SDEWAN_PASSWORD_FILE: empty })).message).toBe(
      `invalid setting SDEWAN_PASSWORD_FILE: ${JSON.stringify(empty)} is empty`,
    );
  });
});

describe('SDEWAN_TLS_DIR', () => {
  it('means tls.crt and tls.key in that directory', () => {
    const s = load({ SDEWAN_TLS_DIR: 'certs' });
    expect([s.tlsCert, s.tlsKey]).toEqual([path.join(certDir, 'tls.crt'), path.join(certDir, 'tls.key')]);
  });

  it('cannot be combined with SDEWAN_TLS_CERT', () => {
    const err = settingsError(() => load({ SDEWAN_TLS_DIR: certDir, SDEWAN_TLS_CERT: path.join(certDir, 'tls.crt'), SDEWAN_TLS_KEY: path.join(certDir, 'tls.key') }));
    expect(err.setting).toBe('SDEWAN_TLS_DIR');
  });

  it('names itself when the directory lacks the files', () => {
    const err = settingsError(() => load({ SDEWAN_TLS_DIR: tmp }));
    expect(err.message).toBe(`invalid setting SDEWAN_TLS_DIR: cannot read file ${JSON.stringify(path.join(tmp, 'tls.crt'))}`);
  });
});
