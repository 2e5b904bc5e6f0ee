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

from curtool import __version__, columns, errors, morph, output
from curtool.taxonomy import Taxonomy, load_taxonomy

FORMAT = "curtool-sector-model"
FORMAT_VERSION = 1
DEFAULT_PATH = Path(__file__).parent / "data" / "default_model.npz"
SEED_DIR = Path(__file__).parent / "data" / "seed"
SEED_FILES = {
    "ЖКХ": "zhkh.txt",
    "Благоустройство": "blagoustroistvo.txt",
    "Дорожное хозяйство": "dorogi.txt",
    "Транспорт": "transport.txt",
    "Здравоохранение": "zdravoohranenie.txt",
    "Образование": "obrazovanie.txt",
    "Социальная защита": "sotszashchita.txt",
    "Труд и занятость": "trud.txt",
    "Экология": "ekologiya.txt",
    "Строительство": "stroitelstvo.txt",
    "Энергетика и промышленность": "energetika.txt",
    "Прочее": "prochee.txt",
}
# Below this top probability the model does not commit to a block.
DEFAULT_THRESHOLD = 0.20
# Softening of the default model's confidence (see SectorModel.temperature).
DEFAULT_TEMPERATURE = 2.0
# The shipped model adds a seed-trained logistic regression to Complement NB (see build_default).
DEFAULT_LR_C = 1.0
DEFAULT_LR_WEIGHT = 0.5
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

    def __init__(self, vocabulary: Sequence[str], normaliser: str = "lemma") -> None:
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

    @property
    def n_features(self) -> int:
        return self._n

    def _col(self, token: str) -> int:
        col = self._token_col.get(token)
        if col is None:
            col = self.index.get(self.normaliser.word(token), -1)
            if len(self._token_col) > 500_000:
                self._token_col.clear()
            self._token_col[token] = col
        return col

    def columns_of(self, text: str) -> list[int]:
        """The distinct feature columns present in one text."""
        get = self._token_col.get
        cols = []
        for tok in morph.content_tokens(text):
            c = get(tok)
            if c is None:
                c = self._col(tok)
            cols.append(c)
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

    def transform(self, texts: Iterable[str]) -> sp.csr_matrix:
        """Binary rows, L2-normalised (so long stories and one-liners weigh alike)."""
        indptr = [0]
        indices: list[int] = []
        for text in texts:
            cols = self.columns_of(text or "")
            indices.extend(cols)
            indptr.append(len(indices))
        ind = np.asarray(indices, dtype=np.int32)
        ptr = np.asarray(indptr, dtype=np.int64)
        counts = np.diff(ptr)
        norms = np.repeat(np.maximum(counts, 1) ** -NORM_POWER, counts).astype(np.float32)
        return sp.csr_matrix((norms, ind, ptr), shape=(len(ptr) - 1, self._n))


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
    """A trained sector classifier: labels, vocabulary, weights and where it came from."""

    labels: tuple[str, ...]
    vocabulary: list[str]
    coef: np.ndarray  # (n_labels, n_features) float32
    intercept: np.ndarray  # (n_labels,) float32
    normaliser: str = "lemma"
    threshold: float = DEFAULT_THRESHOLD
    other: str = columns.OTHER_SECTOR
    meta: dict = field(default_factory=dict)
    # logits are divided by this before the softmax: only the confidence changes, never
    # the chosen block (Naive Bayes logits are overconfident; 2 brings a 0.8 near 80% right)
    temperature: float = 1.0
    _featurizer: Featurizer | None = field(default=None, repr=False, compare=False)

    @property
    def featurizer(self) -> Featurizer:
        if self._featurizer is None:
            self._featurizer = Featurizer(self.vocabulary, self.normaliser)
        return self._featurizer

    def features(self, texts: Iterable[str]) -> sp.csr_matrix:
        return self.featurizer.transform(texts)

    def scores(self, x: sp.csr_matrix) -> np.ndarray:
        return np.asarray(x @ self.coef.T) + self.intercept

    def predict_proba(self, texts: Iterable[str]) -> np.ndarray:
        return softmax(self.scores(self.features(texts)) / self.temperature)

    def predict(self, texts: Sequence[str], evidence: int = 3) -> Prediction:
        """Labels, top probabilities and readable evidence for each text."""
        x = self.features(texts)
        return self.predict_features(x, evidence)

    def predict_features(self, x: sp.csr_matrix, evidence: int = 3) -> Prediction:
        proba = softmax(self.scores(x) / self.temperature)
        best = proba.argmax(axis=1)
        conf = proba[np.arange(len(best)), best]
        labels = np.asarray(self.labels, dtype=object)[best]
        empty = np.diff(x.indptr) == 0
        other_ok = self.other in self.labels
        unsure = (conf < self.threshold) & ~empty
        if other_ok:
            labels = labels.copy()
            labels[unsure | empty] = self.other
        conf = np.where(empty, 0.0, conf)
        cues = self.evidence(x, best, evidence)
        texts = []
        for i, words in enumerate(cues):
            if empty[i]:
                texts.append("нет знакомых слов")
            elif unsure[i] and other_ok:
                hint = f"неуверенно: ближе всего {self.labels[best[i]]} ({conf[i]:.2f})"
                texts.append(f"{hint}; {words}" if words else hint)
            else:
                texts.append(words)
        return Prediction(list(labels), conf.astype(float), texts, best)

    def evidence(self, x: sp.csr_matrix, best: np.ndarray, k: int = 3) -> list[str]:
        """The ``k`` features that pushed each row most towards its predicted label."""
        if k <= 0 or x.nnz == 0:
            return [""] * x.shape[0]
        rows = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
        cols = x.indices
        # a word is evidence for a class when it favours it over the average class
        centred = self.coef - self.coef.mean(axis=0, keepdims=True)
        contrib = centred[best[rows], cols]
        order = np.lexsort((-contrib, rows))
        rows_o, cols_o, contrib_o = rows[order], cols[order], contrib[order]
        starts = np.searchsorted(rows_o, np.arange(x.shape[0]))
        rank = np.arange(len(rows_o)) - starts[rows_o]
        keep = (rank < k) & (contrib_o > 0)
        vocab = self.vocabulary
        out: list[list[str]] = [[] for _ in range(x.shape[0])]
        for r, c in zip(rows_o[keep].tolist(), cols_o[keep].tolist(), strict=True):
            out[r].append(vocab[c])
        return [", ".join(words) for words in out]


@dataclass
class Prediction:
    labels: list[str]
    confidence: np.ndarray
    evidence: list[str]
    best: np.ndarray  # index into model.labels of the top class (before the «Прочее» fallback)


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
    blocks = {name: _read_sections(SEED_DIR / file) for name, file in SEED_FILES.items()}
    return common, blocks


def seed_corpus(per_block: int = 700, seed: int = 0) -> tuple[list[str], list[str]]:
    """Deterministically compose ``per_block`` messages for each block from the seed material."""
    common, blocks = seed_material()
    rng = random.Random(seed)
    texts: list[str] = []
    labels: list[str] = []
    for name, material in blocks.items():
        clauses = material.get("clauses", [])
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


def cue_documents(taxonomy: Taxonomy | None = None, repeat: int = 6) -> tuple[list[str], list[str]]:
    """Each taxonomy cue as a tiny labelled document: the lexicon enters the model as data."""
    taxonomy = taxonomy or load_taxonomy()
    texts, labels = [], []
    for block in taxonomy.blocks:
        for cue in block.cues:
            for _ in range(repeat):
                texts.append(cue)
                labels.append(block.name)
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
) -> SectorModel:
    """Fit a linear model on binary word/pair features.

    ``method="lr"``: multinomial logistic regression (best when the training
    messages look like the messages to classify).  ``method="nb"``: Complement
    Naive Bayes with its log weights times ``scale`` as logits; it generalises
    better from composed seed messages to real ones, because every cue keeps
    its own weight instead of sharing it with the words it co-occurs with.
    ``prior`` (block → expected share) shifts the intercepts by log(share),
    since the training set is balanced but real message streams are not.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import ComplementNB

    norm = morph.normaliser(normaliser)
    docs = norm.many(texts)
    vocab = build_vocabulary(docs, min_df=min_df, pairs=pairs, keep=keep)
    featurizer = Featurizer(vocab, normaliser)
    x = featurizer.transform(texts)
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
        intercept = np.asarray(clf.intercept_, dtype=np.float64)
        if coef.shape[0] == 1:  # two classes: sklearn stores one row for the second class
            coef = np.vstack([-coef / 2, coef / 2])
            intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
    else:
        raise ValueError(f"unknown method {method!r}")
    order = [list(clf.classes_).index(label) for label in classes]
    coef, intercept = coef[order], intercept[order]
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
    texts, labels = seed_corpus(seed=seed)
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
    )
    lr = fit(texts + cue_texts, labels + cue_labels, method="lr", c=DEFAULT_LR_C)
    return merge(nb, lr, DEFAULT_LR_WEIGHT)


def merge(own: SectorModel, prior: SectorModel, weight: float = 1.0) -> SectorModel:
    """One linear model whose logits are ``own``'s plus ``weight`` × ``prior``'s.

    Both work on the same kind of features, so the sum lives on the union of the
    vocabularies; ``prior`` must know every label of ``own``.
    """
    vocab = sorted(set(own.vocabulary) | set(prior.vocabulary))
    index = {t: i for i, t in enumerate(vocab)}
    rows = [prior.labels.index(label) for label in own.labels]
    coef = np.zeros((len(own.labels), len(vocab)), dtype=np.float32)
    coef[:, [index[t] for t in own.vocabulary]] += own.coef
    coef[:, [index[t] for t in prior.vocabulary]] += weight * prior.coef[rows]
    return SectorModel(
        labels=own.labels,
        vocabulary=vocab,
        coef=coef,
        intercept=(own.intercept + weight * prior.intercept[rows]).astype(np.float32),
        normaliser=own.normaliser,
        threshold=own.threshold,
        other=own.other,
        meta=dict(own.meta),
        temperature=own.temperature,
    )


def train(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    base: str = "auto",
    prior_weight: float = 1.0,
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
    from curtool.text import clean_text

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
        **model.meta,
    }
    with output.atomic_path(path) as tmp, open(tmp, "wb") as fh:
        np.savez_compressed(
            fh,
            meta=np.array(json.dumps(meta, ensure_ascii=False, sort_keys=True)),
            vocabulary=np.array(model.vocabulary, dtype=str),
            coef=model.coef.astype(np.float32),
            intercept=model.intercept.astype(np.float32),
        )
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
    unpacked size (see :mod:`curtool.archive`), and each array's own header its shape, which
    must account for exactly the bytes the part holds: numpy allocates by the header.
    """
    from curtool import archive

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
    core = {"format", "format_version", "labels", "normaliser", "threshold", "temperature", "other"}
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
    )
    model.meta["load_seconds"] = round(time.perf_counter() - started, 4)
    return model
