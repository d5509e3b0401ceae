// loadSettings: defaults, environment over the agent's UCI file, and errors naming the setting.
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSettings, settingsFromAgentConfig, SettingsError } from '../../src/config.js';
import { parseUci } from '../../src/uci/index.js';
import { makeTempDir, repoRoot } from '../helpers/agent.js';
import { settingsError } from '../helpers/settings.js';

const tmp = makeTempDir('sdewan-config-');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const noUci = path.join(tmp, 'empty-path');
mkdirSync(noUci);


describe('loadSettings', () => {
  it('has the development defaults', () => {
    const s = loadSettings({}, { cwd: tmp, openwrt: false, searchPath: noUci });
    expect(s).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      confdir: path.join(tmp, 'var', 'config'),
      savedir: path.join(tmp, 'var', 'save'),
      uciBin: undefined,
      initd: path.join(tmp, 'var', 'initd'),
      auth: 'static',
      user: 'root',
      password: undefined,
      shadowFile: '/etc/shadow',
      sessionTtlSec: 3600,
      tlsCert: undefined,
      tlsKey: undefined,
      logLevel: 'info',
      seedConfdir: true,
      seedInitd: true,
    });
  });

  it('finds uci on PATH, and takes "embedded" to mean the built-in engine', () => {
    const bin = path.join(tmp, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, 'uci'), '#!/bin/sh\n');
    chmodSync(path.join(bin, 'uci'), 0o755);
    expect(loadSettings({}, { cwd: tmp, openwrt: false, searchPath: bin }).uciBin).toBe(path.join(bin, 'uci'));
    expect(loadSettings({ SDEWAN_UCI_BIN: 'embedded' }, { cwd: tmp, openwrt: false, searchPath: bin }).uciBin).toBeUndefined();
    expect(settingsError(() => loadSettings({ SDEWAN_UCI_BIN: '/no/such/uci' }, { cwd: tmp, openwrt: false })).setting).toBe('SDEWAN_UCI_BIN');
  });

  it("takes the agent's UCI config on OpenWRT, and the environment wins", () => {
    const fileSettings = settingsFromAgentConfig(
      parseUci(
        "\nconfig agent 'main'\n\toption port '9090'\n\toption host '0.0.0.0'\n\toption session_ttl '60'\n\toption auth 'static'\n\toption password 'from file'\n\nconfig other 'x'\n\toption port '1'\n\n",
        { name: 'sdewan-agent' },
      ),
    );
    const s = loadSettings({ SDEWAN_CONFDIR: tmp, PORT: '7070' }, { openwrt: true, fileSettings, searchPath: noUci });
    expect(s.port).toBe(7070);
    expect(s.host).toBe('0.0.0.0');
    expect(s.sessionTtlSec).toBe(60);
    expect(s.password).toBe('from file');
    expect(s.savedir).toBe('/tmp/.uci-sdewan');
    expect(s.seedConfdir).toBe(false);
  });

  it('ignores the file outside OpenWRT', () => {
    const s = loadSettings({}, { cwd: tmp, openwrt: false, fileSettings: { PORT: '9999' }, searchPath: noUci });
    expect(s.port).toBe(8080);
  });

  it('reads the options of config agent only, from the shipped fixture too', () => {
    const text = readFileSync(path.join(repoRoot(), 'uci-fixtures', 'sdewan-agent'), 'utf8');
    expect(settingsFromAgentConfig(parseUci(text, { name: 'sdewan-agent' }))).toMatchObject({ PORT: '8080', SDEWAN_AUTH: 'shadow' });
    expect(
      settingsFromAgentConfig(parseUci("config foo\n\toption port 1\nconfig agent\n\toption port 8081\n\toption user admin\n", { name: 'x' })),
    ).toEqual({ PORT: '8081', SDEWAN_USER: 'admin' });
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ SDEWAN_AUTH: 'ldap' }, 'SDEWAN_AUTH'],
    [{ SDEWAN_SESSION_TTL: '0' }, 'SDEWAN_SESSION_TTL'],
    [{ SDEWAN_RELOAD_DELAY_MS: '-1' }, 'SDEWAN_RELOAD_DELAY_MS'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ HOST: 'a b' }, 'HOST'],
    [{ SDEWAN_USER: 'root:0' }, 'SDEWAN_USER'],
    [{ SDEWAN_TLS_CERT: '/etc/hostname' }, 'SDEWAN_TLS_KEY'],
    [{ SDEWAN_TLS_KEY: '/etc/hostname' }, 'SDEWAN_TLS_CERT'],
    [{ SDEWAN_TLS_CERT: '/no/cert.pem', SDEWAN_TLS_KEY: '/no/key.pem' }, 'SDEWAN_TLS_CERT'],
    [{ SDEWAN_AUTH: 'shadow', SDEWAN_SHADOW: '/no/shadow' }, 'SDEWAN_SHADOW'],
    [{ SDEWAN_CONFDIR: '/no/such/dir' }, 'SDEWAN_CONFDIR'],
  ])('%o is refused naming %s', (env, name) => {
    const err = settingsError(() => loadSettings(env, { cwd: tmp, openwrt: false, searchPath: noUci }));
    expect(err.setting).toBe(name);
    expect(err.message).toContain(name);
  });
});
