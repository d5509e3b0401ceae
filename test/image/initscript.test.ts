// The procd init script and the first-boot script of the OpenWRT image: syntax, shellcheck,
// and what they really do when run by sh with OpenWRT's helpers replaced by recorders.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AGENT_CONFIG,
  FIXTURES,
  INIT_SCRIPT,
  UCI_DEFAULTS_SCRIPT,
  parseUciOptions,
  run,
  tempDir,
} from './support.js';

const SCRIPTS = [INIT_SCRIPT, UCI_DEFAULTS_SCRIPT];
const temps: string[] = [];
function temp(prefix: string): string {
  const dir = tempDir(prefix);
  temps.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('shell syntax and shellcheck', () => {
  for (const script of SCRIPTS) {
    const name = path.relative(path.dirname(path.dirname(script)), script);
    it(`${name} passes sh -n`, async () => {
      const r = await run('sh', ['-n', script]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    });
    it(`${name} passes shellcheck`, async () => {
      const r = await run('shellcheck', ['--format=gcc', script]);
      expect(r.stdout + r.stderr).toBe('');
      expect(r.code).toBe(0);
    });
    it(`${name} is executable`, () => {
      expect(statSync(script).mode & 0o111).toBe(0o111);
    });
  }
  it('shellcheck does catch a broken script (the check is live)', async () => {
    const dir = temp('shellcheck');
    const broken = path.join(dir, 'broken');
    writeFileSync(broken, '#!/bin/sh\nrm -rf $1/*\n');
    const r = await run('shellcheck', ['--format=gcc', broken]);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(/SC2115|SC2086/);
  });
});

// ---------------------------------------------------------------------------------------
// start_service with recorders

interface Call {
  fn: string;
  args: string[];
}

function parseRecord(text: string): Call[] {
  const calls: Call[] = [];
  let current: Call | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('CALL ')) current = { fn: line.slice(5), args: [] };
    else if (line.startsWith('ARG ') && current) current.args.push(line.slice(4));
    else if (line === 'END' && current) {
      calls.push(current);
      current = undefined;
    }
  }
  return calls;
}

interface Instance {
  name: string;
  command: string[];
  env: Map<string, string>;
  respawn: string[];
  stdout: string[];
  stderr: string[];
  file: string[];
}

/** Folds the recorded procd calls into the instances procd would be handed. */
function instancesOf(calls: Call[]): Instance[] {
  const instances: Instance[] = [];
  let open: Instance | undefined;
  for (const { fn, args } of calls) {
    if (fn === 'procd_open_instance') {
      expect(open, 'instance opened inside another').toBeUndefined();
      open = { name: args[0] ?? '', command: [], env: new Map(), respawn: [], stdout: [], stderr: [], file: [] };
    } else if (fn === 'procd_close_instance') {
      expect(open, 'instance closed without being opened').toBeDefined();
      instances.push(open!);
      open = undefined;
    } else if (fn === 'procd_set_param' || fn === 'procd_append_param') {
      expect(open, `${fn} outside an instance`).toBeDefined();
      const [param, ...values] = args;
      if (param === 'env') {
        if (fn === 'procd_set_param') open!.env.clear();
        for (const kv of values) {
          const eq = kv.indexOf('=');
          open!.env.set(kv.slice(0, eq), kv.slice(eq + 1));
        }
      } else if (param === 'command' || param === 'respawn' || param === 'stdout' || param === 'stderr' || param === 'file') {
        open![param] = fn === 'procd_set_param' ? values : [...open![param], ...values];
      } else {
        throw new Error(`unexpected procd param ${param}`);
      }
    }
  }
  expect(open, 'instance left open').toBeUndefined();
  return instances;
}

interface ServiceRun {
  code: number;
  stderr: string;
  calls: Call[];
  instances: Instance[];
}

/**
 * Sources the init script in sh after the recorders, points NODE and AGENT at files that
 * exist here (unless told otherwise), and runs one of its functions. `@DIR@` in the config
 * stands for the run's temporary directory, where `opts.files` are written first.
 */
async function runService(
  configText: string,
  fn: 'start_service' | 'service_triggers',
  opts: { node?: string; files?: Record<string, string> } = {},
): Promise<ServiceRun & { dir: string }> {
  const dir = temp('procd');
  const confdir = path.join(dir, 'config');
  mkdirSync(confdir);
  for (const [file, text] of Object.entries(opts.files ?? {})) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  writeFileSync(path.join(confdir, 'sdewan-agent'), configText.replaceAll('@DIR@', dir));
  const node = path.join(dir, 'node');
  writeFileSync(node, '#!/bin/sh\n');
  chmodSync(node, 0o755);
  const agent = path.join(dir, 'sdewan-agent.mjs');
  writeFileSync(agent, '');
  const record = path.join(dir, 'record');
  writeFileSync(record, '');
  const driver = [
    'set -u',
    '. "$STUBS"',
    '. "$INIT"',
    'NODE="$TEST_NODE"',
    'AGENT="$TEST_AGENT"',
    `${fn}`,
  ].join('\n');
  const r = await run('sh', ['-c', driver], {
    env: {
      PATH: process.env.PATH,
      STUBS: path.join(FIXTURES, 'procd-recorder.sh'),
      INIT: INIT_SCRIPT,
      TEST_NODE: opts.node ?? node,
      TEST_AGENT: agent,
      RECORD: record,
      UCI_CONFDIR: confdir,
    },
  });
  const calls = parseRecord(readFileSync(record, 'utf8'));
  return { code: r.code, stderr: r.stderr, calls, instances: instancesOf(calls), dir };
}

const shippedConfig = readFileSync(AGENT_CONFIG, 'utf8');
/** The shipped config with its certificate paths under the run's directory. */
const shippedHere = shippedConfig.replaceAll("'/etc/uhttpd.", "'@DIR@/etc/uhttpd.");
const CERTS = { 'etc/uhttpd.crt': 'cert\n', 'etc/uhttpd.key': 'key\n' };

describe('init script start_service', () => {
  it('reads its own UCI config', async () => {
    const r = await runService(shippedConfig, 'start_service');
    expect(r.code).toBe(0);
    expect(r.calls.filter((c) => c.fn === 'config_load')).toEqual([{ fn: 'config_load', args: ['sdewan-agent'] }]);
  });

  it("with the shipped config and uhttpd's certificate, runs one process on 443 (HTTPS) and 80 (HTTP)", async () => {
    const shipped = parseUciOptions(shippedConfig);
    expect([shipped.get('tls_cert'), shipped.get('tls_key'), shipped.get('port'), shipped.get('http_port')]).toEqual([
      '/etc/uhttpd.crt',
      '/etc/uhttpd.key',
      '443',
      '80',
    ]);
    const r = await runService(shippedHere, 'start_service', { files: CERTS });
    expect(r.stderr).toBe('');
    expect(r.instances.map((i) => i.name)).toEqual(['main']);
    const [main] = r.instances as [Instance];
    expect(main.command.slice(1)).toEqual(['--single-threaded', '--optimize-for-size', '--max-semi-space-size=2', '--max-old-space-size=64', '--no-turbo-inlining', expect.stringMatching(/sdewan-agent\.mjs$/)]);
    expect(main.respawn).toEqual(['3600', '5', '0']);
    expect(main.stdout).toEqual(['1']);
    expect(main.stderr).toEqual(['1']);
    expect(Object.fromEntries(main.env)).toEqual({
      NODE_ENV: 'production',
      HOST: '0.0.0.0',
      // PORT cleared: the lists say which ports are which.
      PORT: '',
      SDEWAN_HTTPS_PORTS: '443',
      SDEWAN_HTTP_PORTS: '80',
      SDEWAN_TLS_CERT: `${r.dir}/etc/uhttpd.crt`,
      SDEWAN_TLS_KEY: `${r.dir}/etc/uhttpd.key`,
      SDEWAN_TLS_DIR: '',
      SDEWAN_PASSWORD_FILE: '',
      SDEWAN_CONFDIR: '/etc/config',
      SDEWAN_SAVEDIR: '/tmp/.uci-sdewan-agent',
      SDEWAN_UCI_BIN: '/sbin/uci',
      SDEWAN_INITD: '/etc/init.d',
      SDEWAN_AUTH: 'shadow',
      SDEWAN_USER: 'root',
      SDEWAN_SHADOW: '/etc/shadow',
      SDEWAN_SESSION_TTL: '3600',
      SDEWAN_RELOAD_DELAY_MS: shipped.get('reload_delay_ms'),
      SDEWAN_LOG_TEE: '/proc/1/fd/1',
      LOG_LEVEL: 'info',
    });
    // No password ever travels through procd.
    expect(main.env.has('SDEWAN_PASSWORD')).toBe(false);
    expect(main.file).toEqual(['/etc/config/sdewan-agent', `${r.dir}/etc/uhttpd.crt`, `${r.dir}/etc/uhttpd.key`]);
  });

  it('without the certificate files, serves both ports as plain HTTP and says why', async () => {
    const r = await runService(shippedHere, 'start_service');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`${r.dir}/etc/uhttpd.crt or ${r.dir}/etc/uhttpd.key is missing: serving plain HTTP only`);
    const [main] = r.instances as [Instance];
    expect(r.instances).toHaveLength(1);
    expect(Object.fromEntries(main.env)).toMatchObject({ SDEWAN_HTTP_PORTS: '443 80', SDEWAN_HTTPS_PORTS: '', SDEWAN_TLS_CERT: '', SDEWAN_TLS_KEY: '' });
    expect(main.file).toEqual(['/etc/config/sdewan-agent']);
  });

  it('passes every option of the config through to the agent', async () => {
    const config = [
      "config agent 'main'",
      "\toption host '127.0.0.1'",
      "\toption port '8443'",
      "\toption tls_cert '@DIR@/srv/tls/cert.pem'",
      "\toption tls_key '@DIR@/srv/tls/key.pem'",
      "\toption http_port '0'",
      "\toption auth 'ubus'",
      "\toption user 'admin'",
      "\toption session_ttl '600'",
      "\toption reload_delay_ms '250'",
      "\toption log_level 'debug'",
      "\toption log_tee '/dev/console'",
      '',
    ].join('\n');
    const r = await runService(config, 'start_service', { files: { 'srv/tls/cert.pem': 'c', 'srv/tls/key.pem': 'k' } });
    expect(r.code).toBe(0);
    expect(r.instances).toHaveLength(1);
    const [main] = r.instances as [Instance];
    expect(main.name).toBe('main');
    expect(Object.fromEntries(main.env)).toMatchObject({
      HOST: '127.0.0.1',
      PORT: '',
      SDEWAN_HTTPS_PORTS: '8443',
      SDEWAN_HTTP_PORTS: '',
      SDEWAN_TLS_CERT: `${r.dir}/srv/tls/cert.pem`,
      SDEWAN_TLS_KEY: `${r.dir}/srv/tls/key.pem`,
      SDEWAN_AUTH: 'ubus',
      SDEWAN_USER: 'admin',
      SDEWAN_SESSION_TTL: '600',
      SDEWAN_RELOAD_DELAY_MS: '250',
      SDEWAN_LOG_TEE: '/dev/console',
      LOG_LEVEL: 'debug',
    });
    expect(main.file).toEqual(['/etc/config/sdewan-agent', `${r.dir}/srv/tls/cert.pem`, `${r.dir}/srv/tls/key.pem`]);
  });

  it('takes the lists https_ports and http_ports, when given, instead of port and http_port', async () => {
    const config = [
      "config agent 'main'",
      "\toption port '443'",
      "\toption http_port '80'",
      "\toption https_ports '443 8443'",
      "\toption http_ports '8080'",
      "\toption tls_dir '/etc/sdewan-agent/tls'",
      '',
    ].join('\n');
    const r = await runService(config, 'start_service');
    expect(r.instances).toHaveLength(1);
    expect(Object.fromEntries(r.instances[0]!.env)).toMatchObject({ PORT: '', SDEWAN_HTTPS_PORTS: '443 8443', SDEWAN_HTTP_PORTS: '8080' });
  });

  it('passes the Kubernetes secrets (tls_dir, password_file) to its one process', async () => {
    const config = [
      "config agent 'main'",
      "\toption port '443'",
      "\toption http_port '80'",
      "\toption tls_dir '/etc/sdewan-agent/tls'",
      "\toption auth 'static'",
      "\toption password_file '/etc/sdewan-agent/secret/password'",
      '',
    ].join('\n');
    const r = await runService(config, 'start_service');
    expect(r.code).toBe(0);
    expect(r.instances).toHaveLength(1);
    const [main] = r.instances as [Instance];
    expect(Object.fromEntries(main.env)).toMatchObject({
      SDEWAN_TLS_DIR: '/etc/sdewan-agent/tls',
      SDEWAN_HTTPS_PORTS: '443',
      SDEWAN_HTTP_PORTS: '80',
      SDEWAN_PASSWORD_FILE: '/etc/sdewan-agent/secret/password',
      SDEWAN_AUTH: 'static',
    });
    expect(main.file).toContain('/etc/sdewan-agent/secret/password');
  });

  it('falls back to defaults for unset options: one plain HTTP port, 443', async () => {
    const r = await runService("config agent 'main'\n", 'start_service');
    expect(r.code).toBe(0);
    expect(r.instances).toHaveLength(1);
    const [main] = r.instances as [Instance];
    expect(Object.fromEntries(main.env)).toMatchObject({
      HOST: '0.0.0.0',
      PORT: '',
      SDEWAN_HTTP_PORTS: '443',
      SDEWAN_HTTPS_PORTS: '',
      SDEWAN_TLS_CERT: '',
      SDEWAN_TLS_KEY: '',
      SDEWAN_AUTH: 'shadow',
      SDEWAN_USER: 'root',
      SDEWAN_SESSION_TTL: '3600',
      SDEWAN_LOG_TEE: '',
      LOG_LEVEL: 'info',
    });
  });

  it('fails with a message, and starts nothing, when no port is left', async () => {
    const r = await runService("config agent 'main'\n\toption port '0'\n\toption http_port '0'\n", 'start_service');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('no port to listen on');
    expect(r.instances).toEqual([]);
  });

  it('starts nothing when disabled', async () => {
    const r = await runService(shippedHere.replace("option enabled '1'", "option enabled '0'"), 'start_service');
    expect(shippedConfig).toContain("option enabled '1'");
    expect(r.code).toBe(0);
    expect(r.instances).toEqual([]);
  });

  it('fails with a message, and starts nothing, when node is missing', async () => {
    const r = await runService(shippedConfig, 'start_service', { node: '/nonexistent/node' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('/nonexistent/node');
    expect(r.instances).toEqual([]);
  });

  it('asks procd to reload on a change of its config', async () => {
    const r = await runService(shippedConfig, 'service_triggers');
    expect(r.code).toBe(0);
    expect(r.calls).toEqual([{ fn: 'procd_add_reload_trigger', args: ['sdewan-agent'] }]);
  });

  it('starts node from the system and the bundle from /usr/share/sdewan-agent', async () => {
    const r = await run('sh', ['-c', '. "$INIT"; printf "%s\\n" "$NODE" "$AGENT" "$START" "$STOP" "$USE_PROCD"'], {
      env: { PATH: process.env.PATH, INIT: INIT_SCRIPT },
    });
    expect(r.code).toBe(0);
    const [node, agent, start, stop, useProcd] = r.stdout.trim().split('\n');
    expect(node).toBe('/usr/bin/node');
    expect(agent).toBe('/usr/share/sdewan-agent/sdewan-agent.mjs');
    // After network (20), firewall (19), mwan3 and swanctl (90); stopped early.
    expect(Number(start)).toBeGreaterThan(90);
    expect(Number(stop)).toBeLessThan(20);
    expect(useProcd).toBe('1');
  });
});

// ---------------------------------------------------------------------------------------
// uci-defaults: first boot

interface FirstBoot {
  dir: string;
  store: string;
  log: string;
  cert: string;
  key: string;
}

function firstBootSetup(): FirstBoot {
  const dir = temp('firstboot');
  const cert = path.join(dir, 'etc/sdewan-agent/agent.crt');
  const key = path.join(dir, 'etc/sdewan-agent/agent.key');
  const shipped = parseUciOptions(shippedConfig);
  const store = path.join(dir, 'uci-store');
  writeFileSync(
    store,
    [
      'system.@system[0].hostname=sdewan-test',
      'firewall.cfg01=defaults',
      'firewall.cfg02=rule',
      'firewall.cfg02.name=Allow-Ping',
      `sdewan-agent.main.port=${shipped.get('port')}`,
      `sdewan-agent.main.http_port=${shipped.get('http_port')}`,
      `sdewan-agent.main.tls_cert=${cert}`,
      `sdewan-agent.main.tls_key=${key}`,
      '',
    ].join('\n'),
  );
  const log = path.join(dir, 'uci-log');
  writeFileSync(log, '');
  return { dir, store, log, cert, key };
}

async function runFirstBoot(fb: FirstBoot, extraPath: string[] = []) {
  // Sourced in a subshell, the way /etc/init.d/boot runs uci-defaults scripts.
  return run('sh', ['-c', '( . "$SCRIPT" )'], {
    cwd: fb.dir,
    env: {
      PATH: [...extraPath, path.join(FIXTURES, 'bin'), process.env.PATH].join(':'),
      SCRIPT: UCI_DEFAULTS_SCRIPT,
      FAKE_UCI_STORE: fb.store,
      FAKE_UCI_LOG: fb.log,
      FAKE_PX5G_LOG: path.join(fb.dir, 'px5g-log'),
    },
  });
}

function firewallRules(store: string): Map<string, Map<string, string>> {
  const rules = new Map<string, Map<string, string>>();
  const lines = readFileSync(store, 'utf8').split('\n');
  for (const line of lines) {
    const m = /^firewall\.([^.=]+)=rule$/.exec(line);
    if (m) rules.set(m[1]!, new Map());
  }
  for (const line of lines) {
    const m = /^firewall\.([^.=]+)\.([^=]+)=(.*)$/.exec(line);
    if (m && rules.has(m[1]!)) rules.get(m[1]!)!.set(m[2]!, m[3]!);
  }
  return rules;
}

describe('uci-defaults first boot', () => {
  it('makes a self-signed certificate the agent can load (openssl, where px5g is absent)', async () => {
    const fb = firstBootSetup();
    const r = await runFirstBoot(fb);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const cert = new X509Certificate(readFileSync(fb.cert));
    expect(cert.subject).toContain('CN=sdewan-test');
    const key = createPrivateKey(readFileSync(fb.key));
    expect(cert.checkPrivateKey(key)).toBe(true);
    expect(statSync(fb.key).mode & 0o777).toBe(0o600);
  });

  it('uses px5g when the box has it', async () => {
    const fb = firstBootSetup();
    const r = await runFirstBoot(fb, [path.join(FIXTURES, 'px5g-bin')]);
    expect(r.code).toBe(0);
    const args = readFileSync(path.join(fb.dir, 'px5g-log'), 'utf8').trim().split('\n');
    expect(args[0]).toBe('selfsigned');
    const value = (flag: string) => args[args.indexOf(flag) + 1];
    expect(value('-keyout')).toBe(fb.key);
    expect(value('-out')).toBe(fb.cert);
    expect(value('-subj')).toBe('/CN=sdewan-test');
    expect(value('-newkey')).toBe('ec');
    expect(readFileSync(fb.cert, 'utf8')).toBe('placeholder-cert\n');
  });

  it('keeps a certificate that is already there', async () => {
    const fb = firstBootSetup();
    mkdirSync(path.dirname(fb.cert), { recursive: true });
    writeFileSync(fb.cert, 'user-cert\n');
    writeFileSync(fb.key, 'user-key\n');
    const r = await runFirstBoot(fb, [path.join(FIXTURES, 'px5g-bin')]);
    expect(r.code).toBe(0);
    expect(readFileSync(fb.cert, 'utf8')).toBe('user-cert\n');
    expect(readFileSync(fb.key, 'utf8')).toBe('user-key\n');
  });

  it("opens the agent's ports in the firewall once", async () => {
    const fb = firstBootSetup();
    expect((await runFirstBoot(fb)).code).toBe(0);
    const rules = [...firewallRules(fb.store).values()].filter((r) => r.get('name') === 'Allow-sdewan-agent');
    expect(rules).toHaveLength(1);
    const shipped = parseUciOptions(shippedConfig);
    expect(Object.fromEntries(rules[0]!)).toEqual({
      name: 'Allow-sdewan-agent',
      src: '*',
      proto: 'tcp',
      dest_port: `${shipped.get('port')} ${shipped.get('http_port')}`,
      target: 'ACCEPT',
    });
    expect(readFileSync(fb.log, 'utf8')).toContain('commit firewall');

    // A second run (the script failed later, or was run again by hand) adds nothing.
    copyFileSync(fb.store, `${fb.store}.before`);
    expect((await runFirstBoot(fb)).code).toBe(0);
    expect(readFileSync(fb.store, 'utf8')).toBe(readFileSync(`${fb.store}.before`, 'utf8'));
  });

  it('opens the ports of the https_ports and http_ports lists when they are given', async () => {
    const fb = firstBootSetup();
    writeFileSync(fb.store, `${readFileSync(fb.store, 'utf8')}sdewan-agent.main.https_ports=443 8443\nsdewan-agent.main.http_ports=8080\n`);
    expect((await runFirstBoot(fb)).code).toBe(0);
    const rules = [...firewallRules(fb.store).values()].filter((r) => r.get('name') === 'Allow-sdewan-agent');
    expect(rules.map((r) => r.get('dest_port'))).toEqual(['443 8443 8080']);
  });

  it('fails (so that boot runs it again) when no certificate can be made', async () => {
    const fb = firstBootSetup();
    // A PATH with the fake uci and the basic tools, but neither px5g nor openssl.
    const bin = path.join(fb.dir, 'bin');
    mkdirSync(bin);
    for (const tool of ['sh', 'awk', 'grep', 'mkdir', 'dirname', 'chmod', 'wc', 'tr']) {
      const found = await run('sh', ['-c', `command -v ${tool}`]);
      expect(found.code, tool).toBe(0);
      const link = path.join(bin, tool);
      writeFileSync(link, `#!/bin/sh\nexec ${found.stdout.trim()} "$@"\n`);
      chmodSync(link, 0o755);
    }
    const r = await run('/bin/sh', ['-c', '( . "$SCRIPT" )'], {
      cwd: fb.dir,
      env: {
        PATH: [path.join(FIXTURES, 'bin'), bin].join(':'),
        SCRIPT: UCI_DEFAULTS_SCRIPT,
        FAKE_UCI_STORE: fb.store,
        FAKE_UCI_LOG: fb.log,
      },
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/neither px5g nor openssl/);
  });
});
