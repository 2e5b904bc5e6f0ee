"""Training: the shipped model's recipe, a region's own model, kinds, calibration.

:func:`build_default` is the shipped model's recipe (seed corpus + taxonomy cues, then
the kind head and the confidence calibration on messages it was not built from);
:func:`train` learns from a region's own labelled messages with the shipped model as
a prior.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from curtool.core import columns, errors, modelformat, vectors
from curtool.core.model import (
    DEFAULT_TEMPERATURE,
    DEFAULT_THRESHOLD,
    SectorModel,
    fit,
    merge,
    softmax,
)
from curtool.core.seedcorpus import cue_documents, kind_corpus, seed_corpus
from curtool.core.taxonomy import Taxonomy, load_taxonomy

# The shipped model adds a seed-trained logistic regression to Complement NB (see build_default).
DEFAULT_LR_C = 1.0
DEFAULT_LR_WEIGHT = 0.5
# train() on kind labels: the weight of the default model's kind head beside the region's.
# Measured by 5-fold CV on both development files with their topics mapped to kinds
# (weights 0 / 0.3 / 1): portal accuracy 0.703 / 0.700 / 0.661, regional 0.624 / 0.635 /
# 0.619 (macro-F1 0.37 / 0.44 / 0.47): the region's own kinds should lead, the prior fill in.
KIND_PRIOR_WEIGHT = 0.3
# train(): the default model's weight as a prior beside the region's own regression.
# Measured by 5-fold CV on the regional development file (weights 0.5 / 0.7 / 1 / 1.5):
# macro-F1 0.742 / 0.748 / 0.725 / 0.720 once the default model carried word vectors and
# the kinds' material (1 was best before: 0.749).
TRAIN_PRIOR_WEIGHT = 0.7
# train(): regularisation of the region's own logistic regression.
TRAIN_C = 10.0


def build_default(
    calibration: tuple[Sequence[str], Sequence[str]],
    calibration_source: str,
    taxonomy: Taxonomy | None = None,
    seed: int = 0,
) -> SectorModel:
    """The shipped model: seed corpus + taxonomy cues, nothing else, its confidence
    calibrated on ``calibration`` (texts and their blocks, none of them seed material;
    ``calibration_source`` says where they come from, in the model's header).

    Complement NB carries the cues (every word keeps its own weight); a logistic
    regression on the same documents, added with weight ``DEFAULT_LR_WEIGHT``,
    learns which words separate neighbouring blocks when they occur together.
    ``curtool.synthetic.default_model.build_default`` gives the calibration messages.
    """
    taxonomy = taxonomy or load_taxonomy()
    texts, labels = seed_corpus(seed=seed, taxonomy=taxonomy)
    cue_texts, cue_labels = cue_documents(taxonomy)
    meta = {
        "training": {
            "source": "curtool seed corpus (own writing) + taxonomy cues",
            "seed_messages": len(texts),
            "cue_documents": len(cue_texts),
            "per_label": dict(Counter(labels)),
            "seed": seed,
            "blend": f"complement NB + {DEFAULT_LR_WEIGHT} × logistic regression (C={DEFAULT_LR_C})",
        }
    }
    prior = {b.name: b.share for b in taxonomy.blocks if b.share > 0}
    nb = fit(
        texts + cue_texts,
        labels + cue_labels,
        method="nb",
        prior=prior,
        threshold=DEFAULT_THRESHOLD,
        temperature=DEFAULT_TEMPERATURE,
        meta=meta,
        word_vectors=vectors.NAVEC_NAME,
    )
    lr = fit(texts + cue_texts, labels + cue_labels, method="lr", c=DEFAULT_LR_C)
    model = merge(nb, lr, DEFAULT_LR_WEIGHT)
    if taxonomy.kinds:
        add_kinds(model, taxonomy, seed)
    texts, labels = calibration
    model.temperature = model.kind_temperature = fit_temperature(model, texts, labels)
    model.calibration = fit_calibration(model, texts, labels)
    model.meta["training"]["calibration"] = (
        f"temperature {model.temperature:.3f}, then an isotonic map of the top probability "
        f"({len(model.calibration[0])} points), both fitted on {len(texts):,} messages of "
        + calibration_source
    )
    return model


def fit_calibration(
    model: SectorModel, texts: Sequence[str], labels: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """An isotonic map from the top probability to how often such answers are right.

    Temperature alone keeps the shape of the reliability curve: measured on the sample
    generator and both development files, the model is under-confident below 0.7 and about
    right above 0.9, which one temperature cannot fix; a monotone map can, and it never
    changes which block wins.
    """
    from sklearn.isotonic import IsotonicRegression

    proba = softmax(model.scores(model.features(texts)) / model.temperature)
    best = proba.argmax(axis=1)
    top = proba[np.arange(len(best)), best]
    right = np.asarray(model.labels, dtype=object)[best] == np.asarray(labels, dtype=object)
    # never below chance: the top of twelve is right at least one time in twelve
    iso = IsotonicRegression(y_min=1 / len(model.labels), y_max=1.0, out_of_bounds="clip").fit(top, right)
    x = np.concatenate([[0.0], iso.X_thresholds_, [1.0]]).astype(np.float32)
    y = np.concatenate([[iso.y_thresholds_[0]], iso.y_thresholds_, [iso.y_thresholds_[-1]]])
    # rounded so the shipped file does not move with the last digits of the solver
    return x.round(4), np.maximum.accumulate(y.astype(np.float32).round(4))


def fit_temperature(model: SectorModel, texts: Sequence[str], labels: Sequence[str]) -> float:
    """The temperature that minimises the log loss of ``model`` on labelled ``texts``."""
    from scipy.optimize import minimize_scalar

    scores = model.scores(model.features(texts)).astype(np.float64)
    y = np.asarray([model.labels.index(label) for label in labels])

    def loss(t: float) -> float:
        z = scores / t
        z -= z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-logp[np.arange(len(y)), y].mean())

    found = minimize_scalar(loss, bounds=(0.25, 20.0), method="bounded", options={"xatol": 1e-4})
    return round(float(found.x), 3)


def add_kinds(model: SectorModel, taxonomy: Taxonomy, seed: int = 0) -> None:
    """Train the kind head on the kinds' composed messages and cues, over ``model``'s features.

    The same blend as the blocks (NB + half a logistic regression + the vector part); no
    prior between kinds: a region's mix of kinds varies far more than its mix of blocks.
    """
    texts, labels = kind_corpus(seed=seed, taxonomy=taxonomy)
    cue_texts, cue_labels = cue_documents(taxonomy, kinds=True)
    texts, labels = texts + cue_texts, labels + cue_labels
    common = {"vocabulary": model.vocabulary, "other": "", "threshold": 0.0}
    nb = fit(texts, labels, method="nb", word_vectors=model.word_vectors, **common)
    lr = fit(texts, labels, method="lr", c=DEFAULT_LR_C, **common)
    both = merge(nb, lr, DEFAULT_LR_WEIGHT)
    block_of = {k.name: k.block for k in taxonomy.kinds}
    order = [both.labels.index(k) for k in taxonomy.kind_names if k in both.labels]
    model.kinds = tuple(both.labels[i] for i in order)
    model.kind_block = np.array([model.labels.index(block_of[k]) for k in model.kinds], dtype=np.int32)
    model.kind_coef = np.ascontiguousarray(both.coef[order])
    model.kind_vec_coef = None if both.vec_coef is None else np.ascontiguousarray(both.vec_coef[order])
    model.kind_intercept = both.intercept[order]
    model.kind_temperature = DEFAULT_TEMPERATURE
    model.meta.setdefault("training", {})["kind_messages"] = len(texts) - len(cue_texts)


def train(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    base: str = "auto",
    prior_weight: float = TRAIN_PRIOR_WEIGHT,
    prior: SectorModel | None = None,
) -> SectorModel:
    """Learn from a region's own labelled messages.

    The region's messages train a logistic regression.  ``base="seed"`` then adds
    the default model (seed corpus + taxonomy cues) as a prior: its logits are
    added with ``prior_weight``, which rescues tiny classes (a block with four
    examples still has the seed's cues) while the region's own data decides
    where it has enough examples.  That needs the labels to be the twelve
    blocks.  ``base="none"`` learns from the given messages alone (any label
    set, e.g. the 26 «Группа тем»); ``"auto"`` picks ``seed`` when every label is
    a block.  ``prior`` replaces the shipped default model as the prior.
    """
    from curtool.core.text import clean_text

    if base not in ("auto", "seed", "none"):
        raise errors.CurtoolError(errors.BAD_OPTION, f"unknown base «{base}»", "use auto, seed or none")
    if len(texts) != len(labels):
        raise errors.CurtoolError(
            errors.BAD_OPTION, "texts and labels differ in length", "pass one label per text"
        )
    rows = [
        (clean_text(t), str(lab).strip())
        for t, lab in zip(texts, labels, strict=True)
        if isinstance(lab, str) and lab.strip()
    ]
    own_texts = [t for t, _ in rows]
    own_labels = [lab for _, lab in rows]
    distinct = set(own_labels)
    if len(distinct) < 2:
        raise errors.CurtoolError(
            errors.NO_LABELS,
            f"need at least two different labels to train, found {len(distinct)}",
            "give a labelled column with at least two classes",
        )
    blocks = set(columns.SECTORS)
    if base in ("auto", "seed") and label_level(distinct) == "kind":
        return _train_kinds(own_texts, own_labels, prior, prior_weight)
    use_seed = base == "seed" or (base == "auto" and distinct <= blocks)
    if use_seed and not distinct <= blocks:
        raise errors.CurtoolError(
            errors.BAD_OPTION,
            "the seed prior only knows the twelve sector blocks",
            "train with base='none' for your own label set",
        )
    other = columns.OTHER_SECTOR if columns.OTHER_SECTOR in distinct else ""
    summary: dict[str, object] = {
        "source": "user data" + (" + default model as prior" if use_seed else ""),
        "own_messages": len(own_texts),
        "per_label": dict(Counter(own_labels)),
    }
    threshold = DEFAULT_THRESHOLD if other and not use_seed else 0.0
    prior = (prior or modelformat.shipped_model()) if use_seed else None
    # the own model learns on the vocabulary it will predict with (its words and the
    # prior's): the row scale then means the same in training and in prediction
    keep = prior.vocabulary if prior is not None else ()
    own = fit(
        own_texts,
        own_labels,
        method="lr",
        c=TRAIN_C,
        min_df=2,
        other=other,
        threshold=threshold,
        keep=keep,
        meta={"training": summary},
    )
    if prior is not None:
        summary["prior_weight"] = prior_weight
        summary["prior"] = prior.meta.get("training", {}).get("source", "default model")
        result = merge(own, prior, prior_weight)
    else:
        result = own
    return result


def label_level(labels: Iterable[str], taxonomy: Taxonomy | None = None) -> str:
    """``sector`` when every label is a block, ``kind`` when every label is a kind of the
    taxonomy (a region's history labelled with kinds), else ``other``."""
    taxonomy = taxonomy or load_taxonomy()
    distinct = {str(v) for v in labels if str(v).strip()}
    if distinct and distinct <= set(taxonomy.names):
        return "sector"
    if distinct and distinct <= set(taxonomy.kind_names):
        return "kind"
    return "other"


def _train_kinds(
    texts: list[str], kinds: list[str], prior: SectorModel | None, prior_weight: float
) -> SectorModel:
    """A region's history labelled with kinds trains both heads: the blocks from the kinds'
    blocks (with the default model as prior, as for block labels), and the kinds: the
    region's logistic regression added to the prior's kind head, on the kinds it has seen."""
    taxonomy = load_taxonomy()
    block_of = {k.name: k.block for k in taxonomy.kinds}
    model = train(texts, [block_of[k] for k in kinds], base="seed", prior_weight=prior_weight, prior=prior)
    if not model.kinds or model.kind_coef is None or model.kind_intercept is None:
        raise errors.CurtoolError(
            errors.BAD_OPTION,
            "the prior model has no kinds to add the region's kinds to",
            "train on block labels, or rebuild the model with scripts/build_model.py",
        )
    own = fit(
        texts, kinds, method="lr", c=TRAIN_C, vocabulary=model.vocabulary, other="", threshold=0.0,
        word_vectors=model.word_vectors,
    )  # fmt: skip
    rows = [model.kinds.index(k) for k in own.labels]
    w = KIND_PRIOR_WEIGHT
    model.kind_coef = model.kind_coef * w
    model.kind_coef[rows] += own.coef
    model.kind_intercept = model.kind_intercept * w
    model.kind_intercept[rows] += own.intercept
    if model.kind_vec_coef is not None and own.vec_coef is not None:
        model.kind_vec_coef = model.kind_vec_coef * w
        model.kind_vec_coef[rows] += own.vec_coef
    model.meta.setdefault("training", {})["kinds"] = (
        f"region's messages labelled with {len(own.labels)} kinds, added to the prior's kind head"
    )
    return model
