import { describe, expect, it } from 'vitest';
import { parseBody } from '../../src/http/validate.js';
import { proposals } from '../../src/resources/ipsec/proposals.js';
import { remotes } from '../../src/resources/ipsec/remotes.js';
import { ENCRYPTION_ALGORITHMS, isAead } from '../../src/resources/ipsec/algorithms.js';
import { pkg, plain, section, snap, thrown, write } from './uci-model.js';
import { proposalBody, sampleYamlHolds, siteBody } from './samples.js';

const parse = (body: unknown) => parseBody(proposals.schema, body);

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
    const err = thrown(() => parse(body));
    expect(err.status).toBe(400);
    expect(err.message.startsWith(message)).toBe(true);
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

describe('ipsec proposals: UCI', () => {
  it('stores a crypto_proposal section and reads it back', () => {
    const after = write(proposals, pkg(section('ipsec', 'globals', { debug: '0' })), proposalBody);
    expect(plain(after.sections[1])).toEqual({ '.type': 'crypto_proposal', '.name': 'ipsecproposal', encryption_algorithm: 'aes', hash_algorithm: 'sha1', dh_group: 'modp4096' });
    expect(proposals.list(snap(after))).toEqual([proposalBody]);
  });

  it('maps a Kubernetes name and keeps it in api_name', () => {
    const after = write(proposals, pkg(), { name: 'ike-prop.1', encryption_algorithm: 'aes128gcm16' });
    expect(plain(after.sections[0])).toEqual({ '.type': 'crypto_proposal', '.name': 'ike_prop_1', encryption_algorithm: 'aes128gcm16', api_name: 'ike-prop.1' });
    expect(proposals.list(snap(after))).toEqual([{ name: 'ike-prop.1', encryption_algorithm: 'aes128gcm16' }]);
  });

  it('replaces the options on update (a field left out is removed)', () => {
    const first = write(proposals, pkg(), proposalBody);
    const second = write(proposals, first, { name: 'ipsecproposal', encryption_algorithm: 'aes256gcm16', dh_group: 'ecp384' });
    expect(plain(second.sections[0])).toEqual({ '.type': 'crypto_proposal', '.name': 'ipsecproposal', encryption_algorithm: 'aes256gcm16', dh_group: 'ecp384' });
  });

  it('409 when a name maps onto a section another object holds', () => {
    const p = pkg(section('remote', 'a_b', { api_name: 'a.b' }));
    expect(thrown(() => write(proposals, p, { name: 'a-b', encryption_algorithm: 'aes' })).status).toBe(409);
  });

  it('is used by a remote or a connection listing it; deleting removes only its section', () => {
    let p = write(proposals, pkg(), proposalBody);
    p = write(proposals, p, { name: 'other', encryption_algorithm: 'aes' });
    expect(proposals.usedBy!('ipsecproposal', snap(p))).toBeUndefined();
    p = write(remotes, p, { ...siteBody, crypto_proposal: ['other'] });
    expect(proposals.usedBy!('other', snap(p))).toBe('Proposal "other" is used by remote "ipsecsite"');
    expect(proposals.usedBy!('ipsecproposal', snap(p))).toBe('Proposal "ipsecproposal" is used by connection "connB"');
    const q = write(proposals, pkg(), { name: 'x.y', encryption_algorithm: 'aes' });
    expect(proposals.deleteBatch('x.y', snap(q))).toEqual([{ op: 'delete', section: 'x_y' }]);
  });
});
