import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';

import { FindingTracker, IFindingLine, readLines } from './findings';

/**
 * Notifications of the findings that appear on live plots.
 *
 * The kernel side (`metricwidgets/widgets/liveplot/_findings_list.py`) writes each finding
 * of a plot as a line of its findings list, with `data-plot` (one id per plot),
 * `data-finding` (kind, job, host, metric), `data-job`, `data-severity`, and `data-notify`
 * on a warning or error that appeared while the job ran (never on what the plot opened on).
 * This plugin reads the page, not the widget models: it works with any widget manager and
 * needs no widget module of its own, so where it is absent (Notebook 7 without the
 * extension, VS Code) nothing breaks and only the notification is missing.
 *
 * A findings list seen for the first time (a plot displayed, a notebook reopened) is taken
 * as it stands: only lines that appear in it afterwards are announced, each once per page
 * (a plot displayed twice is announced once).
 */

/** The plugin's id. */
export const NOTIFICATIONS_ID = 'metricwidgets:notifications';

/** localStorage key: the browser's own notifications were offered (asked once). */
export const ASKED_KEY = 'metricwidgets:browser-notifications-asked';

/** Bring the notebook holding plot `plot` forward and scroll its chart into view. */
export function showPlot(app: JupyterFrontEnd, plot: string): boolean {
  const line = document.querySelector(`[data-plot="${CSS.escape(plot)}"]`);
  const chart = line?.closest('.metricwidgets-liveplot') ?? line;
  if (!chart) {
    return false;
  }
  for (const widget of app.shell.widgets('main')) {
    if (widget.node.contains(chart)) {
      app.shell.activateById(widget.id);
      break;
    }
  }
  chart.scrollIntoView({ block: 'start' });
  return true;
}

function browserNotificationsAvailable(): boolean {
  return typeof window !== 'undefined' && 'Notification' in window;
}

function announce(app: JupyterFrontEnd, line: IFindingLine): void {
  // A file's or a command's job is its path: its last part says enough in a toast.
  const job = line.job.split('/').pop() ?? '';
  const who = job && !line.text.startsWith(job) ? `${job}: ` : '';
  const message = `${who}${line.text}`;
  const actions: Notification.IAction[] = [
    {
      label: 'Show',
      caption: 'Scroll to the chart',
      displayType: 'accent',
      callback: () => {
        showPlot(app, line.plot);
      }
    }
  ];
  if (
    browserNotificationsAvailable() &&
    window.Notification.permission === 'default' &&
    !window.localStorage.getItem(ASKED_KEY)
  ) {
    actions.push({
      label: 'Notify when hidden',
      caption: 'Also notify through the browser while this tab is hidden',
      displayType: 'link',
      callback: () => {
        window.localStorage.setItem(ASKED_KEY, '1');
        void window.Notification.requestPermission();
      }
    });
  }
  const notify =
    line.severity === 'error' ? Notification.error : Notification.warning;
  notify(message, { autoClose: false, actions });
  if (
    document.hidden &&
    browserNotificationsAvailable() &&
    window.Notification.permission === 'granted'
  ) {
    const shown = new window.Notification(
      `metricwidgets: ${job || 'finding'}`,
      {
        body: line.text,
        tag: `${line.plot}:${line.finding}`
      }
    );
    shown.onclick = () => {
      window.focus();
      showPlot(app, line.plot);
      shown.close();
    };
  }
}

/**
 * Watch the page for findings lists and announce the lines that appear in them.
 */
export function watchFindings(
  app: JupyterFrontEnd,
  root: Node = document.body
): MutationObserver {
  const tracker = new FindingTracker();
  const scan = () => {
    for (const list of Array.from(
      document.querySelectorAll('.metricwidgets-findings')
    )) {
      for (const line of tracker.update(list, readLines(list))) {
        announce(app, line);
      }
    }
  };
  let pending = false;
  const observer = new MutationObserver(() => {
    // Charts redraw often: one scan per burst of changes.
    if (!pending) {
      pending = true;
      window.setTimeout(() => {
        pending = false;
        scan();
      }, 100);
    }
  });
  observer.observe(root, {
    childList: true,
    subtree: true,
    characterData: true
  });
  scan();
  return observer;
}

/**
 * Notifications of the findings that appear on live plots (see the module's comment).
 */
export const notificationsPlugin: JupyterFrontEndPlugin<void> = {
  id: NOTIFICATIONS_ID,
  description:
    'Notifies when a warning or error appears on a live metric plot, with a Show action.',
  autoStart: true,
  activate: (app: JupyterFrontEnd) => {
    void app.restored.then(() => watchFindings(app));
  }
};
