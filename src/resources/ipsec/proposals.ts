import * as z from 'zod';
import type { Field } from '../fields.js';
import { managedOptions, optionList, optionsOf } from '../fields.js';
import { apiNameOf, findNamed, namedObjectOps, namedObjects } from '../names.js';
import { defineResource, type Snapshot } from '../types.js';
import { DH_GROUPS, ENCRYPTION_ALGORITHMS, HASH_ALGORITHMS, isAead } from './algorithms.js';
import { apiName, CONNECTION_TYPES, IPSEC, PROPOSAL_TYPE, REMOTE_TYPE } from './common.js';

/**
 * `config crypto_proposal '<name>'` with the three options swanctl.init joins into a proposal
 * string `<encryption>-<hash>-<dh>` (the ESP proposals of the tunnels and, with the optional
 * prf, the IKE proposals of the remote).
 */
const FIELDS: readonly Field[] = [{ api: 'encryption_algorithm' }, { api: 'hash_algorithm' }, { api: 'dh_group' }];

/** One of strongSwan's keywords: an enum, so that the document lists them. */
const algorithm = (known: ReadonlySet<string>, what: string) =>
  z.enum([...known] as [string, ...string[]], {
    error: (iss) =>
      iss.input === undefined
        ? 'is required'
        : typeof iss.input !== 'string'
          ? 'should be a string'
          : `should be a strongSwan ${what} keyword (e.g. ${[...known].slice(0, 4).join(', ')}, ...)`,
  });

const schema = z
  .object({
    name: apiName().meta({ description: 'The proposal name, as remotes and connections list it.', examples: ['ipsecproposal'] }),
    encryption_algorithm: algorithm(ENCRYPTION_ALGORITHMS, 'encryption algorithm').meta({
      description: "The cipher, a strongSwan keyword; an AEAD cipher (`aes128gcm16`, ...) has no `hash_algorithm`.",
      examples: ['aes'],
    }),
    hash_algorithm: algorithm(HASH_ALGORITHMS, 'integrity algorithm').optional().meta({ description: 'The integrity algorithm, a strongSwan keyword.', examples: ['sha1'] }),
    dh_group: algorithm(DH_GROUPS, 'Diffie-Hellman group').optional().meta({ description: 'The Diffie-Hellman group, a strongSwan keyword.', examples: ['modp4096'] }),
  })
  .superRefine((p, ctx) => {
    if (p.hash_algorithm !== undefined && isAead(p.encryption_algorithm)) {
      ctx.addIssue({
        code: 'custom',
        path: ['hash_algorithm'],
        message: `${p.encryption_algorithm} is an AEAD cipher with its own integrity check: swanctl refuses a hash algorithm with it`,
      });
    }
  })
  .meta({
    description: 'A crypto proposal, `<encryption>-<hash>-<dh>` for IKE and ESP (`config crypto_proposal`).',
    examples: [{ name: 'ipsecproposal', encryption_algorithm: 'aes', hash_algorithm: 'sha1', dh_group: 'modp4096' }],
  });
export type IpsecProposal = z.infer<typeof schema>;

/** Remotes and connections that list the proposal section `section`. */
function users(snap: Snapshot, section: string) {
  return (snap[IPSEC]?.sections ?? []).filter(
    (s) => (s.type === REMOTE_TYPE || (CONNECTION_TYPES as readonly string[]).includes(s.type)) && optionList(s, PROPOSAL_TYPE).includes(section),
  );
}

export const proposals = defineResource({
  domain: 'ipsec',
  collection: 'proposals',
  config: IPSEC,
  service: 'ipsec',
  schema,
  list: (snap) => namedObjects(snap[IPSEC], PROPOSAL_TYPE, FIELDS) as IpsecProposal[],
  toBatch: (obj, snap) => namedObjectOps(snap[IPSEC]!, PROPOSAL_TYPE, obj.name, optionsOf(obj, FIELDS), managedOptions(FIELDS)),
  deleteBatch: (name, snap) => [{ op: 'delete', section: findNamed(snap[IPSEC], PROPOSAL_TYPE, name)!.name }],
  usedBy(name, snap) {
    const section = findNamed(snap[IPSEC], PROPOSAL_TYPE, name)?.name;
    const user = section === undefined ? undefined : users(snap, section)[0];
    if (!user) return undefined;
    const kind = user.type === REMOTE_TYPE ? 'remote' : 'connection';
    return `Proposal ${JSON.stringify(name)} is used by ${kind} ${JSON.stringify(apiNameOf(user))}`;
  },
});
