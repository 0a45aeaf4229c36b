import { withDeadline, type Deadline } from '../../server/src/utils/deadline';

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('withDeadline', () => {
  it('aborts its signal when the time is up, not before', async () => {
    await withDeadline(1000, async ({ signal }) => {
      jest.advanceTimersByTime(999);
      expect(signal.aborted).toBe(false);
      jest.advanceTimersByTime(1);
      expect(signal.aborted).toBe(true);
    });
  });

  it('gives a request made later only what is left, on the same signal', async () => {
    const seen: Array<{ signal: AbortSignal; remaining: number }> = [];
    const request = async ({ signal, remaining }: Deadline) => {
      seen.push({ signal, remaining: remaining() });
      jest.advanceTimersByTime(600);
    };

    await withDeadline(1000, async (deadline) => {
      await request(deadline);
      await request(deadline);
      expect(deadline.remaining()).toBe(0);
      expect(deadline.signal.aborted).toBe(true);
    });

    expect(seen.map(({ remaining }) => remaining)).toEqual([1000, 400]);
    expect(seen[1].signal).toBe(seen[0].signal);
  });

  it('stops its timer once the work is done, whether it succeeded or failed', async () => {
    await expect(withDeadline(1000, async () => 'answer')).resolves.toBe('answer');
    expect(jest.getTimerCount()).toBe(0);

    await expect(withDeadline(1000, async () => Promise.reject(new Error('reset')))).rejects.toThrow('reset');
    expect(jest.getTimerCount()).toBe(0);
  });
});
