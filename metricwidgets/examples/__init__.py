"""Small, real workloads used by the example notebooks, the demo and the tests.

``python -m metricwidgets.examples.train_digits`` trains a classifier on scikit-learn's
bundled digits and prints one metric line per epoch, the way a SageMaker training script does.
The example notebooks ship in ``notebooks/`` (see :mod:`metricwidgets.cli.demo`).
"""
