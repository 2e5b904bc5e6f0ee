"""Message text for analysis: HTML, entities, links and stray quotes removed; never the output text."""

from __future__ import annotations

import html
import os
import re
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.arrays import ArrowStringArray

from curtool.core.arrowtext import string_buffers

_TAG = re.compile(r"<\s*(br|p|div|li|tr|h\d)\b[^>]*>|<\s*/\s*(p|div|li|tr|h\d)\s*>", re.I)
_ANY_TAG = re.compile(r"<[^<>]{0,400}>")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.I)
TEXT_DTYPE = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas' default "str" dtype
_URL_HINT = re.compile("http|www", re.I)
_ODD_SPACE = re.compile("[\f\v\x1c-\x1f\x85\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-f]+|[a-z]+);?", re.I)


def _needs_cleaning(text: str) -> bool:
    # Plain substring tests run at memchr speed; most messages need no regex at all.
    return (
        "<" in text
        or "&" in text
        or "  " in text
        or "\n" in text
        or "\t" in text
        or "\r" in text
        or "\xa0" in text
        or text[:1] in ("'", " ")
        or text[-1:] == " "
        or _URL_HINT.search(text) is not None
        or _ODD_SPACE.search(text) is not None
    )


def clean_text(value: object) -> str:
    """One message's analysis text: no HTML, no entities, no URLs, no leading ', single spaces."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = str(value)
    if not _needs_cleaning(text):
        return text
    if "<" in text:
        text = _TAG.sub(" ", text)
        text = _ANY_TAG.sub(" ", text)
    if "&" in text and _ENTITY.search(text):
        text = html.unescape(text)
    text = _URL.sub(" ", text)
    # str.split() knows every Unicode space (\xa0 included) and beats a regex here
    text = " ".join(text.split())
    if text.startswith("'"):  # Инцидент Менеджмент often starts the text with a stray quote
        text = text.lstrip("'").lstrip()
    return text


# Rows holding one of these take the longer road (HTML, entities, links, odd spaces, a
# stray quote); every other row is cleaned by two Arrow kernels, which is what makes a
# million rows cheap. The longer road is Arrow too, except for rare entities.
_SLICE = 65_536
# str.split()'s whitespace beyond ASCII's, which clean_text collapses
_ODD_SPACES = (
    "[\\x{0b}\\x{0c}\\x{a0}\\x{1c}-\\x{1f}\\x{85}\\x{1680}\\x{2000}-\\x{200a}"
    "\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}]"
)
_SPACE = "\\s" + _ODD_SPACES[1:-1]
_SPECIAL = "[<&'" + _ODD_SPACES[1:-1] + "]|(?i:http|www)"
_ASCII_SPACING = "[\t\n\r]|  |^ | $"
# RE2 versions of clean_text's expressions (RE2's \S is ASCII-only, hence the class)
_RE2_TAG = r"(?i)<\s*(br|p|div|li|tr|h\d)\b[^>]*>|<\s*/\s*(p|div|li|tr|h\d)\s*>"
_RE2_ANY_TAG = r"<[^<>]{0,400}>"
_RE2_URL = "(?i)(?:https?://|www\\.)[^" + _SPACE + "]+"
_RE2_ENTITY = r"(?i)&(?:#\d+|#x[0-9a-f]+|[a-z]+)"
# the entities exports are full of; "&amp;" last, so "&amp;lt;" gives "&lt;" as html.unescape does
_ENTITIES = [
    (name, html.unescape(name))
    for name in (
        "&nbsp;", "&quot;", "&lt;", "&gt;", "&laquo;", "&raquo;", "&mdash;", "&ndash;", "&hellip;",
        "&#39;", "&#34;", "&#171;", "&#187;", "&#8212;", "&#8211;", "&#160;", "&apos;", "&amp;",
    )
]  # fmt: skip


def clean_series(values: pd.Series) -> pd.Series:
    """:func:`clean_text` over a column, as Arrow-backed text; equal to it row for row."""
    if values.dtype == "str":
        array = pc.fill_null(values.array._pa_array, "")
    else:
        array = pa.chunked_array([pa.array(values.map(_as_str).tolist(), type=pa.large_string())])
    # Pieces of at most 64k rows, as zero-copy slices: their temporaries are small enough for
    # the allocator to reuse, and the kernels release the GIL, so every core cleans at once.
    pieces = [chunk.slice(start, _SLICE) for chunk in array.chunks for start in range(0, len(chunk), _SLICE)]
    if len(pieces) > 1:
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            parts = list(pool.map(_clean_arrow, pieces))
    else:
        parts = [_clean_arrow(piece) for piece in pieces]
    cleaned = pa.chunked_array(parts, type=pa.large_string())
    return pd.Series(ArrowStringArray(cleaned, dtype=TEXT_DTYPE), index=values.index)


def blank(values: pd.Series) -> np.ndarray:
    """True where a text column holds nothing but whitespace (or nothing): no copy made."""
    if values.dtype == "str":
        array = pc.fill_null(values.array._pa_array, "")
        return pc.match_substring_regex(array, "^[" + _SPACE + "]*$").to_numpy(zero_copy_only=False)
    return np.array([not _as_str(v).strip() for v in values], dtype=bool)


def _clean_arrow(array: pa.Array) -> pa.Array:
    # Most messages need nothing: scans find the rows that do and only those are rewritten
    # (rewriting every row cost more than all the rest of cleaning).
    array = array.cast(pa.large_string())
    special = pc.match_substring_regex(array, _SPECIAL)
    spaced = pc.and_not(pc.match_substring_regex(array, _ASCII_SPACING), special)
    array = _rewrite(array, spaced, _collapse_spacing)
    return _rewrite(array, special, _clean_special)


def _rewrite(array: pa.Array, mask: pa.Array, rewrite) -> pa.Array:
    """``array`` with the rows under ``mask`` replaced by ``rewrite`` of them, in one gather."""
    rows = np.flatnonzero(mask.to_numpy(zero_copy_only=False))
    if not len(rows):
        return array
    fixed = rewrite(array.filter(mask)).cast(array.type)
    index = np.arange(len(array), dtype=np.int64)
    index[rows] = len(array) + np.arange(len(rows))
    return pa.concat_arrays([array, fixed]).take(pa.array(index))


def _collapse_spacing(array: pa.Array) -> pa.Array:
    # literal replaces, then runs of spaces: a regex class would match at every word
    for control in ("\r", "\n", "\t"):
        array = pc.replace_substring(array, control, " ")
    return pc.utf8_trim(pc.replace_substring_regex(array, "  +", " "), " ")


def _clean_special(array: pa.Array) -> pa.Array:
    """clean_text's steps in clean_text's order, as Arrow kernels; Python for odd entities."""
    text = pc.replace_substring_regex(array, _RE2_TAG, " ")
    text = pc.replace_substring_regex(text, _RE2_ANY_TAG, " ")
    text = _rewrite(text, pc.match_substring(text, "&"), _unescape)
    text = pc.replace_substring_regex(text, _RE2_URL, " ")
    text = pc.replace_substring_regex(text, _ODD_SPACES, " ")
    text = pc.replace_substring_regex(_collapse_spacing(text), "^'+ ?", "")
    odd = pc.match_substring_regex(_strip_entities(array), _RE2_ENTITY)  # beyond the usual ones
    if pc.any(odd).as_py():
        fixed = pa.array([clean_text(v) for v in array.filter(odd).to_pylist()], type=text.type)
        text = pc.replace_with_mask(text, odd, fixed)
    return text


def _unescape(array: pa.Array) -> pa.Array:
    for name, char in _ENTITIES:
        array = pc.replace_substring(array, name, char)
    return array


def _strip_entities(array: pa.Array) -> pa.Array:
    return _rewrite(array, pc.match_substring(array, "&"), _strip_known)


def _strip_known(array: pa.Array) -> pa.Array:
    for name, _ in _ENTITIES:
        array = pc.replace_substring(array, name, "")
    return array


def _as_str(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


# --------------------------------------------------------------------------- distinct texts
def text_codes(texts: pd.Series, *groups: np.ndarray) -> np.ndarray:
    """Integer code per distinct text, exact where it matters: among rows of the same groups.

    Hashing a million long texts costs more than the rest of loading, so texts are first
    told apart by length and 24 sampled bytes; only rows that tie on those (and on the
    groups) have their texts compared in full. Rows no other row ties with get codes of
    their own, which are distinct from every other row's.
    """
    if texts.dtype != "str":
        codes, _ = pd.factorize(texts)
        return codes.astype(np.int64)
    array = pa.chunked_array(texts.array._pa_array)
    # one mixed 64-bit key: a collision only costs an exact comparison, never a wrong answer
    key = np.zeros(len(texts), dtype=np.uint64)
    for part in (*_text_probe(array), *groups):
        key = (key ^ np.asarray(part).astype(np.uint64)) * np.uint64(0x100000001B3)
        key ^= key >> np.uint64(29)
    tied = pd.Series(key).duplicated(keep=False).to_numpy()
    codes = np.arange(len(texts), dtype=np.int64) + len(texts)  # untied: a code of its own
    if tied.any():
        where = np.flatnonzero(tied)
        exact = pc.dictionary_encode(array.filter(pa.array(tied)).combine_chunks())
        codes[where] = exact.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return codes


def _text_probe(array) -> list[np.ndarray]:
    """Byte length and the first, middle and last 8 bytes of every string, as integers."""
    parts: list[list[np.ndarray]] = [[], [], [], []]
    for chunk in array.chunks:
        n = len(chunk)
        offsets, data = string_buffers(chunk)
        data = data if len(data) else np.zeros(1, dtype=np.uint8)  # every string empty
        start, end = offsets[:-1], offsets[1:]
        length = end - start
        top = len(data) - 1
        middle = start + length // 2 - 4
        samples = []
        for base in (start, np.maximum(middle, start), np.maximum(end - 8, start)):
            packed = np.zeros(n, dtype=np.uint64)
            for j in range(8):
                pos = base + j
                byte = data[np.clip(pos, 0, max(top, 0))].astype(np.uint64)
                packed |= np.where(pos < end, byte, 0).astype(np.uint64) << np.uint64(8 * j)
            samples.append(packed.view(np.int64))
        for target, values in zip(parts, [length, *samples], strict=True):
            target.append(values)
    return [np.concatenate(p) if p else np.zeros(0, dtype=np.int64) for p in parts]
