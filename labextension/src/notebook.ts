import { JupyterFrontEnd } from '@jupyterlab/application';
import {
  INotebookTracker,
  NotebookActions,
  NotebookPanel
} from '@jupyterlab/notebook';

import { LOAD_EXT } from './codegen';

async function targetNotebook(
  app: JupyterFrontEnd,
  tracker: INotebookTracker
): Promise<NotebookPanel> {
  let panel = tracker.currentWidget;
  if (!panel) {
    panel = (await app.commands.execute('notebook:create-new', {
      kernelName: 'python3'
    })) as NotebookPanel;
  }
  await panel.context.ready;
  await panel.sessionContext.ready;
  app.shell.activateById(panel.id);
  return panel;
}

function hasLoadExt(panel: NotebookPanel): boolean {
  const cells = panel.content.model?.sharedModel.cells ?? [];
  return cells.some(
    cell =>
      cell.cell_type === 'code' &&
      cell
        .getSource()
        .split('\n')
        .some(line => line.trim() === LOAD_EXT)
  );
}

/**
 * Insert a code cell into the active notebook (or a new one) and run it.
 *
 * The cell goes below the active cell, or replaces the only cell of an empty notebook.
 * With `needsMagics`, `%load_ext metricwidgets` heads the cell unless a cell of the
 * notebook already loads the extension.
 *
 * @returns the notebook the cell went into
 */
export async function insertAndRun(
  app: JupyterFrontEnd,
  tracker: INotebookTracker,
  code: string,
  needsMagics: boolean
): Promise<NotebookPanel> {
  const panel = await targetNotebook(app, tracker);
  const notebook = panel.content;
  const model = notebook.model;
  if (!model) {
    throw new Error('The notebook is not ready.');
  }
  const source =
    needsMagics && !hasLoadExt(panel) ? `${LOAD_EXT}\n${code}` : code;
  const shared = model.sharedModel;
  const onlyEmpty =
    shared.cells.length === 1 && shared.cells[0].getSource().trim() === '';
  let index: number;
  if (onlyEmpty) {
    index = 0;
    shared.transact(() => {
      shared.deleteCell(0);
      shared.insertCell(0, { cell_type: 'code', source });
    });
  } else {
    index = Math.min(notebook.activeCellIndex + 1, shared.cells.length);
    shared.insertCell(index, { cell_type: 'code', source });
  }
  notebook.activeCellIndex = index;
  notebook.deselectAll();
  await NotebookActions.run(notebook, panel.sessionContext);
  return panel;
}
