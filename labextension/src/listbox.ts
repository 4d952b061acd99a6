import { click, IList, ISelection, onKey } from './selection';

/** What the listboxes act on: the selection (the model's), opening and comparing. */
export interface IListboxHost {
  selection: ISelection;
  /** Plot the job of `row` (a valid one). */
  open(row: HTMLElement, name: string): void;
  /** Overlay the selected jobs. */
  compare(): void;
}

/**
 * The job lists of the sidebar as WAI-ARIA multi-select listboxes: each row an option
 * (`aria-selected`, one roving tab stop per list), clicks and keys turned into selection
 * changes by selection.ts, double click and Enter into opening a job.
 *
 * A view helper: it keeps no selection of its own, only which jobs each list shows.
 */
export class JobListboxes {
  constructor(host: IListboxHost) {
    this._host = host;
  }

  /** Make `list` a listbox labelled `label` (once per element). */
  wire(list: HTMLElement, label: string): void {
    list.setAttribute('role', 'listbox');
    list.setAttribute('aria-multiselectable', 'true');
    list.setAttribute('aria-label', label);
    list.addEventListener('click', event => {
      const hit = this._rowOf(list, event);
      if (hit) {
        this._host.selection = click(this._host.selection, hit.jobs, hit.name, {
          shift: event.shiftKey,
          toggle: event.ctrlKey || event.metaKey
        });
        hit.row.focus();
      }
    });
    // the shift-click of a range would also select the rows' text
    list.addEventListener('mousedown', event => {
      if (event.shiftKey && this._rowOf(list, event)) {
        event.preventDefault();
      }
    });
    list.addEventListener('dblclick', event => {
      const hit = this._rowOf(list, event);
      if (hit && !event.shiftKey && !event.ctrlKey && !event.metaKey) {
        this._open(hit);
      }
    });
    list.addEventListener('keydown', event => this._onKey(list, event));
  }

  /** The jobs `list` shows now (set on each render). */
  show(list: HTMLElement, jobs: IList): void {
    this._jobs.set(list, jobs);
  }

  /**
   * Mark every list inside `root` with `selection`: `aria-selected` and
   * `jp-mod-selected` on the rows, and the tab stop on the focused row, else the first
   * selected, else the first. Lists no longer inside `root` are forgotten.
   */
  mark(root: HTMLElement, selection: ISelection): void {
    const chosen = new Set(selection.selected);
    for (const list of Array.from(this._jobs.keys())) {
      if (!root.contains(list)) {
        this._jobs.delete(list);
        continue;
      }
      const rows = Array.from(
        list.querySelectorAll<HTMLElement>('[role="option"]')
      );
      const stop =
        rows.find(row => row.dataset.job === selection.focus) ??
        rows.find(row => chosen.has(row.dataset.job ?? '')) ??
        rows[0];
      for (const row of rows) {
        const selected = chosen.has(row.dataset.job ?? '');
        row.setAttribute('aria-selected', String(selected));
        row.classList.toggle('jp-mod-selected', selected);
        row.tabIndex = row === stop ? 0 : -1;
      }
    }
  }

  private _rowOf(list: HTMLElement, event: Event) {
    const row = (event.target as HTMLElement).closest<HTMLElement>(
      '[role="option"]'
    );
    const jobs = this._jobs.get(list);
    const name = row?.dataset.job;
    return row && name && jobs && list.contains(row)
      ? { row, name, jobs }
      : null;
  }

  private _onKey(list: HTMLElement, event: KeyboardEvent): void {
    const hit = this._rowOf(list, event);
    const result =
      hit && onKey(this._host.selection, hit.jobs, hit.name, event);
    if (!hit || !result) {
      return;
    }
    event.preventDefault();
    this._host.selection = result.state;
    const focus = result.state.focus;
    if (focus && focus !== hit.name) {
      list
        .querySelector<HTMLElement>(`[data-job="${CSS.escape(focus)}"]`)
        ?.focus();
    }
    if (result.action === 'open') {
      this._open(hit);
    } else if (result.action === 'compare') {
      this._host.compare();
    }
  }

  private _open(hit: { row: HTMLElement; name: string; jobs: IList }): void {
    if (!hit.jobs.disabled?.has(hit.name)) {
      this._host.open(hit.row, hit.name);
    }
  }

  private _host: IListboxHost;
  private _jobs = new Map<HTMLElement, IList>();
}
