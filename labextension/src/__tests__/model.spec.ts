import type {
  IJobPage,
  IJobQuery,
  IJobsSource,
  ITuningJob,
  ITuningJobPage
} from '../api';
import { JobsModel } from '../model';

/** A failure as request.ts throws it. */
class Failure extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly retryAfter: number | null = null,
    readonly hint: string | null = null
  ) {
    super(message);
  }
}

/** A source answering from queues of answers (the last one repeats), counting calls. */
class FakeSource implements IJobsSource {
  jobs: (IJobPage | Error)[] = [{ jobs: [], next_token: null }];
  tuning: (ITuningJobPage | Error)[] = [{ tuning_jobs: [], next_token: null }];
  children: Record<string, ITuningJob> = {};
  calls: { what: string; query?: IJobQuery; at: number }[] = [];

  private _take<T>(queue: (T | Error)[]): Promise<T> {
    const answer = queue.length > 1 ? queue.shift()! : queue[0];
    return answer instanceof Error
      ? Promise.reject(answer)
      : Promise.resolve(answer);
  }

  listJobs(query: IJobQuery): Promise<IJobPage> {
    this.calls.push({ what: 'jobs', query, at: Date.now() });
    return this._take(this.jobs);
  }

  listTuningJobs(query: IJobQuery): Promise<ITuningJobPage> {
    this.calls.push({ what: 'tuning', query, at: Date.now() });
    return this._take(this.tuning);
  }

  describeTuningJob(name: string): Promise<ITuningJob> {
    this.calls.push({ what: `describe ${name}`, at: Date.now() });
    return Promise.resolve(this.children[name]);
  }

  count(what: string): number {
    return this.calls.filter(call => call.what === what).length;
  }
}

const job = (name: string, status = 'Completed') => ({ name, status });

let model: JobsModel;
let source: FakeSource;

beforeEach(() => {
  jest.useFakeTimers();
  source = new FakeSource();
  model = new JobsModel({ source, refreshSeconds: 10, maxBackoffSeconds: 120 });
});

afterEach(() => {
  model.dispose();
  jest.useRealTimers();
});

/** Let the poll run for `seconds` of fake time. */
const advance = (seconds: number) =>
  jest.advanceTimersByTimeAsync(seconds * 1000);

describe('JobsModel', () => {
  it('asks nothing while inactive, then fetches at once when activated', async () => {
    await advance(60);
    expect(source.calls).toHaveLength(0);
    source.jobs = [{ jobs: [job('a'), job('b')], next_token: null }];
    model.active = true;
    await advance(0.01);
    expect(model.state).toBe('ready');
    expect(model.jobs.map(row => row.name)).toEqual(['a', 'b']);
  });

  it("keeps the server's AWS settings as the flags of the cells it writes", async () => {
    expect(model.aws).toEqual({});
    source.jobs = [
      {
        jobs: [job('a')],
        next_token: null,
        aws: { region: 'eu-west-1', profile: null, endpoint_url: 'http://h:1' }
      }
    ];
    model.active = true;
    await advance(0.01);
    expect(model.aws).toEqual({
      region: 'eu-west-1',
      endpointUrl: 'http://h:1'
    });
  });

  it('polls every refreshSeconds while active, and stands by while hidden', async () => {
    model.active = true;
    await advance(0.01);
    await advance(30);
    expect(source.count('jobs')).toBe(4); // at 0, 10, 20, 30 s
    model.active = false;
    await advance(60);
    expect(source.count('jobs')).toBe(4);
    expect(model.phase).toBe('standby');
    model.active = true;
    await advance(0.01);
    expect(source.count('jobs')).toBe(5);
  });

  it('backs off after failures and returns to its interval after a success', async () => {
    source.jobs = [
      new Failure('AWS could not be reached', 502, 'unreachable'),
      new Failure('AWS could not be reached', 502, 'unreachable'),
      new Failure('AWS could not be reached', 502, 'unreachable'),
      { jobs: [job('a')], next_token: null }
    ];
    model.active = true;
    await advance(0.01);
    expect(model.state).toBe('error');
    expect(model.failure?.code).toBe('unreachable');
    const waits: number[] = [];
    while (model.state === 'error') {
      waits.push(model.interval);
      await advance(model.interval / 1000 + 0.01);
    }
    expect(waits).toHaveLength(3);
    expect(waits[0]).toBeGreaterThanOrEqual(10_000);
    expect(waits[2]).toBeGreaterThan(10_000); // grew, jittered, within the maximum
    expect(Math.max(...waits)).toBeLessThanOrEqual(120_000);
    expect(model.failure).toBeNull();
    expect(model.interval).toBe(10_000);
  });

  it('waits at least what Retry-After asks when throttled', async () => {
    source.jobs = [
      new Failure('AWS is throttling requests', 429, 'throttled', 45),
      { jobs: [job('a')], next_token: null }
    ];
    model.active = true;
    await advance(0.01);
    expect(model.failure?.code).toBe('throttled');
    expect(model.interval).toBeGreaterThanOrEqual(45_000);
    const wait = model.interval / 1000;
    await advance(44);
    expect(source.count('jobs')).toBe(1);
    await advance(wait - 44 + 0.01);
    expect(source.count('jobs')).toBe(2);
    expect(model.state).toBe('ready');
  });

  it('keeps the server hint of a failure', async () => {
    source.jobs = [
      new Failure(
        'no AWS credentials found.',
        424,
        'credentials',
        null,
        'run aws configure'
      )
    ];
    model.active = true;
    await advance(0.01);
    expect(model.failure).toMatchObject({
      status: 424,
      code: 'credentials',
      hint: 'run aws configure'
    });
  });

  it('marks names SageMaker would refuse, whatever the server says', async () => {
    source.jobs = [
      {
        jobs: [
          job('good-1'),
          job('evil\nimport os'),
          { ...job('server-refused'), invalid_reason: 'the server says no' }
        ],
        next_token: null
      }
    ];
    model.active = true;
    await advance(0.01);
    const reasons = model.jobs.map(row => row.invalidReason);
    expect(reasons[0]).toBeNull();
    expect(reasons[1]).toMatch(/line break/);
    expect(reasons[2]).toBe('the server says no');
  });

  it('sends the filters and reloads from the first page when they change', async () => {
    source.jobs = [{ jobs: [job('a')], next_token: 'page-2' }];
    model.active = true;
    await advance(0.01);
    expect(model.hasMore).toBe(true);
    source.jobs = [{ jobs: [job('b'), job('a')], next_token: null }];
    await model.loadMore();
    expect(model.jobs.map(row => row.name)).toEqual(['a', 'b']);
    expect(source.calls[source.calls.length - 1]?.query?.next_token).toBe(
      'page-2'
    );
    model.query = { name: ' digits ', status: 'Failed' };
    await advance(0.01);
    expect(source.calls[source.calls.length - 1]?.query).toEqual({
      name: 'digits',
      status: 'Failed'
    });
  });

  it('lists tuning jobs and their children once expanded', async () => {
    source.tuning = [
      {
        tuning_jobs: [{ name: 'hpo', status: 'InProgress' }],
        next_token: null
      }
    ];
    source.children.hpo = {
      name: 'hpo',
      status: 'InProgress',
      children: [job('hpo-001'), job('hpo-002', 'InProgress')]
    };
    model.active = true;
    await advance(0.01);
    expect(model.tuningJobs.map(row => [row.name, row.expanded])).toEqual([
      ['hpo', false]
    ]);
    expect(source.count('describe hpo')).toBe(0);
    await model.toggle('hpo');
    const row = model.tuningJobs[0];
    expect(row.expanded).toBe(true);
    expect(row.children?.map(child => child.name)).toEqual([
      'hpo-001',
      'hpo-002'
    ]);
    await advance(10);
    expect(source.count('describe hpo')).toBe(2); // refreshed with the list
    await model.toggle('hpo');
    expect(model.tuningJobs[0].expanded).toBe(false);
  });

  it('keeps the selection over a refresh; jobs that vanish leave it', async () => {
    source.jobs = [
      {
        jobs: [job('a'), job('b'), job('c'), job('evil job')],
        next_token: null
      },
      { jobs: [job('new'), job('c'), job('a')], next_token: null }
    ];
    source.tuning = [
      { tuning_jobs: [{ name: 'hpo', status: 'Completed' }], next_token: null }
    ];
    source.children.hpo = {
      name: 'hpo',
      status: 'Completed',
      children: [job('hpo-1'), job('c')]
    };
    model.active = true;
    await advance(0.01);
    await model.toggle('hpo');
    // the lists shown, children first; the invalid name is disabled
    expect(model.lists.map(list => list.names)).toEqual([
      ['hpo-1', 'c'],
      ['a', 'b', 'c', 'evil job']
    ]);
    expect([...(model.lists[1].disabled ?? [])]).toEqual(['evil job']);
    let signals = 0;
    model.selectionChanged.connect(() => signals++);
    model.selection = {
      selected: ['b', 'c', 'a', 'hpo-1'],
      anchor: 'b',
      focus: 'b'
    };
    expect(signals).toBe(1);
    expect(model.selectedJobs).toEqual(['hpo-1', 'c', 'a', 'b']);

    await advance(10); // the next poll no longer lists b
    expect(model.jobs.map(row => row.name)).toEqual(['new', 'c', 'a']);
    expect(model.selection).toEqual({
      selected: ['c', 'a', 'hpo-1'],
      anchor: null,
      focus: null
    });
    expect(signals).toBe(2);
    await advance(10); // nothing went: no signal
    expect(signals).toBe(2);
    // collapsing the tuning job drops the children it alone listed
    await model.toggle('hpo');
    expect(model.selectedJobs).toEqual(['c', 'a']);
  });
});
