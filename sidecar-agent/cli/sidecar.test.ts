import { describe, expect, it } from 'vitest';
import { shipperMetaFileName } from './sidecar.ts';

describe('--shipper.meta-file-name', () => {
  it('is a path inside --tsdb.path, cleaned as Thanos joins it; empty is the default', () => {
    expect(shipperMetaFileName('thanos.shipper.json')).toBe('thanos.shipper.json');
    expect(shipperMetaFileName('')).toBe('thanos.shipper.json');
    expect(shipperMetaFileName('state/./a.json')).toBe('state/a.json');
    expect(shipperMetaFileName('/abs/a.json')).toBe('abs/a.json'); // joined under the dir
    expect(shipperMetaFileName('x/../b.json')).toBe('b.json');
  });

  it('refuses a name that leads out of the data directory or names no file', () => {
    for (const bad of ['../up.json', 'a/../../up.json', '..', '.', 'dir/'])
      expect(() => shipperMetaFileName(bad), bad).toThrow(/is not a file inside --tsdb.path/);
  });
});
