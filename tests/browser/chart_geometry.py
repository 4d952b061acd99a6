"""What a LivePlot chart draws in the browser, measured: ticks, paths, legend, readout.

Helpers for the browser tests: each reads the SVG that bqplot drew (tick transforms and
labels, path commands mapped to screen pixels) and checks it against the scale in force.
"""

from __future__ import annotations

import itertools
import math
import re

CHART = ".metricwidgets-liveplot .metricwidgets-chart"
#: Least space between two x tick labels' text for them to read as two (px).
LABEL_GAP = 4

_ROOT_GEOMETRY_JS = """(root) => {
    if (!root) return null;
    const figure = root.querySelector('svg.svg-figure');
    const axes = [...root.querySelectorAll('g.axis')].map(axis => {
        const ticks = [...axis.querySelectorAll('g.tick')].map(tick => {
            const m = /translate\\(([-\\d.e]+)[, ]+([-\\d.e]+)\\)/.exec(
                tick.getAttribute('transform') || '');
            const text = tick.querySelector('text');
            const box = text ? text.getBoundingClientRect() : null;
            return {x: m ? +m[1] : NaN, y: m ? +m[2] : NaN, text: text ? text.textContent : '',
                    box: box ? [box.left, box.top, box.right, box.bottom] : null};
        });
        return ticks;
    });
    const paths = [...root.querySelectorAll('path.line')].map(p => {
        let visible = (p.getAttribute('d') || '').length > 0;
        for (let el = p; el && el !== root && visible; el = el.parentElement) {
            const style = getComputedStyle(el);  // bqplot hides a mark with display: none
            visible = style.display !== 'none' && style.visibility !== 'hidden';
        }
        const ctm = p.getScreenCTM();
        const nums = ((p.getAttribute('d') || '').match(/[-\\d.e]+/g) || []).map(Number);
        const points = [];
        for (let i = 0; i + 1 < nums.length; i += 2) {
            const q = new DOMPoint(nums[i], nums[i + 1]).matrixTransform(ctm);
            points.push([q.x, q.y]);
        }
        return {visible, dash: getComputedStyle(p).strokeDasharray,
                stroke: getComputedStyle(p).stroke, points};
    });
    const box = el => { const b = el.getBoundingClientRect();
                        return [b.left, b.top, b.right, b.bottom]; };
    const title = root.querySelector('text.mainheading');
    // Every piece of text a user reads on the chart: SVG text (ticks, axis titles, title)
    // and the HTML beside it (legend entries, caption), each with its box on the screen.
    const texts = [...root.querySelectorAll('svg text, .metricwidgets-legend-entry label, '
                                            + '.metricwidgets-instance-caption')]
        .filter(el => el.textContent.trim() && getComputedStyle(el).display !== 'none'
                && getComputedStyle(el).visibility !== 'hidden')
        .map(el => ({text: el.textContent.trim(), box: box(el)}))
        .filter(t => t.box[2] > t.box[0] && t.box[3] > t.box[1]);
    const legend = root.querySelector('.metricwidgets-legend');
    const lb = legend ? legend.getBoundingClientRect() : null;
    const fb = figure ? figure.getBoundingClientRect() : null;
    return {axes, paths, legend: lb ? [lb.left, lb.top, lb.right, lb.bottom] : null,
            figure: fb ? [fb.left, fb.top, fb.right, fb.bottom] : null,
            readout: (root.querySelector('.metricwidgets-readout-box') || {}).innerText || '',
            title: title ? title.textContent : '',
            title_box: title ? box(title) : null, texts};
}"""
_GEOMETRY_JS = "(chart) => (" + _ROOT_GEOMETRY_JS + ")(document.querySelector(chart))"
_ALL_GEOMETRY_JS = ("(sel) => [...document.querySelectorAll(sel)].map(" + _ROOT_GEOMETRY_JS
                    + ")")


def geometry(page, chart: str = CHART) -> dict | None:
    """The first chart matching ``chart``: its ticks, paths, legend, title and texts."""
    return page.evaluate(_GEOMETRY_JS, chart)


def all_geometry(page, charts: str) -> list[dict]:
    """:func:`geometry` of every chart matching ``charts``, in page order."""
    return page.evaluate(_ALL_GEOMETRY_JS, charts)


def overlaps(boxes: list, tolerance: float = 0.5) -> list[tuple]:
    """Pairs ``(text_a, text_b)`` of the ``{"text", "box"}`` items whose boxes overlap by
    more than ``tolerance`` px each way."""
    found = []
    for a, b in itertools.combinations(boxes, 2):
        width = min(a["box"][2], b["box"][2]) - max(a["box"][0], b["box"][0])
        height = min(a["box"][3], b["box"][3]) - max(a["box"][1], b["box"][1])
        if width > tolerance and height > tolerance:
            found.append((a["text"], b["text"]))
    return found


def figure_problems(geo: dict, x_kind: str, y_kind: str, legend: bool = True) -> list[str]:
    """What is wrong with one chart's geometry: each axis checked by :func:`check_axis`,
    x labels :data:`LABEL_GAP` px apart or more, no negative relative time, a curve drawn, the legend (when the chart has its own) over no drawn point, the title
    inside the figure, no piece of text over another."""
    x_ticks, y_ticks = split_axes(geo)
    found = []
    for name, ticks, kind, vertical in (("x", x_ticks, x_kind, False),
                                        ("y", y_ticks, y_kind, True)):
        error = check_axis(ticks, kind, vertical)
        if error:
            found.append(f"{name} ({kind}): {error}")
    boxes = sorted((t["box"] for t in x_ticks if t["box"]), key=lambda b: b[0])
    for a, b in itertools.pairwise(boxes):
        if b[0] - a[2] < LABEL_GAP:
            found.append(f"x labels run together ({b[0] - a[2]:.1f} px apart): "
                         f"{[t['text'] for t in x_ticks]}")
            break
    if x_kind == "relative" and any(t["text"].startswith(("-", "\u2212")) for t in x_ticks):
        found.append(f"negative times {[t['text'] for t in x_ticks]}")
    drawn = points_inside([p for path in geo["paths"] if path["visible"]
                           for p in path["points"]], geo["figure"])
    if not drawn:
        found.append("no curve drawn")
    if legend and geo["legend"] is None:
        found.append("no legend")
    elif legend and points_inside(drawn, geo["legend"]):
        found.append("the legend covers drawn points")
    if geo["title_box"] is not None and not (
            geo["figure"][0] - 0.5 <= geo["title_box"][0]
            and geo["title_box"][2] <= geo["figure"][2] + 0.5):
        found.append(f"title {geo['title']!r} cut off by the figure's edge")
    for a, b in overlaps(geo["texts"]):
        found.append(f"text {a!r} overlaps {b!r}")
    return found


def split_axes(geo: dict):
    """``(x_ticks, y_ticks)``: the axis whose ticks move along x is the x-axis."""
    x_ticks, y_ticks = [], []
    for ticks in geo["axes"]:
        if not ticks:
            continue
        if len({round(t["x"], 3) for t in ticks}) > 1 or (len(ticks) == 1 and ticks[0]["x"]):
            x_ticks = ticks
        else:
            y_ticks = ticks
    return x_ticks, y_ticks


def parse_label(text: str, kind: str) -> float:
    """A tick label's value: a number, ``m:ss`` / ``h:mm:ss`` (relative) or a UTC clock
    ``HH:MM[:SS]`` (wall, in seconds of the day). Raises ValueError otherwise."""
    text = text.replace("\u2212", "-").strip()
    if kind in ("relative", "wall"):
        if not re.fullmatch(r"-?\d+(:\d\d){1,2}(\.\d+)?", text):
            raise ValueError(f"not a time: {text!r}")
        sign = -1 if text.startswith("-") else 1
        parts = [float(p) for p in text.lstrip("-").split(":")]
        if kind == "wall":
            parts = parts + [0.0] * (3 - len(parts))
            return parts[0] * 3600 + parts[1] * 60 + parts[2]
        seconds = 0.0
        for part in parts:
            seconds = seconds * 60 + part
        return sign * seconds
    return float(text)


def check_axis(ticks: list, kind: str, vertical: bool) -> str | None:
    """None when the ticks are right for ``kind`` (step / linear / log / relative / wall);
    else what is wrong."""
    if len(ticks) < 2:
        return f"{len(ticks)} tick(s)"
    try:
        values = [parse_label(t["text"], kind) for t in ticks]
    except ValueError as exc:
        return str(exc)
    labels = [t["text"] for t in ticks]
    if len(set(labels)) != len(labels):
        return f"repeated labels {labels}"
    if kind == "step" and not all(float(v).is_integer() for v in values):
        return f"not whole steps {labels}"
    pos = [t["y"] if vertical else t["x"] for t in ticks]
    order = sorted(range(len(values)), key=values.__getitem__)
    pos_sorted = [pos[i] for i in order]
    steps = [b - a for a, b in itertools.pairwise(pos_sorted)]
    if not all((s < 0) if vertical else (s > 0) for s in steps):
        return f"labels out of order {labels} at {pos}"
    if min(abs(s) for s in steps) < 8:
        return f"labels closer than 8 px {labels} at {pos}"
    if kind == "log" and min(values) <= 0:
        return f"non-positive label on a log axis {labels}"
    measure = [math.log10(v) for v in values] if kind == "log" else values
    return _linear_fit_error(measure, pos, labels)


def _linear_fit_error(values: list, pos: list, labels: list) -> str | None:
    n = len(values)
    mv, mp = sum(values) / n, sum(pos) / n
    var = sum((v - mv) ** 2 for v in values)
    if var == 0:
        return f"all labels equal {labels}"
    slope = sum((v - mv) * (p - mp) for v, p in zip(values, pos)) / var
    worst = max(abs(mp + slope * (v - mv) - p) for v, p in zip(values, pos))
    # Labels are rounded: allow half a pixel plus the label's own rounding.
    if worst > 1.5:
        return f"ticks not on the scale (off by {worst:.1f} px): {labels} at {pos}"
    return None


def x_pixel(geo: dict, value: float, kind: str = "step") -> float:
    """Screen x of data value ``value``, interpolated between the x tick labels' centres
    (screen pixels)."""
    x_ticks, _ = split_axes(geo)
    values = [parse_label(t["text"], kind) for t in x_ticks]
    centres = [(t["box"][0] + t["box"][2]) / 2 for t in x_ticks]
    (v0, p0), (v1, p1) = (values[0], centres[0]), (values[-1], centres[-1])
    return p0 + (value - v0) * (p1 - p0) / (v1 - v0)


def y_pixel(geo: dict, value: float) -> float:
    """Screen y of ``value`` on a linear y-axis, from its tick labels' centres."""
    _, y_ticks = split_axes(geo)
    values = [float(t["text"].replace("\u2212", "-")) for t in y_ticks]
    centres = [(t["box"][1] + t["box"][3]) / 2 for t in y_ticks]
    (v0, p0), (v1, p1) = (values[0], centres[0]), (values[-1], centres[-1])
    return p0 + (value - v0) * (p1 - p0) / (v1 - v0)


def points_inside(points: list, box: list) -> list:
    left, top, right, bottom = box
    return [p for p in points if left <= p[0] <= right and top <= p[1] <= bottom]
