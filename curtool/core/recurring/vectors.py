"""Messages as word vectors: TF-IDF of Snowball stems, the place's own words removed, and the
sparse row arithmetic (unit rows, row-by-centre products) the grouping and the problems share."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import sparse

from curtool.core import address

_TOKEN = re.compile(r"[а-я]{3,}|\x01")
_SEP = "\x01"
_IDF_PRIOR_DOCS = 1000
TOPIC_TERM = "тема:"  # columns of the export's «Тема» appended to the words carry this prefix

# Words that say nothing about which problem a message is about (stemmed at use).
_STOP_WORDS = """
все как так его она они оно что это этот эта эти того тот там тут уже еще нет даже
только или для при про над под без перед после через когда где куда чтобы если
было был были будет быть есть может можно нужно надо очень просто также который
которые которая свой наш ваш мой мне нам нас вас вам меня себя себе всех всего весь
здравствуйте добрый день вечер утро пожалуйста спасибо уважаемый уважаемая уважаемые
прошу просим помогите помочь помощь обратите внимание разобраться принять меры
ситуация ситуации проблема проблемы вопрос вопросу вопроса обращение обращаюсь
жители житель жителей жительница ответ ответа никто ничего ничем никак сколько
можно опять снова который уже год года месяц неделю недели дня дней раз
улица улице улицы ул дом дома доме дому подъезд кв квартира адрес адресу
глава главы района района город городе администрация администрации
прилагаю приложение фото фотографию фотографии фотография хотя дали сих пор данный данная
данные данного данном также связи этом этой этого нашего нашей наша наши
сказали сказал сейчас должна должен должны должно нужно нужна нужен сделать сделали
"""


@dataclass
class WordVectors:
    matrix: sparse.csr_matrix  # one L2-normalised row per candidate message
    terms: list[str]  # stem of each column
    words: list[str]  # the most frequent word form of each column (for labels)


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("russian")


@lru_cache(maxsize=1)
def _stop_stems() -> frozenset[str]:
    words = [w.replace("ё", "е") for w in _STOP_WORDS.split()]
    return frozenset(_stemmer().stemWords(words)) | frozenset(words)


def vectorise(
    text: pd.Series,
    place_key: np.ndarray,
    district: np.ndarray,
    rows: np.ndarray | None = None,
    chunk: int = 20_000,
) -> WordVectors:
    """TF-IDF (sublinear tf, smooth idf) of Snowball stems, each message's place words removed.

    Built by hand over distinct texts: one regex pass over a chunk of joined
    texts, ``pd.factorize`` for the words, one stemmer call per new word; about
    5× faster than a per-text analyser in ``TfidfVectorizer``.
    """
    # factorised as Arrow text where it lies: only one chunk of distinct texts is ever held as
    # Python strings, and the texts of ``rows`` are never copied out (at 1M messages a copy of
    # them was 0.33 GiB of the peak)
    codes, uniques = pd.factorize(text)
    codes = codes.astype(np.int64)
    missing = int(np.flatnonzero(uniques == "")[0]) if (uniques == "").any() else len(uniques)
    codes[codes < 0] = missing  # an empty cell is the empty text
    if rows is not None:
        codes = codes[rows]
    # numbered by first appearance among these rows, as a factorisation of them alone would be
    order = pd.unique(codes)
    renumber = np.empty(len(uniques) + 1, dtype=np.int64)
    renumber[order] = np.arange(len(order))
    codes = renumber[codes]
    # kept as Arrow text when it is (the label len(uniques), an empty cell, reads as missing)
    uniques = pd.Series(uniques).reindex(order).fillna("").array
    stemmer = _stemmer()
    stop = _stop_stems()
    word_term: dict[str, int] = {}
    stem_term: dict[str, int] = {}
    word_count: dict[str, int] = {}
    rows_parts, cols_parts = [], []
    for start in range(0, len(uniques), chunk):
        part = uniques[start : start + chunk]
        joined = (_SEP.join(str(t).replace(_SEP, " ") for t in part) + _SEP).lower().replace("ё", "е")
        tokens = np.array(_TOKEN.findall(joined), dtype=object)
        tok_codes, tok_uniques = pd.factorize(tokens)
        is_sep = tok_uniques == _SEP
        sep_code = int(np.flatnonzero(is_sep)[0]) if is_sep.any() else -1
        sep_mask = tok_codes == sep_code
        doc = np.cumsum(sep_mask) - sep_mask + start
        new = [w for w in tok_uniques if w not in word_term and w != _SEP]
        for w, st in zip(new, stemmer.stemWords(new), strict=True):
            if st in stop or w in stop:
                word_term[w] = -1
                continue
            tid = stem_term.get(st)
            if tid is None:
                tid = stem_term[st] = len(stem_term)
            word_term[w] = tid
        counts = np.bincount(tok_codes, minlength=len(tok_uniques))
        for w, c in zip(tok_uniques, counts, strict=True):
            if w != _SEP and word_term[w] >= 0:
                word_count[w] = word_count.get(w, 0) + int(c)
        lookup = np.array([word_term.get(w, -1) for w in tok_uniques], dtype=np.int64)
        term = lookup[tok_codes]
        ok = ~sep_mask & (term >= 0)
        rows_parts.append(doc[ok].astype(np.int32))
        cols_parts.append(term[ok].astype(np.int32))
    n_terms = max(len(stem_term), 1)
    r = np.concatenate(rows_parts) if rows_parts else np.empty(0, np.int32)
    c = np.concatenate(cols_parts) if cols_parts else np.empty(0, np.int32)
    tf = sparse.csr_matrix((np.ones(len(r), np.float32), (r, c)), shape=(len(uniques), n_terms))
    tf.sum_duplicates()
    tf.data = 1.0 + np.log(tf.data)
    df = np.bincount(tf.indices, minlength=n_terms)
    # idf as if a thousand unseen texts were there too: in a small export every word
    # weighs about the same instead of the few shared words counting for nothing
    idf = (np.log((1.0 + len(uniques) + _IDF_PRIOR_DOCS) / (1.0 + df)) + 1.0).astype(np.float32)
    # very common stems (in more than a third of texts) carry no problem
    idf[df > max(len(uniques) / 3, 50)] = 0.0
    tf.data *= idf[tf.indices]
    del r, c, rows_parts, cols_parts
    matrix = tf[codes]  # one row per message (texts repeat)
    del tf

    # the message's own place (settlement, street, district) must not make two texts alike
    terms = [""] * n_terms
    for st, tid in stem_term.items():
        terms[tid] = st
    pk_codes, pk_uniques = pd.factorize(pd.Series(place_key) + address.KEY_SEP + pd.Series(district))
    place_pairs = []
    for code, key in enumerate(pk_uniques):
        words = address.key_words(str(key))
        ids = {stem_term.get(p) for p in words} | {stem_term.get(stemmer.stemWord(p)) for p in words}
        place_pairs.extend(code * n_terms + t for t in ids if t is not None)
    if place_pairs:
        # zero, in place, every entry whose (place, term) pair names the row's own place;
        # a slice of rows at a time against the sorted pairs, so no array is as long as the matrix
        pairs = np.unique(np.asarray(place_pairs, dtype=np.int64))
        indptr = matrix.indptr
        for start in range(0, matrix.shape[0], 100_000):
            stop = min(start + 100_000, matrix.shape[0])
            lo, hi = indptr[start], indptr[stop]
            row_of = np.repeat(np.arange(start, stop), np.diff(indptr[start : stop + 1]))
            keys = pk_codes[row_of].astype(np.int64) * n_terms + matrix.indices[lo:hi]
            found = np.minimum(np.searchsorted(pairs, keys), len(pairs) - 1)
            own = pairs[found] == keys
            matrix.data[lo:hi][own] = 0.0
        matrix.eliminate_zeros()
    normalise_rows(matrix)

    best_word: dict[int, tuple[int, str]] = {}
    for w, cnt in word_count.items():
        tid = word_term[w]
        if tid >= 0 and (tid not in best_word or cnt > best_word[tid][0]):
            best_word[tid] = (cnt, w)
    words = [best_word.get(t, (0, terms[t]))[1] for t in range(n_terms)]
    return WordVectors(matrix=matrix, terms=terms, words=words)


def place_terms(street_keys: np.ndarray, terms: list[str]) -> frozenset[int]:
    """Columns of ``terms`` that are a word of some street or settlement key (``d|loc|street``)."""
    names: set[str] = set()
    for key in pd.unique(street_keys):
        names.update(address.street_names(str(key)))
    return frozenset(t for t, term in enumerate(terms) if term in names)


def normalise_rows(matrix: sparse.csr_matrix) -> None:
    """Scale each row of a CSR matrix to unit length, in place (empty rows stay empty)."""
    starts = np.minimum(matrix.indptr[:-1], max(matrix.nnz - 1, 0))
    sq = np.add.reduceat(matrix.data.astype(np.float64) ** 2, starts) if matrix.nnz else None
    lengths = np.diff(matrix.indptr)
    norms = np.ones(matrix.shape[0], dtype=np.float64)
    if sq is not None:
        norms = np.where(lengths > 0, np.sqrt(sq), 1.0)
        norms[norms == 0] = 1.0
    matrix.data /= np.repeat(norms, lengths).astype(matrix.data.dtype)


def dot_with_rows(rows: sparse.csr_matrix, table: sparse.csr_matrix, which: np.ndarray) -> np.ndarray:
    """``rows[k] · table[which[k]]`` for every k without copying a table row per k.

    A group's centre can hold thousands of terms; repeating it for each member
    (``table[which]``) would cost members × centre-size memory.  Instead each
    non-zero of ``rows`` looks its partner value up in the sorted keys of ``table``.
    """
    table = sparse.csr_matrix(table)
    table.sort_indices()
    n_cols = np.int64(table.shape[1])
    table_keys = np.repeat(np.arange(table.shape[0], dtype=np.int64), np.diff(table.indptr)) * n_cols
    table_keys += table.indices
    out = np.zeros(rows.shape[0], dtype=np.float32)
    if len(table_keys) == 0:
        return out
    # a slice of rows at a time: the lookups are as long as the slice, not the whole matrix
    for start in range(0, rows.shape[0], 100_000):
        stop = min(start + 100_000, rows.shape[0])
        lo, hi = rows.indptr[start], rows.indptr[stop]
        row_of = np.repeat(np.arange(stop - start), np.diff(rows.indptr[start : stop + 1]))
        keys = which[start + row_of].astype(np.int64) * n_cols + rows.indices[lo:hi]
        pos = np.minimum(np.searchsorted(table_keys, keys), len(table_keys) - 1)
        values = np.where(table_keys[pos] == keys, table.data[pos], 0.0)
        out[start:stop] = np.bincount(row_of, weights=rows.data[lo:hi] * values, minlength=stop - start)
    return out


def indicator(group: np.ndarray, rows: np.ndarray, n_groups: int, n_rows: int) -> sparse.csr_matrix:
    return sparse.csr_matrix((np.ones(len(rows), np.float32), (group, rows)), shape=(n_groups, n_rows))


def normalised(matrix: sparse.spmatrix) -> sparse.csr_matrix:
    matrix = sparse.csr_matrix(matrix)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return (sparse.diags((1.0 / norms).astype(np.float32)) @ matrix).tocsr().astype(np.float32)


def with_topic_terms(vectors: WordVectors, topics: pd.Series, weight: float) -> WordVectors:
    """Append the export's «Тема» as one more feature: messages an operator filed alike sit closer."""
    names = topics.astype(str).str.strip().str.lower().to_numpy()
    has = names != ""
    if weight <= 0 or not has.any():
        return vectors
    codes, uniques = pd.factorize(names[has])
    rows = np.flatnonzero(has)
    extra = sparse.csr_matrix(
        (np.full(len(rows), weight, np.float32), (rows, codes)), shape=(len(names), len(uniques))
    )
    matrix = normalised(sparse.hstack([vectors.matrix, extra], format="csr"))
    terms = vectors.terms + [f"{TOPIC_TERM}{u}" for u in uniques]
    words = vectors.words + [""] * len(uniques)
    return WordVectors(matrix=matrix, terms=terms, words=words)
