"""The sector model: features, the seed corpus, training, and a safe file format.

A :class:`SectorModel` is a linear classifier over a fixed vocabulary of
normalised words (pymorphy3 lemmas) and word pairs.  The vocabulary is fixed at
training time so prediction needs one dictionary lookup per token: no hashing,
no char n-grams, which keeps the hot path above 20k messages/s per core.

The default model is trained only on curtool's own seed corpus (phrase material
in ``data/seed/`` composed into messages by :func:`seed_corpus`) plus the cues of
the taxonomy; ``scripts/build_model.py`` rebuilds it deterministically.

Models are stored as a NumPy ``.npz`` archive read with ``allow_pickle=False``:
numbers and strings only, nothing in the file can run code when loaded.
"""

from __future__ import annotations

import itertools
import json
import math
import random
import re
import time
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from curtool import __version__
from curtool.core import columns, errors, morph, vectors
from curtool.core.taxonomy import Taxonomy, load_taxonomy
from curtool.io import output

FORMAT = "curtool-sector-model"
# 2: word-vector weights and the kind head (optional arrays); version 1 files still load
FORMAT_VERSION = 2
DEFAULT_PATH = Path(__file__).resolve().parents[1] / "data" / "default_model.npz"
SEED_DIR = Path(__file__).resolve().parents[1] / "data" / "seed"
# Below this top probability the model does not commit to a block.
DEFAULT_THRESHOLD = 0.20
# Softening of the default model's confidence (see SectorModel.temperature).
DEFAULT_TEMPERATURE = 2.0
# The shipped model adds a seed-trained logistic regression to Complement NB (see build_default).
DEFAULT_LR_C = 1.0
DEFAULT_LR_WEIGHT = 0.5
# The shipped model's word-vector part: a logistic regression on each text's mean navec
# vector, added with this weight.  Measured on both development files (C 0.3–10, weight
# 0–4): weight 0.5, C 1 lifted the city portal's lenient accuracy by 2 points and the
# regional file's macro-F1 by 0.01; larger weights help the portal and hurt the region.
DEFAULT_VECTOR_C = 1.0
DEFAULT_VECTOR_WEIGHT = 0.5
# Below this calibrated confidence a message is marked for review: the model is then
# more likely wrong than right about it (Amsterdam's Signalen sends < 0.4 to a person).
DEFAULT_REVIEW_BELOW = 0.5
# How much the kinds' material teaches the block head: the share of composed clauses drawn
# from the block's kinds (the rest from the block's own clauses) and the copies of each kind
# cue (block cues: 6).
# Measured on both development files (shares 0.15–0.5 × copies 0–4, after the second batch
# of kind clauses): kind cues lift the city portal most (copies 0 → 3: lenient 0.868 → 0.898,
# with its categories 0.903 → 0.922) and leave the regional file within 0.005; shares above
# 0.3 cost the region (0.5: lenient 0.819, macro-F1 0.692), below it the portal.
KIND_CLAUSE_SHARE = 0.3
KIND_CUE_REPEAT = 3
# How many likeliest kinds describe a message when messages are compared (recurring problems).
KIND_TOP = 5
# Messages of the sample generator the confidence temperature is fitted on.
CALIBRATION_MESSAGES = 20_000
# Composed messages per kind for the kind head.
KIND_MESSAGES = 150
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
_PAIR = " "  # joins the two words of a pair feature
NORM_POWER = 0.5  # row scale = 1/n_features**power (0.5: L2)


# --------------------------------------------------------------------------- features
class Featurizer:
    """Texts → sparse binary rows over a fixed vocabulary of words and word pairs.

    The per-token cache maps a raw token straight to its vocabulary column (or
    -1), so the normaliser runs once per distinct word for the whole process.
    """

    def __init__(self, vocabulary: Sequence[str], normaliser: str = "lemma", word_vectors: str = "") -> None:
        self.vocabulary = list(vocabulary)
        self.index = {term: i for i, term in enumerate(self.vocabulary)}
        self.normaliser = morph.normaliser(normaliser)
        self.kind = normaliser
        n = len(self.vocabulary)
        self._n = n
        # pair features keyed by first*n+second column, both words in the vocabulary
        self._pairs: dict[int, int] = {}
        for term, col in self.index.items():
            if _PAIR in term:
                a, b = term.split(_PAIR, 1)
                if a in self.index and b in self.index:
                    self._pairs[self.index[a] * n + self.index[b]] = col
        self._token_col: dict[str, int] = {}
        self.vectors = vectors.load(word_vectors) if word_vectors else None
        self._token_vec: dict[str, int] = {}

    @property
    def n_features(self) -> int:
        return self._n

    def _col(self, token: str) -> int:
        col = self._token_col.get(token)
        if col is None:
            lemma = self.normaliser.word(token)
            col = self.index.get(lemma, -1)
            if len(self._token_col) > 500_000:
                self._token_col.clear()
                self._token_vec.clear()
            self._token_col[token] = col
            if self.vectors is not None:
                if col < 0 and vectors.is_name(token):
                    row = -1  # a village or a surname means nothing about the problem
                else:
                    row = self.vectors.get(lemma)
                    if row < 0:
                        row = self.vectors.get(token)
                    if row < 0 and col < 0:
                        # a word neither the vocabulary nor the vectors know: a slip or another form
                        row = self.vectors.nearest(token)
                self._token_vec[token] = row
        return col

    def columns_of(self, text: str, vec_rows: list[int] | None = None) -> list[int]:
        """The distinct feature columns present in one text; ``vec_rows`` collects the
        text's words' rows in the vector table (repeats kept: the mean weighs them)."""
        get = self._token_col.get
        cols = []
        tokens = morph.content_tokens(text)
        if vec_rows is None:
            for tok in tokens:
                c = get(tok)
                if c is None:
                    c = self._col(tok)
                cols.append(c)
        else:
            vec = self._token_vec
            for tok in tokens:
                c = get(tok)
                if c is None:
                    c = self._col(tok)
                cols.append(c)
                r = vec[tok]
                if r >= 0:
                    vec_rows.append(r)
        found = {c for c in cols if c >= 0}
        if self._pairs and len(cols) > 1:
            n, pairs = self._n, self._pairs
            prev = cols[0]
            for c in cols[1:]:
                if prev >= 0 and c >= 0:
                    p = pairs.get(prev * n + c)
                    if p is not None:
                        found.add(p)
                prev = c
        return sorted(found)

    def transform(self, texts: Iterable[str]) -> Features:
        """Binary rows, L2-normalised (so long stories and one-liners weigh alike), and,
        when the model uses word vectors, each text's mean word vector (unit length)."""
        indptr = [0]
        indices: list[int] = []
        vec_ptr = [0]
        vec_rows: list[int] = []
        with_vectors = self.vectors is not None
        for text in texts:
            cols = self.columns_of(text or "", vec_rows if with_vectors else None)
            indices.extend(cols)
            indptr.append(len(indices))
            if with_vectors:
                vec_ptr.append(len(vec_rows))
        ind = np.asarray(indices, dtype=np.int32)
        ptr = np.asarray(indptr, dtype=np.int64)
        counts = np.diff(ptr)
        norms = np.repeat(np.maximum(counts, 1) ** -NORM_POWER, counts).astype(np.float32)
        x = sp.csr_matrix((norms, ind, ptr), shape=(len(ptr) - 1, self._n))
        if not with_vectors:
            return Features(x, None, None)
        return Features(x, *self._mean_vectors(np.asarray(vec_rows, dtype=np.int64), vec_ptr))

    def _mean_vectors(self, rows: np.ndarray, ptr: list[int]) -> tuple[np.ndarray, sp.csr_matrix]:
        assert self.vectors is not None
        n = len(ptr) - 1
        uniq, local = np.unique(rows, return_inverse=True)
        counts = sp.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), local.astype(np.int32), np.asarray(ptr, dtype=np.int64)),
            shape=(n, len(uniq)),
        )
        counts.sum_duplicates()
        table = self.vectors.matrix(uniq) if len(uniq) else np.zeros((0, vectors.DIM), np.float32)
        mean = np.asarray(counts @ table, dtype=np.float32)
        norm = np.linalg.norm(mean, axis=1, keepdims=True)
        scale = np.where(norm > 0, 1.0 / np.maximum(norm, 1e-9), 0.0).astype(np.float32)
        mean *= scale
        # the share of each word in the unit mean: what the evidence needs to name a word
        words = sp.csr_matrix(counts.multiply(scale))
        words.data = words.data.astype(np.float32)
        return mean, _WordTable(words, uniq, table)


@dataclass
class _WordTable:
    """Which vector words each text holds (weights in its unit mean) and their vectors."""

    weights: sp.csr_matrix  # (n_texts, n_words)
    rows: np.ndarray  # the words' rows in the vector table
    table: np.ndarray  # (n_words, dim)


@dataclass
class Features:
    """A batch of texts as the model sees them."""

    x: sp.csr_matrix  # words and pairs of the vocabulary
    v: np.ndarray | None  # (n, dim) mean word vectors, None when the model has none
    words: _WordTable | None

    @property
    def shape(self) -> tuple[int, int]:
        return self.x.shape

    def empty(self) -> np.ndarray:
        """Texts with nothing the model knows: no vocabulary word and no vector word."""
        none = np.diff(self.x.indptr) == 0
        if self.v is not None:
            none &= ~self.v.any(axis=1)
        return none


def build_vocabulary(
    docs: Sequence[list[str]], min_df: int = 2, pairs: bool = True, keep: Iterable[str] = ()
) -> list[str]:
    """Words (and adjacent word pairs) seen in at least ``min_df`` documents, plus ``keep``."""
    df: Counter[str] = Counter()
    for words in docs:
        terms = set(words)
        if pairs:
            terms.update(a + _PAIR + b for a, b in itertools.pairwise(words))
        df.update(terms)
    vocab = {t for t, n in df.items() if n >= min_df}
    vocab.update(keep)
    # a pair is only reachable when both of its words are in the vocabulary
    vocab = {t for t in vocab if _PAIR not in t or all(w in vocab for w in t.split(_PAIR, 1))}
    return sorted(vocab)


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


# --------------------------------------------------------------------------- seed corpus
_SECTION = re.compile(r"^#\s*(\w+)\s*$")


def _read_sections(path: Path) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            continue
        m = _SECTION.match(line)
        if m:
            current = m.group(1)
            sections.setdefault(current, [])
        elif current is not None:
            sections[current].append(line)
    return sections


_TYPO_SWAPS = {"е": "и", "и": "е", "а": "о", "о": "а", "ь": "", "т": "д", "с": "з", "ш": "щ"}


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.random()
    if kind < 0.3:
        return word[:i] + word[i + 1 :]  # dropped letter
    if kind < 0.55:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # swapped letters
    if kind < 0.7:
        return word[:i] + word[i] + word[i:]  # doubled letter
    ch = word[i].lower()
    return word[:i] + _TYPO_SWAPS.get(ch, ch) + word[i + 1 :]


def _style(text: str, rng: random.Random) -> str:
    """People write without capitals, punctuation or care; imitate that sometimes."""
    if rng.random() < 0.35:
        words = text.split(" ")
        for _ in range(rng.randint(1, 3)):
            j = rng.randrange(len(words))
            words[j] = _typo(words[j], rng)
        text = " ".join(words)
    r = rng.random()
    if r < 0.3:
        text = text.lower()
    elif r < 0.33:
        text = text.upper()
    if rng.random() < 0.25:
        text = re.sub(r"[.,!?;:]+", "", text)
    if rng.random() < 0.1:
        text = text.replace("е", "е").rstrip(".") + rng.choice(["!!!", "!!", "...", " ((", "?!"])
    return text


def _sentence(clause: str) -> str:
    clause = clause.strip()
    if not clause:
        return clause
    clause = clause[0].upper() + clause[1:]
    return clause if clause[-1] in ".!?" else clause + "."


def seed_material() -> tuple[dict[str, list[str]], dict[str, dict[str, list[str]]]]:
    """The common phrase material and each block's own material, as written."""
    common = _read_sections(SEED_DIR / "common.txt")
    blocks = {b.name: _read_sections(SEED_DIR / f"{b.seed}.txt") for b in load_taxonomy().blocks if b.seed}
    return common, blocks


_KIND_SECTION = re.compile(r"^#\s*kind:\s*(.+?)\s*$")


def kind_material(taxonomy: Taxonomy | None = None) -> dict[str, list[str]]:
    """Each kind's clauses (``data/seed/kinds/<block seed>.txt``, sections «# kind: name»)."""
    taxonomy = taxonomy or load_taxonomy()
    known = set(taxonomy.kind_names)
    clauses: dict[str, list[str]] = {}
    for block in taxonomy.blocks:
        path = SEED_DIR / "kinds" / f"{block.seed}.txt"
        if not block.seed or not path.exists():
            continue
        current = None
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if not line:
                continue
            m = _KIND_SECTION.match(line)
            if m:
                current = m.group(1) if m.group(1) in known else None
                if current is not None:
                    clauses.setdefault(current, [])
            elif current is not None and not line.startswith("#"):
                clauses[current].append(line)
    return clauses


def seed_corpus(
    per_block: int = 700, seed: int = 0, taxonomy: Taxonomy | None = None
) -> tuple[list[str], list[str]]:
    """Deterministically compose ``per_block`` messages for each block from the seed material
    (the block's own clauses and those of its kinds)."""
    taxonomy = taxonomy or load_taxonomy()
    common, blocks = seed_material()
    by_kind = kind_material(taxonomy)
    rng = random.Random(seed)
    texts: list[str] = []
    labels: list[str] = []
    for name, material in blocks.items():
        clauses = _mix(
            material.get("clauses", []),
            [c for k in taxonomy.kinds_of(name) for c in by_kind.get(k.name, [])],
            KIND_CLAUSE_SHARE,
        )
        whole = material.get("messages", [])
        # every written message appears at least once as written
        for msg in whole:
            texts.append(msg)
            labels.append(name)
        for _ in range(per_block - len(whole)):
            texts.append(_style(_compose(clauses, whole, common, rng), rng))
            labels.append(name)
    return texts, labels


def _compose(clauses: list[str], whole: list[str], common: dict[str, list[str]], rng: random.Random) -> str:
    pick = rng.choice
    if whole and rng.random() < 0.15:
        parts = [pick(whole)]
        if rng.random() < 0.4:
            parts.insert(0, pick(common["openers"]))
        if rng.random() < 0.4:
            parts.append(pick(common["requests"]))
        return " ".join(parts)
    parts = []
    if rng.random() < 0.45:
        parts.append(pick(common["openers"]))
    first = pick(clauses)
    r = rng.random()
    if r < 0.3:
        first = f"{pick(common['places'])} {first}"
    elif r < 0.5:
        first = f"{first} {pick(common['places'])}"
    if rng.random() < 0.25:
        first = f"{first} {pick(common['durations'])}"
    parts.append(_sentence(first))
    extra = rng.random()
    n_more = 0 if extra < 0.45 else 1 if extra < 0.85 else 2
    for _ in range(n_more):
        parts.append(_sentence(pick(clauses)))
    if rng.random() < 0.3:
        parts.insert(rng.randint(1, len(parts)), pick(common["context"]))
    if rng.random() < 0.35:
        parts.append(pick(common["complaints"]))
    if rng.random() < 0.5:
        parts.append(pick(common["requests"]))
    if rng.random() < 0.15:
        parts.append(pick(common["closers"]))
    return " ".join(parts)


def _mix(own: list[str], extra: list[str], share: float) -> list[str]:
    """One pool to draw clauses from, where ``extra`` makes up about ``share`` of the draws."""
    if not own or not extra or share <= 0:
        return own or extra
    copies = max(1, round((1 - share) / share * len(extra) / len(own)))
    return own * copies + extra


def kind_corpus(
    per_kind: int = KIND_MESSAGES, seed: int = 0, taxonomy: Taxonomy | None = None
) -> tuple[list[str], list[str]]:
    """Deterministically compose ``per_kind`` messages for each kind from its clauses."""
    taxonomy = taxonomy or load_taxonomy()
    common, _ = seed_material()
    by_kind = kind_material(taxonomy)
    rng = random.Random(seed)
    texts: list[str] = []
    labels: list[str] = []
    for kind in taxonomy.kinds:
        clauses = by_kind.get(kind.name, [])
        if not clauses:
            continue
        for _ in range(per_kind):
            texts.append(_style(_compose(clauses, [], common, rng), rng))
            labels.append(kind.name)
    return texts, labels


def cue_documents(
    taxonomy: Taxonomy | None = None, repeat: int = 6, kinds: bool = False
) -> tuple[list[str], list[str]]:
    """Each taxonomy cue as a tiny labelled document: the lexicon enters the model as data.

    Block cues and the cues of the block's kinds are labelled with the block; with
    ``kinds`` only kind cues, labelled with their kind.
    """
    taxonomy = taxonomy or load_taxonomy()
    texts, labels = [], []
    pairs = (
        [(c, k.name, repeat) for k in taxonomy.kinds for c in k.cues]
        if kinds
        else [(c, b.name, repeat) for b in taxonomy.blocks for c in b.cues]
        + [(c, k.block, KIND_CUE_REPEAT) for k in taxonomy.kinds for c in k.cues]
    )
    for cue, label, times in pairs:
        for _ in range(times):
            texts.append(cue)
            labels.append(label)
    return texts, labels


# --------------------------------------------------------------------------- training
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


def build_default(taxonomy: Taxonomy | None = None, seed: int = 0) -> SectorModel:
    """The shipped model: seed corpus + taxonomy cues, nothing else.

    Complement NB carries the cues (every word keeps its own weight); a logistic
    regression on the same documents, added with weight ``DEFAULT_LR_WEIGHT``,
    learns which words separate neighbouring blocks when they occur together.
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
    texts, labels = calibration_set()
    model.temperature = model.kind_temperature = fit_temperature(model, texts, labels)
    model.calibration = fit_calibration(model, texts, labels)
    model.meta["training"]["calibration"] = (
        f"temperature {model.temperature:.3f}, then an isotonic map of the top probability "
        f"({len(model.calibration[0])} points), both fitted on {len(texts):,} messages of curtool's "
        "sample generator (curtool.synthetic, written apart from the seed corpus)"
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


def calibration_set(n: int = CALIBRATION_MESSAGES, seed: int = 7) -> tuple[list[str], list[str]]:
    """Messages the seed corpus never saw, with their blocks: the sample generator's (its own
    phrase bank, its own noise), so confidence is tuned on text the model finds as hard as new
    text, not on its own training material (on which it is nearly always right)."""
    from curtool.core.text import clean_text
    from curtool.synthetic import bulk

    frame = bulk.generate_messages(n, seed=seed, truth=True)
    texts = [clean_text(t) for t in frame["Текст сообщения"].astype(str)]
    return texts, frame["true_sector"].astype(str).tolist()


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
    prior = (prior or load_model()) if use_seed else None
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


# --------------------------------------------------------------------------- files
def save_model(model: SectorModel, path: str | Path) -> Path:
    """Write ``model`` atomically as a pickle-free ``.npz`` archive."""
    path = Path(path)
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "curtool_version": __version__,
        "labels": list(model.labels),
        "normaliser": model.normaliser,
        "threshold": model.threshold,
        "temperature": model.temperature,
        "other": model.other,
        "word_vectors": model.word_vectors,
        "kinds": list(model.kinds),
        "kind_temperature": model.kind_temperature,
        "review_below": model.review_below,
        **model.meta,
    }
    arrays = {
        "meta": np.array(json.dumps(meta, ensure_ascii=False, sort_keys=True)),
        "vocabulary": np.array(model.vocabulary, dtype=str),
        "coef": model.coef.astype(np.float32),
        "intercept": model.intercept.astype(np.float32),
    }
    optional = {
        "calibration": None if model.calibration is None else np.vstack(model.calibration),
        "vec_coef": model.vec_coef,
        "kind_block": model.kind_block,
        "kind_coef": model.kind_coef,
        "kind_vec_coef": model.kind_vec_coef,
        "kind_intercept": model.kind_intercept,
    }
    for name, value in optional.items():
        if value is not None:
            arrays[name] = value.astype(np.int32 if name == "kind_block" else np.float32)
    with output.atomic_path(path) as tmp, open(tmp, "wb") as fh:
        np.savez_compressed(fh, **arrays)
    return path


def _not_a_model(path: Path | str, why: str) -> errors.CurtoolError:
    return errors.CurtoolError(
        errors.NOT_A_MODEL,
        f"not a curtool sector model ({why})",
        "pass a file written by `curtool train` or scripts/build_model.py, or omit the option "
        "to use the built-in model",
        path=str(path),
    )


def _check_arrays(path: Path) -> None:
    """Refuse a model file that unpacks to far more than it holds, before numpy reads it.

    A 2 MB file of zeros unpacked to 2.4 GB; the zip directory gives each array's packed and
    unpacked size (see :mod:`curtool.io.archive`), and each array's own header its shape, which
    must account for exactly the bytes the part holds: numpy allocates by the header.
    """
    from curtool.io import archive

    book = archive.check_zip(path, "model file", ratio_scale=4)
    if book is None:
        return  # not a zip: np.load says what it is
    with book:
        archive.verify_parts(book, path)
        for info in book.infolist():
            if not info.filename.endswith(".npy"):
                continue
            try:
                with book.open(info) as handle:
                    version = np.lib.format.read_magic(handle)
                    read_header = (
                        np.lib.format.read_array_header_1_0
                        if version == (1, 0)
                        else np.lib.format.read_array_header_2_0
                    )
                    shape, _, dtype = read_header(handle, max_header_size=10_000)
                    header = handle.tell()
            except (ValueError, OSError, zipfile.BadZipFile, EOFError) as exc:
                raise _not_a_model(path, f"{info.filename}: {type(exc).__name__}") from None
            if dtype.hasobject:
                raise _not_a_model(path, f"{info.filename} holds Python objects")
            size = math.prod(shape) * dtype.itemsize
            if header + size != info.file_size:
                raise _not_a_model(
                    path,
                    f"{info.filename} declares {size:,} bytes of data but holds {info.file_size - header:,}",
                )


def _floats(a: np.ndarray | None) -> np.ndarray | None:
    return None if a is None else np.ascontiguousarray(a, dtype=np.float32)


def _calibration(path: Path, table: np.ndarray | None) -> tuple[np.ndarray, np.ndarray] | None:
    if table is None:
        return None
    ok = table.ndim == 2 and table.shape[0] == 2 and table.shape[1] >= 2
    if ok:
        x, y = (np.asarray(v, dtype=np.float32) for v in table)
        ok = bool(np.all(np.diff(x) >= 0) and np.all(np.diff(y) >= 0) and y.min() >= 0 and y.max() <= 1)
    if not ok:
        raise _not_a_model(path, "the calibration table is not a monotone map into 0–1")
    return x, y


def _check_heads(
    path: Path, extra: dict[str, np.ndarray], n_labels: int, n_features: int, n_kinds: int, vec: bool
) -> None:
    """The optional arrays must fit the labels, vocabulary and kinds the header names."""
    dim = vectors.DIM
    want = {
        "vec_coef": (n_labels, dim) if vec else None,
        "kind_block": (n_kinds,) if n_kinds else None,
        "kind_coef": (n_kinds, n_features) if n_kinds else None,
        "kind_vec_coef": (n_kinds, dim) if n_kinds and vec else None,
        "kind_intercept": (n_kinds,) if n_kinds else None,
    }
    for name, shape in want.items():
        got = extra.get(name)
        if (got is None) != (shape is None) or (got is not None and got.shape != shape):
            raise _not_a_model(path, f"inconsistent shapes ({name})")
    block = extra.get("kind_block")
    if block is not None and (block.dtype.kind not in "iu" or block.min() < 0 or block.max() >= n_labels):
        raise _not_a_model(path, "inconsistent shapes (kind_block)")


def load_model(path: str | Path | None = None) -> SectorModel:
    """Read a model written by :func:`save_model`; None means the shipped default."""
    path = Path(path) if path is not None else DEFAULT_PATH
    if not path.exists():
        if path == DEFAULT_PATH:
            raise errors.CurtoolError(
                errors.FILE_NOT_FOUND,
                "the built-in sector model is missing",
                "run `python scripts/build_model.py` in the source tree",
                path=str(path),
            )
        raise errors.CurtoolError(
            errors.FILE_NOT_FOUND, "model file not found", "check the path", path=str(path)
        )
    started = time.perf_counter()
    _check_arrays(path)
    try:
        with np.load(path, allow_pickle=False) as archive:
            names = set(archive.files)
            missing = {"meta", "vocabulary", "coef", "intercept"} - names
            if missing:
                raise _not_a_model(path, f"missing {', '.join(sorted(missing))}")
            meta = json.loads(str(archive["meta"][()]))
            vocabulary = archive["vocabulary"].tolist()
            coef = archive["coef"]
            intercept = archive["intercept"]
            extra = {
                name: archive[name]
                for name in (
                    "vec_coef", "kind_block", "kind_coef", "kind_vec_coef", "kind_intercept", "calibration"
                )
                if name in names
            }
    except errors.CurtoolError:
        raise
    except (ValueError, OSError, zipfile.BadZipFile, KeyError, EOFError, json.JSONDecodeError) as exc:
        raise _not_a_model(path, type(exc).__name__) from exc
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise _not_a_model(path, "no curtool model header")
    if meta.get("format_version", 0) > FORMAT_VERSION:
        raise _not_a_model(path, "written by a newer curtool")
    labels = tuple(meta.get("labels", ()))
    if (
        coef.ndim != 2
        or coef.shape != (len(labels), len(vocabulary))
        or intercept.shape != (len(labels),)
        or meta.get("normaliser") not in morph.NORMALISERS
    ):
        raise _not_a_model(path, "inconsistent shapes")
    word_vectors = str(meta.get("word_vectors", "") or "")
    kinds = tuple(str(k) for k in meta.get("kinds", ()) or ())
    _check_heads(path, extra, len(labels), len(vocabulary), len(kinds), bool(word_vectors))
    core = {
        "format",
        "format_version",
        "labels",
        "normaliser",
        "threshold",
        "temperature",
        "other",
        "word_vectors",
        "kinds",
        "kind_temperature",
    }
    model = SectorModel(
        labels=labels,
        vocabulary=vocabulary,
        coef=np.ascontiguousarray(coef, dtype=np.float32),
        intercept=np.asarray(intercept, dtype=np.float32),
        normaliser=meta["normaliser"],
        threshold=float(meta.get("threshold", DEFAULT_THRESHOLD)),
        other=str(meta.get("other", "")),
        meta={k: v for k, v in meta.items() if k not in core},
        temperature=float(meta.get("temperature", 1.0)),
        word_vectors=word_vectors,
        vec_coef=_floats(extra.get("vec_coef")),
        kinds=kinds,
        kind_block=None if "kind_block" not in extra else np.asarray(extra["kind_block"], dtype=np.int32),
        kind_coef=_floats(extra.get("kind_coef")),
        kind_vec_coef=_floats(extra.get("kind_vec_coef")),
        kind_intercept=_floats(extra.get("kind_intercept")),
        kind_temperature=float(meta.get("kind_temperature", 1.0)),
        review_below=float(meta.get("review_below", DEFAULT_REVIEW_BELOW)),
        calibration=_calibration(path, extra.get("calibration")),
    )
    model.meta["load_seconds"] = round(time.perf_counter() - started, 4)
    return model
