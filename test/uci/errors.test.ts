import { describe, expect, it } from 'vitest';
import { UciBatchError } from '../../src/uci/index.js';

describe('UciBatchError', () => {
  it('keeps the batch text (request values, keys among them) out of what a logger serializes', () => {
    const err = new UciBatchError('ipsec', 1, 'uci: Invalid argument', "set ipsec.site.pre_shared_key='s3cret'\n");
    expect(err.batch).toContain('s3cret');
    expect(JSON.stringify({ ...err })).not.toContain('s3cret');
    expect(Object.keys(err)).not.toContain('batch');
    expect(err.message).toBe('uci batch on ipsec failed (exit 1): uci: Invalid argument');
  });
});
