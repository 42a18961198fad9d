import { describe, expect, it } from 'vitest';
import { raceAbort } from './abort-race.ts';

/** A signal that counts its abort listeners. */
function counted(): { ac: AbortController; listeners: () => number } {
  const ac = new AbortController();
  let n = 0;
  const add = ac.signal.addEventListener.bind(ac.signal);
  const remove = ac.signal.removeEventListener.bind(ac.signal);
  ac.signal.addEventListener = ((type: string, fn: EventListener, o?: AddEventListenerOptions) => {
    n++;
    add(type, fn, o);
  }) as typeof ac.signal.addEventListener;
  ac.signal.removeEventListener = ((type: string, fn: EventListener) => {
    n--;
    remove(type, fn);
  }) as typeof ac.signal.removeEventListener;
  return { ac, listeners: () => n };
}

describe('raceAbort', () => {
  it('settles as the promise does and leaves no listener behind', async () => {
    const { ac, listeners } = counted();
    for (let i = 0; i < 100; i++)
      await expect(raceAbort(Promise.resolve(i), ac.signal)).resolves.toBe(i);
    await expect(raceAbort(Promise.reject(new Error('boom')), ac.signal)).rejects.toThrow('boom');
    expect(listeners()).toBe(0);
  });

  it("rejects with the signal's reason when it aborts first, or had aborted", async () => {
    const ac = new AbortController();
    const never = new Promise<number>(() => {});
    const racing = raceAbort(never, ac.signal);
    ac.abort(new Error('stop'));
    await expect(racing).rejects.toThrow('stop');
    await expect(raceAbort(Promise.resolve(1), ac.signal)).rejects.toThrow('stop');
  });
});
