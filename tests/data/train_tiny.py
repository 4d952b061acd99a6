"""A tiny real training run for the LivePlot tests: polynomial regression by gradient descent.

Fits a degree-11 polynomial to 12 noisy samples of a sine with plain numpy gradient descent and
evaluates it on 200 clean points. The training error keeps falling while the validation error,
after an early minimum, rises: the model overfits, as the diagnoses should notice. Each epoch
prints (flushed) ``Train_error=...;  Valid_error=...;`` as in SageMaker's documentation, then
sleeps ``--delay`` seconds, so a watcher sees the curve grow.

``--nan-at N`` prints ``Train_error=nan;`` at epoch N (a divergence marker to draw).
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--nan-at", type=int, default=-1)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(7)
    x_train = np.sort(rng.uniform(-1, 1, 12))
    y_train = np.sin(3 * x_train) + rng.normal(0, 0.3, 12)
    x_valid = np.linspace(-1, 1, 200)
    y_valid = np.sin(3 * x_valid)
    degree = 11
    # A Legendre basis keeps gradient descent well conditioned, so it reaches the noise.
    features = np.polynomial.legendre.legvander(x_train, degree)
    valid_features = np.polynomial.legendre.legvander(x_valid, degree)
    weights = np.zeros(degree + 1)
    for epoch in range(args.epochs):
        for _ in range(20):
            grad = features.T @ (features @ weights - y_train) / len(y_train)
            weights -= 0.2 * grad
        train_error = float(np.mean((features @ weights - y_train) ** 2))
        valid_error = float(np.mean((valid_features @ weights - y_valid) ** 2))
        shown = "nan" if epoch == args.nan_at else f"{train_error:.5f}"
        print(f"epoch {epoch}: Train_error={shown};  Valid_error={valid_error:.5f};", flush=True)
        if args.delay:
            time.sleep(args.delay)
    return 0


if __name__ == "__main__":
    sys.exit(main())
