"""Group metric names into charts, give each job or host a stable colour, infer a direction.

A chart shows one *quantity* (``error``) with its training and validation series together, the
way users of livelossplot and Keras expect. Names are split into a *role* (train, validation,
test) and the quantity by the conventions found in the wild:

- a prefix with a separator: ``train:error`` / ``validation:error``, ``train_loss`` /
  ``val_loss`` / ``valid_loss`` / ``eval_loss`` / ``test_loss``, ``train-rmse`` /
  ``validation-rmse`` (XGBoost), ``Train_error`` / ``Valid_error``;
- a suffix: ``loss_train`` / ``loss_val``;
- Keras: a bare ``loss`` is the training series of ``val_loss``.

The direction (lower or higher is better) comes from words in the name and can be overridden
per name. Pure Python; no widget code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping

__all__ = [
    "ROLES", "ChartGroup", "split_role", "group_metrics",
    "direction_of", "LOWER", "HIGHER",
]

LOWER = "lower"
HIGHER = "higher"

#: Role words and the role each one means (matched case-insensitively).
ROLES = {
    "train": "train", "training": "train",
    "validation": "validation", "valid": "validation", "val": "validation",
    "eval": "validation", "evaluation": "validation",
    "test": "test", "testing": "test",
}
_ROLE_ORDER = {"train": 0, None: 0, "validation": 1, "test": 2}
_SEP = r"[:_\-/. ]"
_PREFIX = re.compile(rf"^(?P<role>{'|'.join(sorted(ROLES, key=len, reverse=True))})"
                     rf"{_SEP}+(?P<rest>.+)$", re.IGNORECASE)
_SUFFIX = re.compile(rf"^(?P<rest>.+?){_SEP}+(?P<role>{'|'.join(sorted(ROLES, key=len, reverse=True))})$",
                     re.IGNORECASE)

# Words that say which way is better. Matched as whole tokens of the name, so "map" does not
# match "heatmap_loss" but does match "val_mAP".
_LOWER_WORDS = {"loss", "error", "err", "rmse", "mse", "mae", "mape", "smape", "rmsle",
                "perplexity", "ppl", "nll", "logloss", "mlogloss", "crossentropy", "entropy",
                "wer", "cer", "ter", "distance", "regret", "l1", "l2", "huber", "bpc", "bpd",
                "time", "latency", "merror"}
_HIGHER_WORDS = {"accuracy", "acc", "auc", "aucpr", "f1", "fscore", "map", "precision",
                 "recall", "iou", "miou", "dice", "bleu", "rouge", "r2", "ndcg", "top1",
                 "top5", "score", "reward", "return", "sensitivity", "specificity", "kappa",
                 "mcc", "jaccard", "throughput", "psnr", "ssim", "meteor", "spearman",
                 "pearson", "auroc", "auprc"}


@dataclass
class ChartGroup:
    """One chart: a quantity and the metric names drawn on it.

    Attributes
    ----------
    quantity : str
        The shared part of the names (``error``), used as the chart's title.
    members : list of (str, str or None)
        ``(metric name, role)``; role is ``train``, ``validation``, ``test`` or None.
    direction : str
        :data:`LOWER` or :data:`HIGHER` (or None when the name says nothing).
    """

    quantity: str
    members: list = field(default_factory=list)
    direction: str | None = None

    @property
    def metrics(self) -> list[str]:
        return [name for name, _ in self.members]

    def role_of(self, metric: str):
        for name, role in self.members:
            if name == metric:
                return role
        return None

    def find(self, role: str) -> str | None:
        """The member metric with ``role`` (None when there is none)."""
        for name, r in self.members:
            if r == role:
                return name
        return None


def split_role(name: str) -> tuple[str | None, str]:
    """Split ``name`` into ``(role, quantity)``; role None when the name carries none.

    >>> split_role("validation:error")
    ('validation', 'error')
    >>> split_role("loss_val")
    ('validation', 'loss')
    """
    match = _PREFIX.match(name) or _SUFFIX.match(name)
    if match:
        return ROLES[match.group("role").lower()], match.group("rest")
    return None, name


def _normal(quantity: str) -> str:
    return re.sub(_SEP + "+", "_", quantity.strip()).lower()


def group_metrics(names: Iterable[str],
                  directions: Mapping[str, str] | None = None) -> list[ChartGroup]:
    """Group metric names into charts, in the order the quantities first appear.

    A name with no role joins the group of another name's quantity when one exists (Keras:
    ``loss`` with ``val_loss``) as its training series. Quantities are compared case- and
    separator-insensitively (``Train_error`` pairs with ``valid-error``).

    Parameters
    ----------
    names : iterable of str
    directions : mapping of str to str, optional
        Overrides by metric name or by quantity: ``{"error": "higher"}``.
    """
    groups: dict[str, ChartGroup] = {}
    bare: list[str] = []
    for name in dict.fromkeys(names):
        role, quantity = split_role(name)
        if role is None:
            bare.append(name)
            continue
        key = _normal(quantity)
        group = groups.setdefault(key, ChartGroup(quantity))
        group.members.append((name, role))
    for name in bare:
        key = _normal(name)
        if key in groups:
            groups[key].members.append((name, "train"))
        else:
            groups[key] = ChartGroup(name, [(name, None)])
    ordered = list(groups.values())
    first = {n: i for i, n in enumerate(dict.fromkeys(names))}
    ordered.sort(key=lambda g: min(first[m] for m in g.metrics))
    for group in ordered:
        group.members.sort(key=lambda member: (_ROLE_ORDER.get(member[1], 3), first[member[0]]))
        group.direction = direction_of(group.quantity, directions, group.metrics)
    return ordered


def direction_of(name: str, overrides: Mapping[str, str] | None = None,
                 aliases: Iterable[str] = ()) -> str | None:
    """Whether lower or higher is better for the metric ``name``.

    ``overrides`` (by name, quantity or any of ``aliases``) win; then the words of the name
    (``loss``, ``error``, ``rmse``... lower; ``accuracy``, ``auc``, ``f1``, ``map``... higher).
    Returns None when nothing tells.

    Raises
    ------
    ValueError
        For an override that is neither ``lower``/``min`` nor ``higher``/``max``.
    """
    for key in (name, *aliases):
        if overrides and key in overrides:
            value = str(overrides[key]).lower()
            if value in ("lower", "min", "minimize"):
                return LOWER
            if value in ("higher", "max", "maximize"):
                return HIGHER
            raise ValueError(f"direction of {key!r} must be 'lower' or 'higher', not {value!r}")
    tokens = [t for t in re.split(r"[^a-z0-9]+", _split_camel(name).lower()) if t]
    # The last word that tells wins: "error_rate" -> error, "top1_accuracy" -> accuracy.
    for token in reversed(tokens):
        if token in _LOWER_WORDS:
            return LOWER
        if token in _HIGHER_WORDS:
            return HIGHER
    return None


def _split_camel(name: str) -> str:
    return re.sub(r"(?<=[a-z])(?=[A-Z][a-z])", "_", name)
