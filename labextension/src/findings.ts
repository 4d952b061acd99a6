/**
 * Which findings of the plots' findings lists are news: pure state, no JupyterLab import
 * (see `notifications.ts` for what the lines carry and how they are announced).
 */

/** One line of a plot's findings list, as the page shows it. */
export interface IFindingLine {
  /** The plot's id. */
  plot: string;
  /** The finding's identity within the plot. */
  finding: string;
  /** The job it is about ('' when unknown). */
  job: string;
  /** `error`, `warning` or `info`. */
  severity: string;
  /** The line's words. */
  text: string;
  /** The kernel marked it as news (it appeared while the job ran). */
  notify: boolean;
}

/**
 * Which lines to announce: each news line once, none of those a list held when first seen.
 * Pure state, no DOM: `update` is given a list (any object standing for it) and its lines.
 */
export class FindingTracker {
  /**
   * The lines of `list` to announce now.
   */
  update(list: object, lines: readonly IFindingLine[]): IFindingLine[] {
    const first = !this._lists.has(list);
    this._lists.add(list);
    const out: IFindingLine[] = [];
    for (const line of lines) {
      const key = `${line.plot}\u0000${line.finding}`;
      if (this._seen.has(key)) {
        continue;
      }
      if (first || line.notify) {
        this._seen.add(key);
      }
      if (!first && line.notify) {
        out.push(line);
      }
    }
    return out;
  }

  private _lists = new WeakSet<object>();
  private _seen = new Set<string>();
}

/** The lines of one findings list element. */
export function readLines(list: Element): IFindingLine[] {
  return Array.from(list.querySelectorAll<HTMLElement>('[data-finding]')).map(
    node => ({
      plot: node.dataset.plot ?? '',
      finding: node.dataset.finding ?? '',
      job: node.dataset.job ?? '',
      severity: node.dataset.severity ?? 'warning',
      text: (node.textContent ?? '').replace(/^\s*\u25c6\s*/, ''),
      notify: node.dataset.notify === '1'
    })
  );
}
