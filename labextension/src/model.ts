import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import type {
  IAwsSettings,
  IJobQuery,
  IJobsSource,
  IJobSummary,
  ITuningJobSummary
} from './api';
import type { IAwsFlags } from './codegen';
import { invalidNameReason } from './names';
import { EMPTY, IList, ISelection, prune, selectedInOrder } from './selection';

/** A failed request as the panel shows it (an `ApiError`, or anything thrown). */
export interface IFailure {
  message: string;
  /** HTTP status (0 when the server did not answer). */
  status: number;
  /** The server's short category (`credentials`, `throttled`, ...). */
  code: string;
  /** The server's advice, if any. */
  hint: string | null;
  /** Seconds the server asked to wait before asking again (`Retry-After`). */
  retryAfter: number | null;
}

/** A job as listed: its summary and why its name is refused (null when valid). */
export interface IJobRow extends IJobSummary {
  invalidReason: string | null;
}

/** A tuning job as listed, with its children once expanded. */
export interface ITuningRow extends ITuningJobSummary {
  invalidReason: string | null;
  expanded: boolean;
  /** The child jobs (null until fetched). */
  children: IJobRow[] | null;
}

/** Where the list stands. */
export type ListState = 'loading' | 'ready' | 'error';

/** How the model is made. */
export interface IJobsModelOptions {
  /** Where the data comes from (the server extension in Lab). */
  source: IJobsSource;
  /** Seconds between refreshes while active (default 10, at least 2). */
  refreshSeconds?: number;
  /** Longest wait, in seconds, after repeated failures (default 120). */
  maxBackoffSeconds?: number;
}

/** `error` as an {@link IFailure}. */
export function toFailure(error: unknown): IFailure {
  const e = (error ?? {}) as Partial<IFailure> & { message?: unknown };
  const message =
    typeof e.message === 'string' && e.message ? e.message : String(error);
  return {
    message,
    status: typeof e.status === 'number' ? e.status : 0,
    code: typeof e.code === 'string' ? e.code : 'error',
    hint: typeof e.hint === 'string' ? e.hint : null,
    retryAfter:
      typeof e.retryAfter === 'number' && e.retryAfter > 0 ? e.retryAfter : null
  };
}

/** `name`'s problem: the server's reason, else the panel's own check. */
function reasonOf(item: { name: string; invalid_reason?: string | null }) {
  return item.invalid_reason || invalidNameReason(item.name);
}

/** The server's AWS settings as the flags of a generated cell (unset ones left out). */
export function awsFlags(aws: IAwsSettings | undefined): IAwsFlags {
  const flags: IAwsFlags = {};
  if (aws?.region) {
    flags.region = aws.region;
  }
  if (aws?.profile) {
    flags.profile = aws.profile;
  }
  if (aws?.endpoint_url) {
    flags.endpointUrl = aws.endpoint_url;
  }
  return flags;
}

function jobRow(job: IJobSummary): IJobRow {
  return { ...job, invalidReason: reasonOf(job) };
}

/** `rows` as a list to select in: their names, the invalid ones disabled. */
export function listOf(rows: readonly IJobRow[]): IList {
  return {
    names: rows.map(row => row.name),
    disabled: new Set(
      rows.filter(row => row.invalidReason).map(row => row.name)
    )
  };
}

/**
 * The data of the "Training jobs" sidebar, kept apart from its view.
 *
 * The training jobs and tuning jobs of the current filters, refreshed by a lumino `Poll`:
 * every `refreshSeconds` while active, with a growing, jittered backoff after failures (at
 * most `maxBackoffSeconds`), waiting at least what the server's `Retry-After` asks when it
 * throttles, and standing by (no request at all) while inactive, i.e. while the panel or
 * the browser tab is hidden. Every name is checked against SageMaker's pattern; rows that
 * fail carry their `invalidReason`.
 */
export class JobsModel implements IDisposable {
  constructor(options: IJobsModelOptions) {
    this._source = options.source;
    this._refreshSeconds = Math.max(2, options.refreshSeconds || 10);
    this._maxBackoff = (options.maxBackoffSeconds ?? 120) * 1000;
    this._poll = new Poll({
      auto: false,
      factory: () => this._load(),
      frequency: this._frequency(),
      name: 'metricwidgets:jobs',
      standby: () => (this._active ? 'when-hidden' : true)
    });
  }

  /** Emitted whenever what the view shows may have changed. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The listed training jobs, newest first. */
  get jobs(): readonly IJobRow[] {
    return this._jobs;
  }

  /** The listed tuning jobs, newest first. */
  get tuningJobs(): readonly ITuningRow[] {
    return this._tuning;
  }

  /**
   * The selected jobs and where the keyboard is (see selection.ts); setting it emits
   * {@link selectionChanged}. After every refresh, jobs no longer listed leave it.
   */
  get selection(): ISelection {
    return this._selection;
  }
  set selection(value: ISelection) {
    if (value === this._selection) {
      return;
    }
    this._selection = value;
    this._selectionChanged.emit();
  }

  /** Emitted when {@link selection} changed (the rows stay; only their marks change). */
  get selectionChanged(): ISignal<this, void> {
    return this._selectionChanged;
  }

  /**
   * The lists of jobs shown, top to bottom: each expanded tuning job's children, then
   * the training jobs; invalid names are disabled (never selected).
   */
  get lists(): IList[] {
    return [
      ...this._tuning
        .filter(row => row.expanded && row.children)
        .map(row => listOf(row.children ?? [])),
      listOf(this._jobs)
    ];
  }

  /** The selected jobs in the order shown (each once). */
  get selectedJobs(): string[] {
    return selectedInOrder(this._selection, this.lists);
  }

  /** Whether a further page of training jobs exists. */
  /**
   * Where the listed jobs live (the server's region, profile, endpoint), as the flags
   * every cell the sidebar writes passes to the kernel; empty until a list arrived.
   */
  get aws(): IAwsFlags {
    return this._aws;
  }

  get hasMore(): boolean {
    return this._nextToken !== null;
  }

  get state(): ListState {
    return this._state;
  }

  /** The last failure (null after a success). */
  get failure(): IFailure | null {
    return this._failure;
  }

  /** The name and status filters (setting them reloads from the first page). */
  get query(): { name: string; status: string } {
    return { ...this._query };
  }
  set query(value: { name: string; status: string }) {
    const next = { name: value.name.trim(), status: value.status };
    if (next.name === this._query.name && next.status === this._query.status) {
      return;
    }
    this._query = next;
    this._jobs = [];
    this._tuning = [];
    this._nextToken = null;
    this._state = 'loading';
    this._changed.emit();
    void this.refresh();
  }

  /** Whether the model polls (the view sets it to whether the panel is shown). */
  get active(): boolean {
    return this._active;
  }
  set active(value: boolean) {
    if (value === this._active) {
      return;
    }
    this._active = value;
    if (value) {
      void this.refresh();
    }
  }

  get refreshSeconds(): number {
    return this._refreshSeconds;
  }
  set refreshSeconds(value: number) {
    this._refreshSeconds = Math.max(2, value || 10);
    this._poll.frequency = this._frequency();
  }

  /** The poll's current phase (`resolved`, `rejected`, `standby`, ...), for tests. */
  get phase(): string {
    return this._poll.state.phase;
  }

  /** Milliseconds until the poll's next tick was scheduled, for tests. */
  get interval(): number {
    return this._poll.state.interval;
  }

  /** Fetch now (and then every `refreshSeconds`); resolves once the fetch settled. */
  async refresh(): Promise<void> {
    if (this._poll.state.phase === 'constructed') {
      await this._poll.start();
    } else {
      await this._poll.refresh();
    }
    await this._poll.tick;
    await this._settled;
  }

  /** Append the next page of training jobs. */
  async loadMore(): Promise<void> {
    if (this._nextToken === null) {
      return;
    }
    const ticket = ++this._ticket;
    try {
      const page = await this._source.listJobs({
        ...this._queryArgs(),
        next_token: this._nextToken
      });
      if (ticket !== this._ticket) {
        return;
      }
      const known = new Set(this._jobs.map(job => job.name));
      this._jobs = [
        ...this._jobs,
        ...page.jobs.filter(job => !known.has(job.name)).map(jobRow)
      ];
      this._nextToken = page.next_token;
      this._failure = null;
    } catch (error) {
      this._failure = toFailure(error);
      this._state = 'error';
    }
    this._changed.emit();
  }

  /** Show or hide a tuning job's children (fetched on expanding, then on each refresh). */
  async toggle(tuningJob: string): Promise<void> {
    const row = this._tuning.find(item => item.name === tuningJob);
    if (!row || row.invalidReason) {
      return;
    }
    if (this._expanded.has(tuningJob)) {
      this._expanded.delete(tuningJob);
      row.expanded = false;
      this._pruneSelection();
      this._changed.emit();
      return;
    }
    this._expanded.add(tuningJob);
    row.expanded = true;
    this._changed.emit();
    await this._loadChildren(row);
    this._changed.emit();
  }

  get isDisposed(): boolean {
    return this._poll.isDisposed;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._poll.dispose();
    Signal.clearData(this);
  }

  private _frequency() {
    return {
      interval: this._refreshSeconds * 1000,
      backoff: true,
      max: Math.max(this._maxBackoff, this._refreshSeconds * 1000)
    };
  }

  private _queryArgs(): IJobQuery {
    return { name: this._query.name, status: this._query.status };
  }

  /** One poll tick: both lists and the expanded tuning jobs' children. */
  private _load(): Promise<void> {
    const run = this._fetch();
    this._settled = run.then(
      () => undefined,
      () => undefined
    );
    return run;
  }

  private async _fetch(): Promise<void> {
    const ticket = ++this._ticket;
    try {
      const [page, tuning] = await Promise.all([
        this._source.listJobs(this._queryArgs()),
        this._source.listTuningJobs(this._queryArgs())
      ]);
      if (ticket !== this._ticket) {
        return;
      }
      this._jobs = page.jobs.map(jobRow);
      this._nextToken = page.next_token;
      this._aws = awsFlags(page.aws ?? tuning.aws);
      this._tuning = tuning.tuning_jobs.map(item => ({
        ...item,
        invalidReason: reasonOf(item),
        expanded: this._expanded.has(item.name),
        children:
          this._tuning.find(old => old.name === item.name)?.children ?? null
      }));
      await Promise.all(
        this._tuning
          .filter(row => row.expanded)
          .map(row => this._loadChildren(row))
      );
      this._failure = null;
      this._state = 'ready';
      this._pruneSelection();
      this._changed.emit();
    } catch (error) {
      if (ticket !== this._ticket) {
        return;
      }
      const failure = toFailure(error);
      this._failure = failure;
      this._state = 'error';
      this._changed.emit();
      // The next try: a growing, jittered wait from the last one (never shorter than
      // the refresh interval, at most the maximum), and at least what Retry-After asks.
      // schedule() from inside the factory supersedes the poll's own backoff for this
      // rejection (whose first step after an immediate tick could be nearly nothing).
      const { interval, max } = this._poll.frequency;
      const last = Math.max(interval, this._poll.state.interval);
      const grown = Math.min(max, last + Math.random() * last * 2);
      void this._poll.schedule({
        interval: Math.max((failure.retryAfter ?? 0) * 1000, grown),
        payload: null,
        phase: 'rejected'
      });
      throw error;
    }
  }

  private async _loadChildren(row: ITuningRow): Promise<void> {
    try {
      const tuning = await this._source.describeTuningJob(row.name);
      row.children = tuning.children.map(jobRow);
    } catch (error) {
      row.children = row.children ?? [];
      throw error;
    }
  }

  /** Drop from the selection the jobs no longer listed (after the lists changed). */
  private _pruneSelection(): void {
    this.selection = prune(this._selection, this.lists);
  }

  private _source: IJobsSource;
  private _poll: Poll;
  private _changed = new Signal<this, void>(this);
  private _selectionChanged = new Signal<this, void>(this);
  private _selection: ISelection = EMPTY;
  private _refreshSeconds: number;
  private _maxBackoff: number;
  private _active = false;
  private _query = { name: '', status: '' };
  private _jobs: IJobRow[] = [];
  private _aws: IAwsFlags = {};
  private _tuning: ITuningRow[] = [];
  private _expanded = new Set<string>();
  private _nextToken: string | null = null;
  private _state: ListState = 'loading';
  private _failure: IFailure | null = null;
  private _ticket = 0;
  private _settled: Promise<void> = Promise.resolve();
}
