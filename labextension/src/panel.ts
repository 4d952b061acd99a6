import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { serverSource } from './api';
import { formatDuration, formatTime, jobSeconds } from './format';
import { trainingJobsIcon } from './icon';
import { IFailure, IJobRow, ITuningRow, JobsModel, listOf } from './model';
import { JobListboxes } from './listbox';
import { clear } from './selection';

/** Statuses the status filter offers (SageMaker's `TrainingJobStatus` values). */
export const STATUSES = [
  'InProgress',
  'Completed',
  'Failed',
  'Stopping',
  'Stopped'
];

/** What the panel asks of its host: open a job's chart or a tuning job's. */
export interface IJobsPanelOptions {
  /** Plot the job (inserts and runs `%metrics JOB`). */
  openJob: (name: string) => Promise<unknown>;
  /** Plot the tuning job (inserts and runs `%metrics --tuning-job NAME`). */
  openTuningJob: (name: string) => Promise<unknown>;
  /** Overlay the jobs (inserts and runs `%metrics --compare JOB...`). */
  compareJobs: (names: string[]) => Promise<unknown>;
  /** The data (the server extension's by default). */
  model?: JobsModel;
}

/**
 * The "Training jobs" sidebar, a view of a {@link JobsModel}: the account's tuning jobs
 * (each expands to its children) and training jobs, newest first, with a status badge,
 * creation time and duration; a name filter and a status filter. The model polls while
 * the panel is shown.
 *
 * The jobs are multi-select listboxes (the training jobs, and each expanded tuning job's
 * children): a click selects a job, Ctrl/Cmd-click adds or removes one, Shift-click
 * selects a range; the keys are those of selection.ts `onKey`. A double click or Enter
 * opens a job's live chart; "Compare (N)", or Enter on one of several selected jobs,
 * overlays the selected jobs. The context menu (or the Menu key) offers the regex
 * playground. A job whose name SageMaker would refuse is shown as invalid, with the
 * reason, and can be neither selected nor opened.
 */
export class JobsPanel extends Widget {
  constructor(options: IJobsPanelOptions) {
    super();
    this._openJob = options.openJob;
    this._openTuningJob = options.openTuningJob;
    this._compareJobs = options.compareJobs;
    this.model = options.model ?? new JobsModel({ source: serverSource });
    this.model.changed.connect(this._render, this);
    this.model.selectionChanged.connect(this._markSelection, this);
    const model = this.model;
    this._listboxes = new JobListboxes({
      get selection() {
        return model.selection;
      },
      set selection(value) {
        model.selection = value;
      },
      open: (row, name) => this._open(row, name),
      compare: () => void this.compare()
    });
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

  /** The data shown. */
  readonly model: JobsModel;

  /** Seconds between refreshes while visible (at least 2). */
  get refreshSeconds(): number {
    return this.model.refreshSeconds;
  }
  set refreshSeconds(value: number) {
    this.model.refreshSeconds = value;
  }

  /** Fetch again now with the current filters. */
  refresh(): Promise<void> {
    return this.model.refresh();
  }

  /** Overlay the selected jobs (at least two) in one chart. */
  async compare(): Promise<void> {
    const names = this.model.selectedJobs;
    if (names.length < 2) {
      return;
    }
    this._compare.classList.add('jp-mod-opening');
    try {
      await this._compareJobs(names);
    } finally {
      this._compare.classList.remove('jp-mod-opening');
    }
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.model.dispose();
    super.dispose();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.model.active = true;
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.model.active = false;
  }

  protected onBeforeDetach(msg: Message): void {
    this.model.active = false;
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
        this._applyFilters();
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
    this._status.addEventListener('change', () => this._applyFilters());
    filters.append(this._filter, this._status);

    const bar = document.createElement('div');
    bar.className = 'jp-MetricWidgets-selectionbar';
    this._compare.type = 'button';
    this._compare.className =
      'jp-MetricWidgets-compare jp-Button jp-mod-styled jp-mod-accept';
    this._compare.addEventListener('click', () => void this.compare());
    this._clear.type = 'button';
    this._clear.className = 'jp-MetricWidgets-clear jp-Button jp-mod-minimal';
    this._clear.textContent = 'Clear';
    this._clear.title = 'Clear the selection (Escape)';
    this._clear.addEventListener('click', () => {
      this.model.selection = clear(this.model.selection);
    });
    bar.append(this._compare, this._clear);

    this._message.className = 'jp-MetricWidgets-message';
    this._message.setAttribute('role', 'status');
    this._tuningList.className = 'jp-MetricWidgets-tuning-jobs';
    this._tuningList.setAttribute('role', 'list');
    this._tuningList.setAttribute('aria-label', 'Tuning jobs');
    this._tuningList.hidden = true;
    this._list.className = 'jp-MetricWidgets-jobs';
    this._listboxes.wire(this._list, 'Training jobs');
    this._more.className = 'jp-MetricWidgets-more jp-Button jp-mod-styled';
    this._more.type = 'button';
    this._more.textContent = 'Load more';
    this._more.hidden = true;
    this._more.addEventListener('click', () => void this.model.loadMore());
    this.node.append(
      header,
      filters,
      bar,
      this._message,
      this._tuningList,
      this._list,
      this._more
    );
    this._render();
  }

  private _applyFilters(): void {
    this.model.query = {
      name: this._filter.value,
      status: this._status.value
    };
  }

  private _render(): void {
    const model = this.model;
    const focused = this.focusedJob;
    const focusedIn = document.activeElement
      ?.closest('[role="listbox"]')
      ?.getAttribute('aria-label');
    this.node.toggleAttribute('aria-busy', model.state === 'loading');
    this._tuningList.replaceChildren(
      ...model.tuningJobs.map(row => this._tuningItem(row))
    );
    this._tuningList.hidden = !model.tuningJobs.length;
    this._listboxes.show(this._list, listOf(model.jobs));
    this._list.replaceChildren(...model.jobs.map(job => this._item(job)));
    this._more.hidden = !model.hasMore;
    if (model.failure) {
      this._showError(model.failure);
    } else if (model.state === 'loading') {
      this._setState('loading', 'Loading training jobs…');
    } else if (!model.jobs.length && !model.tuningJobs.length) {
      const filtered = model.query.name || model.query.status;
      this._setState(
        'empty',
        filtered
          ? 'No training job matches these filters.'
          : 'No training jobs in this account and region yet.'
      );
    } else {
      this._setState('ready', '');
    }
    this._markSelection();
    if (focused) {
      // the same row of the same list (a tuning job's child is listed twice)
      const list = focusedIn ? `[aria-label="${CSS.escape(focusedIn)}"] ` : '';
      const again =
        this.node.querySelector<HTMLElement>(
          `${list}[data-job="${CSS.escape(focused)}"]`
        ) ??
        this.node.querySelector<HTMLElement>(
          `[data-job="${CSS.escape(focused)}"]`
        );
      again?.focus();
    }
  }

  /** Plot `name`, its row marked while the cell is inserted. */
  private _open(row: HTMLElement, name: string): void {
    row.classList.add('jp-mod-opening');
    void this._openJob(name).finally(() =>
      row.classList.remove('jp-mod-opening')
    );
  }

  /**
   * Show the selection on the rows (aria-selected, the roving tab stop of each list)
   * and on the Compare button; the rows themselves stay.
   */
  private _markSelection(): void {
    this._listboxes.mark(this.node, this.model.selection);
    const count = this.model.selectedJobs.length;
    this._compare.textContent = `Compare (${count})`;
    this._compare.disabled = count < 2;
    this._compare.title =
      count < 2
        ? 'Select two or more jobs (Ctrl/Cmd-click, Shift-click, or Shift+arrows) ' +
          'to overlay their metrics in one chart'
        : `Overlay the metrics of the ${count} selected jobs in one chart`;
    this._clear.hidden = !count;
  }

  private _tuningItem(row: ITuningRow): HTMLElement {
    const item = document.createElement('li');
    item.className = 'jp-MetricWidgets-tuning';
    item.dataset.tuningJob = row.name;
    item.dataset.status = row.status;
    item.setAttribute('role', 'listitem');
    const top = document.createElement('div');
    top.className = 'jp-MetricWidgets-job-top';
    const toggle = document.createElement('button');
    toggle.type = 'button';
    toggle.className = 'jp-MetricWidgets-expand jp-Button jp-mod-minimal';
    toggle.setAttribute('aria-expanded', String(row.expanded));
    toggle.textContent = `${row.expanded ? '▾' : '▸'} ${row.name}`;
    toggle.title = row.invalidReason
      ? `Invalid name: ${row.invalidReason}`
      : `${row.name}\nTuning job: ${row.status}. Click to list its training jobs.`;
    const badge = document.createElement('span');
    badge.className = `jp-MetricWidgets-badge jp-MetricWidgets-badge-${row.status}`;
    badge.textContent = row.status;
    top.append(toggle, badge);
    item.append(top);
    if (row.invalidReason) {
      this._markInvalid(item, toggle, row.invalidReason);
      return item;
    }
    toggle.addEventListener('click', () => void this.model.toggle(row.name));
    const plot = document.createElement('button');
    plot.type = 'button';
    plot.className = 'jp-MetricWidgets-plot-tuning jp-Button jp-mod-minimal';
    plot.textContent = 'Plot';
    plot.title = `Plot the metrics of tuning job ${row.name} live`;
    plot.addEventListener('click', () => void this._openTuningJob(row.name));
    top.append(plot);
    if (row.expanded) {
      const children = document.createElement('ul');
      children.className = 'jp-MetricWidgets-children';
      this._listboxes.wire(children, `Training jobs of ${row.name}`);
      this._listboxes.show(children, listOf(row.children ?? []));
      if (row.children === null) {
        const wait = document.createElement('li');
        wait.className = 'jp-MetricWidgets-loading';
        wait.setAttribute('role', 'presentation');
        wait.textContent = 'Loading its training jobs…';
        children.append(wait);
      } else {
        children.append(...row.children.map(child => this._item(child)));
      }
      item.append(children);
    }
    return item;
  }

  private _markInvalid(item: HTMLElement, label: HTMLElement, reason: string) {
    item.classList.add('jp-mod-invalid');
    item.setAttribute('aria-disabled', 'true');
    const why = document.createElement('span');
    why.className = 'jp-MetricWidgets-invalid-reason';
    why.textContent = `Invalid name, not opened: ${reason}.`;
    item.append(why);
    label.setAttribute('aria-disabled', 'true');
  }

  private _item(job: IJobRow): HTMLElement {
    const item = document.createElement('li');
    item.className = 'jp-MetricWidgets-job';
    item.tabIndex = -1;
    item.dataset.job = job.name;
    item.dataset.status = job.status;
    item.setAttribute('role', 'option');
    item.title =
      `${job.name}\n${job.status}${
        job.secondary_status ? ` (${job.secondary_status})` : ''
      }\nDouble-click or press Enter to plot its metrics live; Ctrl/Cmd-click or ` +
      'Shift-click to select several and compare them.';

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
    if (job.invalidReason) {
      // shown, so the user sees it, but never selected nor put into a notebook
      item.title = `Invalid name: ${job.invalidReason}`;
      this._markInvalid(item, name, job.invalidReason);
      return item;
    }
    item.addEventListener('contextmenu', () => {
      this._contextJob = job.name;
    });
    return item;
  }

  private _showError(failure: IFailure): void {
    // The server owns the advice on credentials (routes.credentials_hint): shown as sent.
    let hint = failure.hint ?? '';
    const code = failure.code;
    if (!hint && code === 'permission') {
      hint =
        'The credentials lack a permission: the sidebar needs sagemaker:ListTrainingJobs, ' +
        'sagemaker:ListHyperParameterTuningJobs and their Describe calls.';
    } else if (!hint && (code === 'throttled' || code === 'timeout')) {
      hint = 'The sidebar will try again shortly.';
    } else if (!hint && failure.status === 404 && code === 'http') {
      hint =
        'The metricwidgets server extension is not enabled: run ' +
        '`jupyter server extension enable metricwidgets` and restart JupyterLab.';
    }
    this._setState('error', failure.message, hint, code);
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

  private _openJob: (name: string) => Promise<unknown>;
  private _openTuningJob: (name: string) => Promise<unknown>;
  private _compareJobs: (names: string[]) => Promise<unknown>;
  private _listboxes: JobListboxes;
  private _compare = document.createElement('button');
  private _clear = document.createElement('button');
  private _debounce: number | null = null;
  private _contextJob: string | null = null;
  private _filter = document.createElement('input');
  private _status = document.createElement('select');
  private _message = document.createElement('div');
  private _list = document.createElement('ul');
  private _tuningList = document.createElement('ul');
  private _more = document.createElement('button');
}
