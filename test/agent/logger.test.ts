// The logger never writes secrets, wherever they sit in a logged object.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';

describe('logger redaction', () => {
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
    for (const s of secrets) expect(out).not.toContain(s);
    expect(out).toContain('"user":"root"');
    expect(out.match(/\[redacted\]/g)?.length).toBeGreaterThanOrEqual(secrets.length);
  });
});
