import { FindingTracker, IFindingLine } from '../findings';

function line(finding: string, notify: boolean, plot = 'p1'): IFindingLine {
  return {
    plot,
    finding,
    job: 'job-1',
    severity: 'error',
    text: finding,
    notify
  };
}

describe('FindingTracker', () => {
  it('announces a news line that appears in a list it has seen, once', () => {
    const tracker = new FindingTracker();
    const list = {};
    expect(tracker.update(list, [])).toEqual([]);
    const news = line('divergence|job-1|algo-1|loss', true);
    expect(tracker.update(list, [news])).toEqual([news]);
    expect(tracker.update(list, [news])).toEqual([]);
    expect(tracker.update({}, [news])).toEqual([]); // the same plot shown twice
  });

  it('announces nothing a list held when first seen (a plot opened on old findings)', () => {
    const tracker = new FindingTracker();
    const list = {};
    const old = line('divergence|job-1|algo-1|loss', true);
    expect(tracker.update(list, [old])).toEqual([]);
    expect(tracker.update(list, [old])).toEqual([]);
  });

  it('never announces a line the kernel did not mark as news', () => {
    const tracker = new FindingTracker();
    const list = {};
    tracker.update(list, []);
    expect(
      tracker.update(list, [line('plateau|job-1|algo-1|loss', false)])
    ).toEqual([]);
  });

  it('tells the same finding of two plots apart', () => {
    const tracker = new FindingTracker();
    const a = {};
    const b = {};
    tracker.update(a, []);
    tracker.update(b, []);
    const first = line('stall|j|h|m', true, 'p1');
    const second = line('stall|j|h|m', true, 'p2');
    expect(tracker.update(a, [first])).toEqual([first]);
    expect(tracker.update(b, [second])).toEqual([second]);
  });
});
