"""The sector model: a linear classifier over words, word pairs and word vectors.

A :class:`SectorModel` is a linear classifier over a fixed vocabulary of normalised
words (pymorphy3 lemmas) and word pairs (:mod:`curtool.core.features`), plus weights
over each text's mean word vector; an optional second head scores problem kinds.
:func:`fit` learns one from labelled texts, :func:`merge` adds two up.

Where the shipped model comes from: :mod:`curtool.core.seedcorpus` (its training
texts), :mod:`curtool.core.training` (the recipe, and a region's own training);
its file format: :mod:`curtool.core.modelformat` and :mod:`curtool.io.modelfile`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from curtool.core import columns, morph
from curtool.core.features import Features, Featurizer, build_vocabulary

# Below this top probability the model does not commit to a block.
DEFAULT_THRESHOLD = 0.20
# Softening of the default model's confidence (see SectorModel.temperature).
DEFAULT_TEMPERATURE = 2.0
# The shipped model's word-vector part: a logistic regression on each text's mean navec
# vector, added with this weight.  Measured on both development files (C 0.3–10, weight
# 0–4): weight 0.5, C 1 lifted the city portal's lenient accuracy by 2 points and the
# regional file's macro-F1 by 0.01; larger weights help the portal and hurt the region.
DEFAULT_VECTOR_C = 1.0
DEFAULT_VECTOR_WEIGHT = 0.5
# Below this calibrated confidence a message is marked for review: the model is then
# more likely wrong than right about it (Amsterdam's Signalen sends < 0.4 to a person).
DEFAULT_REVIEW_BELOW = 0.5
# How many likeliest kinds describe a message when messages are compared (recurring problems).
KIND_TOP = 5


# --------------------------------------------------------------------------- model
@dataclass
class SectorModel:
    """A trained sector classifier: labels, vocabulary, weights and where it came from.

    Two linear parts add up to each label's logit: weights over the vocabulary
    (``coef``) and, when ``word_vectors`` names a vector table, weights over the
    text's mean word vector (``vec_coef``): words the vocabulary never had still
    count through their meaning.  An optional second head scores problem kinds
    (``kinds``, each under one block of ``labels``) on the same features.
    """

    labels: tuple[str, ...]
    vocabulary: list[str]
    coef: np.ndarray  # (n_labels, n_features) float32
    intercept: np.ndarray  # (n_labels,) float32
    normaliser: str = "lemma"
    threshold: float = DEFAULT_THRESHOLD
    other: str = columns.OTHER_SECTOR
    meta: dict = field(default_factory=dict)
    # logits are divided by this before the softmax: only the confidence changes, never
    # the chosen block (Naive Bayes logits are overconfident)
    temperature: float = 1.0
    word_vectors: str = ""  # vectors.NAVEC_NAME, or "" for a vocabulary-only model
    vec_coef: np.ndarray | None = None  # (n_labels, dim)
    kinds: tuple[str, ...] = ()
    kind_block: np.ndarray | None = None  # (n_kinds,) index into labels
    kind_coef: np.ndarray | None = None  # (n_kinds, n_features)
    kind_vec_coef: np.ndarray | None = None  # (n_kinds, dim)
    kind_intercept: np.ndarray | None = None  # (n_kinds,)
    kind_temperature: float = 1.0
    # rows whose (calibrated) confidence is below this go to a person (classify's needs_review)
    review_below: float = DEFAULT_REVIEW_BELOW
    # the top probability → how often such answers are right: a monotone map (points x → y,
    # linear between them) fitted on messages the model was not trained on; None = identity
    calibration: tuple[np.ndarray, np.ndarray] | None = None
    _featurizer: Featurizer | None = field(default=None, repr=False, compare=False)

    @property
    def featurizer(self) -> Featurizer:
        if self._featurizer is None:
            self._featurizer = Featurizer(self.vocabulary, self.normaliser, self.word_vectors)
        return self._featurizer

    def features(self, texts: Iterable[str]) -> Features:
        return self.featurizer.transform(texts)

    def scores(self, f: Features) -> np.ndarray:
        out = np.asarray(f.x @ self.coef.T) + self.intercept
        if self.vec_coef is not None and f.v is not None:
            out += f.v @ self.vec_coef.T
        return out

    def kind_scores(self, f: Features) -> np.ndarray:
        assert self.kind_coef is not None and self.kind_intercept is not None
        out = np.asarray(f.x @ self.kind_coef.T) + self.kind_intercept
        if self.kind_vec_coef is not None and f.v is not None:
            out += f.v @ self.kind_vec_coef.T
        return out

    def predict_proba(self, texts: Iterable[str]) -> np.ndarray:
        return softmax(self.scores(self.features(texts)) / self.temperature)

    def predict(self, texts: Sequence[str], evidence: int = 3) -> Prediction:
        """Labels, top probabilities and readable evidence for each text."""
        return self.predict_features(self.features(texts), evidence)

    def calibrated(self, top: np.ndarray) -> np.ndarray:
        """The top probability as the chance the answer is right (see ``calibration``)."""
        if self.calibration is None:
            return top
        x, y = self.calibration
        return np.interp(top, x, y).astype(top.dtype)

    def predict_features(self, f: Features, evidence: int = 3) -> Prediction:
        proba = softmax(self.scores(f) / self.temperature)
        best = proba.argmax(axis=1)
        conf = self.calibrated(proba[np.arange(len(best)), best])
        labels = np.asarray(self.labels, dtype=object)[best]
        empty = f.empty()
        other_ok = self.other in self.labels
        unsure = (conf < self.threshold) & ~empty
        final = best.copy()
        if other_ok:
            labels = labels.copy()
            labels[unsure | empty] = self.other
            final[unsure | empty] = self.labels.index(self.other)
        conf = np.where(empty, 0.0, conf)
        cues = self.evidence(f, best, evidence)
        texts = []
        for i, words in enumerate(cues):
            if empty[i]:
                texts.append("нет знакомых слов")
            elif unsure[i] and other_ok:
                hint = f"неуверенно: ближе всего {self.labels[best[i]]} ({conf[i]:.2f})"
                texts.append(f"{hint}; {words}" if words else hint)
            else:
                texts.append(words)
        kinds, kind_conf, by_block, share, top = self._kinds(f, final, conf, empty)
        return Prediction(
            list(labels), conf.astype(float), texts, best, kinds, kind_conf, by_block, share, top
        )

    def _kinds(
        self, f: Features, block: np.ndarray, block_conf: np.ndarray, empty: np.ndarray
    ) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, sp.csr_matrix | None]:
        """The likeliest kind under each block for each text, and under the text's own block.

        A kind's confidence is its block's times its share among that block's kinds, so it
        never exceeds the block's.  Returns the names and confidences for ``block``, and
        per block (columns in ``labels`` order) the kind index and its share, -1 / 0 for a
        block without kinds: a block given by the export still gets its likeliest kind.
        """
        n = f.shape[0]
        if not self.kinds or self.kind_block is None:
            return [""] * n, np.zeros(n), np.full((n, 0), -1, np.int16), np.zeros((n, 0), np.float32), None
        z = self.kind_scores(f) / self.kind_temperature
        kind_top = _top_rows(softmax(z.copy()), KIND_TOP, empty)
        by_block = np.full((n, len(self.labels)), -1, dtype=np.int16)
        share = np.zeros((n, len(self.labels)), dtype=np.float32)
        for b in range(len(self.labels)):
            members = np.flatnonzero(self.kind_block == b)
            if len(members) == 0:
                continue
            p = softmax(np.ascontiguousarray(z[:, members]))
            top = p.argmax(axis=1)
            by_block[:, b] = members[top]
            share[:, b] = p[np.arange(n), top]
        pick = by_block[np.arange(n), block]
        names = np.asarray(self.kinds + ("",), dtype=object)[pick]  # -1: the "" at the end
        names[empty] = ""
        conf = np.where(empty | (pick < 0), 0.0, share[np.arange(n), block] * block_conf)
        return list(names), conf, by_block, share, kind_top

    def evidence(self, f: Features, best: np.ndarray, k: int = 3) -> list[str]:
        """The ``k`` words that pushed each row most towards its predicted label.

        A word's push is its logit contribution above the average label's: from the
        vocabulary weights and, for vector models, from its share in the mean vector.
        A word the vocabulary lacks, known only through its vector, is marked «≈».
        """
        n = f.shape[0]
        if k <= 0:
            return [""] * n
        x = f.x
        rows = np.repeat(np.arange(n), np.diff(x.indptr))
        centred = self.coef - self.coef.mean(axis=0, keepdims=True)
        contrib = centred[best[rows], x.indices] * x.data
        names: list[str] = self.vocabulary
        name_ids = x.indices.astype(np.int64)
        if f.words is not None and self.vec_coef is not None and f.words.weights.nnz:
            assert self.featurizer.vectors is not None
            w = f.words.weights.tocoo()
            vc = self.vec_coef - self.vec_coef.mean(axis=0, keepdims=True)
            push = f.words.table @ vc.T  # (n_words, n_labels)
            vcontrib = w.data * push[w.col, best[w.row]]
            words = self.featurizer.vectors.words
            index = self.featurizer.index
            local = [words[r] for r in f.words.rows.tolist()]
            extra: dict[str, int] = {}
            ids = np.empty(len(local), dtype=np.int64)
            for j, word in enumerate(local):
                col = index.get(word)
                if col is None:
                    col = extra.setdefault("≈" + word, len(names) + len(extra))
                ids[j] = col
            names = names + list(extra)
            rows = np.concatenate([rows, w.row.astype(np.int64)])
            name_ids = np.concatenate([name_ids, ids[w.col]])
            contrib = np.concatenate([contrib, vcontrib])
            # one entry per (row, word): the vocabulary and vector pushes of a word add up
            key = rows * len(names) + name_ids
            key, inverse = np.unique(key, return_inverse=True)
            contrib = np.bincount(inverse, weights=contrib, minlength=len(key))
            rows, name_ids = key // len(names), key % len(names)
        if len(rows) == 0:
            return [""] * n
        order = np.lexsort((-contrib, rows))
        rows_o, ids_o, contrib_o = rows[order], name_ids[order], contrib[order]
        starts = np.searchsorted(rows_o, np.arange(n))
        rank = np.arange(len(rows_o)) - starts[rows_o]
        keep = (rank < k) & (contrib_o > 0)
        out: list[list[str]] = [[] for _ in range(n)]
        for r, c in zip(rows_o[keep].tolist(), ids_o[keep].tolist(), strict=True):
            out[r].append(names[c])
        return [", ".join(words) for words in out]


@dataclass
class Prediction:
    labels: list[str]
    confidence: np.ndarray
    evidence: list[str]
    best: np.ndarray  # index into model.labels of the top class (before the «Прочее» fallback)
    kinds: list[str] = field(default_factory=list)  # "" when the model has no kinds
    kind_confidence: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # per block (model.labels order): the likeliest kind's index (-1: none) and its share
    kind_by_block: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.int16))
    kind_share: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    # each text's likeliest kinds over all blocks (top KIND_TOP probabilities, unit length):
    # what «the same kind of problem» means between two messages (recurring problems)
    kind_top: sp.csr_matrix | None = None

    @staticmethod
    def concat(parts: list[Prediction]) -> Prediction:
        return Prediction(
            labels=[lab for p in parts for lab in p.labels],
            confidence=np.concatenate([p.confidence for p in parts]),
            evidence=[e for p in parts for e in p.evidence],
            best=np.concatenate([p.best for p in parts]),
            kinds=[k for p in parts for k in p.kinds],
            kind_confidence=np.concatenate([p.kind_confidence for p in parts]),
            kind_by_block=np.concatenate([p.kind_by_block for p in parts]),
            kind_share=np.concatenate([p.kind_share for p in parts]),
            kind_top=(
                sp.vstack([p.kind_top for p in parts], format="csr")
                if parts and all(p.kind_top is not None for p in parts)
                else None
            ),
        )


def _top_rows(p: np.ndarray, k: int, empty: np.ndarray) -> sp.csr_matrix:
    """Each row's ``k`` largest values as a sparse row of unit length (empty rows stay zero)."""
    n, m = p.shape
    k = min(k, m)
    top = np.argpartition(-p, k - 1, axis=1)[:, :k]
    values = np.take_along_axis(p, top, axis=1).astype(np.float32)
    values[empty] = 0
    norm = np.linalg.norm(values, axis=1, keepdims=True)
    values = np.where(norm > 0, values / np.maximum(norm, 1e-12), 0).astype(np.float32)
    out = sp.csr_matrix(
        (values.ravel(), top.ravel().astype(np.int32), np.arange(0, n * k + 1, k, dtype=np.int64)),
        shape=(n, m),
    )
    out.eliminate_zeros()
    return out


def softmax(scores: np.ndarray) -> np.ndarray:
    z = scores - scores.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


def fit(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    weights: Sequence[float] | None = None,
    method: str = "lr",
    normaliser: str = "lemma",
    min_df: int = 2,
    pairs: bool = True,
    c: float = 20.0,
    alpha: float = 1.0,
    scale: float = 5.0,
    prior: dict[str, float] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    temperature: float = 1.0,
    other: str = columns.OTHER_SECTOR,
    keep: Iterable[str] = (),
    meta: dict | None = None,
    vocabulary: Sequence[str] | None = None,
    word_vectors: str = "",
    vector_c: float = DEFAULT_VECTOR_C,
    vector_weight: float = DEFAULT_VECTOR_WEIGHT,
) -> SectorModel:
    """Fit a linear model on binary word/pair features.

    ``method="lr"``: multinomial logistic regression (best when the training
    messages look like the messages to classify).  ``method="nb"``: Complement
    Naive Bayes with its log weights times ``scale`` as logits; it generalises
    better from composed seed messages to real ones, because every cue keeps
    its own weight instead of sharing it with the words it co-occurs with.
    ``prior`` (block → expected share) shifts the intercepts by log(share),
    since the training set is balanced but real message streams are not.
    ``vocabulary`` fixes the features (a second head shares the first one's);
    ``word_vectors`` adds a logistic regression (C = ``vector_c``) on each text's
    mean word vector, its logits added with ``vector_weight``.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import ComplementNB

    if vocabulary is None:
        docs = morph.normaliser(normaliser).many(texts)
        vocab = build_vocabulary(docs, min_df=min_df, pairs=pairs, keep=keep)
    else:
        vocab = list(vocabulary)
    featurizer = Featurizer(vocab, normaliser, word_vectors)
    feats = featurizer.transform(texts)
    x = feats.x
    y = np.asarray(labels, dtype=object)
    classes = sorted(set(labels), key=_label_order)
    w = None if weights is None else np.asarray(weights, dtype=float)
    if method == "nb":
        clf = ComplementNB(alpha=alpha).fit(x, y, sample_weight=w)
        coef = np.asarray(clf.feature_log_prob_, dtype=np.float64) * scale
        coef -= coef.mean(axis=0, keepdims=True)  # only differences between classes matter
        intercept = np.zeros(len(clf.classes_))
    elif method == "lr":
        # newton-cg converges in ~10 iterations here; lbfgs needs ~100 and is 15× slower
        clf = LogisticRegression(C=c, max_iter=200, class_weight="balanced", tol=1e-4, solver="newton-cg")
        clf.fit(x, y, sample_weight=w)
        coef = np.asarray(clf.coef_, dtype=np.float64)
        # the same shift of every intercept is the same model: centred, so that scikit-learn
        # versions that pick another shift rebuild the same file
        intercept = np.asarray(clf.intercept_, dtype=np.float64)
        if coef.shape[0] > 1:
            intercept = intercept - intercept.mean()
        if coef.shape[0] == 1:  # two classes: sklearn stores one row for the second class
            coef = np.vstack([-coef / 2, coef / 2])
            intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
    else:
        raise ValueError(f"unknown method {method!r}")
    order = [list(clf.classes_).index(label) for label in classes]
    coef, intercept = coef[order], intercept[order]
    vec_coef = None
    if word_vectors:
        assert feats.v is not None
        # converged tightly, and the intercepts centred below: an older scikit-learn (the
        # floors run) stopped 0.003 away and shifted every intercept alike, and the model
        # must rebuild alike everywhere
        vec = LogisticRegression(
            C=vector_c, max_iter=1000, class_weight="balanced", tol=1e-5, solver="newton-cg"
        ).fit(feats.v, y, sample_weight=w)
        vorder = [list(vec.classes_).index(label) for label in classes]
        vc, vi = np.asarray(vec.coef_, dtype=np.float64), np.asarray(vec.intercept_, dtype=np.float64)
        if vc.shape[0] == 1:
            vc, vi = np.vstack([-vc / 2, vc / 2]), np.array([-vi[0] / 2, vi[0] / 2])
        vec_coef = (vector_weight * vc[vorder]).astype(np.float32)
        # a softmax ignores a shift shared by every class: only differences are kept
        intercept = intercept + vector_weight * (vi[vorder] - vi.mean())
    if prior:
        shares = np.array([max(prior.get(label, 0.0), 1e-3) for label in classes])
        intercept = intercept + np.log(shares / shares.mean())
    info = dict(meta or {})
    info["method"] = method
    model = SectorModel(
        labels=tuple(classes),
        vocabulary=vocab,
        coef=np.ascontiguousarray(coef, dtype=np.float32),
        intercept=intercept.astype(np.float32),
        normaliser=normaliser,
        threshold=threshold,
        other=other,
        meta=info,
        temperature=temperature,
        word_vectors=word_vectors,
        vec_coef=vec_coef,
    )
    model._featurizer = featurizer
    return model


def _label_order(label: str) -> tuple[int, str]:
    return (columns.SECTORS.index(label) if label in columns.SECTORS else len(columns.SECTORS), label)


def merge(own: SectorModel, prior: SectorModel, weight: float = 1.0) -> SectorModel:
    """One linear model whose logits are ``own``'s plus ``weight`` × ``prior``'s.

    Both work on the same kind of features, so the sum lives on the union of the
    vocabularies; ``prior`` must know every label of ``own``.  Word-vector parts add
    up the same way.  The kind head is ``own``'s, else ``prior``'s (unweighted: the
    prior is then the only source of kinds), kept for the blocks ``own`` knows.
    """
    vocab = sorted(set(own.vocabulary) | set(prior.vocabulary))
    index = {t: i for i, t in enumerate(vocab)}
    rows = [prior.labels.index(label) for label in own.labels]
    own_cols = [index[t] for t in own.vocabulary]
    prior_cols = [index[t] for t in prior.vocabulary]
    coef = np.zeros((len(own.labels), len(vocab)), dtype=np.float32)
    coef[:, own_cols] += own.coef
    coef[:, prior_cols] += weight * prior.coef[rows]
    if own.word_vectors and prior.word_vectors and own.word_vectors != prior.word_vectors:
        raise ValueError("the two models use different word vectors")
    vec_coef = None
    for part, scale, select in ((own.vec_coef, 1.0, slice(None)), (prior.vec_coef, weight, rows)):
        if part is not None:
            vec_coef = (0 if vec_coef is None else vec_coef) + scale * part[select]
    merged = SectorModel(
        labels=own.labels,
        vocabulary=vocab,
        coef=coef,
        intercept=(own.intercept + weight * prior.intercept[rows]).astype(np.float32),
        normaliser=own.normaliser,
        threshold=own.threshold,
        other=own.other,
        meta=dict(own.meta),
        temperature=own.temperature,
        word_vectors=own.word_vectors or prior.word_vectors,
        vec_coef=None if vec_coef is None else np.asarray(vec_coef, dtype=np.float32),
    )
    head, head_cols = (own, own_cols) if own.kinds else (prior, prior_cols)
    if head.kinds and head.kind_block is not None and head.kind_coef is not None:
        block_names = [head.labels[i] for i in head.kind_block]
        keep = [i for i, b in enumerate(block_names) if b in own.labels]
        kind_coef = np.zeros((len(keep), len(vocab)), dtype=np.float32)
        kind_coef[:, head_cols] = head.kind_coef[keep]
        merged.kinds = tuple(head.kinds[i] for i in keep)
        merged.kind_block = np.array([own.labels.index(block_names[i]) for i in keep], dtype=np.int32)
        merged.kind_coef = kind_coef
        merged.kind_vec_coef = None if head.kind_vec_coef is None else head.kind_vec_coef[keep]
        assert head.kind_intercept is not None
        merged.kind_intercept = head.kind_intercept[keep]
        merged.kind_temperature = head.kind_temperature
    return merged
