// The LivePlot's controls answered in the browser (see _browser.py for the why).
//
// One ChartLink model per chart. It holds references to the chart's bqplot models, its
// legend checkboxes and the plot's controls, the settings the kernel last drew with
// ("applied") and the points the kernel last drew ("tables"). When a control's value in the
// browser differs from what the kernel applied (the kernel is busy, or has not answered
// yet), this module redraws the chart from those points itself: x mode, log y, smoothing,
// outliers, legend toggles, and, always, the hover readout, the reset and the ticks after a
// pan or zoom. Every change it makes is local (model.set without save_changes): the kernel
// learns the user's intent from the controls' own models and redraws exactly when free;
// then this module hands the chart back.

const TICK_TARGET = { x: 7, y: 5 };
const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800,
  21600, 43200, 86400, 172800, 432000, 864000];
const EPS = 1e-9;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
  "Dec"];

// ------------------------------------------------------------------ ticks (as _ticks.py)
function fmtG(v, p = 6) {
  if (v === 0) return "0";
  if (!Number.isFinite(v)) return String(v);
  let e = Math.floor(Math.log10(Math.abs(v)));
  const exp = Number(v.toExponential(p - 1).split("e")[1]);
  e = exp;  // after rounding
  if (e < -4 || e >= p) {
    let [m, ex] = v.toExponential(p - 1).split("e");
    if (m.includes(".")) m = m.replace(/\.?0+$/, "");
    const n = Number(ex);
    return `${m}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
  }
  let s = v.toFixed(Math.max(0, p - 1 - e));
  if (s.includes(".")) s = s.replace(/\.?0+$/, "");
  return s;
}
const decimals = (step) => Math.max(0, -Math.floor(Math.log10(step) + EPS));

function multiples(lo, hi, step) {
  const first = Math.ceil(lo / step - EPS), last = Math.floor(hi / step + EPS);
  const d = Math.min(decimals(step) + 1, 20);
  const out = [];
  for (let k = first; k <= last && out.length < 500; k++) out.push(Number((k * step).toFixed(d)));
  return out;
}

function span(lo, hi) {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) { const pad = Math.abs(lo) * 0.1 || 1; return [lo - pad, hi + pad]; }
  return [lo, hi];
}

function numberLabels(values, d) {
  const biggest = Math.max(0, ...values.map(Math.abs));
  let labels;
  if (biggest === 0 || (biggest >= 1e-4 && biggest < 1e6 && d <= 6)) {
    labels = values.map((v) => v.toFixed(d));
  } else {
    for (let p = 1; p <= 17; p++) {
      labels = values.map((v) => fmtG(v, p));
      if (new Set(labels).size === labels.length) break;
    }
  }
  return labels.map((l) => (l.replace(/[-0.]/g, "") === "" ? "0" : l));
}

function linearTicks(lo, hi, target, integer = false) {
  [lo, hi] = span(lo, hi);
  const raw = (hi - lo) / Math.max(target, 1);
  const e = Math.floor(Math.log10(raw));
  let step = [1, 2, 5, 10].map((f) => f * 10 ** e)
    .reduce((a, b) => (Math.abs(Math.log(b / raw)) < Math.abs(Math.log(a / raw)) ? b : a));
  if (integer) step = Math.max(1, Math.round(step));
  let values = multiples(lo, hi, step);
  while (values.length < 2 && !(integer && step <= 1)) {
    const mantissa = Math.round(step / 10 ** Math.floor(Math.log10(step) + EPS));
    step /= mantissa === 5 ? 2.5 : 2;
    values = multiples(lo, hi, step);
  }
  if (integer) return { values: values.map(Math.trunc), labels: values.map((v) => String(Math.trunc(v))) };
  return { values, labels: numberLabels(values, decimals(step)) };
}

function logTicks(lo, hi, target) {
  if (!(lo > 0 && hi > 0)) return linearTicks(lo, hi, target);
  [lo, hi] = [Math.min(lo, hi), Math.max(lo, hi)];
  const first = Math.ceil(Math.log10(lo) - EPS), last = Math.floor(Math.log10(hi) + EPS);
  let values = [];
  if (last - first + 1 >= 3) {
    const every = Math.max(1, Math.ceil((last - first + 1) / target));
    for (let k = first; k <= last; k++) if ((k - first) % every === 0) values.push(10 ** k);
  } else {
    for (let k = first - 1; k <= last; k++) {
      for (const m of [1, 2, 5]) {
        const v = m * 10 ** k;
        if (lo * (1 - EPS) <= v && v <= hi * (1 + EPS)) values.push(v);
      }
    }
    if (values.length < 3) return linearTicks(lo, hi, target);
  }
  values = values.map((v) => Number(v.toPrecision(12)));
  return { values, labels: values.map((v) => fmtG(v)) };
}

function timeStep(width, target) {
  const raw = width / Math.max(target, 1);
  if (raw <= TIME_STEPS[TIME_STEPS.length - 1]) {
    return TIME_STEPS.reduce((a, b) => (Math.abs(Math.log(b / raw)) < Math.abs(Math.log(a / raw)) ? b : a));
  }
  return linearTicks(0, (raw / 86400) * target, target, true).values[1] * 86400;
}

function clock(seconds, step) {
  const sign = seconds < 0 ? "-" : "";
  const total = Math.round(Math.abs(seconds) * 1000) / 1000;
  const hours = Math.floor(total / 3600), rest = total - hours * 3600;
  const minutes = Math.floor(rest / 60), secs = rest - minutes * 60;
  const frac = step >= 1 ? "" : (secs % 1).toFixed(decimals(step)).slice(1);
  const ss = String(Math.floor(secs)).padStart(2, "0");
  if (hours) return `${sign}${hours}:${String(minutes).padStart(2, "0")}:${ss}${frac}`;
  return `${sign}${minutes}:${ss}${frac}`;
}

function durationTicks(lo, hi, target) {
  [lo, hi] = span(lo, hi);
  let values, step;
  if (hi - lo < 10) {
    values = linearTicks(lo, hi, target).values;
    step = values.length > 1 ? values[1] - values[0] : 1;
  } else {
    step = timeStep(hi - lo, target);
    values = multiples(lo, hi, step);
  }
  return { values, labels: values.map((v) => clock(v, step)) };
}

const pad2 = (n) => String(n).padStart(2, "0");
function strftime(pattern, seconds) {
  const d = new Date(seconds * 1000);
  const f = { H: pad2(d.getUTCHours()), M: pad2(d.getUTCMinutes()), S: pad2(d.getUTCSeconds()),
    d: pad2(d.getUTCDate()), b: MONTHS[d.getUTCMonth()], m: pad2(d.getUTCMonth() + 1),
    Y: String(d.getUTCFullYear()) };
  return pattern.replace(/%([HMSdbmY])/g, (_, c) => f[c]);
}

function timeTicks(lo, hi, target) {
  [lo, hi] = span(lo, hi);
  if (hi - lo < 5) {
    const values = linearTicks(lo, hi, target).values;
    return { values, labels: values.map((v) => `${strftime("%H:%M:%S", v)}.${String(Math.round((v % 1) * 1000)).padStart(3, "0")}`) };
  }
  const step = timeStep(hi - lo, target);
  const values = multiples(lo, hi, step);
  const formats = (step < 60 ? ["%H:%M:%S"] : step < 86400 ? ["%H:%M", "%d %H:%M"] : [])
    .concat(["%b %d", "%Y-%m-%d"]);
  let labels = [];
  for (const pattern of formats) {
    labels = values.map((v) => strftime(pattern, v));
    if (new Set(labels).size === labels.length) break;
  }
  return { values, labels };
}

export function ticksFor(kind, lo, hi, target) {
  if (kind === "step") return linearTicks(lo, hi, target, true);
  if (kind === "log") return logTicks(lo, hi, target);
  if (kind === "relative") return durationTicks(lo, hi, target);
  if (kind === "wall") return timeTicks(lo, hi, target);
  return linearTicks(lo, hi, target);
}

// ------------------------------------------------------------------ view maths (as _view.py)
// The debiased EMA of the drawn points; a point standing for `gap` store points (the
// downsampling dropped the others) weighs as `gap` repeats of itself.
export function ema(y, index, weight) {
  const out = Float64Array.from(y);
  if (!(weight > 0)) return out;
  let last = 0, prev = -1, count = 0;
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i])) continue;
    const gap = Math.max(1, prev < 0 ? index[i] + 1 : index[i] - prev);
    const wg = weight ** gap;
    last = wg * last + (1 - wg) * y[i];
    count += gap;
    prev = index[i];
    out[i] = last / (1 - weight ** count);
  }
  return out;
}

function percentile(sorted, q) {
  const pos = (sorted.length - 1) * q / 100, lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function yRange(values, ignoreOutliers, log) {
  let v = values.filter(Number.isFinite);
  if (log) v = v.filter((x) => x > 0).map(Math.log10);
  if (!v.length) return null;
  v.sort((a, b) => a - b);
  let lo = v[0], hi = v[v.length - 1];
  if (ignoreOutliers && v.length >= 20) [lo, hi] = [percentile(v, 1), percentile(v, 99)];
  let width = hi - lo;
  if (width <= 0) width = Math.abs(hi) * 0.1 || 1;
  const floor = v[0];
  lo -= 0.05 * width; hi += 0.05 * width;
  if (!log && floor >= 0 && lo < 0) lo = 0;
  return log ? [10 ** lo, 10 ** hi] : [lo, hi];
}

function nearest(x, target) {
  let best = -1, dist = Infinity;
  let a = 0, b = x.length;  // sorted: binary search, then the neighbours
  const sorted = x.length < 2 || x[0] <= x[x.length - 1];
  if (sorted) {
    while (a < b) { const m = (a + b) >> 1; if (x[m] < target) a = m + 1; else b = m; }
    for (const j of [a - 1, a, a + 1]) {
      if (j >= 0 && j < x.length && Math.abs(x[j] - target) < dist) { best = j; dist = Math.abs(x[j] - target); }
    }
    if (best >= 0) return best;
  }
  for (let j = 0; j < x.length; j++) if (Math.abs(x[j] - target) < dist) { best = j; dist = Math.abs(x[j] - target); }
  return best;
}

function same(a, b) {
  if (a === b) return true;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (a && b && typeof a === "object" && typeof b === "object" && a.length !== undefined &&
      a.length === b.length && a.length <= 16) {
    for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return false;
    return true;
  }
  return false;
}

// A scale's new [min, max] after a wheel zoom by `factor` about the pixel `at`: PanZoom's own
// maths, through the chart's d3 scale (which knows the log, the dates and the figure's
// padding inside the plot area). Null when the range maps to no pixels.
export function zoomAbout(scale, lo, hi, at, factor) {
  const a = scale(lo), b = scale(hi);
  if (!Number.isFinite(+a) || !Number.isFinite(+b)) return null;
  return [scale.invert((1 - factor) * at + factor * a), scale.invert((1 - factor) * at + factor * b)];
}

const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// ------------------------------------------------------------------ a figure drawn with a size
// bqplot's Figure view draws once (renderImpl), when it is first attached, at its element's
// size less the figure's margins, and redraws later only on its own observers. In a notebook
// that is a background JupyterLab tab (hidden with display: none), or while the labextension's
// renderer still hides the output, that size is 0: the plot area's three <rect>s get negative
// widths and heights, and chromium logs "<rect> attribute width: A negative value is not
// valid" six times a chart. So the figure of one of our charts draws only once its element
// has a size: until then its view waits (data-metricwidgets-waiting on the element) for a
// ResizeObserver to see the tab shown, then bqplot draws at the real size.
// Why here and only the figure: this module ships with the widget, so Notebook 7 and VS Code
// get it as Lab does. The findings list, legend and header are other widgets, drawn at once,
// so a finding that appears while the tab is hidden is on the page and raises its
// notification (labextension/src/notifications.ts reads the page). Deferring the whole output
// in the labextension's PlotRenderer would keep the findings list off the page too: a finding
// seen first when the tab is shown is taken as old and never announced. A bqplot figure that
// is not in one of our charts (a user's own) draws as bqplot does.
const WAITING = "data-metricwidgets-waiting";
const OUR_CHART = ".metricwidgets-chart";

function hasSize(el) {
  const box = el.getBoundingClientRect();
  return box.width > 0 && box.height > 0;
}

// True once the view's element has a size; false if the view is removed first.
function sized(view) {
  return new Promise((resolve) => {
    const observer = new ResizeObserver(() => {
      if (!hasSize(view.el)) return;
      observer.disconnect();
      // out of the observer's callback: bqplot's own ResizeObserver watches this element
      setTimeout(() => resolve(true), 0);
    });
    observer.observe(view.el);
    view.once("remove", () => { observer.disconnect(); resolve(false); });
  });
}

export function drawWhenSized(FigureView) {
  const proto = FigureView && FigureView.prototype;
  if (!proto || typeof proto.renderImpl !== "function" || proto.__mwDrawWhenSized) return;
  const draw = proto.renderImpl;
  proto.__mwDrawWhenSized = true;
  proto.renderImpl = async function (...args) {
    while (this.el.closest(OUR_CHART) && !hasSize(this.el)) {
      this.el.setAttribute(WAITING, "size");
      if (!(await sized(this))) return undefined;  // removed before it was ever shown
    }
    this.el.removeAttribute(WAITING);
    return draw.apply(this, args);
  };
}

// bqplot's Figure view class (figure_view: its name, module and version, in the state the
// comm opens with), made to wait for a size (above) as this module initializes with a model:
// a FigureGuard the LivePlot holds from the start, and each chart's ChartLink.
async function guardFigures(model) {
  const view = model.get("figure_view");
  const manager = model.widget_manager;
  const load = manager && (manager.loadViewClass || manager.loadClass);
  if (!view || !view.name || !load) return;
  try {
    drawWhenSized(await load.call(manager, view.name, view.module, view.module_version));
  } catch (error) {
    console.warn("metricwidgets: our charts draw as bqplot does", error);
  }
}

// ------------------------------------------------------------------ the link
function refId(value) {
  return typeof value === "string" && value.startsWith("IPY_MODEL_") ? value.slice(10) : null;
}

async function resolveRefs(manager, value) {
  const id = refId(value);
  if (id) return manager.get_model(id);
  if (Array.isArray(value)) return Promise.all(value.map((v) => resolveRefs(manager, v)));
  if (value && typeof value === "object" && value.constructor === Object) {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = await resolveRefs(manager, v);
    return out;
  }
  return value;
}

class Link {
  constructor(model) {
    this.model = model;
    this.refs = null;
    this.token = 0;
    this.applying = false;
    this.saved = new Map();  // model -> {attr: the kernel's value}
    this.clientView = false;
    this.localX = null;       // the user's x range while drawing locally (wanted units)
    this.timer = 0;
    this.listening = [];
    this.resetAsked = false;
    this.zoomedLocally = false;
    this.full = null;         // the whole run's points before a zoom (see reconcile)
    this.showFull = false;
    this.userY = false;       // y zoomed here (Shift + wheel) before the kernel knows
    this.views = new Set();   // the elements of this model's (hidden) views
    model.on("change:refs", () => this.loadRefs());
    model.on("change:applied change:tables", () => this.schedule());
    this.loadRefs();
  }

  async loadRefs() {
    const token = ++this.token;
    const refs = await resolveRefs(this.model.widget_manager, this.model.get("refs"));
    if (token !== this.token || !refs || !refs.figure) return;
    for (const [model, handler] of this.listening) {
      model.off(null, handler, this);
      if (model.__mwHooks) model.__mwHooks.delete(this);
    }
    this.listening = [];
    this.saved.clear();  // the kernel rebuilt: its new marks carry its own values
    this.full = null;
    this.showFull = false;
    this.clientView = false;
    this.refs = refs;
    const listen = (model, events, handler) => {
      if (!model || !model.on) return;
      model.on(events, handler, this);
      this.listening.push([model, handler]);
      hookKernelState(model, this);
    };
    const kernelChange = () => {
      if (!this.applying) this.schedule();
    };
    const scaleChange = (model) => {
      if (this.applying) return;
      if (model._state_lock == null) this.zoomedLocally = true;  // PanZoom, not the kernel
      kernelChange(model);
    };
    // A click answers in the same task (the next frame shows it), before any kernel reply.
    const now = () => this.reconcile();
    for (const c of Object.values(refs.controls || {})) listen(c, "change:value change:index", now);
    for (const s of refs.series) {
      listen(s.legend, "change:value", now);
      for (const m of [s.raw, s.smooth, s.hover]) listen(m, "change", kernelChange);
    }
    for (const m of [refs.x_axis, refs.y_axis, ...(refs.extra || [])]) listen(m, "change", kernelChange);
    for (const m of [refs.x_scale, refs.y_scale]) listen(m, "change:min change:max", scaleChange);
    this.schedule();
  }

  schedule() {
    if (!this.timer) this.timer = setTimeout(() => { this.timer = 0; this.reconcile(); }, 0);
  }

  wanted() {
    const c = this.refs.controls || {}, applied = this.model.get("applied") || {};
    const choices = applied.choices || {};
    // Selection widgets (ToggleButtons) sync their index, not their value.
    const value = (m, fallback, name) => {
      if (!m) return fallback;
      if (name && choices[name]) {
        const i = m.get("index");
        return i == null || choices[name][i] === undefined ? fallback : choices[name][i];
      }
      return m.get("value");
    };
    return {
      x_mode: value(c.x_mode, applied.x_mode, "x_mode"), log_y: value(c.log_y, applied.log_y),
      smoothing: Number(value(c.smoothing, applied.smoothing)),
      outliers: value(c.outliers, applied.outliers), mouse: value(c.mouse, applied.mouse, "mouse"),
      zoom_y: value(c.zoom_y, false),
      hidden: this.refs.series.map((s, i) => (s.legend ? !s.legend.get("value") : !!(applied.legend_hidden || [])[i])),
    };
  }

  kernelState(model, state) {
    const saved = this.saved.get(model);
    if (saved && state) for (const attr of Object.keys(state)) if (attr in saved) saved[attr] = state[attr];
  }

  set(model, attrs) {
    if (!model) return;
    // Each change redraws the mark or every mark on a scale: send only what differs.
    attrs = Object.fromEntries(Object.entries(attrs).filter(([attr, v]) => !same(model.get(attr), v)));
    if (!Object.keys(attrs).length) return;
    let saved = this.saved.get(model);
    if (!saved) { saved = {}; this.saved.set(model, saved); }
    for (const attr of Object.keys(attrs)) if (!(attr in saved)) saved[attr] = model.get(attr);
    model.set(attrs);
    // Display only: a later save_changes (bqplot's own, e.g. a hover) must not send it.
    if (model._buffered_state_diff) for (const attr of Object.keys(attrs)) delete model._buffered_state_diff[attr];
  }

  restore() {
    for (const [model, attrs] of this.saved) {
      model.set(attrs);
      if (model._buffered_state_diff) for (const attr of Object.keys(attrs)) delete model._buffered_state_diff[attr];
    }
    this.saved.clear();
  }

  // Whether the kernel's last drawing has every control's value (else it has yet to answer).
  kernelDrew(wanted, applied) {
    const legend = applied.legend_hidden || [];
    return wanted.x_mode === applied.x_mode && wanted.log_y === applied.log_y &&
      Math.abs(wanted.smoothing - applied.smoothing) <= 1e-9 && wanted.outliers === applied.outliers &&
      !wanted.hidden.some((h, i) => h !== !!legend[i]);
  }

  reconcile() {
    if (!this.refs || this.applying) return;
    const applied = this.model.get("applied") || {};
    const wanted = this.wanted();
    const drew = this.kernelDrew(wanted, applied);
    // Said on the page (data-kernel-drawn on this module's hidden element in the chart), so
    // that a test or benchmark can wait for the kernel's answer before the next click.
    for (const el of this.views) el.dataset.kernelDrawn = String(drew);
    if (this.model.get("active") === false) return;
    // The points of the whole run, kept while the kernel draws a zoomed range only: a reset
    // in the browser shows them until the kernel answers.
    if (!applied.user_x) {
      this.showFull = false;
      if (this.lastUserX) this.full = null;  // the kernel follows the whole run again
      // A zoom starts in the browser: keep the whole run's points for a reset before the
      // kernel answers (its refinement draws the zoomed range only).
      if (this.zoomedLocally && !this.full) this.full = this.kernelPoints(applied);
    }
    this.lastUserX = !!applied.user_x;
    if (applied.user_y) this.userY = false;  // the kernel keeps the user's y now
    const behind = this.showFull || !drew;
    const local = this.zoomedLocally || this.resetAsked;
    this.applying = true;
    try {
      this.interaction(wanted);
      if (behind) {
        this.clientView = true;
        this.draw(wanted, applied, true);
      } else {
        // The kernel has drawn what the controls say: its drawing stands.
        if (this.clientView) this.restore();
        this.clientView = false;
        if (local) {
          // A pan, zoom or reset in the browser: ticks and y for the new x range now; the
          // kernel's refinement replaces them when it answers.
          this.draw(wanted, applied, false);
          this.saved.clear();
        }
        this.localX = null;
      }
    } finally {
      this.applying = false;
      this.zoomedLocally = false;
      this.resetAsked = false;
    }
  }

  // The mouse mode: pan/zoom (bqplot's PanZoom, which covers the marks) or reading values.
  interaction(wanted) {
    const figure = this.refs.figure;
    if (!figure || this.refs.panzoom === undefined) return;
    const want = wanted.mouse === "zoom" ? this.refs.panzoom : null;
    if ((figure.get("interaction") || null) !== want) {
      figure.set("interaction", want);
      if (figure._buffered_state_diff) delete figure._buffered_state_diff.interaction;
    }
  }

  // x in the wanted mode -> the kernel's x scale (a DateScale in wall mode: milliseconds)
  xTransform(applied) {
    const date = applied.x_mode === "wall";
    return { date, to: date ? (x) => x * 1000 : (x) => x, from: date ? (x) => x / 1000 : (x) => x };
  }

  yTransform(wanted, applied, lo, hi) {
    if (wanted.log_y === applied.log_y) return (v) => (wanted.log_y && !(v > 0) ? NaN : v);
    if (wanted.log_y) return (v) => (v > 0 ? Math.log10(v) : NaN);  // on the kernel's linear scale
    return (v) => 10 ** ((v - lo) / (hi - lo || 1));                  // on the kernel's log scale
  }

  // The kernel's value of a model's attribute (the one it sent, not what is drawn locally).
  kernelValue(model, attr) {
    const saved = this.saved.get(model);
    return saved && attr in saved ? saved[attr] : model.get(attr);
  }

  // Per series the raw points the kernel drew: its raw mark's x and y, plus the table's one
  // column (relative time on a step axis, else the step; see ChartLink.sync).
  kernelPoints(applied) {
    const tables = this.model.get("tables") || [];
    const origin = applied.origin || 0;
    return this.refs.series.map((s, i) => {
      const view = tables[i];
      if (!view || !view.byteLength) return null;
      const other = new Float32Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
      const kx = this.kernelValue(s.raw, "x"), ky = this.kernelValue(s.raw, "y");
      if (!kx || !ky || kx.length !== other.length || ky.length !== other.length) return null;
      let step, rel;
      if (applied.x_mode === "step") {
        step = Float64Array.from(kx);
        rel = other;
      } else {
        step = other;
        rel = applied.x_mode === "relative" ? Float64Array.from(kx)
          : Float64Array.from(kx, (ms) => +ms / 1000 - origin);
      }
      // the EMA weighs each drawn point as the steps it stands for
      return { step, rel, y: Float64Array.from(ky), index: step, n: other.length };
    });
  }

  columns(wanted, applied) {
    const points = (this.showFull && this.full) || this.kernelPoints(applied);
    const origin = applied.origin || 0;
    return this.refs.series.map((s, i) => {
      const t = points[i];
      if (!t) return null;
      const x = wanted.x_mode === "step" ? t.step : wanted.x_mode === "relative" ? t.rel
        : Float64Array.from(t.rel, (r) => r + origin);
      const sy = ema(t.y, t.index, wanted.smoothing);
      return { s, t, x, sy, hidden: wanted.hidden[i] || !!(applied.other_hidden || [])[i] };
    });
  }

  xRange(cols, wanted, applied, X) {
    const scale = this.refs.x_scale;
    const current = () => {
      const lo = scale.get("min"), hi = scale.get("max");
      if (lo == null || hi == null) return null;
      return [X.from(+lo), X.from(+hi)];
    };
    if (this.resetAsked) this.localX = null;
    else if (this.zoomedLocally) this.localX = current();
    if (this.localX) return this.localX;
    if (wanted.x_mode === applied.x_mode && !this.resetAsked) {
      const kept = current();
      if (kept) return kept;
    }
    let lo = Infinity, hi = -Infinity;
    for (const c of cols) {
      if (!c || c.hidden) continue;
      for (const v of c.x) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    }
    if (!(hi >= lo)) return null;
    if (hi === lo) { const pad = wanted.x_mode === "step" ? 0.5 : 30; lo -= pad; hi += pad; }
    return [lo, hi];
  }

  draw(wanted, applied, data) {
    const refs = this.refs;
    const X = this.xTransform(applied);
    const cols = this.columns(wanted, applied);
    const xr = this.xRange(cols, wanted, applied, X);
    if (!xr) return;
    const inView = [];
    for (const c of cols) {
      if (!c || c.hidden) continue;
      for (let i = 0; i < c.x.length; i++) {
        if (c.x[i] >= xr[0] && c.x[i] <= xr[1]) {
          inView.push(c.t.y[i]);
          if (wanted.smoothing > 0) inView.push(c.sy[i]);
        }
      }
    }
    // y is the user's once zoomed (the "zoom y" box, or Shift + wheel) until a reset.
    const yKept = !this.resetAsked && (wanted.zoom_y || applied.user_y || this.userY) &&
      wanted.log_y === applied.log_y && refs.y_scale.get("min") != null;
    const yr = yKept ? [+refs.y_scale.get("min"), +refs.y_scale.get("max")]
      : yRange(inView, wanted.outliers, wanted.log_y);
    if (!yr) return;
    const Y = this.yTransform(wanted, applied, yr[0], yr[1]);
    const xs = (a) => { const out = Float64Array.from(a, X.to); if (X.date) out.type = "date"; return out; };
    const ys = (a) => Float64Array.from(a, Y);
    for (const c of data ? cols : []) {
      if (!c) continue;
      const smoothOn = wanted.smoothing > 0;
      const visible = !c.hidden;
      this.set(c.s.raw, { x: xs(c.x), y: ys(c.t.y), visible,
        opacities: [smoothOn && c.x.length > 1 ? 0.25 : 0.9] });
      this.set(c.s.smooth, smoothOn ? { x: xs(c.x), y: ys(c.sy), visible } : { x: xs([]), y: ys([]), visible });
      this.set(c.s.hover, { x: xs(c.x), y: ys(c.t.y), visible });
    }
    // NaN crosses and diagnosis marks are placed by the kernel: hidden until it answers
    // when the axes changed under them.
    const moved = wanted.x_mode !== applied.x_mode || wanted.log_y !== applied.log_y;
    if (data) for (const m of refs.extra || []) this.set(m, { visible: !moved });
    const xScaleVal = (v) => (X.date ? new Date(X.to(v)) : X.to(v));
    this.set(refs.x_scale, { min: xScaleVal(xr[0]), max: xScaleVal(xr[1]) });
    this.set(refs.y_scale, { min: Y(yr[0]), max: Y(yr[1]) });
    this.setTicks(refs.x_axis, ticksFor(wanted.x_mode, xr[0], xr[1], TICK_TARGET.x), xScaleVal);
    this.setTicks(refs.y_axis, ticksFor(wanted.log_y ? "log" : "linear", yr[0], yr[1], TICK_TARGET.y), Y);
    if (refs.x_label && refs.x_axis) this.set(refs.x_axis, { label: refs.x_label[wanted.x_mode] });
  }

  setTicks(axis, ticks, position) {
    if (!axis) return;
    const values = ticks.values.map(position);
    const labels = {};
    values.forEach((v, i) => { labels[String(v)] = ticks.labels[i]; });
    const shown = axis.get("tick_values") || [];
    if (shown.length === values.length && values.every((v, i) => +v === +shown[i]) &&
        JSON.stringify(axis.get("tick_labels") || {}) === JSON.stringify(labels)) return;
    this.set(axis, { tick_labels: labels, tick_values: values });
  }

  // The readout under the chart: every shown series' drawn point nearest the mouse's x.
  hover(event, svg) {
    if (!this.refs || this.model.get("active") === false) return;
    const applied = this.model.get("applied") || {};
    const wanted = this.wanted();
    if (wanted.mouse !== "read") return;
    const margin = this.refs.figure.get("fig_margin") || { left: 65, right: 20 };
    const box = svg.getBoundingClientRect();
    const width = box.width - margin.left - margin.right;
    const frac = (event.clientX - box.left - margin.left) / width;
    if (!(width > 0) || frac < 0 || frac > 1) return;
    const X = this.xTransform(applied);
    const lo = X.from(+this.refs.x_scale.get("min")), hi = X.from(+this.refs.x_scale.get("max"));
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) return;
    const target = lo + frac * (hi - lo);
    const rows = [];
    for (const c of this.columns(wanted, applied)) {
      if (!c || c.hidden || !c.x.length) continue;
      const i = nearest(c.x, target);
      if (i < 0) continue;
      rows.push({ c, i, smoothed: wanted.smoothing > 0 ? c.sy[i] : c.t.y[i] });
    }
    const readout = this.refs.readout;
    if (!readout) return;
    const html = this.readoutHtml(rows, applied);
    if (readout.get("value") !== html) {
      readout.set("value", html);
      if (readout._buffered_state_diff) delete readout._buffered_state_diff.value;
    }
  }

  readoutHtml(rows, applied) {
    if (!rows.length) return "";
    const withSteps = applied.steps !== false && rows.some((r) => Number.isFinite(r.c.t.step[r.i]));
    const head = "<tr><th></th><th>series</th><th>host</th>" + (withSteps ? "<th>step</th>" : "") +
      `<th>${escapeHtml(applied.values_are || "value")}</th><th>smoothed</th><th>time</th></tr>`;
    const body = rows.map(({ c, i, smoothed }) => {
      const step = c.t.step[i], value = c.t.y[i];
      const when = Number.isFinite(c.t.rel[i]) ? strftime("%H:%M:%S", (applied.origin || 0) + c.t.rel[i]) + " UTC" : "-";
      return "<tr class='metricwidgets-readout-row'>" +
        `<td style='color:${escapeHtml(c.s.colour)}'>&#9632;</td>` +
        `<td>${escapeHtml(c.s.label)}</td><td>${escapeHtml(c.s.host)}</td>` +
        (withSteps ? `<td class='metricwidgets-readout-step'>${Number.isFinite(step) ? fmtG(step) : "-"}</td>` : "") +
        `<td class='metricwidgets-readout-value'>${fmtG(value, 7)}</td>` +
        `<td>${Number.isFinite(smoothed) ? fmtG(smoothed, 6) : "-"}</td><td>${escapeHtml(when)}</td></tr>`;
    }).join("");
    return "<table class='metricwidgets-readout' style='font-size:12px;border-spacing:8px 0'>" +
      head + body + "</table>";
  }

  // Shift + wheel in pan/zoom mode zooms x and y together about the mouse. bqplot's PanZoom
  // reads no keys (its wheel zooms the scales it was given: x, and y with "zoom y") and only
  // deltaY; a system may send a Shift + wheel as a sideways one (deltaX), so either is read.
  // True when the wheel is this module's (the caller keeps it from PanZoom and the page).
  wheelBoth(event, chart) {
    if (!this.refs || this.model.get("active") === false || this.wanted().mouse !== "zoom") return false;
    // (in the figure's background layer, another svg than the one the wheel hits)
    const area = chart.querySelector("rect.plotarea_background");
    const box = area && area.getBoundingClientRect();
    const delta = event.deltaY || event.deltaX;
    if (!box || !delta) return false;
    const at = { x: event.clientX - box.left, y: event.clientY - box.top };
    if (at.x < 0 || at.x > box.width || at.y < 0 || at.y > box.height) return false;
    // One notch after another: each starts from the range the last one set.
    const factor = Math.exp(0.001 * delta);  // PanZoom's: the same notch zooms as much
    this.zooms = (this.zooms || Promise.resolve()).then(() => this.zoomBoth(at, factor));
    return true;
  }

  // The new ranges are saved to the kernel as PanZoom's are: it keeps both, refines x.
  async zoomBoth(at, factor) {
    const models = { x: this.refs.x_scale, y: this.refs.y_scale };
    const ranges = {};
    for (const [axis, model] of Object.entries(models)) {
      // the d3 scale of a view of this scale model in the chart (they share one range)
      const views = await Promise.all(Object.values(model.views || {}));
      const view = views.find((v) => v && v.scale && typeof v.scale.invert === "function");
      const lo = model.get("min"), hi = model.get("max");
      if (!view || lo == null || hi == null) return;
      ranges[axis] = zoomAbout(view.scale, lo, hi, at[axis], factor);
      if (!ranges[axis]) return;
    }
    this.userY = true;
    // y first: the kernel's redraw for the new x (its refinement) then keeps this y instead
    // of fitting one to the data and sending it over the user's.
    for (const axis of ["y", "x"]) {
      const [min, max] = ranges[axis];
      models[axis].set({ min, max });
      models[axis].save_changes();
    }
  }

  reset() {
    this.resetAsked = true;
    this.userY = false;
    if ((this.model.get("applied") || {}).user_x && this.full) this.showFull = true;
    this.localX = null;
    this.reconcile();
  }
}

// What the kernel sends a model is its state; remember it for the attributes drawn locally
// (a value equal to the local one fires no change event, so set_state is where to see it).
function hookKernelState(model, link) {
  if (!model.__mwHooks) {
    model.__mwHooks = new Set();
    const original = model.set_state;
    model.set_state = function (state) {
      for (const hooked of model.__mwHooks) hooked.kernelState(model, state);
      return original.call(this, state);
    };
  }
  model.__mwHooks.add(link);
}

// anywidget hands initialize() and each render() a wrapper of its own around one model:
// one Link per model, found by the id the kernel gave it.
const LINKS = new Map();

function linkOf(model) {
  const id = model.get("link_id");
  let link = LINKS.get(id);
  if (!link) { link = new Link(model); LINKS.set(id, link); }
  return link;
}

export default {
  initialize({ model }) {
    void guardFigures(model);
    if (model.get("link_id")) linkOf(model);  // a ChartLink, not only a FigureGuard
  },
  render({ model, el }) {
    if (!model.get("link_id")) return undefined;
    const link = linkOf(model);
    link.views.add(el);
    link.schedule();
    // The chart's and the plot's elements exist once this hidden view is attached.
    let chart = null, plot = null;
    const onMove = (event) => {
      const svg = event.target.closest && event.target.closest("svg.svg-figure");
      if (svg) link.hover(event, svg);
    };
    const onClick = (event) => {
      if (event.target.closest && event.target.closest(".metricwidgets-reset-zoom")) link.reset();
    };
    // Captured on the chart, before PanZoom's own listener on the figure sees it.
    const onWheel = (event) => {
      const svg = event.shiftKey && event.target.closest && event.target.closest("svg.svg-figure");
      if (svg && link.wheelBoth(event, chart)) {
        event.preventDefault();
        event.stopPropagation();
      }
    };
    const attach = () => {
      chart = el.closest(".metricwidgets-chart");
      plot = el.closest(".metricwidgets-liveplot");
      if (!chart) return false;
      chart.addEventListener("mousemove", onMove);
      chart.addEventListener("wheel", onWheel, { capture: true, passive: false });
      if (plot) plot.addEventListener("click", onClick, true);
      return true;
    };
    let tries = 0;
    const wait = () => { if (!attach() && tries++ < 200) setTimeout(wait, 50); };
    wait();
    return () => {
      link.views.delete(el);
      if (chart) {
        chart.removeEventListener("mousemove", onMove);
        chart.removeEventListener("wheel", onWheel, { capture: true });
      }
      if (plot) plot.removeEventListener("click", onClick, true);
    };
  },
};
