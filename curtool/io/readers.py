"""Raw file reading: what format, encoding, separator, sheet and header row a file has.

Returns the file's own columns untouched (text as text, Excel values as typed
by the workbook) plus what was learned about the file; mapping columns to
meaning is :mod:`curtool.core.mapping`'s job.
"""

from __future__ import annotations

import codecs
import csv
import gc
import io
import math
import re
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from curtool.core import errors
from curtool.core.columns import FIELD_ALIASES
from curtool.io import archive

TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
SEPARATORS = (";", ",", "\t", "|")
HEADER_SCAN_ROWS = 30
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")
# Python's csv module refuses a field over 131,072 characters; a pasted document in a message
# is longer than that and is still one cell (Arrow and pandas read it): no limit but memory.
csv.field_size_limit(2**31 - 1)


@dataclass
class RawTable:
    """One file as read: its own columns and how they were found."""

    path: Path
    frame: pd.DataFrame
    format: str
    encoding: str | None = None
    separator: str | None = None
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    header_row: int = 1  # 1-based line (CSV) or row (Excel) of the header
    title_rows: list[str] = field(default_factory=list)
    lines: np.ndarray | None = None  # 1-based file line/row where each data row starts
    ragged: np.ndarray | None = None  # bool per data row: field count differs from the header
    header_cells: list[str] | None = None  # the header line's cells as written (before naming)
    swallowed: np.ndarray | None = None  # bool per data row: a stray quote had merged it (CSV)
    sheet_rows: list[tuple[str, int]] = field(default_factory=list)  # (sheet, rows) when several are read
    warnings: list[str] = field(default_factory=list)  # what the reader left out, for Dataset.warnings


def sniff_format(path: Path) -> str:
    """The file's format from its first bytes, falling back on its extension."""
    with path.open("rb") as handle:
        head = handle.read(8192)
    suffix = path.suffix.lower()
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                # a few bytes only: the part may be a zip bomb, checked later (curtool.io.archive)
                if "mimetype" in names and b"opendocument.spreadsheet" in _head(archive, "mimetype"):
                    return "ods"
                if any(n.startswith("xl/") for n in names):
                    return "xlsx"
        except zipfile.BadZipFile:
            pass
        raise errors.CurtoolError(
            errors.CORRUPT_FILE,
            "the file is a damaged or unknown zip archive, not a readable workbook",
            "open it in Excel or LibreOffice and save it again as .xlsx",
            path=path,
        )
    if head.startswith(_CFB_MAGIC):
        if suffix in (".xlsx", ".xlsm") or _contains(path, _ENCRYPTED_MARK):
            raise errors.CurtoolError(
                errors.ENCRYPTED_FILE,
                "the workbook is password-protected",
                "open it in Excel, remove the password (File → Info → Protect) and save again",
                path=path,
            )
        return "xls"
    if suffix in EXCEL_SUFFIXES:
        raise errors.CurtoolError(
            errors.CORRUPT_FILE,
            f"the file has a {suffix} name but is not a {suffix} workbook",
            "export it again from the source system, or rename it if it is really a CSV",
            path=path,
        )
    if suffix in TEXT_SUFFIXES or _looks_like_text(head):
        return "csv"
    raise errors.CurtoolError(
        errors.UNKNOWN_FORMAT,
        f"cannot read «{suffix or 'no extension'}» files",
        "curtool reads .csv, .tsv, .txt, .xlsx, .xlsm, .xls and .ods",
        path=path,
    )


def _head(archive: zipfile.ZipFile, name: str) -> bytes:
    with archive.open(name) as handle:
        return handle.read(256)


def _contains(path: Path, needle: bytes) -> bool:
    with path.open("rb") as handle:
        return needle in handle.read(4 << 20)


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    return b"\x00" not in head


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
            known += sum(1 for c in cells if (n := _norm_header(c)) and n in _ALIASES and not n.isascii())
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


def _norm_header(value: object) -> str:
    text = str(value).strip().lower().replace("ё", "е")
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text).split())


_ALIASES = {_norm_header(a) for aliases in FIELD_ALIASES.values() for a in aliases}


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
    if _norm_header(first) in _ALIASES and not any(sep in first for sep in SEPARATORS):
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
        known = max(sum(_norm_header(c) in _ALIASES for c in r) for r in records[:HEADER_SCAN_ROWS])
        score = (known >= 2, freq if width > 1 else 0, width)
        if score > best_score:
            best, best_score = sep, score
    return best


def pick_header_row(rows: list[list[object]]) -> int:
    """Index (0-based) of the header among the first rows: known names first, else the widest."""
    scored = []
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        cells = [c for c in row if c is not None and str(c).strip() != ""]
        known = sum(1 for c in cells if _norm_header(c) in _ALIASES)
        strings = sum(1 for c in cells if isinstance(c, str))
        scored.append((i, len(cells), known, strings))
    if not scored:
        return 0
    best_known = max(s[2] for s in scored)
    if best_known >= 2:
        return next(i for i, _, known, _ in scored if known == best_known)
    if best_known == 1 and scored[0][2] == 1 and scored[0][1] == 1:
        # a lone known name on the first line («Обращение») heads a one-column file; wider
        # rows below are messages with separators in them, not a header
        return 0
    widest = max(s[1] for s in scored)
    for i, width, _, strings in scored:
        if width >= max(2, 0.6 * widest) and strings == width:
            return i
    return 0


def second_header_row(header: list[str], row: list[str]) -> list[str] | None:
    """The names of a header written over two lines (merged cells saved as CSV), or None.

    ``row`` continues ``header`` when it names columns rather than holding a message: all
    its cells are short labels (no figures), at least one is a known name or stands under
    a blank header cell (a merged group above), and it leaves empty some column the header
    names (a group's sub-names do not cover the ids and dates beside it). The sub-name wins
    where it is a known name («Обращение» over «Текст»), else the two are joined.
    """
    cells = [str(c).strip() for c in row]
    top = [str(c).strip() for c in header] + [""] * max(len(cells) - len(header), 0)
    filled = [i for i, c in enumerate(cells) if c]
    if not filled or len(header) < 2:
        return None
    # names are words: a figure, a long phrase or a cell of punctuation («-») is data
    if any(
        any(ch.isdigit() for ch in cells[i])
        or len(cells[i].split()) > 4
        or not any(ch.isalpha() for ch in cells[i])
        for i in filled
    ):
        return None
    # a merged group: a header name over two or more columns leaves the header's next cells
    # blank, and the line below names each of them («Обращение» over «Текст», «Ответ»). So
    # some blank header cell has a sub-name, next to another sub-name.  A single word under a
    # named column («[/url]» reads as «url»), or a cell past the header's last name, is data.
    group = any(
        0 < i < len(header) and not top[i] and cells[i - 1] and any(top[j] for j in range(i)) for i in filled
    )
    # and the sub-names are names: one of them is a column name curtool knows («Текст»),
    # where words of a first message under «ID;Текст;» («яма», «лишнее») are not
    known = any(bool(_norm_header(cells[i])) and _norm_header(cells[i]) in _ALIASES for i in filled)
    leaves_named = any(top[i] and not (cells[i] if i < len(cells) else "") for i in range(len(top)))
    if not group or not known or not leaves_named:
        return None
    names = []
    for i, name in enumerate(top):
        sub = cells[i] if i < len(cells) else ""
        if not sub or sub == name:
            names.append(name)
        elif not name or _norm_header(sub) in _ALIASES:
            names.append(sub)
        else:
            names.append(f"{name} {sub}")
    return names


def read_table(
    path: Path,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    separator: str | None = None,
) -> RawTable:
    """Read one file's header and rows; the caller maps them to fields."""
    if not path.exists():
        raise errors.CurtoolError(
            errors.FILE_NOT_FOUND,
            "file not found",
            "check the path; quote names with spaces",
            path=path,
        )
    if path.is_dir():
        raise errors.CurtoolError(
            errors.FILE_NOT_FOUND,
            "this is a folder, not a file",
            "name the files inside it, e.g. folder/*.xlsx",
            path=path,
        )
    if path.stat().st_size == 0:
        raise errors.CurtoolError(
            errors.EMPTY_FILE, "the file is empty (0 bytes)", "export it again", path=path
        )
    kind = sniff_format(path)
    if kind == "csv":
        return _read_csv(path, encoding=encoding, separator=separator)
    return _read_excel(path, kind, sheet=sheet)


# --- CSV --------------------------------------------------------------------------


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


def _read_csv(path: Path, *, encoding: str | None, separator: str | None) -> RawTable:
    separator = check_separator(separator, path)
    fast = _read_csv_arrow(path, encoding=encoding, separator=separator)
    if fast is not None:
        return fast
    data = path.read_bytes()
    enc = detected = encoding or detect_encoding(data, path)
    transcoded = False
    if enc.lower().replace("_", "-").startswith(("utf-16", "utf-32")):
        # Separators, quotes and newlines are single ASCII bytes in UTF-8 and cp1251 alike,
        # so only UTF-16/32 need re-encoding before the byte-level scan.
        data = decode(data, enc, path).lstrip("\ufeff").encode("utf-8")
        enc, transcoded = "utf-8", True
    if b"\n" not in data and b"\r" in data:
        # Line ends of a lone CR (Excel for Mac's «CSV», classic Mac OS): every reader here
        # splits lines on LF, so CR becomes LF; a CR inside a quoted text is a line break too.
        data = data.replace(b"\r", b"\n")
        transcoded = True
    elif enc == "utf-8-sig":
        enc = "utf-8"  # pandas' utf-8 reader drops the BOM itself
    elif enc != "utf-8":
        decode(data[: 1 << 20], enc, path)  # an unknown codec name fails here, clearly
    if data.startswith(codecs.BOM_UTF8):
        # the scan sees fields byte by byte: after a BOM the first header cell's opening
        # quote would not follow a line start, and «"ID"» would keep its quotes
        data = data[len(codecs.BOM_UTF8) :]
    head_text = data[:200_000].decode(enc, errors="replace")
    head_lines = head_text.splitlines()[:HEADER_SCAN_ROWS]
    if not any(line.strip() for line in head_lines):
        raise errors.CurtoolError(
            errors.EMPTY_FILE, "the file has no text in it", "export it again", path=path
        )
    sep = separator or detect_separator(head_text[:65536])
    structure = _scan_records(data, sep)
    first = [structure.split_line(data, i, sep, enc) for i in range(min(len(structure), 30))]
    header_idx = pick_header_row(first)
    if first and first[0]:
        first[0][0] = first[0][0].lstrip("\ufeff")
    header = _unique_names(first[header_idx])
    data_fields = structure.fields[header_idx + 1 :]
    data_lines = structure.lines[header_idx + 1 :]
    width = len(header)
    two_lines = header_idx + 1 < len(first) and second_header_row(first[header_idx], first[header_idx + 1])
    if two_lines or _spans_rows(data, structure, header_idx + 1, sep, enc, width):
        return _read_csv_exact(path, decode(data, enc, path).lstrip("\ufeff"), sep, detected)
    extra = int(data_fields.max()) - width if len(data_fields) else 0
    names = header + [f"extra_{i + 1}" for i in range(max(extra, 0))]
    # pandas reads the file itself where it can, so the raw bytes are freed before parsing
    source: Path | bytes = data if transcoded else path
    del data
    frame = _parse_csv(source, sep, enc, names, int(structure.lines[header_idx]), path)
    if len(frame) != len(data_fields):
        # The quick structural scan disagreed with the parser (odd quoting): trust the slow,
        # exact reader rather than guess which rows were ragged.
        raw = source if isinstance(source, bytes) else path.read_bytes()
        return _read_csv_exact(path, decode(raw, enc, path).lstrip("\ufeff"), sep, detected)
    if extra <= 0:
        frame = frame[header]
    frame, ragged = _trailing_separator(frame, width, data_fields, _blank_tail(first[header_idx]))
    return _csv_table(
        path,
        frame,
        detected,
        sep,
        int(structure.lines[header_idx]),
        first[:header_idx],
        data_lines,
        ragged,
        first[header_idx],
    )


# Encodings whose separators, quotes and newlines are the ASCII bytes, one byte each.
_ARROW_ENCODINGS = {"utf-8", "utf-8-sig", "cp1251", "koi8-r", "cp866", "mac-cyrillic", "iso8859-5", "latin-1"}
_STREAM_CHUNK = 1 << 20
_TRAILING = "\x00trailing"  # the name given to the empty field after a line-ending separator
_HEAD_BYTES = 1 << 20  # read first, for the encoding, separator and header


class _Transcoder(io.RawIOBase):
    """A file read as UTF-8 from a byte offset: Arrow's parser threads run while this decodes.

    Decoding the whole file first doubles the memory and keeps both cores waiting; small
    pieces are decoded so that the allocator reuses the same memory for each of them.
    """

    def __init__(self, path: Path, start: int, encoding: str) -> None:
        self._file = path.open("rb")
        self._file.seek(start)
        self._decoder = None if encoding == "utf-8" else codecs.getincrementaldecoder(encoding)()
        self._pending = b""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._decoder is None:
            return self._file.read(size)
        pieces, have = [self._pending], len(self._pending)
        while size < 0 or have < size:
            chunk = self._file.read(_STREAM_CHUNK)
            piece = self._decoder.decode(chunk, final=not chunk).encode("utf-8")
            pieces.append(piece)
            have += len(piece)
            if not chunk:
                break
        data = b"".join(pieces)
        if size < 0 or size >= len(data):
            self._pending = b""
            return data
        self._pending = data[size:]
        return data[:size]

    def close(self) -> None:
        self._file.close()
        super().close()


def _read_csv_arrow(path: Path, *, encoding: str | None, separator: str | None) -> RawTable | None:
    """The common case fast: a well-formed CSV parsed by Arrow on every core.

    Returns None whenever the file needs the exact reader: ragged or blank rows, one
    column, UTF-16, bytes the encoding cannot read. That reader then says what is wrong.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES + 4)
    try:
        enc = encoding or detect_encoding(head, path, truncated=path.stat().st_size > len(head))
        name = codecs.lookup(enc).name
    except (errors.CurtoolError, LookupError):
        return None
    if name not in _ARROW_ENCODINGS:
        return None
    bom = len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) and name.startswith("utf-8") else 0
    stream_encoding = "utf-8" if name.startswith("utf-8") else name
    head_text = head[bom:200_000].decode(stream_encoding, errors="replace")
    if not any(line.strip() for line in head_text.splitlines()[:HEADER_SCAN_ROWS]):
        return None
    sep = separator or detect_separator(head_text[:65536])
    body = head[bom:]
    if len(head) > _HEAD_BYTES:  # the last record of the head may be cut short
        body = body[: body.rfind(b"\n") + 1]
    structure = _scan_records(body, sep)
    count = min(len(structure), HEADER_SCAN_ROWS)
    if count < 2:
        return None
    first = [structure.split_line(body, i, sep, stream_encoding) for i in range(count)]
    header_idx = pick_header_row(first)
    names = _unique_names(first[header_idx])
    header_line = int(structure.lines[header_idx])
    next_line = int(structure.lines[header_idx + 1]) if header_idx + 1 < len(structure) else None
    if len(names) < 2 or (next_line is not None and next_line != header_line + 1):
        return None  # one column (blank lines are rows there) or a header spread over lines
    if header_idx + 1 < count and second_header_row(first[header_idx], first[header_idx + 1]):
        return None  # a header over two lines: the exact reader joins them
    # a separator ending the lines (see _trailing_separator): the empty field after it is
    # read under a spare name and dropped, the header's unnamed last column when empty
    blank_tail = _blank_tail(first[header_idx])
    row = first[header_idx + 1] if header_idx + 1 < count else names
    read_names = list(names)
    if blank_tail and len(row) == len(names) - 1:
        read_names = names[:-1]  # only the header ends with one
    elif len(row) == len(names) + 1 and not row[-1].strip():
        read_names = names + [_TRAILING]
    invalid = 0

    def on_invalid(row: object) -> str:
        nonlocal invalid
        invalid += 1
        return "skip"

    source = _Transcoder(path, bom + int(structure.starts[header_idx]), stream_encoding)
    try:
        table = pacsv.read_csv(
            source,
            read_options=pacsv.ReadOptions(column_names=read_names, skip_rows=1, block_size=16 << 20),
            parse_options=pacsv.ParseOptions(
                delimiter=sep,
                quote_char='"',
                double_quote=True,
                newlines_in_values=True,
                ignore_empty_lines=False,
                invalid_row_handler=on_invalid,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in read_names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=stream_encoding == "utf-8",
            ),
        )
    except (pa.ArrowException, UnicodeDecodeError, OSError):
        return None
    finally:
        source.close()
    if invalid:
        return None  # ragged rows: the exact reader flags them
    # each row starts one line after the previous one ended; quoted fields may hold line
    # breaks. A blank line is read as a row of empty fields: one line, like any row.
    breaks = np.zeros(table.num_rows, dtype=np.int64)
    for column in table.columns:
        counts = _count_newlines(column)
        if counts.any() and _holds_rows(column, counts, sep, len(names)):
            return None  # a stray quote merged rows: the exact reader splits or flags them
        breaks += counts
    lines = header_line + 1 + np.arange(table.num_rows, dtype=np.int64)
    lines[1:] += np.cumsum(breaks)[:-1]
    empty = _empty_rows(table)
    keep = None
    if empty.any():
        if not _blank_lines(path, lines[empty]).all():
            return None  # a line of separators only is a row: the exact reader keeps and flags it
        keep = ~empty
        lines = lines[keep]
    spare = [_TRAILING] if _TRAILING in read_names else []
    if blank_tail and names[-1] in read_names:
        spare.append(names[-1])
    for name in spare:
        held = pc.utf8_trim_whitespace(table.column(name))
        if bool(pc.any(pc.greater(pc.binary_length(held), 0)).as_py()):
            if name == _TRAILING:
                return None  # text past the header: the exact reader flags those rows
            continue  # the header left it unnamed, but it holds something: kept
        table = table.drop_columns([name])
    frame = _one_chunk_frame(table, keep)
    del table
    return _csv_table(
        path,
        frame,
        enc,
        sep,
        header_line,
        first[:header_idx],
        lines,
        np.zeros(len(frame), dtype=bool),
        first[header_idx],
    )


def _one_chunk_frame(table, keep: np.ndarray | None = None) -> pd.DataFrame:
    """The table (its ``keep`` rows) as a frame whose columns are one Arrow chunk each.

    Arrow parses in blocks, one chunk each; pandas' row selection by position on a chunked
    column first joins all of it (a copy of the column per selection). Joining once here,
    a column at a time, keeps the extra memory to one column.
    """
    import pyarrow as pa

    names = table.column_names
    # the table's columns are let go one by one as they are joined; dropping them from the
    # table instead rebuilt it each time (17,000 columns took 59 s, the square of the width)
    pending = table.columns
    del table
    columns = {}
    mask = None if keep is None else pa.array(keep)
    for i, name in enumerate(names):
        column, pending[i] = pending[i], None
        if mask is not None:
            column = column.filter(mask)
        # one chunk already (a slice of it, say) is kept as it is: joining would copy it
        columns[name] = column if column.num_chunks == 1 else pa.chunked_array([column.combine_chunks()])
    return pa.table(columns).to_pandas()


def _empty_rows(table) -> np.ndarray:
    import pyarrow.compute as pc

    empty = None
    for column in table.columns:
        is_empty = pc.equal(pc.binary_length(column), 0)
        empty = is_empty if empty is None else pc.and_(empty, is_empty)
    if empty is None:
        return np.zeros(table.num_rows, dtype=bool)
    return np.asarray(empty.to_numpy(zero_copy_only=False), dtype=bool)


def _blank_lines(path: Path, lines: np.ndarray) -> np.ndarray:
    """Whether each of the 1-based physical ``lines`` of the file is empty (or a lone CR).

    Found from the file's line breaks, read through a memory map: this runs only for files
    with rows of empty fields, to tell a blank line (skipped) from a line of separators.
    """
    data = np.memmap(path, dtype=np.uint8, mode="r")
    step = 64 << 20  # a window at a time: a mask of the whole file would be its size again
    newline = np.concatenate(
        [np.zeros(0, dtype=np.int64)]
        + [np.flatnonzero(data[i : i + step] == 10) + i for i in range(0, len(data), step)]
    )
    ends = np.append(newline, len(data))
    starts = np.concatenate(([0], newline + 1))
    first, last = starts[lines - 1], ends[lines - 1]
    length = last - first
    lone_cr = (length == 1) & (data[np.minimum(first, max(len(data) - 1, 0))] == 13)
    return (length == 0) | lone_cr


def string_buffers(chunk) -> tuple[np.ndarray, np.ndarray]:
    """An Arrow string chunk's offsets (n + 1, into the data) and bytes, without a copy of the text."""
    import pyarrow as pa

    n = len(chunk)
    _, offsets_buf, data_buf = chunk.buffers()
    if offsets_buf is None:
        return np.zeros(n + 1, dtype=np.int64), np.zeros(0, dtype=np.uint8)
    wide = pa.types.is_large_string(chunk.type) or pa.types.is_large_binary(chunk.type)
    offsets = np.frombuffer(offsets_buf, dtype=np.int64 if wide else np.int32)
    offsets = offsets[chunk.offset : chunk.offset + n + 1].astype(np.int64)
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, dtype=np.uint8)
    return offsets, data


def _count_newlines(column) -> np.ndarray:
    """Line breaks inside each value, from the Arrow buffers: no per-string work."""
    counts = [np.zeros(0, dtype=np.int64)]
    for chunk in column.chunks:
        offsets, data = string_buffers(chunk)
        where = np.flatnonzero(data[offsets[0] : offsets[-1]] == 10) + offsets[0]
        rows = np.searchsorted(offsets, where, side="right") - 1
        counts.append(np.bincount(rows, minlength=len(chunk)).astype(np.int64))
    return np.concatenate(counts)


def _csv_table(
    path: Path,
    frame: pd.DataFrame,
    encoding: str,
    sep: str,
    header_row: int,
    title_records: list[list[str]],
    lines: np.ndarray,
    ragged: np.ndarray,
    header_cells: list[str] | None = None,
) -> RawTable:
    return RawTable(
        path=path,
        frame=frame,
        format="tsv" if sep == "\t" else "csv",
        encoding=encoding,
        separator=sep,
        header_row=header_row,
        title_rows=[sep.join(r) for r in title_records],
        lines=lines,
        ragged=ragged,
        header_cells=[str(c) for c in header_cells] if header_cells is not None else None,
    )


def _unique_names(cells: list[str]) -> list[str]:
    names: list[str] = []
    seen: dict[str, int] = {}
    for i, cell in enumerate(cells):
        name = str(cell).strip() if cell is not None else ""
        name = name or f"column_{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        names.append(name)
    return names


def _parse_csv(source: Path | bytes, sep: str, enc: str, names: list[str], header_line: int, path: Path):
    """pandas' C parser, every column as text."""

    def read(**extra: object) -> pd.DataFrame:
        return pd.read_csv(
            io.BytesIO(source) if isinstance(source, bytes) else source,
            sep=sep,
            header=None,
            names=names,
            skiprows=header_line,
            keep_default_na=False,
            skip_blank_lines=True,
            encoding=enc,
            engine="c",
            quotechar='"',
            index_col=False,
            **extra,
        )

    try:
        # Letting the parser infer types is 5x faster than dtype=str for text columns, but
        # numbers must stay text (ids keep their zeros): a sample names the numeric columns.
        sample = read(nrows=2000)
        numeric = {c: str for c in sample.columns if not pd.api.types.is_string_dtype(sample[c])}
        frame = read(dtype=numeric) if numeric else read()
        for col in frame.columns:
            if not pd.api.types.is_string_dtype(frame[col]):  # numeric only past the sample
                frame[col] = frame[col].astype(object).where(frame[col].notna(), "").astype(str)
            elif col in numeric:
                frame[col] = frame[col].fillna("")
        return frame
    except UnicodeDecodeError:
        data = source if isinstance(source, bytes) else path.read_bytes()
        try:
            data.decode(enc)
            where = ""
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            where = f" near line {line}"
        raise errors.CurtoolError(
            errors.ENCODING,
            f"bytes{where} cannot be read as {enc}",
            "save the file as UTF-8, or name its encoding with --encoding",
            path=path,
        ) from None
    except pd.errors.ParserError as exc:
        raise errors.CurtoolError(
            errors.CORRUPT_FILE,
            f"the CSV cannot be parsed: {str(exc).strip().splitlines()[-1]}",
            "check the quoting around that line, or name the separator with --separator",
            path=path,
        ) from None


def _read_csv_exact(path: Path, text: str, sep: str, enc: str) -> RawTable:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    records: list[list[str]] = []
    lines: list[int] = []
    last_lines: list[int] = []
    line = 1
    for row in reader:
        if row:
            records.append(row)
            lines.append(line)
            last_lines.append(reader.line_num)
        line = reader.line_num + 1
    header_idx = pick_header_row(records[:HEADER_SCAN_ROWS])
    header_cells = records[header_idx]
    skip = header_idx + 1
    if skip < len(records):
        joined = second_header_row(header_cells, records[skip])
        if joined is not None:
            header_cells, skip = joined, skip + 1
    header = _unique_names(header_cells)
    width = len(header)
    blank_tail = _blank_tail(header_cells)
    body = records[skip:]
    body_lines = lines[skip:]
    body, body_lines, swallowed = _split_swallowed(
        text, body, body_lines, last_lines[skip:], sep, width, blank_tail
    )
    widest = max((len(r) for r in body), default=width)
    names = header + [f"extra_{i + 1}" for i in range(max(widest - width, 0))]
    padded = [r + [""] * (len(names) - len(r)) for r in body]
    frame = pd.DataFrame(padded, columns=names, dtype=object)
    frame, ragged = _trailing_separator(
        frame, width, np.asarray([len(r) for r in body], dtype=np.int64), blank_tail
    )
    table = _csv_table(
        path,
        frame,
        enc,
        sep,
        lines[header_idx] if lines else 1,
        records[:header_idx],
        np.asarray(body_lines, dtype=np.int64),
        ragged,
        header_cells,
    )
    if swallowed.any():
        table.swallowed = swallowed
    return table


_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)?")
_DATE = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")


def _typed(cell: str) -> str:
    """«number» or «date» for a cell that is only that, else ""."""
    cell = cell.strip()
    if _NUMBER.fullmatch(cell):
        return "number"
    if _DATE.fullmatch(cell):
        return "date"
    return ""


def _typed_columns(sample: list[list[str]], width: int) -> dict[int, str]:
    """Columns of numbers or dates (in nine rows of ten of ``sample``)."""
    kinds: dict[int, str] = {}
    if not sample:
        return kinds
    for j in range(width):
        seen = [_typed(r[j]) if j < len(r) else "" for r in sample]
        for kind in ("number", "date"):
            if seen.count(kind) >= 0.9 * len(sample):
                kinds[j] = kind
    return kinds


def _whole_row(line: str, sep: str, width: int, blank_tail: bool, kinds: dict[int, str]) -> list[str] | None:
    """The fields of one physical line when it is a whole row of the table, else None.

    Read alone, a quote the line opens and never closes ends at the line's end; read with
    quotes as plain characters, it is kept as written. Either reading with the header's
    field count (a separator ending the line aside) and a number or a date in each column
    of numbers or dates makes the line a row.
    """
    line = line.rstrip("\r\n")
    for quoting in (csv.QUOTE_MINIMAL, csv.QUOTE_NONE):
        fields = next(csv.reader([line], delimiter=sep, quoting=quoting), [])
        n = len(fields)
        if n == width or (n == width + 1 and not fields[-1].strip()) or (blank_tail and n == width - 1):
            if all(j < n and _typed(fields[j]) == kind for j, kind in kinds.items()):
                return fields
    return None


def _row_like_pattern(sep: str, width: int) -> str:
    """A line break followed by a line with a row's separators: see _split_swallowed."""
    other = sep if sep.isalnum() else "\\t" if sep == "\t" else "\\" + sep
    return f"\n(?:[^\n{other}]*{other}){{{width - 1}}}"


def _holds_rows(column, breaks: np.ndarray, sep: str, width: int) -> bool:
    """Whether an Arrow column's multi-line cell holds a line with a row's separators.

    Cells with a line break and a row's worth of separators are found from the buffers
    (one byte comparison over the text), and only those few are matched by a regular
    expression: taking the quarter of the benchmark's million that has a line break out of
    the column took 0.7 s, a Python loop over them 5 s.
    """
    if width < 2:
        return False
    import re

    pattern = re.compile(_row_like_pattern(sep, width))
    sep_code = ord(sep)
    start = 0
    for chunk in column.chunks:
        n = len(chunk)
        multi = breaks[start : start + n] > 0
        start += n
        if not multi.any():
            continue
        offsets, data = string_buffers(chunk)
        where = np.flatnonzero(data[offsets[0] : offsets[-1]] == sep_code) + offsets[0]
        seps = np.bincount(np.searchsorted(offsets, where, side="right") - 1, minlength=n)
        for i in np.flatnonzero(multi & (seps[:n] >= width - 1)):
            if pattern.search(chunk[int(i)].as_py() or ""):
                return True
    return False


def _spans_rows(data: bytes, structure: _Records, first: int, sep: str, enc: str, width: int) -> bool:
    """Whether a record from ``first`` on spans lines that have a row's separators."""
    if width < 2:
        return False
    import re

    pattern = re.compile(_row_like_pattern(sep, width).encode("ascii"))
    for i in np.flatnonzero(structure.last_lines[first:] > structure.lines[first:]) + first:
        if pattern.search(data, int(structure.starts[i]), int(structure.ends[i])):
            return True
    return False


def _split_swallowed(
    text: str,
    body: list[list[str]],
    starts: list[int],
    ends: list[int],
    sep: str,
    width: int,
    blank_tail: bool,
) -> tuple[list[list[str]], list[int], np.ndarray]:
    """Records a stray quote made of several rows: split back into rows where they are rows.

    A quote that opens a field and is never closed (or closed rows later) makes the parser
    read the following lines as one text: rows vanish without a trace. A record is such a
    record when the lines it spans are themselves rows: read alone, each has the header's
    field count. Then every line is its row again; a real multi-line message has continuation
    lines of one or two fields, not of the whole width. With fewer than three columns a line
    of a message («Адрес: Ленина, 5») can have the width of a row, so such records are only
    flagged, as is a record where some of its lines are rows and some are not. Flagged rows
    (split or not) are True in the returned mask.
    """
    flags = np.zeros(len(body), dtype=bool)
    spans = [i for i, (a, b) in enumerate(zip(starts, ends, strict=True)) if b > a]
    if not spans or width < 2:
        return body, starts, flags
    # the lines as the csv reader counts them (a lone CR ends a line there too)
    physical = io.StringIO(text, newline="").readlines()
    # A line of a long message can have the row's number of commas (on a real export of
    # 2,000 messages, 33 had one): the row's ids and dates tell it from a row. A file without
    # such columns cannot tell them apart, and nothing is split or flagged there.
    sample = [r for r, a, b in zip(body, starts, ends, strict=True) if a == b][:500]
    if not sample:  # every row is in a merged record: their first lines begin as rows do
        sample = [
            next(csv.reader([physical[starts[i] - 1]], delimiter=sep, quoting=csv.QUOTE_NONE)) for i in spans
        ]
    kinds = _typed_columns(sample, width)
    if not kinds:
        return body, starts, flags
    out_rows: list[list[str]] = []
    out_lines: list[int] = []
    out_flags: list[bool] = []
    done = 0
    for i in spans:
        first, last = starts[i], ends[i]
        rows = [_whole_row(physical[n - 1], sep, width, blank_tail, kinds) for n in range(first, last + 1)]
        if any(r is not None and any(f.strip() == '"' for f in r) for r in rows):
            # a quote alone at a line's end or start: a quoted cell that is a line break
            # («"⏎"»), written on purpose; a stray quote has the rest of a text beside it
            continue
        inner = sum(r is not None for r in rows[1:])
        split = width >= 3 and all(r is not None for r in rows)
        if not split and inner < (1 if width >= 3 else 2):
            continue
        out_rows += body[done:i]
        out_lines += starts[done:i]
        out_flags += [False] * (i - done)
        if split:
            out_rows += [r for r in rows if r is not None]
            out_lines += list(range(first, last + 1))
            out_flags += [True] * len(rows)
        else:
            out_rows.append(body[i])
            out_lines.append(first)
            out_flags.append(True)
        done = i + 1
    if not done:
        return body, starts, flags
    out_rows += body[done:]
    out_lines += starts[done:]
    out_flags += [False] * (len(body) - done)
    return out_rows, out_lines, np.asarray(out_flags, dtype=bool)


def _blank_tail(header_cells: list[str]) -> bool:
    """The header line ends with the separator: its last name is empty."""
    return len(header_cells) > 2 and not str(header_cells[-1]).strip()


def _trailing_separator(
    frame: pd.DataFrame, width: int, fields: np.ndarray, blank_tail: bool = False
) -> tuple[pd.DataFrame, np.ndarray]:
    """Rows flagged ragged, not counting a separator at the end of a line.

    Many exports end every line with the separator, or only the data lines, or only the
    header. The field after it is empty (or spaces) and holds nothing: a row is ragged
    only when its field count differs from the header's for another reason, and an
    unnamed column with nothing in it is dropped. A row with text past the header
    stays ragged and its extra fields stay in the table.
    """
    fields = np.asarray(fields)
    whole = fields == width
    if blank_tail:  # the header ends with a separator, this row does not
        whole |= fields == width - 1
    drop: list[int] = []
    if frame.shape[1] > width:
        extra = _blank(frame.iloc[:, width])
        whole |= (fields == width + 1) & extra
        if frame.shape[1] == width + 1 and not ((fields == width + 1) & ~extra).any():
            drop.append(width)
    if blank_tail and _blank(frame.iloc[:, width - 1]).all():
        drop.append(width - 1)
    if drop:
        frame = frame.iloc[:, [i for i in range(frame.shape[1]) if i not in drop]]
    return frame, ~whole


def _blank(column: pd.Series) -> np.ndarray:
    return (column.isna() | (column.astype(str).str.strip() == "")).to_numpy()


@dataclass
class _Records:
    starts: np.ndarray  # byte offset where each non-blank record starts
    ends: np.ndarray  # byte offset of its terminating newline
    fields: np.ndarray  # field count per record
    lines: np.ndarray  # 1-based physical line of each record
    last_lines: np.ndarray  # 1-based physical line where it ends

    def __len__(self) -> int:
        return len(self.starts)

    def split_line(self, buf: bytes, i: int, sep: str, enc: str) -> list[str]:
        raw = buf[self.starts[i] : self.ends[i]].decode(enc, errors="replace")
        return next(csv.reader([raw.rstrip("\r")], delimiter=sep), [])


def _scan_records(buf: bytes, sep: str) -> _Records:
    """Record boundaries and field counts, vectorised; quotes decide what is inside a field.

    A quote opens a field only right after a separator or a line break, and closes it
    only right before one, so a quote inside an unquoted field (МО "Город Майкоп")
    does not flip the state, as in pandas' own parser.
    """
    arr = np.frombuffer(buf, dtype=np.uint8)
    sep_code, nl, cr = ord(sep), 10, 13
    toggles = _quote_toggles(arr, sep_code)
    seps = np.flatnonzero(arr == sep_code)
    all_newlines = np.flatnonzero(arr == nl)
    newlines = all_newlines
    if len(toggles):
        seps = seps[np.searchsorted(toggles, seps) % 2 == 0]
        newlines = all_newlines[np.searchsorted(toggles, all_newlines) % 2 == 0]
    ends = newlines
    if len(arr) and (not len(ends) or ends[-1] != len(arr) - 1):
        ends = np.append(ends, len(arr))
    starts = np.concatenate(([0], ends[:-1] + 1)) if len(ends) else np.zeros(0, dtype=np.int64)
    length = ends - starts
    # a record of only "\r" is blank too
    blank = (length == 0) | ((length == 1) & (arr[np.minimum(starts, len(arr) - 1)] == cr))
    counts = np.diff(np.searchsorted(seps, ends), prepend=0) + 1
    lines = np.searchsorted(all_newlines, starts) + 1
    last_lines = np.searchsorted(all_newlines, ends) + 1
    keep = ~blank
    return _Records(starts[keep], ends[keep], counts[keep], lines[keep], last_lines[keep])


def _quote_toggles(arr: np.ndarray, sep_code: int) -> np.ndarray:
    """Positions where a quoted field opens or closes, in order.

    Quotes are taken a run at a time: inside a quoted field ``""`` is one quote, so a run
    before a separator or line break closes the field only when it is odd (``"МО ""Город"";"``
    holds «МО "Город";», its ``""`` before ``;`` closes nothing); a run after a boundary
    opens one, and closes it again when what is left of it is odd (``""`` is an empty field).
    """
    quote, nl, cr = 34, 10, 13
    q = np.flatnonzero(arr == quote)
    if not len(q):
        return q
    size = len(arr)
    first = np.ones(len(q), dtype=bool)
    first[1:] = q[1:] != q[:-1] + 1
    starts = q[first]
    ends = q[np.append(np.flatnonzero(first)[1:] - 1, len(q) - 1)]
    prev = np.where(starts > 0, arr[np.maximum(starts - 1, 0)], nl)
    nxt = np.where(ends + 1 < size, arr[np.minimum(ends + 1, size - 1)], nl)
    bounds = (sep_code, nl, cr)
    can_open = np.isin(prev, bounds)
    can_close = np.isin(nxt, bounds)
    keep = can_open | can_close
    runs = zip(
        starts[keep].tolist(),
        ends[keep].tolist(),
        can_open[keep].tolist(),
        can_close[keep].tolist(),
        strict=True,
    )
    toggles: list[int] = []
    inside = False
    # Only quote runs next to a field boundary reach this loop: about two per quoted field.
    for begin, end, is_open, is_close in runs:
        length = end - begin + 1
        if not inside:
            if not is_open:
                continue  # a quote inside an unquoted field
            inside = True
            toggles.append(begin)
            length -= 1  # the rest of the run lies inside the field
        if inside and is_close and length % 2 == 1:
            inside = False
            toggles.append(end)
    return np.asarray(toggles, dtype=np.int64)


# --- Excel / ODS ------------------------------------------------------------------


def _empty_sheet(chosen: str, names: list[str], path: Path) -> errors.CurtoolError:
    return errors.CurtoolError(
        errors.EMPTY_FILE,
        f"sheet «{chosen}» is empty",
        "choose another sheet with --sheet" if len(names) > 1 else "export it again",
        path=path,
    )


def _candidate_sheets(names: list[str], sheet: str | None, path: Path) -> list[str]:
    """The sheets to try, in order: the one asked for (by name or number), else all."""
    if sheet is None:
        return names
    if sheet in names:
        return [sheet]
    if sheet.isdigit() and 1 <= int(sheet) <= len(names):
        return [names[int(sheet) - 1]]
    raise errors.CurtoolError(
        errors.SHEET_NOT_FOUND,
        f"no sheet «{sheet}»",
        "the workbook has: " + ", ".join(f"«{n}»" for n in names),
        path=path,
    )


def _read_xlsx_arrow(path: Path, *, sheet: str | None) -> RawTable | None:
    """An .xlsx sheet straight into Arrow text columns by fastexcel (calamine in Rust).

    No Python object per cell: a million rows × 47 columns in about 16 s against 35 s.
    Every cell arrives as text, the way it reads in Excel (numbers without a trailing
    ".0", dates as "2026-09-14 10:00:00"). Returns None when fastexcel cannot read the
    file; the calamine reader then gives the error or the rows.
    """
    import fastexcel
    import pyarrow as pa

    try:
        book = fastexcel.read_excel(str(path))
        names = list(book.sheet_names)
    except Exception:  # fastexcel's own error types; the calamine reader explains
        return None
    candidates = _candidate_sheets(names, sheet, path)
    chosen, batch = candidates[0], None
    for name in candidates:
        try:
            batch = book.load_sheet(name, header_row=None, dtypes="string", eager=True)
        except Exception:
            return None
        chosen = name
        if batch.num_rows and _arrow_filled(batch.slice(0, HEADER_SCAN_ROWS)).any():
            break
    if batch is None:
        return None
    table = pa.Table.from_batches([batch])
    # header detection reads the head; the body is sliced, not filtered (a filter would
    # copy every column to drop the title rows)
    head_filled = np.flatnonzero(_arrow_filled(table.slice(0, 2 * HEADER_SCAN_ROWS)))
    if not len(head_filled) and not _arrow_filled(table).any():
        raise _empty_sheet(chosen, names, path)
    if not len(head_filled):
        return None  # the data starts far down the sheet: the calamine reader handles it
    head_positions = head_filled[:HEADER_SCAN_ROWS]
    head = [list(table.slice(int(i), 1).to_pylist()[0].values()) for i in head_positions]
    header_idx = pick_header_row(head)
    header_pos = int(head_positions[header_idx])
    header = _unique_names([cell_text(c) for c in head[header_idx]])
    body = table.slice(header_pos + 1)
    body_filled = _arrow_filled(body)
    physical = header_pos + 2 + np.flatnonzero(body_filled)
    if not body_filled.all():
        body = body.filter(pa.array(body_filled))
    width = len(header)
    # trailing empty header cells with no data under them are formatting, not columns
    while (
        width > 1
        and header[width - 1].startswith("column_")
        and not _arrow_filled(body.select([width - 1])).any()
    ):
        width -= 1
    body = body.select(list(range(width))).rename_columns(header[:width])
    frame = _one_chunk_frame(body)
    return RawTable(
        path=path,
        frame=frame,
        format="xlsx",
        sheet=chosen,
        sheets=names,
        header_row=header_pos + 1,
        title_rows=[" ".join(cell_text(c) for c in r if _filled(c)) for r in head[:header_idx]],
        lines=physical.astype(np.int64),
        ragged=np.zeros(len(frame), dtype=bool),
        header_cells=[cell_text(c) for c in head[header_idx]][:width],
    )


def _arrow_filled(table) -> np.ndarray:
    """Per row: does any cell hold more than whitespace? Stops once every row has one."""
    import pyarrow.compute as pc

    filled = None
    for column in table.columns:
        has = pc.and_kleene(pc.is_valid(column), pc.invert(pc.match_substring_regex(column, r"^\s*$")))
        has = pc.fill_null(has, False)
        filled = has if filled is None else pc.or_(filled, has)
        if pc.all(filled).as_py():
            break
    if filled is None:
        return np.zeros(table.num_rows, dtype=bool)
    return np.asarray(filled.to_numpy(zero_copy_only=False), dtype=bool)


def _check_workbook(path: Path, kind: str, sheet: str | None) -> set[str]:
    """Zip bombs, forged part sizes and sheets stretched by a stray cell are refused before
    calamine unpacks anything: it would take the machine's memory or abort the process
    (see :mod:`curtool.io.archive`). Returns the names of the hidden sheets (.xlsx)."""
    hidden: set[str] = set()
    # an .ods cell has no reference that changes from row to row, so similar rows pack tighter
    book = archive.check_zip(path, ratio_scale=2 if kind == "ods" else 1)
    if book is None:
        return hidden
    with book:
        parts = archive.xlsx_sheet_parts(book, hidden) if kind == "xlsx" else {}
        names = list(parts)
        if sheet is not None and (sheet in names or (sheet.isdigit() and 1 <= int(sheet) <= len(names))):
            names = _candidate_sheets(names, sheet, path)
        scanned = set()
        if kind == "ods":
            refusal = archive.refuse_unfolded(archive.ods_cells(book, path), path)
            if refusal is not None:
                raise refusal
            scanned.add("content.xml")
        for name in names:
            extent = archive.sheet_extent(book, parts[name], path)
            scanned.add(parts[name])
            if extent is not None and archive.too_wide(extent, book.getinfo(parts[name]).file_size):
                raise archive.refuse_stray_cells(extent, name, path, others=len(parts) > 1)
        archive.verify_parts(book, path, skip=scanned)
    return hidden


def _read_excel(path: Path, kind: str, *, sheet: str | None) -> RawTable:
    hidden = _check_workbook(path, kind, sheet)
    first = _read_sheet(path, kind, sheet)
    if sheet is not None or len(first.sheets) < 2:
        return first
    tables = [first]
    for name in first.sheets:
        if name == first.sheet:
            continue
        try:
            tables.append(_read_sheet(path, kind, name))
        except errors.CurtoolError as exc:
            if exc.code != errors.EMPTY_FILE:
                raise
    return _join_sheets(tables, hidden, path)


def _read_sheet(path: Path, kind: str, sheet: str | None) -> RawTable:
    """One sheet: the one named, else the first with something in its first rows."""
    if kind == "xlsx":
        fast = _read_xlsx_arrow(path, sheet=sheet)
        if fast is not None:
            return fast
    # A sheet arrives as one Python list per row: a million containers, over which the
    # cyclic garbage collector would walk again and again (to_python took 14 s instead
    # of 5 s at a million rows). Nothing here makes cycles, so it rests meanwhile.
    with gc_paused():
        return _read_excel_rows(path, kind, sheet=sheet)


def _join_sheets(tables: list[RawTable], hidden: set[str], path: Path) -> RawTable:
    """The rows of every sheet laid out like the main one; the others named in warnings.

    A weekly export split over sheets (one per month, per district, or 65,536 rows each in
    old Excel) has one header on every sheet: reading only the first lost 57 % of the rows
    in the issue's workbook, without a word. The main sheet is the first visible one whose
    header has known column names (a cover or a hidden sheet first is passed over), else
    the first visible one. Sheets with its columns, in any order, are read with it; hidden
    sheets and sheets with other columns are not, and each gets a warning naming --sheet.
    """
    order = {name: i for i, name in enumerate(tables[0].sheets)}
    with_rows = sorted((t for t in tables if len(t.frame)), key=lambda t: order.get(t.sheet or "", 0))
    if not with_rows:
        return tables[0]  # headers only: as before, the first sheet's
    tables = with_rows
    visible = [t for t in tables if t.sheet not in hidden] or tables
    known = [t for t in visible if _known_names(t.header_cells or []) >= 2]
    main = (known or visible)[0]
    columns = list(main.frame.columns)
    same = [
        t
        for t in tables
        if t is main or (t.sheet not in hidden and sorted(map(str, t.frame.columns)) == sorted(columns))
    ]
    warnings = []
    for t in tables:
        if any(t is s for s in same):
            continue
        why = "it is hidden" if t.sheet in hidden else f"its columns differ from sheet «{main.sheet}»"
        warnings.append(
            f"{path.name}: sheet «{t.sheet}» ({len(t.frame):,} row{'s' if len(t.frame) > 1 else ''}) "
            f"was not read: {why}; "
            f'read it on its own with --sheet "{t.sheet}"'
        )
    if len(same) == 1:
        main.warnings = warnings
        return main
    frame = pd.concat([t.frame[columns] for t in same], ignore_index=True)
    return RawTable(
        path=path,
        frame=frame,
        format=main.format,
        sheet=main.sheet,
        sheets=main.sheets,
        header_row=main.header_row,
        title_rows=main.title_rows,
        lines=np.concatenate([np.asarray(t.lines, dtype=np.int64) for t in same]),
        ragged=np.concatenate([np.asarray(t.ragged, dtype=bool) for t in same]),
        header_cells=main.header_cells,
        sheet_rows=[(t.sheet or "", len(t.frame)) for t in same],
        warnings=warnings,
    )


def _known_names(cells: list[str]) -> int:
    return sum(_norm_header(c) in _ALIASES for c in cells if c)


@contextmanager
def gc_paused():
    """No cyclic garbage collection inside: for code that makes millions of objects, no cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read_excel_rows(path: Path, kind: str, *, sheet: str | None) -> RawTable:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise errors.CurtoolError(
            errors.CORRUPT_FILE,
            f"the workbook cannot be read ({type(exc).__name__}: {str(exc)[:120]})",
            "open it in Excel or LibreOffice and save it again",
            path=path,
        ) from None
    names = list(book.sheet_names)
    candidates = _candidate_sheets(names, sheet, path)
    # Loading a sheet parses all of it, so sheets are loaded one at a time until one has data.
    chosen, rows = candidates[0], []
    for name in candidates:
        chosen, rows = name, _sheet_rows(book, name, path)
        if any(any(_filled(c) for c in r) for r in rows[:HEADER_SCAN_ROWS]):
            break
    keep = [i for i, r in enumerate(rows) if _row_filled(r)]
    if not keep:
        raise _empty_sheet(chosen, names, path)
    if len(keep) != len(rows):
        rows = [rows[i] for i in keep]
    physical = [i + 1 for i in keep]
    header_idx = pick_header_row(rows)
    header = _unique_names([cell_text(c) for c in rows[header_idx]])
    body = rows[header_idx + 1 :]
    width = len(header)
    # trailing empty header cells with no data under them are formatting, not columns
    while (
        width > 1
        and header[width - 1].startswith("column_")
        and not any(len(r) >= width and _filled(r[width - 1]) for r in body)
    ):
        width -= 1
    header = header[:width]
    # calamine returns a rectangle, so the frame is built in one go and cut to the header
    frame = pd.DataFrame(body, dtype=object) if body else pd.DataFrame(columns=range(width))
    if frame.shape[1] < width:
        for extra in range(frame.shape[1], width):
            frame[extra] = None
    frame = frame.iloc[:, :width]
    frame.columns = header
    return RawTable(
        path=path,
        frame=frame,
        format=kind,
        sheet=chosen,
        sheets=names,
        header_row=physical[header_idx],
        title_rows=[" ".join(cell_text(c) for c in r if _filled(c)) for r in rows[:header_idx]],
        lines=np.asarray(physical[header_idx + 1 :], dtype=np.int64),
        ragged=np.zeros(len(frame), dtype=bool),
        header_cells=[cell_text(c) for c in rows[header_idx]][:width],
    )


def _sheet_rows(book, name: str, path: Path) -> list[list[object]]:
    try:
        return book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine has its own error types for damaged sheets
        raise errors.CurtoolError(
            errors.CORRUPT_FILE,
            f"sheet «{name}» cannot be read ({str(exc)[:120]})",
            "open it in Excel or LibreOffice and save it again",
            path=path,
        ) from None


def _row_filled(row: list[object]) -> bool:
    # stops at the first filled cell, which in a data row is nearly always the first one
    return any(c is not None and c != "" and not (isinstance(c, str) and not c.strip()) for c in row)


def _filled(cell: object) -> bool:
    return cell is not None and not (isinstance(cell, str) and cell.strip() == "")


def cell_text(cell: object) -> str:
    """A cell as text: empty for None or NaN, whole floats without ".0", spaces trimmed."""
    if cell is None or (isinstance(cell, float) and cell != cell):
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()
