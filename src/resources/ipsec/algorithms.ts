/**
 * strongSwan's algorithm keywords, as a proposal string (`aes128-sha256-modp2048`) spells them.
 * The sets cover the keywords of strongSwan's proposal documentation that a `crypto_proposal`
 * section can carry in each of its three slots.
 */

const AES_SIZES = ['128', '192', '256'] as const;
const ICV_SIZES = ['8', '12', '16', '64', '96', '128'] as const;

/** `<cipher><size><mode><icv>` keywords of the block ciphers (`aes256gcm16`, `camellia128ctr`, ...). */
function blockCipherKeywords(cipher: 'aes' | 'camellia'): string[] {
  const out: string[] = [cipher];
  for (const size of AES_SIZES) {
    out.push(`${cipher}${size}`, `${cipher}${size}ctr`);
    for (const icv of ICV_SIZES) out.push(`${cipher}${size}ccm${icv}`);
    if (cipher === 'aes') for (const icv of ICV_SIZES) out.push(`${cipher}${size}gcm${icv}`);
  }
  return out;
}

export const ENCRYPTION_ALGORITHMS: ReadonlySet<string> = new Set([
  ...blockCipherKeywords('aes'),
  ...blockCipherKeywords('camellia'),
  '3des',
  'cast128',
  'blowfish',
  'blowfish128',
  'blowfish192',
  'blowfish256',
  'null',
  'chacha20poly1305',
]);

export const HASH_ALGORITHMS: ReadonlySet<string> = new Set([
  'md5',
  'md5_128',
  'sha',
  'sha1',
  'sha1_160',
  'sha256',
  'sha2_256',
  'sha256_96',
  'sha2_256_96',
  'sha384',
  'sha2_384',
  'sha512',
  'sha2_512',
  'aesxcbc',
  'aescmac',
]);

export const DH_GROUPS: ReadonlySet<string> = new Set([
  'modp768',
  'modp1024',
  'modp1536',
  'modp2048',
  'modp3072',
  'modp4096',
  'modp6144',
  'modp8192',
  'modp1024s160',
  'modp2048s224',
  'modp2048s256',
  'ecp192',
  'ecp224',
  'ecp256',
  'ecp384',
  'ecp521',
  'ecp224bp',
  'ecp256bp',
  'ecp384bp',
  'ecp512bp',
  'curve25519',
  'x25519',
  'curve448',
  'x448',
]);

/**
 * An AEAD cipher carries its own integrity check: a proposal that adds a hash to it is
 * invalid (swanctl.init refuses it with "Can't have <hash> with <cipher>").
 */
export function isAead(cipher: string): boolean {
  return /^(aes|camellia)[0-9]*(gcm|ccm)[0-9]*$/.test(cipher) || /^aes[0-9]*gmac$/.test(cipher) || cipher === 'chacha20poly1305';
}
