// The typed client's change sets against a started agent: apply (with and without a rollback
// timer), get, confirm, and the refusal of a set as a ClientError naming the change.
import { describe, expect, it } from 'vitest';
import { ClientError } from '../../packages/client/src/index.js';
import { agentWithClient } from '../helpers/client.js';

describe('client.changes', () => {
  const started = agentWithClient();

  it('applies, reads and confirms a set', async () => {
    const set = await started.client.changes.apply(
      [
        { method: 'POST', path: 'mwan3/v1/rules', body: { name: 'c1', policy: 'balanced', proto: 'udp', dest_port: '53' } },
        { method: 'DELETE', path: 'mwan3/v1/rules/https' },
      ],
      { rollbackAfter: 600 },
    );
    expect(set.state).toBe('pending');
    expect(set.results).toEqual([{ name: 'c1', policy: 'balanced', proto: 'udp', dest_port: '53' }, { message: 'success' }]);
    expect((await started.client.changes.get(set.id)).state).toBe('pending');
    const confirmed = await started.client.changes.confirm(set.id);
    expect(confirmed.state).toBe('confirmed');
    expect(confirmed.confirmed_at).toBeDefined();
    expect(await started.client.mwan3.rules.find('https')).toBeUndefined();
    expect((await started.client.changes.apply([{ method: 'PUT', path: 'mwan3/v1/rules/c1', body: { policy: 'wan_wanb' } }])).state).toBe('confirmed');
    expect((await started.client.mwan3.rules.get('c1')).policy).toBe('wan_wanb');
  });

  it('rejects a refused set with the status and the message naming the change', async () => {
    const err = await started.client.changes.apply([{ method: 'DELETE', path: 'mwan3/v1/rules/c1' }, { method: 'DELETE', path: 'mwan3/v1/rules/c1' }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClientError);
    expect((err as ClientError).status).toBe(404);
    expect((err as ClientError).message).toContain('changes.1: Not found');
    expect((await started.client.mwan3.rules.get('c1')).name).toBe('c1');
  });
});
