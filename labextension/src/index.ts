import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  InputDialog,
  showErrorMessage
} from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';

import {
  IAwsFlags,
  compareMetricsCode,
  metricsCode,
  playgroundCode,
  tuningMetricsCode
} from './codegen';
import { invalidNameReason } from './names';
import { insertAndRun } from './notebook';
import { notificationsPlugin } from './notifications';
import { JobsPanel } from './panel';
import { picturePlugin } from './picture';

/** The plugin's id (also the id of its settings schema). */
export const PLUGIN_ID = 'metricwidgets:plugin';

/** Command ids of the extension. */
export namespace CommandIDs {
  /** Show the "Training jobs" sidebar. */
  export const show = 'metricwidgets:show-jobs';
  /** Refresh the list of training jobs. */
  export const refresh = 'metricwidgets:refresh-jobs';
  /** Insert and run `%metrics JOB` (args: `{name}`; asks when absent). */
  export const plot = 'metricwidgets:plot-job';
  /** Insert and run `RegexPlayground.from_job(JOB)` (args: `{name}`). */
  export const playground = 'metricwidgets:open-playground';
  /** Insert and run `%metrics --tuning-job NAME` (args: `{name}`; asks when absent). */
  export const plotTuning = 'metricwidgets:plot-tuning-job';
  /** Insert and run `%metrics --compare JOB...` (args: `{names}`; else the selection). */
  export const compare = 'metricwidgets:compare-jobs';
}

const CATEGORY = 'Training jobs';

/**
 * The "Training jobs" sidebar, its commands, palette entries and context menu.
 */
const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description:
    'A sidebar of SageMaker training jobs that opens their live metric charts.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ICommandPalette, ISettingRegistry, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    palette: ICommandPalette | null,
    settingRegistry: ISettingRegistry | null,
    restorer: ILayoutRestorer | null
  ) => {
    // Every cell goes through here: each name is checked against SageMaker's pattern and
    // quoted by codegen.ts, so no name (typed, or listed by any endpoint) becomes code.
    const run = async (
      names: readonly string[],
      makeCode: () => string,
      needsMagics: boolean
    ) => {
      for (const name of names) {
        const reason = invalidNameReason(name);
        if (reason) {
          await showErrorMessage(
            'Refused job name',
            `${JSON.stringify(name)} was not put into the notebook: ${reason}.`
          );
          return;
        }
      }
      try {
        await insertAndRun(app, tracker, makeCode(), needsMagics);
      } catch (error) {
        await showErrorMessage('Could not insert the cell', String(error));
      }
    };
    const panel = new JobsPanel({
      openJob: name => app.commands.execute(CommandIDs.plot, { name }),
      openTuningJob: name =>
        app.commands.execute(CommandIDs.plotTuning, { name }),
      compareJobs: names => app.commands.execute(CommandIDs.compare, { names })
    });
    app.shell.add(panel, 'left', { rank: 650 });
    restorer?.add(panel, 'metricwidgets-jobs');

    // The job a command acts on: its `name` argument, else the job of the context menu;
    // from the palette, the user confirms or types it (the focused job is proposed).
    const jobName = async (
      args: any,
      title: string
    ): Promise<string | null> => {
      const fromMenu = args?.isPalette ? null : panel.takeContextJob();
      const given = args?.name || fromMenu;
      if (given) {
        return String(given);
      }
      const answer = await InputDialog.getText({
        title,
        placeholder: 'training job name',
        text: panel.focusedJob ?? ''
      });
      return answer.button.accept && answer.value ? answer.value.trim() : null;
    };

    app.commands.addCommand(CommandIDs.show, {
      label: 'Show Training Jobs',
      caption: 'Open the Training jobs sidebar',
      execute: () => app.shell.activateById(panel.id)
    });
    app.commands.addCommand(CommandIDs.refresh, {
      label: 'Refresh Training Jobs',
      execute: () => panel.refresh()
    });
    // The commands that put a job into a cell: from the palette (asks for the name), the
    // context menu (the job under it) or a caller's `{name}`.
    const addJobCommand = (
      id: string,
      labels: { palette: string; menu: string; caption: string; ask: string },
      makeCode: (name: string, aws: IAwsFlags) => string,
      needsMagics: boolean
    ) =>
      app.commands.addCommand(id, {
        label: args => (args.isPalette ? labels.palette : labels.menu),
        caption: labels.caption,
        execute: async args => {
          const name = await jobName(args, labels.ask);
          if (name) {
            // Where the sidebar listed the job: else the kernel's region would be used.
            await run(
              [name],
              () => makeCode(name, panel.model.aws),
              needsMagics
            );
          }
        }
      });
    addJobCommand(
      CommandIDs.plot,
      {
        palette: 'Plot Metrics of a Training Job…',
        menu: 'Plot metrics of this job',
        caption: 'Insert and run %metrics JOB in the active notebook',
        ask: 'Plot the metrics of training job'
      },
      metricsCode,
      true
    );
    addJobCommand(
      CommandIDs.playground,
      {
        palette: "Test Metric Regexes on a Training Job's Logs…",
        menu: "Test metric regexes on this job's logs",
        caption: "Open the regex playground on the job's CloudWatch logs",
        ask: 'Test metric regexes on the logs of training job'
      },
      playgroundCode,
      false
    );
    addJobCommand(
      CommandIDs.plotTuning,
      {
        palette: 'Plot Metrics of a Tuning Job…',
        menu: 'Plot metrics of this tuning job',
        caption:
          'Insert and run %metrics --tuning-job NAME in the active notebook',
        ask: 'Plot the metrics of tuning job'
      },
      tuningMetricsCode,
      true
    );

    // The jobs to compare: the `names` argument, else the sidebar's selection.
    const compared = (args: any): string[] =>
      Array.isArray(args?.names)
        ? args.names.map(String)
        : panel.model.selectedJobs;
    app.commands.addCommand(CommandIDs.compare, {
      label: args => {
        const count = compared(args).length;
        return args.isPalette
          ? 'Compare Selected Training Jobs'
          : `Compare the ${count} selected jobs`;
      },
      caption:
        'Insert and run %metrics --compare JOB... for the jobs selected in the sidebar',
      isEnabled: args => compared(args).length >= 2,
      execute: async args => {
        const names = compared(args);
        if (names.length >= 2) {
          await run(
            names,
            () => compareMetricsCode(names, panel.model.aws),
            true
          );
        }
      }
    });

    app.contextMenu.addItem({
      command: CommandIDs.compare,
      selector: '.jp-MetricWidgets-job.jp-mod-selected',
      rank: 3
    });
    app.contextMenu.addItem({
      command: CommandIDs.plot,
      selector: '.jp-MetricWidgets-job',
      rank: 1
    });
    app.contextMenu.addItem({
      command: CommandIDs.playground,
      selector: '.jp-MetricWidgets-job',
      rank: 2
    });
    if (palette) {
      for (const command of Object.values(CommandIDs)) {
        palette.addItem({
          command,
          category: CATEGORY,
          args: { isPalette: true }
        });
      }
    }

    if (settingRegistry) {
      settingRegistry
        .load(PLUGIN_ID)
        .then(settings => {
          const apply = () => {
            panel.refreshSeconds = settings.get('refreshInterval')
              .composite as number;
          };
          apply();
          settings.changed.connect(apply);
        })
        .catch(reason =>
          console.error('metricwidgets: settings failed to load', reason)
        );
    }
  }
};

export default [plugin, picturePlugin, notificationsPlugin];
