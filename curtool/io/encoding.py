"""How a text export is written: its encoding and its separator, detected or checked when given.

Encodings: UTF-8 (BOM or not), UTF-16/32 (BOM or not), else the Russian 8-bit code page
whose reading gives the likeliest Russian text. Separators: the one that splits the head
of the file into the most consistent records.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
from pathlib import Path

import numpy as np

from curtool.core import errors
from curtool.core.mapping import KNOWN_HEADERS, norm_header
from curtool.io.tables import HEADER_SCAN_ROWS

SEPARATORS = (";", ",", "\t", "|")


def detect_encoding(data: bytes, path: Path, *, truncated: bool = False) -> str:
    """UTF-8 (with or without BOM), UTF-16/32, else the Russian 8-bit code page — or a clear error.

    ``truncated``: ``data`` is only the start of the file, so its last character may be cut.
    """
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):  # before UTF-16: FF FE 00 00
        return "utf-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = data[: 1 << 20]
    wide = _wide_encoding(sample)
    if wide is not None:
        return wide
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 4 and (truncated or len(data) > len(sample)):
            return "utf-8"  # the sample cut a character in two
    head = sample[:_CYRILLIC_SAMPLE]
    as_utf8 = head.decode("utf-8", errors="replace")
    bad = as_utf8.count("\ufffd")
    if bad * 4 < np.count_nonzero(np.frombuffer(head, dtype=np.uint8) >= 128):
        # Most of its non-ASCII bytes are UTF-8 letters: a UTF-8 file with a few damaged
        # bytes, not a code page (in cp1251 text nearly every such byte is invalid UTF-8)
        start = len(as_utf8[: as_utf8.index("\ufffd")].encode("utf-8")) if bad else len(head)
        raise errors.CurtoolError(
            errors.ENCODING,
            f"undecodable bytes at byte {start}: the file is UTF-8 with damaged bytes",
            "save the file as UTF-8 again, or name its encoding with --encoding",
            path=path,
        )
    best = _cyrillic_code_page(head)
    if best == "":
        raise errors.CurtoolError(
            errors.ENCODING,
            "the text is neither UTF-8 nor Russian in cp1251, koi8-r, cp866 or mac-cyrillic: "
            "read so, it would be nonsense",
            "name its encoding with --encoding (as Python names it: gbk, latin-1 …), "
            "or save the file as UTF-8",
            path=path,
        )
    if best is None:
        raise errors.CurtoolError(
            errors.ENCODING,
            "undecodable bytes: neither UTF-8 nor a Russian code page (cp1251, koi8-r, cp866)",
            "save the file as UTF-8, or name its encoding with --encoding",
            path=path,
        )
    try:
        sample.decode(best)
    except UnicodeDecodeError as exc:
        raise errors.CurtoolError(
            errors.ENCODING,
            f"undecodable bytes at byte {exc.start}: neither UTF-8 nor {best}",
            "save the file as UTF-8, or name its encoding with --encoding",
            path=path,
        ) from None
    return best


_WIDE_ENCODINGS = ("utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be")


def _plausible(ch: str) -> bool:
    """A character an export of Russian text is made of: ASCII, Latin-1 («», №), Cyrillic, dashes."""
    code = ord(ch)
    return (
        (32 <= code < 127)
        or ch in "\t\r\n"
        or 0xA0 <= code <= 0xFF
        or 0x400 <= code <= 0x4FF
        or 0x2010 <= code <= 0x206F
        or code == 0x2116
    )


def _wide_encoding(sample: bytes) -> str | None:
    """UTF-16 or UTF-32 without a BOM, or None.

    A text in UTF-8 or a code page holds no NUL byte; one in UTF-16/32 has them in every
    ASCII character (separators and line breaks at least). The reading in which nearly every
    character is one a Russian export is made of wins; a Cyrillic letter has no NUL in
    UTF-16, so counting NULs at odd or even offsets alone misses Cyrillic-only lines.
    """
    head = sample[:4096]
    if b"\x00" not in head:
        return None
    best, best_share = None, 0.9
    for name in _WIDE_ENCODINGS:
        size = 4 if "32" in name else 2
        text = head[: len(head) // size * size].decode(name, errors="replace")
        if not text:
            continue
        share = sum(map(_plausible, text)) / len(text)
        if share > best_share:
            best, best_share = name, share
    return best


# Russian letter frequencies (per cent, in a large corpus of prose): the code page in which a
# file's high bytes read as the most likely letters is its code page. The 8-bit Cyrillic pages
# put the letters at different bytes (koi8-r's lower case is cp1251's upper case, cp866's lower
# case «а»-«п» are cp1251's symbols), so a wrong page gives rare letters, capitals inside
# words' places, or symbols.
_RUSSIAN = {
    "о": 10.97, "е": 8.45, "а": 8.01, "и": 7.35, "н": 6.70, "т": 6.26, "с": 5.47, "р": 4.73,
    "в": 4.54, "л": 4.40, "к": 3.49, "м": 3.21, "д": 2.98, "п": 2.81, "у": 2.62, "я": 2.01,
    "ы": 1.90, "ь": 1.74, "г": 1.70, "з": 1.65, "б": 1.59, "ч": 1.44, "й": 1.21, "х": 0.97,
    "ж": 0.94, "ш": 0.73, "ю": 0.64, "ц": 0.48, "щ": 0.36, "э": 0.32, "ф": 0.26, "ъ": 0.04,
    "ё": 0.04,
}  # fmt: skip
# cp1251 is what Windows exports are in, then DOS's cp866 and koi8-r; mac-cyrillic is rare. A
# prior of a few letters' worth settles what the letters leave open: a word or two (a letter
# read in the wrong page is about 0.6 less likely on average), or capitals only, which cp866
# and mac-cyrillic put at the same bytes.
_CYRILLIC_PAGES = {"cp1251": 0.0, "koi8-r": -3.0, "cp866": -3.0, "mac-cyrillic": -8.0}
_CYRILLIC_SAMPLE = 64 << 10  # thousands of letters: far more than the choice needs, read in ~1 ms


def _byte_scores(encoding: str) -> np.ndarray:
    """Log-likelihood of each high byte (0x80-0xFF) read in ``encoding`` as Russian text."""
    scores = np.empty(128)
    for i in range(128):
        try:
            ch = bytes([128 + i]).decode(encoding)
        except UnicodeDecodeError:
            scores[i] = -math.inf  # the page has no such byte: not this page
            continue
        lower = ch.lower()
        if lower in _RUSSIAN:
            # Case does not count: koi8-r's capitals are cp1251's small letters, and exports
            # written all in capitals exist; weighing case made such a cp1251 file koi8-r.
            scores[i] = math.log(_RUSSIAN[lower] / 100)
        elif ch in "«»„“”‘’№–—…•°±\xa0":  # the punctuation of Russian typography
            scores[i] = math.log(0.01)
        else:
            scores[i] = math.log(1e-5)  # a symbol or a letter of another alphabet
    return scores


_PAGE_SCORES: dict[str, np.ndarray] = {}
_NONSENSE_BYTES = 200
_NONSENSE_SCORE = -6.0


def _cyrillic_code_page(sample: bytes) -> str | None:
    """The Russian 8-bit code page whose reading of ``sample`` is the likeliest Russian text.

    Only the bytes over 0x7F differ between the pages, so their counts decide: a dot product
    per page, whatever the sample's size. None when no page can read every byte, "" when
    the best reading is not Russian.
    """
    named = _page_by_header(sample)
    if named is not None:
        return named
    counts = np.bincount(np.frombuffer(sample, dtype=np.uint8), minlength=256)[128:]
    best, best_score = None, -math.inf
    plain = 0.0
    for name, prior in _CYRILLIC_PAGES.items():
        if name not in _PAGE_SCORES:
            _PAGE_SCORES[name] = _byte_scores(name)
        scores = _PAGE_SCORES[name]
        used = counts > 0
        if np.isinf(scores[used]).any():
            continue
        score = prior + float(counts[used] @ scores[used])
        if score > best_score:
            best, best_score, plain = name, score, float(counts[used] @ scores[used])
    # Russian text in its page scores about -3.1 a byte (the letters' entropy); Chinese in
    # GBK -6.6 at best, random bytes -7.1. Below -6 with enough bytes to judge, the text is
    # not Russian in any of these pages: read, it would be nonsense.
    high = int(counts.sum())
    if best is not None and high >= _NONSENSE_BYTES and plain / high < _NONSENSE_SCORE:
        return ""
    return best


def _page_by_header(sample: bytes) -> str | None:
    """The one code page in which the first lines hold known column names («Текст»), or None.

    A header names its columns in the export's page and reads as nonsense in the others
    («рЕЙЯР»), which settles a file whose messages are too few or too alike for the letters'
    frequencies (a text that repeats «ул.» is likelier koi8-r than cp1251 by letters alone).
    """
    head = sample[: 4 << 10].split(b"\n")[:HEADER_SCAN_ROWS]
    found: dict[str, int] = {}
    for name in _CYRILLIC_PAGES:
        known = 0
        for line in head:
            cells = re.split(r"[;,\t|]", line.decode(name, errors="replace"))
            known += sum(1 for c in cells if (n := norm_header(c)) and n in KNOWN_HEADERS and not n.isascii())
        found[name] = known
    best = max(found.values(), default=0)
    winners = [name for name, n in found.items() if n == best]
    return winners[0] if best and len(winners) == 1 else None


def decode(data: bytes, encoding: str, path: Path) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise errors.CurtoolError(
            errors.ENCODING,
            f"bytes at line {line} cannot be read as {encoding}",
            "save the file as UTF-8, or name its encoding with --encoding",
            path=path,
            row=None,
        ) from None
    except LookupError:
        raise errors.CurtoolError(
            errors.BAD_OPTION,
            f"unknown encoding «{encoding}»",
            "use e.g. utf-8, cp1251 or utf-16",
            path=path,
        ) from None


def detect_separator(head: str | list[str]) -> str:
    """The separator that splits the most records into the same number of fields.

    Counting in one line fails when a message text has more commas than the header
    has semicolons, and csv.Sniffer fails on multi-line quoted fields; reading the
    head of the file with each candidate and taking the most consistent wins both.
    """
    from collections import Counter

    if isinstance(head, list):
        head = "\n".join(head)
    cut = head.rfind("\n")
    sample = head[:cut] if cut > 0 else head  # the last line may be cut short
    first = next((line for line in sample.splitlines() if line.strip()), "")
    if norm_header(first) in KNOWN_HEADERS and not any(sep in first for sep in SEPARATORS):
        # one column under one known name («Обращение»): its messages may hold any of the
        # separators, which must not split them; a separator absent from the sample keeps
        # each line whole
        return next((sep for sep in ("|", "\t", ";", ",") if sep not in sample), "\x1f")
    best, best_score = ";", (False, 0, 0)
    for sep in SEPARATORS:
        try:
            records = [r for r in csv.reader(io.StringIO(sample), delimiter=sep) if any(r)]
        except csv.Error:
            continue
        if not records:
            continue
        width, freq = Counter(len(r) for r in records).most_common(1)[0]
        # a header of known column names settles it; consistency decides otherwise
        known = max(sum(norm_header(c) in KNOWN_HEADERS for c in r) for r in records[:HEADER_SCAN_ROWS])
        score = (known >= 2, freq if width > 1 else 0, width)
        if score > best_score:
            best, best_score = sep, score
    return best


_SEPARATOR_NAMES = {"\\t": "\t", "tab": "\t", "TAB": "\t"}


def check_separator(separator: str | None, path: Path | None = None) -> str | None:
    """The separator as one character (``\\t`` and ``tab`` name the tab), or a clear error."""
    if separator is None or separator == "":
        return None
    separator = _SEPARATOR_NAMES.get(separator, separator)
    if len(separator) != 1 or separator in '"\r\n' or not separator.isascii():
        raise errors.CurtoolError(
            errors.BAD_OPTION,
            f"the separator must be one ASCII character other than a quote or a line break, "
            f"not «{separator}»",
            "give one character: --separator ';' (or ',', '|', tab); curtool cannot split on "
            "a longer string — replace it in a text editor first",
            path=path,
        )
    return separator
