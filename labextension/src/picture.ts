import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Panel, Widget } from '@lumino/widgets';

/** The mimetype a LivePlot's output carries beside the widget view and its picture. */
export const PLOT_MIMETYPE = 'application/vnd.metricwidgets.plot+json';
/** The widget view's mimetype (ipywidgets). */
export const WIDGET_VIEW_MIMETYPE = 'application/vnd.jupyter.widget-view+json';
/** Ahead of the widget manager's own renderer (rank -10), so a plot's output comes here. */
const RANK = -20;

/** The parts of a registry the renderer needs (a notebook's rendermime). */
interface IRegistry {
  createRenderer(mimeType: string): IRenderMime.IRenderer;
  getFactory(mimeType: string): IRenderMime.IRendererFactory | undefined;
}

/**
 * A LivePlot's output: the live widget while its model exists, else the picture the
 * kernel put beside it (a saved notebook reopened without its kernel, a plot whose kernel
 * restarted). A later update of the output (the kernel refreshes the picture) keeps the
 * live view instead of rebuilding it.
 */
export class PlotRenderer extends Panel implements IRenderMime.IRenderer {
  constructor(private _registry: IRegistry) {
    super();
    this.addClass('jp-MetricWidgets-plotOutput');
    this._picture.addClass('jp-MetricWidgets-picture');
  }

  /** True while the live widget is shown (not the picture). */
  get live(): boolean {
    return this._live;
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const view = model.data[WIDGET_VIEW_MIMETYPE] as
      { model_id?: string } | undefined;
    this._setPicture(model.data['image/svg+xml'] as string | undefined);
    const modelId = view?.model_id ?? '';
    if (this._widget && modelId === this._modelId) {
      return; // the same widget: its view stays, only the picture behind it changed
    }
    this._dropWidget();
    this._modelId = modelId;
    // An untrusted notebook's widgets are never rendered; its picture is an <img>.
    if (
      !modelId ||
      !model.trusted ||
      !this._registry.getFactory(WIDGET_VIEW_MIMETYPE)
    ) {
      this._show(false);
      return;
    }
    const widget = this._registry.createRenderer(WIDGET_VIEW_MIMETYPE);
    this._widget = widget;
    widget.addClass('jp-MetricWidgets-widgetView');
    this.addWidget(widget);
    // The widget renderer fills its node with a view once the model exists: now, or
    // later when the widget manager has restored its models from a running kernel.
    this._observer = new MutationObserver(() => this._follow());
    this._observer.observe(widget.node, { childList: true });
    this._show(false);
    await widget.renderModel(model);
    this._follow();
  }

  dispose(): void {
    this._observer?.disconnect();
    super.dispose();
  }

  private _follow(): void {
    const widget = this._widget as Panel | null;
    const live =
      !!widget && !widget.isDisposed && (widget.widgets?.length ?? 0) > 0;
    this._show(live);
  }

  private _show(live: boolean): void {
    this._live = live;
    if (this._widget) {
      this._widget.node.style.display = live ? '' : 'none';
    }
    const hasPicture = !!this._picture.node.firstChild;
    this._picture.node.style.display = !live && hasPicture ? '' : 'none';
    if (!this._picture.parent) {
      this.insertWidget(0, this._picture);
    }
  }

  private _setPicture(svg: string | undefined): void {
    if (svg === this._svg) {
      return;
    }
    this._svg = svg;
    this._picture.node.textContent = '';
    if (svg) {
      // As an image: an SVG shown this way runs no script, whatever it holds.
      const img = document.createElement('img');
      img.src = 'data:image/svg+xml;base64,' + base64(svg);
      img.alt = 'A picture of the chart (the live chart needs its kernel)';
      img.style.maxWidth = '100%';
      this._picture.node.appendChild(img);
    }
    this._show(this._live);
  }

  private _dropWidget(): void {
    this._observer?.disconnect();
    this._observer = null;
    if (this._widget) {
      this._widget.dispose();
      this._widget = null;
    }
    this._live = false;
  }

  private _picture = new Widget();
  private _widget: IRenderMime.IRenderer | null = null;
  private _observer: MutationObserver | null = null;
  private _modelId = '';
  private _svg: string | undefined = undefined;
  private _live = false;
}

/** UTF-8 text as base64 (btoa takes bytes as a binary string). */
function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) {
    binary += String.fromCharCode(byte);
  }
  return btoa(binary);
}

/** Add the plot renderer to a notebook's own rendermime (where the widget renderer is). */
function addTo(panel: NotebookPanel): void {
  const registry = panel.content.rendermime;
  if (registry.getFactory(PLOT_MIMETYPE)) {
    return;
  }
  registry.addFactory(
    {
      safe: true, // it shows the widget only for trusted outputs, else an <img>
      mimeTypes: [PLOT_MIMETYPE],
      defaultRank: RANK,
      createRenderer: () => new PlotRenderer(registry)
    },
    RANK
  );
}

/**
 * LivePlot outputs: the widget while it lives, its picture otherwise.
 */
export const picturePlugin: JupyterFrontEndPlugin<void> = {
  id: 'metricwidgets:plot-picture',
  description:
    "Shows a LivePlot's picture where its widget cannot be shown (no kernel, model gone).",
  autoStart: true,
  requires: [INotebookTracker],
  activate: (_app: JupyterFrontEnd, tracker: INotebookTracker) => {
    tracker.forEach(addTo);
    tracker.widgetAdded.connect((_sender, panel) => addTo(panel));
  }
};
