import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { IJobSummary, listJobs } from './api';
import { formatDuration, formatTime, jobSeconds } from './format';
import { trainingJobsIcon } from './icon';
import { ApiError } from './request';

/** Statuses the status filter offers (SageMaker's `TrainingJobStatus` values). */
export const STATUSES = ['InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped'];

/** What the panel asks of its host: open a job's chart or its regex playground. */
export interface IJobsPanelOptions {
  /** Plot the job (inserts and runs `%metrics JOB`). */
  openJob: (name: string) => Promise<unknown>;
  /** Seconds between refreshes while the panel is visible. */
  refreshSeconds?: number;
}

const CREDENTIAL_HINT =
  'Configure AWS credentials for the Jupyter server: run `aws configure` (or `aws sso login`), ' +
  'or set AWS_PROFILE before starting JupyterLab, or set c.MetricWidgets.profile and ' +
  'c.MetricWidgets.region in jupyter_server_config.py; then restart JupyterLab.';

/**
 * The "Training jobs" sidebar: the account's jobs, newest first, with a status badge,
 * creation time and duration; a name filter and a status filter; refreshed while visible.
 *
 * Each job is a focusable list item: Enter or a click opens its live chart, the context
 * menu (or the Menu key) offers the regex playground.
 */
export class JobsPanel extends Widget {
  constructor(options: IJobsPanelOptions) {
    super();
    this._openJob = options.openJob;
    this._refreshSeconds = options.refreshSeconds ?? 10;
    this.id = 'metricwidgets-jobs';
    this.addClass('jp-MetricWidgets-panel');
    this.title.icon = trainingJobsIcon;
    this.title.caption = 'Training jobs';
    this._build();
  }

  /**
   * The job the context menu was opened on, forgotten once read (so that a later command
   * from the palette does not act on a stale choice).
   */
  takeContextJob(): string | null {
    const job = this._contextJob;
    this._contextJob = null;
    return job;
  }

  /** The job whose item has the focus, if any. */
  get focusedJob(): string | null {
    const el = document.activeElement as HTMLElement | null;
    if (el && this.node.contains(el) && el.dataset.job) {
      return el.dataset.job;
    }
    return null;
  }

  /** The jobs shown now. */
  get jobs(): readonly IJobSummary[] {
    return this._jobs;
  }

  /** Seconds between refreshes while visible (at least 2). */
  get refreshSeconds(): number {
    return this._refreshSeconds;
  }
  set refreshSeconds(value: number) {
    this._refreshSeconds = Math.max(2, value || 10);
    if (this._timer !== null) {
      this._startTimer();
    }
  }

  /**
   * Fetch the first page again with the current filters.
   *
   * A refresh that answers after a newer one started is ignored.
   */
  async refresh(): Promise<void> {
    const ticket = ++this._ticket;
    if (!this._jobs.length) {
      this._setState('loading', 'Loading training jobs…');
    }
    this.node.setAttribute('aria-busy', 'true');
    try {
      const page = await listJobs({
        name: this._filter.value.trim(),
        status: this._status.value
      });
      if (ticket !== this._ticket) {
        return;
      }
      this._jobs = page.jobs;
      this._nextToken = page.next_token;
      this._render();
    } catch (error) {
      if (ticket === this._ticket) {
        this._showError(error);
      }
    } finally {
      if (ticket === this._ticket) {
        this.node.removeAttribute('aria-busy');
      }
    }
  }

  dispose(): void {
    this._stopTimer();
    document.removeEventListener('visibilitychange', this._onVisibility);
    super.dispose();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    void this.refresh();
    this._startTimer();
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this._stopTimer();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    document.addEventListener('visibilitychange', this._onVisibility);
  }

  protected onBeforeDetach(msg: Message): void {
    document.removeEventListener('visibilitychange', this._onVisibility);
    this._stopTimer();
    super.onBeforeDetach(msg);
  }

  private _build(): void {
    const header = document.createElement('div');
    header.className = 'jp-MetricWidgets-header';
    const title = document.createElement('h2');
    title.textContent = 'Training jobs';
    const refresh = document.createElement('button');
    refresh.className = 'jp-MetricWidgets-refresh jp-Button jp-mod-minimal';
    refresh.type = 'button';
    refresh.title = 'Refresh';
    refresh.setAttribute('aria-label', 'Refresh training jobs');
    refresh.textContent = '⟳';
    refresh.addEventListener('click', () => void this.refresh());
    header.append(title, refresh);

    const filters = document.createElement('div');
    filters.className = 'jp-MetricWidgets-filters';
    this._filter.type = 'search';
    this._filter.className = 'jp-MetricWidgets-filter jp-mod-styled';
    this._filter.placeholder = 'Filter by name';
    this._filter.setAttribute('aria-label', 'Filter training jobs by name');
    this._filter.addEventListener('input', () => {
      if (this._debounce !== null) {
        window.clearTimeout(this._debounce);
      }
      this._debounce = window.setTimeout(() => {
        this._debounce = null;
        this._jobs = [];
        void this.refresh();
      }, 300);
    });
    this._status.className = 'jp-MetricWidgets-status-filter jp-mod-styled';
    this._status.setAttribute('aria-label', 'Filter training jobs by status');
    for (const value of ['', ...STATUSES]) {
      const option = document.createElement('option');
      option.value = value;
      option.textContent = value || 'Any status';
      this._status.appendChild(option);
    }
    this._status.addEventListener('change', () => {
      this._jobs = [];
      void this.refresh();
    });
    filters.append(this._filter, this._status);

    this._message.className = 'jp-MetricWidgets-message';
    this._message.setAttribute('role', 'status');
    this._list.className = 'jp-MetricWidgets-jobs';
    this._list.setAttribute('role', 'list');
    this._list.setAttribute('aria-label', 'Training jobs');
    this._more.className = 'jp-MetricWidgets-more jp-Button jp-mod-styled';
    this._more.type = 'button';
    this._more.textContent = 'Load more';
    this._more.hidden = true;
    this._more.addEventListener('click', () => void this._loadMore());
    this.node.append(header, filters, this._message, this._list, this._more);
  }

  private async _loadMore(): Promise<void> {
    if (!this._nextToken) {
      return;
    }
    const ticket = ++this._ticket;
    try {
      const page = await listJobs({
        name: this._filter.value.trim(),
        status: this._status.value,
        next_token: this._nextToken
      });
      if (ticket !== this._ticket) {
        return;
      }
      const known = new Set(this._jobs.map(job => job.name));
      this._jobs = [...this._jobs, ...page.jobs.filter(job => !known.has(job.name))];
      this._nextToken = page.next_token;
      this._render();
    } catch (error) {
      if (ticket === this._ticket) {
        this._showError(error);
      }
    }
  }

  private _render(): void {
    const focused = this.focusedJob;
    this._list.replaceChildren(...this._jobs.map(job => this._item(job)));
    this._more.hidden = !this._nextToken;
    if (!this._jobs.length) {
      const filtered = this._filter.value.trim() || this._status.value;
      this._setState(
        'empty',
        filtered
          ? 'No training job matches these filters.'
          : 'No training jobs in this account and region yet.'
      );
    } else {
      this._setState('ready', '');
    }
    if (focused) {
      const again = this._list.querySelector<HTMLElement>(
        `[data-job="${CSS.escape(focused)}"]`
      );
      again?.focus();
    }
  }

  private _item(job: IJobSummary): HTMLElement {
    const item = document.createElement('li');
    item.className = 'jp-MetricWidgets-job';
    item.tabIndex = 0;
    item.dataset.job = job.name;
    item.dataset.status = job.status;
    item.setAttribute('role', 'listitem');
    item.title = `${job.name}\n${job.status}${
      job.secondary_status ? ` (${job.secondary_status})` : ''
    }\nClick or press Enter to plot its metrics live.`;

    const name = document.createElement('span');
    name.className = 'jp-MetricWidgets-job-name';
    name.textContent = job.name;
    const badge = document.createElement('span');
    badge.className = `jp-MetricWidgets-badge jp-MetricWidgets-badge-${job.status}`;
    badge.textContent = job.status;
    const meta = document.createElement('span');
    meta.className = 'jp-MetricWidgets-job-meta';
    const seconds = jobSeconds(job.creation_time, job.end_time);
    const created = document.createElement('time');
    created.className = 'jp-MetricWidgets-job-created';
    created.dateTime = job.creation_time ?? '';
    created.textContent = formatTime(job.creation_time);
    const duration = document.createElement('span');
    duration.className = 'jp-MetricWidgets-job-duration';
    duration.textContent = seconds === null ? '' : formatDuration(seconds);
    meta.append(created, duration);
    const top = document.createElement('div');
    top.className = 'jp-MetricWidgets-job-top';
    top.append(name, badge);
    item.append(top, meta);

    const open = () => {
      item.classList.add('jp-mod-opening');
      void this._openJob(job.name).finally(() => item.classList.remove('jp-mod-opening'));
    };
    item.addEventListener('click', open);
    item.addEventListener('keydown', event => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        open();
      } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        const sibling = (
          event.key === 'ArrowDown' ? item.nextElementSibling : item.previousElementSibling
        ) as HTMLElement | null;
        sibling?.focus();
      }
    });
    item.addEventListener('contextmenu', () => {
      this._contextJob = job.name;
    });
    return item;
  }

  private _showError(error: unknown): void {
    const api = error instanceof ApiError ? error : null;
    const message = api ? api.message : String(error);
    let hint = '';
    if (api && (api.code === 'credentials' || api.code === 'config')) {
      hint = CREDENTIAL_HINT;
    } else if (api && api.code === 'permission') {
      hint =
        'The credentials lack a permission: the sidebar needs sagemaker:ListTrainingJobs ' +
        'and sagemaker:DescribeTrainingJob.';
    } else if (api && api.code === 'throttled') {
      hint = 'The sidebar will try again on its next refresh.';
    } else if (api && api.status === 404 && api.code === 'http') {
      hint =
        'The metricwidgets server extension is not enabled: run ' +
        '`jupyter server extension enable metricwidgets` and restart JupyterLab.';
    }
    this._setState('error', message, hint, api?.code ?? 'error');
  }

  private _setState(state: string, text: string, hint = '', code = ''): void {
    this.node.dataset.state = state;
    this._message.replaceChildren();
    this._message.dataset.code = code;
    this._message.hidden = !text;
    if (!text) {
      return;
    }
    const line = document.createElement('p');
    line.className = `jp-MetricWidgets-${state}`;
    line.textContent = text;
    this._message.appendChild(line);
    if (hint) {
      const help = document.createElement('p');
      help.className = 'jp-MetricWidgets-hint';
      help.textContent = hint;
      this._message.appendChild(help);
    }
  }

  private _startTimer(): void {
    this._stopTimer();
    this._timer = window.setInterval(() => {
      if (this.isVisible && !document.hidden) {
        void this.refresh();
      }
    }, this._refreshSeconds * 1000);
  }

  private _stopTimer(): void {
    if (this._timer !== null) {
      window.clearInterval(this._timer);
      this._timer = null;
    }
  }

  private _onVisibility = (): void => {
    if (!document.hidden && this.isVisible) {
      void this.refresh();
    }
  };

  private _openJob: (name: string) => Promise<unknown>;
  private _refreshSeconds: number;
  private _timer: number | null = null;
  private _debounce: number | null = null;
  private _ticket = 0;
  private _jobs: IJobSummary[] = [];
  private _nextToken: string | null = null;
  private _contextJob: string | null = null;
  private _filter = document.createElement('input');
  private _status = document.createElement('select');
  private _message = document.createElement('div');
  private _list = document.createElement('ul');
  private _more = document.createElement('button');
}
