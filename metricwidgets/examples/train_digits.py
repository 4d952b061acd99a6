"""A real, small training job that overfits on purpose: the quick-start's workload.

Trains a one-hidden-layer MLP (scikit-learn's ``MLPClassifier``, one ``partial_fit`` pass per
epoch) on 300 images of scikit-learn's bundled digits, a quarter of whose labels are shuffled,
and evaluates it on the remaining images with their true labels. The network memorises the
shuffled labels: its training error falls towards zero while its validation error, after a
minimum within the first few epochs, climbs back up. That is the textbook overfitting curve the
quick-start's chart diagnoses.

Each epoch prints one line in the format of SageMaker's documentation::

    Train_error=0.2533;  Valid_error=0.1269;

or, with ``--format xgboost``, the way SageMaker's XGBoost container does (tab-separated; the
tabs become ``#011`` in CloudWatch Logs)::

    [2]	train-error:0.25333	validation-error:0.12692

Every line is flushed as it is printed, so a watcher sees each epoch as it ends. With the same
``--seed`` two runs print the same lines.

Run it with ``python -m metricwidgets.examples.train_digits [--epochs N] [--delay S] [--seed K]``.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

import numpy as np

__all__ = ["main", "build_parser", "format_line", "train"]

#: Training images; few enough to memorise, which is the point.
TRAIN_SIZE = 300

FORMATS = ("sagemaker", "xgboost")


def format_line(epoch: int, train_error: float, valid_error: float,
                style: str = "sagemaker") -> str:
    """Return the metric line printed after ``epoch`` (0-based) in the given ``style``."""
    if style == "xgboost":
        return f"[{epoch}]\ttrain-error:{train_error:.5f}\tvalidation-error:{valid_error:.5f}"
    return f"Train_error={train_error:.4f};  Valid_error={valid_error:.4f};"


def train(epochs: int = 30, seed: int = 0, label_noise: float = 0.25,
          learning_rate: float = 0.01, hidden_units: int = 256):
    """Train epoch by epoch, yielding ``(epoch, train_error, valid_error)`` after each one.

    Errors are misclassification rates in [0, 1]: the training error against the (partly
    shuffled) labels the model was trained on, the validation error against true labels.
    ``learning_rate`` and ``hidden_units`` are the hyperparameters a tuning job varies.
    Deterministic for a given set of arguments.
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier

    features, labels = load_digits(return_X_y=True)
    features = features / 16.0  # pixel intensities are 0..16
    x_train, x_valid, y_train, y_valid = train_test_split(
        features, labels, train_size=TRAIN_SIZE, random_state=seed, stratify=labels)
    rng = np.random.default_rng(seed)
    noisy = y_train.copy()
    flipped = rng.choice(len(noisy), int(label_noise * len(noisy)), replace=False)
    noisy[flipped] = rng.integers(0, 10, len(flipped))

    # No weight decay and a wide layer: nothing stops it from memorising the noise.
    model = MLPClassifier(hidden_layer_sizes=(hidden_units,), alpha=0.0,
                          learning_rate_init=learning_rate,
                          batch_size=32, random_state=seed)
    classes = np.arange(10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in range(epochs):
            model.partial_fit(x_train, noisy, classes=classes)
            yield (epoch, 1.0 - model.score(x_train, noisy), 1.0 - model.score(x_valid, y_valid))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m metricwidgets.examples.train_digits",
        description="Train a small MLP on scikit-learn's digits and print its errors each epoch.")
    parser.add_argument("--epochs", type=int, default=30, help="epochs to train (default 30)")
    parser.add_argument("--delay", type=float, default=0.0,
                        help="seconds to wait after each epoch, to watch it live (default 0)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--label-noise", type=float, default=0.25,
                        help="fraction of training labels replaced at random (default 0.25)")
    parser.add_argument("--learning-rate", type=float, default=0.01,
                        help="initial learning rate of Adam (default 0.01)")
    parser.add_argument("--hidden-units", type=int, default=256,
                        help="width of the hidden layer (default 256)")
    parser.add_argument("--format", choices=FORMATS, default="sagemaker",
                        help="metric line style (default: SageMaker's documentation example)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if (args.epochs < 1 or args.delay < 0 or not 0.0 <= args.label_noise <= 1.0
            or args.learning_rate <= 0 or args.hidden_units < 1):
        print("train_digits: error: need --epochs >= 1, --delay >= 0, 0 <= --label-noise <= 1, "
              "--learning-rate > 0, --hidden-units >= 1", file=sys.stderr)
        return 2
    for epoch, train_error, valid_error in train(args.epochs, args.seed, args.label_noise,
                                                 args.learning_rate, args.hidden_units):
        print(format_line(epoch, train_error, valid_error, args.format), flush=True)
        if args.delay and epoch + 1 < args.epochs:
            time.sleep(args.delay)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
