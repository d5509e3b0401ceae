// The logger never writes secrets, wherever they sit in a logged object.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';

/** A logger writing JSON lines into a string. */
async function capture(level = 'info') {
  let out = '';
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      out += chunk.toString();
      done();
    },
  });
  const log = await createLogger({ level, pretty: false, destination });
  return { log, out: () => out, lines: () => out.split('\n').filter((l) => l !== '') };
}

/** An error whose message and properties hold a value, as UCI value errors and errno errors do. */
function errorHolding(value: string): Error {
  const err = Object.assign(new Error(`bad value ${value}`), { value, detail: { value }, code: 'ENOSPC', syscall: 'write', errno: -28 });
  return err;
}

describe('logger redaction', () => {
  it('never writes what an error carries, wherever the error is in the call', async () => {
    const { log, out, lines } = await capture('trace');
    const v = 'value-in-error-9';
    log.error({ err: errorHolding(v) }, 'with a message');
    log.error(errorHolding(v));
    log.warn({ err: errorHolding(v) });
    log.info({ reason: errorHolding(v), nested: { deeper: [errorHolding(v)] } }, 'other keys');
    log.error({ err: new AggregateError([errorHolding(v)], `agg ${v}`) }, 'aggregate');
    log.error({ err: { message: `plain ${v}`, stack: `Error: plain ${v}\n    at here (x.js:1:1)` } }, 'error-like');
    expect(out()).not.toContain(v);
    expect(lines()).toHaveLength(6);
    const first = JSON.parse(lines()[0]!);
    expect(first.err).toMatchObject({ type: 'Error', code: 'ENOSPC', syscall: 'write', errno: -28 });
    expect(first.err.stack).toMatch(/^at /);
    expect(JSON.parse(lines()[1]!).msg).toBe('error');
  });

  it('bounds every string of a line: values, keys, messages, printf arguments', async () => {
    const { log, lines } = await capture();
    const big = 'x'.repeat(900 * 1024);
    log.warn({ user: big, list: [big, big], deep: { a: { b: { c: { d: { e: { f: { g: big } } } } } } } }, big);
    log.info({ [big]: 1, many: Array.from({ length: 10_000 }, (_, i) => i) }, 'keys');
    log.info('%s and %s', big, big);
    for (const line of lines()) expect(line.length).toBeLessThan(4096);
    expect(JSON.parse(lines()[0]!).user).toMatch(/^x{256}\.\.\.\[921600 characters\]$/);
  });

  it('hides passwords, cookies, tokens, pre-shared keys and private keys', async () => {
    let out = '';
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        out += chunk.toString();
        done();
      },
    });
    const log = await createLogger({ level: 'info', pretty: false, destination });
    const secrets = ['pw-1', 'pw-2', 'cookie-3', 'token-4', 'psk-5', 'key-6', 'cert-7', 'sysauth-8'];
    log.info({ password: 'pw-1', body: { luci_password: 'pw-2', pre_shared_key: 'psk-5' }, token: 'token-4', user: 'root' }, 'a');
    log.info({ req: { headers: { cookie: 'cookie-3', authorization: 'x' } }, remote: { private_key: 'key-6', local_private_cert: 'cert-7' } }, 'b');
    log.info({ sysauth: 'sysauth-8' }, 'c');
    // a WireGuard tunnel: its private key and its peers' pre-shared keys
    log.info({ body: { private_key: 'wgkey-9', peers: [{ name: 'b', preshared_key: 'wgpsk-10' }, { name: 'c', preshared_key: 'wgpsk-11' }] } }, 'd');
    log.info({ tunnel: { private_key: 'wgkey-12', peers: [{ preshared_key: 'wgpsk-13' }] }, peer: { preshared_key: 'wgpsk-14' }, preshared_key: 'wgpsk-15' }, 'e');
    secrets.push('wgkey-9', 'wgpsk-10', 'wgpsk-11', 'wgkey-12', 'wgpsk-13', 'wgpsk-14', 'wgpsk-15');
    for (const s of secrets) expect(out).not.toContain(s);
    expect(out).toContain('"user":"root"');
    expect(out.match(/\[redacted\]/g)?.length).toBeGreaterThanOrEqual(secrets.length);
  });
});
