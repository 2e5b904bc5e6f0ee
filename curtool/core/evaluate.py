"""How good a sector classification is: per-class precision/recall/F1, macro-F1, accuracy, confusions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from curtool.core import columns, errors


@dataclass
class Evaluation:
    """Metrics of predicted against true labels."""

    per_class: pd.DataFrame  # index label; precision, recall, f1, support
    confusion: pd.DataFrame  # rows true label, columns predicted label
    accuracy: float
    macro_f1: float
    n: int
    lenient_accuracy: float | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def weakest(self) -> list[str]:
        """Classes with support, weakest F1 first."""
        rows = self.per_class[self.per_class["support"] > 0]
        return list(rows.sort_values("f1").index)

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "n": self.n,
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
        }
        if self.lenient_accuracy is not None:
            out["lenient_accuracy"] = round(self.lenient_accuracy, 4)
        out["per_class"] = {
            str(label): {
                "precision": round(float(row.precision), 4),
                "recall": round(float(row.recall), 4),
                "f1": round(float(row.f1), 4),
                "support": int(row.support),
            }
            for label, row in self.per_class.iterrows()
        }
        out["confusion"] = {
            str(t): {str(p): int(v) for p, v in row.items()} for t, row in self.confusion.iterrows()
        }
        out.update(self.extra)
        return out


def _ordered(labels: set[str]) -> list[str]:
    def key(label: str) -> tuple[int, str]:
        return (columns.SECTORS.index(label) if label in columns.SECTORS else 99, label)

    return sorted(labels, key=key)


def evaluate(
    true_labels: Sequence[str],
    predicted_labels: Sequence[str],
    labels: Sequence[str] | None = None,
    *,
    alt_labels: Sequence[str] | None = None,
) -> Evaluation:
    """Compare predictions with the truth.

    Macro-F1 averages over ``labels`` (default: every label that occurs in the
    truth), so a class that is predicted but never true does not dilute it.
    ``alt_labels`` (a second defensible label per row, "" where none) adds the
    lenient accuracy: a prediction counts when it equals either.
    """
    y = np.asarray([str(v) for v in true_labels], dtype=object)
    p = np.asarray([str(v) for v in predicted_labels], dtype=object)
    if len(y) != len(p):
        raise errors.CurtoolError(
            errors.BAD_OPTION,
            f"{len(y)} true labels but {len(p)} predictions",
            "pass one prediction per labelled row",
        )
    if len(y) == 0:
        raise errors.CurtoolError(errors.NO_LABELS, "nothing to evaluate", "give labelled rows")
    scored = list(labels) if labels is not None else _ordered(set(y))
    shown = _ordered(set(scored) | set(y) | set(p))
    index = {label: i for i, label in enumerate(shown)}
    matrix = np.zeros((len(shown), len(shown)), dtype=np.int64)
    np.add.at(matrix, ([index[v] for v in y], [index[v] for v in p]), 1)
    tp = np.diag(matrix).astype(float)
    predicted = matrix.sum(axis=0).astype(float)
    support = matrix.sum(axis=1).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(predicted > 0, tp / predicted, 0.0)
        recall = np.where(support > 0, tp / support, 0.0)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    per_class = pd.DataFrame(
        {"precision": precision, "recall": recall, "f1": f1, "support": support.astype(int)},
        index=pd.Index(shown, name="label"),
    ).loc[scored]
    confusion = pd.DataFrame(
        matrix, index=pd.Index(shown, name="true"), columns=pd.Index(shown, name="predicted")
    )
    lenient = None
    if alt_labels is not None:
        alt = np.asarray(["" if v is None or v != v else str(v) for v in alt_labels], dtype=object)
        lenient = float(np.mean((p == y) | ((alt != "") & (p == alt))))
    return Evaluation(
        per_class=per_class,
        confusion=confusion,
        accuracy=float(np.mean(y == p)),
        macro_f1=float(per_class["f1"].mean()),
        n=len(y),
        lenient_accuracy=lenient,
    )


def cross_validate(
    texts: Sequence[str],
    labels: Sequence[str],
    folds: int = 5,
    seed: int = 0,
    *,
    base: str = "auto",
    alt_labels: Sequence[str] | None = None,
) -> Evaluation:
    """Stratified ``folds``-fold cross-validation of :func:`curtool.core.training.train`."""
    from sklearn.model_selection import StratifiedKFold

    from curtool.core.training import label_level, train

    texts = list(texts)
    kinds = base != "none" and label_level(labels) == "kind"
    y = np.asarray([str(v) for v in labels], dtype=object)
    counts = pd.Series(y).value_counts()
    if len(counts) < 2:
        raise errors.CurtoolError(
            errors.NO_LABELS, "need at least two labels to cross-validate", "give labelled rows"
        )
    # classes rarer than the fold count cannot be stratified: stratify them with the
    # commonest class instead (they are still trained on and predicted)
    strat = np.where(pd.Series(y).map(counts).to_numpy() >= folds, y, counts.index[0])
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    predicted = np.empty(len(y), dtype=object)
    for train_idx, test_idx in splitter.split(np.zeros(len(y)), strat):
        model = train([texts[i] for i in train_idx], list(y[train_idx]), base=base)
        pred = model.predict([texts[i] for i in test_idx])
        predicted[test_idx] = pred.kinds if kinds else pred.labels
    result = evaluate(y, predicted, alt_labels=alt_labels)
    result.extra["folds"] = folds
    result.extra["seed"] = seed
    return result
