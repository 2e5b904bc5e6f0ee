"""How records lie in CSV bytes: quote-aware record scanning, rows a stray quote swallowed,
and the separator that ends a line."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from curtool.core.arrowtext import string_buffers

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
    """A line break followed by a line with a row's separators: see split_swallowed."""
    other = sep if sep.isalnum() else "\\t" if sep == "\t" else "\\" + sep
    return f"\n(?:[^\n{other}]*{other}){{{width - 1}}}"


def holds_rows(column, breaks: np.ndarray, sep: str, width: int) -> bool:
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


def spans_rows(data: bytes, structure: Records, first: int, sep: str, enc: str, width: int) -> bool:
    """Whether a record from ``first`` on spans lines that have a row's separators."""
    if width < 2:
        return False
    import re

    pattern = re.compile(_row_like_pattern(sep, width).encode("ascii"))
    for i in np.flatnonzero(structure.last_lines[first:] > structure.lines[first:]) + first:
        if pattern.search(data, int(structure.starts[i]), int(structure.ends[i])):
            return True
    return False


def split_swallowed(
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
        if any(f[:1] in ("\n", "\r") for f in body[i]):
            # a quoted cell that begins with a line break («;"⏎МО ""Город"""»): its quote opens
            # it at the line's end, written on purpose; a stray quote has text after it. Read
            # alone, the line before the break and the cell's next line may each have a row's
            # width («;1005;"» and «МО ""Город Майкоп""";1;»), and must not be split
            continue
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


def header_ends_blank(header_cells: list[str]) -> bool:
    """The header line ends with the separator: its last name is empty."""
    return len(header_cells) > 2 and not str(header_cells[-1]).strip()


def trailing_separator(
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
class Records:
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


def scan_records(buf: bytes, sep: str) -> Records:
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
    return Records(starts[keep], ends[keep], counts[keep], lines[keep], last_lines[keep])


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
