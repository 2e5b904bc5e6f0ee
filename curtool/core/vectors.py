"""Pretrained Russian word vectors (navec, shipped inside the ``natasha`` wheel), read offline.

Words a region uses that curtool's seed corpus never wrote («парадная», «роллеты»)
still sit near words it knows in a vector space learnt from a billion words of
news.  The ``natasha`` wheel carries navec's 250k-word × 300-dim quantised
vectors (26.6 MB); nothing is downloaded at run time.  The archive is read directly
(:mod:`curtool.core.resources` opens the tar, gzip + numpy decode it here): importing
``natasha`` itself pulls in pymorphy2,
which does not import on Python 3.11, and ``navec.Navec.load`` precomputes a
26 MB similarity table we do not need.

Vectors are decoded lazily, once per distinct word (product quantisation: each
word is 100 one-byte codes into 100 tables of 256 three-dim centroids).
"""

from __future__ import annotations

import gzip
import json
import re
import tarfile

import numpy as np

from curtool.core import errors, resources
from curtool.core.resources import NAVEC_NAME

DIM = 300


class WordVectors:
    """Word → row id, and rows → unit-length float32 vectors."""

    def __init__(
        self,
        words: list[str],
        indexes: np.ndarray,
        codes: np.ndarray,
        name: str,
        counts: np.ndarray | None = None,
    ) -> None:
        self.name = name
        self.words = words
        self.index = {w: i for i, w in enumerate(words)}
        self.counts = counts if counts is not None else np.zeros(len(words), dtype=np.uint32)
        self._indexes = indexes  # (n_words, qdim) uint8
        self._codes = codes  # (qdim, 256, chunk) float32
        self._qdims = np.arange(codes.shape[0])
        self.dim = codes.shape[0] * codes.shape[2]

    def get(self, word: str) -> int:
        return self.index.get(word, -1)

    def nearest(self, token: str) -> int:
        """A row for a word the table lacks, or -1: another form of the same word (pymorphy3's
        lexeme: «воздуховод» → «воздуховоды»), else the commonest word one typing slip away
        («обьявления» → «объявления», «надпис» → «надпись»), else the word without a verb
        prefix («изрисовано» → «рисовано»).  Run once per distinct unknown word (cached by the
        caller), so the cost never reaches the hot path."""
        if len(token) < 4 or not _CYRILLIC.fullmatch(token):
            return -1
        from curtool.core import morph

        index = self.index
        try:
            forms = [f.word.replace("ё", "е") for f in morph.best_parse(token).lexeme]
        except (ValueError, IndexError):
            forms = []
        found = [index[f] for f in forms if f in index]
        if found:
            return max(found, key=lambda r: self.counts[r])
        if len(token) >= 5:
            # not a name or a place: «каляки» is no misspelt surname
            near = [index[w] for w in _edits(token) if w in index and not _proper(morph.best_parse(w))]
            if near:
                return max(near, key=lambda r: self.counts[r])
        for prefix in _PREFIXES:
            rest = token[len(prefix) :]
            if token.startswith(prefix) and len(rest) >= 4:
                row = index.get(morph.lemma(rest), index.get(rest, -1))
                if row >= 0:
                    return row
        return -1

    def matrix(self, rows: np.ndarray) -> np.ndarray:
        """Unit vectors of the given rows, shape (len(rows), dim)."""
        parts = self._codes[self._qdims, self._indexes[rows]]  # (n, qdim, chunk)
        out = parts.reshape(len(rows), self.dim).astype(np.float32)
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
        return out


_CYRILLIC = re.compile(r"[а-яё]+")
_ALPHABET = "абвгдежзийклмнопрстуфхцчшщъыьэюя"
# Russian verb and adjective prefixes, longest first: «изрисовано», «перекопали», «недочистили»
_PREFIXES = ("пере", "недо", "раз", "рас", "под", "над", "про", "при", "без", "бес", "из", "ис",
             "вы", "за", "на", "по", "до", "от", "об")  # fmt: skip


def is_name(token: str) -> bool:
    """Whether pymorphy3 reads the word as a name, surname, patronymic, place or organisation
    (after preferring a common noun where one exists: «люков» stays hatches)."""
    from curtool.core import morph

    return _proper(morph.best_parse(token))


def _proper(parse: object) -> bool:
    tag = getattr(parse, "tag", None)
    return tag is not None and any(g in tag for g in ("Surn", "Name", "Patr", "Geox", "Orgn", "Abbr"))


def _edits(word: str) -> set[str]:
    """Every string one deletion, transposition, substitution or insertion away."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in _ALPHABET}
    out |= {a + c + b for a, b in splits for c in _ALPHABET}
    out.discard(word)
    return out


_LOADED: dict[str, WordVectors] = {}


def load(name: str = NAVEC_NAME) -> WordVectors:
    """The named vectors, read once per process; a clear error when natasha is missing."""
    if name in _LOADED:
        return _LOADED[name]
    if name != NAVEC_NAME:
        raise errors.CurtoolError(
            errors.NOT_A_MODEL,
            f"the model needs word vectors «{name}», which this curtool does not know",
            "rebuild the model with this curtool (scripts/build_model.py or `curtool train`)",
        )
    path = resources.navec_path()
    if path is None:
        raise errors.CurtoolError(
            errors.FILE_NOT_FOUND,
            "the word vectors of the `natasha` package are not installed",
            "install curtool with its dependencies: pip install -e .",
        )
    try:
        members = resources.navec_members(path, ("meta.json", "vocab.bin", "pq.bin"))
        meta = json.loads(members["meta.json"])
        vocab = gzip.decompress(members["vocab.bin"])
        pq = members["pq.bin"]
    except (OSError, tarfile.TarError, ValueError, KeyError) as exc:
        raise errors.CurtoolError(
            errors.NOT_A_MODEL,
            f"the word vector archive cannot be read ({type(exc).__name__})",
            "reinstall the natasha package",
            path=str(path),
        ) from None
    size = int(np.frombuffer(vocab[:4], np.uint32)[0])
    counts = np.frombuffer(vocab[4 : 4 + 4 * size], np.uint32)
    words = vocab[4 + 4 * size :].decode("utf-8").splitlines()
    n, _dim, qdim, centroids = (int(v) for v in np.frombuffer(pq[:16], np.uint32))
    indexes = np.frombuffer(pq[16 : 16 + n * qdim], np.uint8).reshape(n, qdim)
    codes = np.frombuffer(pq[16 + n * qdim :], np.float32).reshape(qdim, centroids, -1)
    if len(words) != n or meta.get("protocol") != 1:
        raise errors.CurtoolError(
            errors.NOT_A_MODEL, "the word vector archive is inconsistent", "reinstall the natasha package"
        )
    vectors = WordVectors(words, indexes, codes, name, counts)
    _LOADED[name] = vectors
    return vectors


def fingerprint(name: str = NAVEC_NAME) -> str:
    """A short content hash of the archive, kept in the model so a rebuild can be compared."""
    return resources.navec_fingerprint()
