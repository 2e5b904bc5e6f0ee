"""What the sector model sees of a text: words and word pairs of a fixed vocabulary, and
the text's mean word vector.

The vocabulary is fixed at training time so prediction needs one dictionary lookup per
token: no hashing, no char n-grams, which keeps the hot path above 20k messages/s per core.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from curtool.core import morph, vectors

PAIR = " "  # joins the two words of a pair feature
NORM_POWER = 0.5  # row scale = 1/n_features**power (0.5: L2)


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
            if PAIR in term:
                a, b = term.split(PAIR, 1)
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
            terms.update(a + PAIR + b for a, b in itertools.pairwise(words))
        df.update(terms)
    vocab = {t for t, n in df.items() if n >= min_df}
    vocab.update(keep)
    # a pair is only reachable when both of its words are in the vocabulary
    vocab = {t for t in vocab if PAIR not in t or all(w in vocab for w in t.split(PAIR, 1))}
    return sorted(vocab)
