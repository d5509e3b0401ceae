import { describe, expect, it } from 'vitest';
import { parseBody } from '../../src/validate.js';
import { proposals } from '../../src/resources/ipsec/proposals.js';
import { remotes } from '../../src/resources/ipsec/remotes.js';
import { ENCRYPTION_ALGORITHMS, isAead } from '../../src/resources/ipsec/algorithms.js';
import { kindHarness, plain } from '../helpers/kind.js';
import { proposalBody, sampleYamlHolds, siteBody } from './samples.js';

const parse = (body: unknown) => parseBody(proposals.schema, body);
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('ipsec proposals: schema', () => {
  it('accepts the ICN sample as the Go client sends it', () => {
    expect(sampleYamlHolds('ipsecproposal.yaml', ['dh_group: modp4096', 'encryption_algorithm: aes', 'hash_algorithm: sha1', 'name: ipsecproposal'])).toEqual([]);
    expect(parse(proposalBody)).toEqual(proposalBody);
  });

  it.each([
    [{ name: 'p', encryption_algorithm: 'aes1024' }, 'Field[encryption_algorithm] checked failed: should be a strongSwan encryption algorithm keyword'],
    [{ name: 'p', hash_algorithm: 'sha256' }, 'Field[encryption_algorithm] checked failed: is required'],
    [{ name: 'p', encryption_algorithm: 'aes128', hash_algorithm: 'sha257' }, 'Field[hash_algorithm] checked failed: should be a strongSwan integrity algorithm keyword'],
    [{ name: 'p', encryption_algorithm: 'aes128', dh_group: 'modp1000' }, 'Field[dh_group] checked failed: should be a strongSwan Diffie-Hellman group keyword'],
    [{ name: 'p', encryption_algorithm: 'aes256gcm16', hash_algorithm: 'sha256' }, 'Field[hash_algorithm] checked failed: aes256gcm16 is an AEAD cipher'],
    [{ name: 'p', encryption_algorithm: 'chacha20poly1305', hash_algorithm: 'sha1' }, 'Field[hash_algorithm] checked failed: chacha20poly1305 is an AEAD cipher'],
    [{ name: 'p q', encryption_algorithm: 'aes' }, 'Field[name] checked failed:'],
    [{ name: 'p', encryption_algorithm: 128 }, 'Field[encryption_algorithm] checked failed: should be a string'],
  ])('refuses %j', (body, message) => {
    expect(() => parse(body)).toThrow(expect.objectContaining({ status: 400, message: expect.stringMatching(new RegExp(`^${escapeRe(message)}`)) }));
  });

  it('accepts AEAD ciphers without a hash and the usual groups', () => {
    for (const [cipher, dh] of [
      ['aes128gcm16', 'ecp256'],
      ['aes256gcm16', 'curve25519'],
      ['chacha20poly1305', 'x448'],
      ['3des', 'modp1024'],
      ['aes192', 'modp8192'],
    ]) {
      expect(parse({ name: 'p', encryption_algorithm: cipher, dh_group: dh })).toEqual({ name: 'p', encryption_algorithm: cipher, dh_group: dh });
    }
  });

  it('classifies AEAD ciphers as swanctl.init does, and more', () => {
    const aead = [...ENCRYPTION_ALGORITHMS].filter(isAead);
    expect(aead).toContain('aes128gcm8');
    expect(aead).toContain('aes256ccm16');
    expect(aead).toContain('camellia128ccm12');
    expect(aead).toContain('chacha20poly1305');
    expect(aead).not.toContain('aes128');
    expect(aead).not.toContain('aes128ctr');
    expect(aead).not.toContain('3des');
  });
});

describe('ipsec proposals: body -> UCI -> list', () => {
  const GLOBALS = "config ipsec 'globals'\n\toption debug '0'\n";

  it('stores a crypto_proposal section and reads it back', async () => {
    const h = kindHarness(proposals, { ipsec: GLOBALS });
    expect(await h.create(proposalBody)).toEqual(proposalBody);
    expect(h.file('ipsec')).toBe(
      "\nconfig ipsec 'globals'\n\toption debug '0'\n\nconfig crypto_proposal 'ipsecproposal'\n\toption encryption_algorithm 'aes'\n\toption hash_algorithm 'sha1'\n\toption dh_group 'modp4096'\n\n",
    );
    expect(await h.list()).toEqual([proposalBody]);
    expect(h.reloads).toEqual(['ipsec']);
  });

  it('maps a Kubernetes name and keeps it in api_name', async () => {
    const h = kindHarness(proposals);
    await h.create({ name: 'ike-prop.1', encryption_algorithm: 'aes128gcm16' });
    expect(plain(h.pkg('ipsec').sections[0])).toEqual({ '.type': 'crypto_proposal', '.name': 'ike_prop_1', encryption_algorithm: 'aes128gcm16', api_name: 'ike-prop.1' });
    expect(await h.list()).toEqual([{ name: 'ike-prop.1', encryption_algorithm: 'aes128gcm16' }]);
  });

  it('replaces the options on update (a field left out is removed)', async () => {
    const h = kindHarness(proposals);
    await h.create(proposalBody);
    await h.replace('ipsecproposal', { encryption_algorithm: 'aes256gcm16', dh_group: 'ecp384' });
    expect(plain(h.pkg('ipsec').sections[0])).toEqual({ '.type': 'crypto_proposal', '.name': 'ipsecproposal', encryption_algorithm: 'aes256gcm16', dh_group: 'ecp384' });
  });

  it('409 when a name maps onto a section another object holds', async () => {
    const h = kindHarness(proposals, { ipsec: "config remote 'a_b'\n\toption api_name 'a.b'\n" });
    expect((await h.refusal(() => h.create({ name: 'a-b', encryption_algorithm: 'aes' }))).status).toBe(409);
  });

  it('is used by a remote or a connection listing it; deleting removes only its section', async () => {
    const h = kindHarness(proposals);
    await h.create(proposalBody);
    await h.create({ name: 'other', encryption_algorithm: 'aes' });
    await h.with(remotes).create({ ...siteBody, crypto_proposal: ['other'] });
    expect(await h.refusal(() => h.remove('other'))).toEqual({ status: 400, message: 'Proposal "other" is used by remote "ipsecsite"' });
    expect(await h.refusal(() => h.remove('ipsecproposal'))).toEqual({ status: 400, message: 'Proposal "ipsecproposal" is used by connection "connB"' });
    await h.create({ name: 'x.y', encryption_algorithm: 'aes' });
    const before = h.pkg('ipsec').sections.map((s) => s.name);
    await h.remove('x.y');
    expect(h.pkg('ipsec').sections.map((s) => s.name)).toEqual(before.filter((n) => n !== 'x_y'));
  });
});
