"""The labelled runs the diagnoses are measured on (``tests/data/diagnosis_runs/``).

Two parts, each a CSV of points (``run, metric, step, value``) plus ``labels.json`` (one entry
per run: ``truth`` ``overfitting`` / ``divergence`` / ``healthy``, the overfitting's true
``start`` step, the ``family`` and the ``reason`` for the label):

- ``generated.csv``: families with known truth across noise levels and run lengths
  (overfitting with a known start, divergence, and healthy runs: still improving, noisy,
  a constant train/validation gap, a plateau, a very short run, a recovered spike, a stepped
  learning-rate schedule, per-batch training loss beside per-epoch validation). The truth of
  an overfitting run is the step where its noiseless validation curve is lowest.
- ``real.csv``: curves of real trainings: the repository's real logs (``tests/data/*.log``)
  and real scikit-learn trainings (the quick-start's digits MLP over seeds, label noise and
  learning rates; gradient boosting on the bundled diabetes data), each labelled by the rule
  written in its ``reason``.

``python -m tests.benchmarks.diagnosis_set`` rewrites the files (deterministic: same seeds,
same files). :func:`load_runs` reads them back.
"""

from __future__ import annotations

import csv
import json
import pathlib

import numpy as np

__all__ = ["DATA", "Run", "generate", "load_runs", "real_runs", "write"]

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "diagnosis_runs"
HERE = pathlib.Path(__file__).resolve().parents[1] / "data"


class Run:
    """One labelled run: ``series`` maps a metric name to (steps, values)."""

    def __init__(self, label: dict, series: dict):
        self.label = label
        self.series = series

    @property
    def id(self) -> str:
        return self.label["run"]

    @property
    def truth(self) -> str:
        return self.label["truth"]

    @property
    def length(self) -> float:
        """The run's length in steps (first to last point of any series)."""
        steps = np.concatenate([s for s, _ in self.series.values()])
        return float(steps.max() - steps.min()) if len(steps) else 0.0


# ---------------------------------------------------------------------- generated
def _decay(t, start, end, tau):
    return end + (start - end) * np.exp(-t / tau)


def _overfitting(rng, length, noise, frac, higher, power):
    t = np.arange(length, dtype=float)
    t0 = max(2.0, round(frac * (length - 1)))
    rise = 0.25
    clean = _decay(t, 1.0, 0.3, t0 / 3) + rise * np.clip((t - t0) / (length - 1 - t0), 0, None) ** power
    start = float(t[int(np.argmin(clean))])
    valid = clean + rng.normal(0, noise * rise, length)
    train = _decay(t, 0.9, 0.02, length / 3) + rng.normal(0, noise * 0.05, length)
    if higher:
        return {"train:accuracy": (t, 1 - train), "validation:accuracy": (t, 1 - valid)}, start
    return {"train:loss": (t, train), "validation:loss": (t, valid)}, start


def _divergence(rng, length, noise, frac, growth, ending):
    t = np.arange(length, dtype=float)
    td = int(frac * length)
    loss = _decay(t, 2.3, 0.2, length / 5) * (1 + rng.normal(0, noise, length))
    after = np.arange(length - td)
    if ending == "jump":
        loss[td:] = loss[td - 1] * 100 * (1 + rng.normal(0, noise, len(after)))
    else:
        loss[td:] = loss[td - 1] * growth ** (after + 1)
    if ending == "nan":
        loss[td + 3:] = np.nan
    return {"train:loss": (t, loss)}, float(td)


def _healthy(rng, family, length, noise):
    t = np.arange(length, dtype=float)
    train = _decay(t, 1.0, 0.05, length / 4)
    valid = _decay(t, 1.1, 0.2, length / 4)
    if family == "improving-power":
        train, valid = 1.0 / np.sqrt(1 + t), 1.2 / np.sqrt(1 + t) + 0.1
    elif family == "constant-gap":
        train = _decay(t, 1.0, 0.1, length / 8)
        valid = train + 0.15
    elif family == "plateau":
        train = np.full(length, 0.3)
        valid = np.full(length, 0.45)
    elif family == "lr-steps":
        train = 0.8 - 0.25 * (t >= length // 3) - 0.15 * (t >= 2 * length // 3)
        valid = train + 0.1
    span = float(np.ptp(valid)) or 0.3
    train = train + rng.normal(0, noise * span * 0.5, length)
    valid = valid + rng.normal(0, noise * span, length)
    if family == "recovered-spike":
        spot = int(rng.integers(length // 3, length - 3))
        train[spot] *= 5
        valid[spot] *= 3
    series = {"train:loss": (t, train), "validation:loss": (t, valid)}
    if family == "per-batch":
        steps = np.arange(length * 4, dtype=float) / 4
        batch = _decay(steps, 1.0, 0.05, length / 4) * np.exp(rng.normal(0, 0.3, len(steps)))
        series = {"train:loss": (steps, batch), "validation:loss": (t, valid)}
    if family == "higher-is-better":
        series = {"train:accuracy": (t, 1 - train), "validation:accuracy": (t, 1 - valid)}
    return series


HEALTHY_FAMILIES = ("improving", "improving-power", "noisy", "constant-gap", "plateau",
                    "lr-steps", "recovered-spike", "per-batch", "higher-is-better", "short")


def generate(seed: int = 12) -> list[Run]:
    """Every generated run, deterministic for ``seed``."""
    rng = np.random.default_rng(seed)
    runs = []

    def add(family, truth, series, start, reason, **params):
        label = {"run": f"gen-{len(runs):03d}-{family}", "family": family, "truth": truth,
                 "start": start, "source": "generated", "reason": reason, "params": params}
        runs.append(Run(label, series))

    for length in (12, 20, 30, 50, 100, 200):
        for noise in (0.0, 0.05, 0.1, 0.2):
            for frac in (0.2, 0.35, 0.5):
                higher = bool(rng.integers(2))
                power = float(rng.choice([1.0, 1.5]))
                series, start = _overfitting(rng, length, noise, frac, higher, power)
                add("overfitting", "overfitting", series, start,
                    "noiseless validation is lowest here, then rises by 0.25 (noise "
                    f"{noise:.0%} of the rise) while training falls", length=length,
                    noise=noise, frac=frac, higher=higher, power=power)
    for length in (20, 50, 200):
        for noise in (0.02, 0.1):
            for growth, ending in ((1.5, "grow"), (3.0, "grow"), (3.0, "nan"), (0, "jump")):
                series, start = _divergence(rng, length, noise, 0.6, growth, ending)
                add("divergence", "divergence", series, start,
                    f"loss {ending} after step {start:g} ({'x100 and stays' if ending == 'jump' else f'x{growth:g} per step'})",
                    length=length, noise=noise, growth=growth, ending=ending)
    for family in HEALTHY_FAMILIES:
        for length in ((3, 4, 4, 5) if family == "short" else (8, 12, 20, 50, 100, 300)):
            for noise in ((0.3, 0.5) if family == "noisy" else (0.01, 0.05, 0.15)):
                series = _healthy(rng, "improving" if family in ("short", "noisy") else family,
                                  length, noise)
                add(family, "healthy", series, None,
                    f"{family}: validation never turns worse for a sustained stretch and no "
                    "loss explodes", length=length, noise=noise)
    return runs


# ---------------------------------------------------------------------- real
def _log_series(path, definitions):
    from metricwidgets.core.parsing import parse_log

    frame = parse_log(pathlib.Path(path).read_text(), definitions)
    return {m: (g["step"].to_numpy(float), g["value"].to_numpy(float))
            for m, g in frame.groupby("metric", sort=False)}


def _judge(train, valid):
    """The labelling rule for a real train/validation pair, written out so it can be read.

    On the finished curves: take validation's lowest 3-point moving mean. Overfitting: its
    last five values average more than 20% above that mean and training ends below where it
    stood there; the start is the raw best within that 3-point window. Healthy: the last
    five average gave back less than 5% of the progress validation made (first value to that
    mean). Anything between is ambiguous: left out of the set.
    """
    mean = np.convolve(valid, np.ones(3) / 3, mode="valid")
    low = int(np.argmin(mean))
    turn = low + int(np.argmin(valid[low:low + 3]))
    end = float(np.mean(valid[-5:]))
    rise = end / mean[low] - 1
    given_back = (end - mean[low]) / max(valid[0] - mean[low], 1e-12)
    if rise > 0.20 and train[-1] < train[turn]:
        return "overfitting", float(turn), (f"validation's lowest 3-point mean {mean[low]:.4g} "
                                            f"near step {turn}, last five average {end:.4g} "
                                            f"(+{rise:.0%}) while training fell "
                                            f"{train[turn]:.4g} -> {train[-1]:.4g}")
    if given_back < 0.05:
        return "healthy", None, (f"validation ends {rise:+.1%} from its best smoothed level, "
                                 f"{given_back:.1%} of its progress given back: still "
                                 "improving or flat")
    return None, None, f"ambiguous: validation ends {rise:+.0%} above its best"


def real_runs() -> list[Run]:
    """The real curves, labelled (ambiguous ones are left out)."""
    from metricwidgets.examples.train_digits import train as train_digits

    runs = []
    logs = [
        ("keras.log", [{"Name": "loss", "Regex": r" - loss: ([0-9.]+)"},
                       {"Name": "val_loss", "Regex": r"val_loss: ([0-9.]+)"}]),
        ("pytorch_mnist.log", [{"Name": "train:loss", "Regex": r"Loss: ([0-9.]+)"},
                               {"Name": "test:loss", "Regex": r"Average loss: ([0-9.]+)"}]),
        ("huggingface.log", [{"Name": "loss", "Regex": r"'loss': ([0-9.]+)"},
                             {"Name": "eval_loss", "Regex": r"'eval_loss': ([0-9.]+)"}]),
        ("xgboost_local.log", [{"Name": "train:rmse", "Regex": r"train-rmse:([0-9.]+)"},
                               {"Name": "validation:rmse", "Regex": r"validation-rmse:([0-9.]+)"}]),
        ("linear_learner.log", [
            {"Name": "train:loss", "Regex": r"epoch=\d+, train \S+ <loss>=([0-9.]+)"},
            {"Name": "validation:loss", "Regex": r"validation \S+ <loss>=([0-9.]+)"}]),
    ]
    reasons = {
        "keras.log": "3 epochs, both losses fall every epoch",
        "pytorch_mnist.log": "2 test evaluations, the second lower; training loss falls",
        "huggingface.log": "one evaluation; training loss falls",
        "xgboost_local.log": "validation rmse falls to 1.889 then both train and validation "
                             "jump at the last round together: no overfitting (training got "
                             "worse too), a 1.6x jump is no explosion",
        "linear_learner.log": "3 epochs, both losses fall",
    }
    for name, definitions in logs:
        series = _log_series(HERE / name, definitions)
        runs.append(Run({"run": f"real-{name[:-4]}", "family": "real-log", "truth": "healthy",
                         "start": None, "source": f"tests/data/{name}",
                         "reason": reasons[name]}, series))
    settings = [{"seed": s} for s in range(6)]
    settings += [{"seed": s, "label_noise": 0.0, "learning_rate": 0.001} for s in range(4)]
    settings += [{"seed": s, "label_noise": 0.1} for s in range(3)]
    settings += [{"seed": s, "label_noise": 0.0, "learning_rate": 0.0003} for s in range(2)]
    for params in settings:
        rows = list(train_digits(epochs=40, **params))
        t = np.array([r[0] for r in rows], float)
        tr = np.array([r[1] for r in rows], float)
        va = np.array([r[2] for r in rows], float)
        truth, start, reason = _judge(tr, va)
        tag = "-".join(f"{k}{v}" for k, v in params.items())
        label = {"run": f"real-digits-{tag}", "family": "real-digits", "truth": truth,
                 "start": start, "source": f"metricwidgets.examples.train_digits {params}",
                 "reason": reason}
        if truth is not None:
            runs.append(Run(label, {"train:error": (t, tr), "validation:error": (t, va)}))
    runs.extend(_boosting_runs())
    return runs


def _boosting_runs() -> list[Run]:
    from sklearn.datasets import load_diabetes
    from sklearn.ensemble import GradientBoostingRegressor
    from sklearn.model_selection import train_test_split

    x, y = load_diabetes(return_X_y=True)
    runs = []
    for seed, rate, depth in ((0, 0.3, 4), (1, 0.3, 4), (2, 0.5, 5), (0, 0.02, 2), (1, 0.02, 2)):
        xt, xv, yt, yv = train_test_split(x, y, test_size=0.3, random_state=seed)
        model = GradientBoostingRegressor(n_estimators=150, learning_rate=rate, max_depth=depth,
                                          random_state=seed).fit(xt, yt)
        tr = np.array([np.sqrt(np.mean((p - yt) ** 2)) for p in model.staged_predict(xt)])
        va = np.array([np.sqrt(np.mean((p - yv) ** 2)) for p in model.staged_predict(xv)])
        truth, start, reason = _judge(tr, va)
        if truth is None:
            continue
        t = np.arange(len(tr), dtype=float)
        runs.append(Run({"run": f"real-boosting-seed{seed}-lr{rate}-depth{depth}",
                         "family": "real-boosting", "truth": truth, "start": start,
                         "source": "sklearn GradientBoostingRegressor on load_diabetes, "
                                   f"seed {seed}, learning rate {rate}, depth {depth}",
                         "reason": reason}, {"train:rmse": (t, tr), "validation:rmse": (t, va)}))
    return runs


# ---------------------------------------------------------------------- files
def write(runs_by_file: dict) -> None:
    DATA.mkdir(parents=True, exist_ok=True)
    labels = []
    for filename, runs in runs_by_file.items():
        with open(DATA / filename, "w", newline="") as handle:
            out = csv.writer(handle)
            out.writerow(["run", "metric", "step", "value"])
            for run in runs:
                for metric, (steps, values) in run.series.items():
                    for s, v in zip(steps.tolist(), values.tolist()):
                        out.writerow([run.id, metric, f"{s:.6g}", f"{v:.5g}"])
                labels.append(dict(run.label, file=filename))
    (DATA / "labels.json").write_text(json.dumps(labels, indent=1) + "\n")


def load_runs(truth: str | None = None) -> list[Run]:
    """The stored runs (all, or those with ``truth``), in labels.json's order."""
    labels = json.loads((DATA / "labels.json").read_text())
    points: dict = {}
    for filename in sorted({label["file"] for label in labels}):
        with open(DATA / filename, newline="") as handle:
            for row in csv.DictReader(handle):
                points.setdefault(row["run"], {}).setdefault(row["metric"], []).append(
                    (float(row["step"]), float(row["value"])))
    runs = []
    for label in labels:
        if truth is not None and label["truth"] != truth:
            continue
        series = {m: (np.array([p[0] for p in pts]), np.array([p[1] for p in pts]))
                  for m, pts in points[label["run"]].items()}
        runs.append(Run(label, series))
    return runs


if __name__ == "__main__":
    write({"generated.csv": generate(), "real.csv": real_runs()})
    for run in load_runs():
        if run.label["source"] != "generated":
            print(f"{run.id:50s} {run.truth:12s} {run.label['reason']}")
