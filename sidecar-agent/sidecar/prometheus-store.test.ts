import { describe, expect, it } from 'vitest';
import { labelsFrom } from '../../core/labels/labels.ts';
import { withExternal } from './prometheus-store.ts';

describe('withExternal', () => {
  it('merges sorted, external labels win on a clash', () => {
    const ext = labelsFrom({ cluster: 'c', zone: 'z' });
    expect(
      withExternal(
        [
          { name: '__name__', value: 'up' },
          { name: 'job', value: 'j' },
        ],
        ext,
      ),
    ).toEqual(labelsFrom({ __name__: 'up', cluster: 'c', job: 'j', zone: 'z' }));
    expect(
      withExternal(
        [
          { name: 'cluster', value: 'own' },
          { name: 'zz', value: '1' },
        ],
        ext,
      ),
    ).toEqual(labelsFrom({ cluster: 'c', zone: 'z', zz: '1' }));
    expect(withExternal([], ext)).toEqual(ext);
  });
});
