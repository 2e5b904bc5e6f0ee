"""How every sheet of every workbook curtool writes reads on screen and on paper.

The writers put their column headers down with :func:`write_header` (or note them with
:func:`mark_header`); that small registry, kept per worksheet, is all :func:`finish` needs.
Called once after the writers, :func:`finish` walks ``book.worksheets()`` and gives each
sheet the same print layout: A4 landscape, one page wide (any height), the table's header
row repeated on every page and frozen on screen, narrow margins, a footer with the sheet's
name and «стр. N из M».  A sheet a writer forgets to register still prints the same way,
its header row then taken from its frozen panes.  Each header column is widened to its
longest word, so a wrapped header breaks between words, never inside one.
"""

from __future__ import annotations

import math
import re
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field

A4 = 9  # Excel's paper code
FOOTER = "&L&8&A&R&8стр. &P из &N"
MARGINS = {"left": 0.4, "right": 0.4, "top": 0.5, "bottom": 0.6}
LINE_HEIGHT = 15  # points per line of 11-point text
CYRILLIC_WIDTH = 1.1  # a Cyrillic letter is about 1.1 of the digit width Excel counts in
BOLD_PAD = 1.5  # the bold header's extra width and the cell's inner margins

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


@dataclass
class _Headers:
    rows: dict[int, dict[int, str]] = field(default_factory=dict)  # row → column → header text
    repeat: int | None = None  # the header row printed on every page and frozen on screen
    freeze_col: int = 0
    wrap: set[int] = field(default_factory=set)  # header rows whose text wraps


_REGISTRY: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _headers(sheet) -> _Headers:
    entry = _REGISTRY.get(sheet)
    if entry is None:
        entry = _REGISTRY[sheet] = _Headers()
    return entry


def write_header(
    sheet,
    row: int,
    col: int,
    names: Iterable[object],
    fmt=None,
    *,
    repeat: bool = False,
    wrap: bool = True,
) -> list[str]:
    """Write a table's header cells as text and register them (see :func:`mark_header`)."""
    texts = [str(n) for n in names]
    for c, text in enumerate(texts, start=col):
        sheet.write_string(row, c, text, fmt)
    mark_header(sheet, row, col, texts, repeat=repeat, wrap=wrap)
    return texts


def mark_header(
    sheet,
    row: int,
    col: int = 0,
    texts: Iterable[str] = (),
    *,
    repeat: bool = True,
    wrap: bool = True,
    freeze_col: int | None = None,
) -> None:
    """Register a header row: its texts set the columns' least widths; ``repeat`` makes it
    the row printed atop every page and frozen on screen (the sheet's first such row wins)."""
    entry = _headers(sheet)
    cells = entry.rows.setdefault(row, {})
    for c, text in enumerate(texts, start=col):
        cells[c] = str(text)
    if wrap:
        entry.wrap.add(row)
    if repeat and entry.repeat is None:
        entry.repeat = row
    if freeze_col is not None:
        entry.freeze_col = freeze_col


def header_row(sheet) -> int | None:
    """The sheet's repeated header row: registered, else the row above its frozen panes."""
    entry = _REGISTRY.get(sheet)
    if entry is not None and entry.repeat is not None:
        return entry.repeat
    panes = getattr(sheet, "panes", None)
    if panes and panes[0] and panes[0] > 0:
        return int(panes[0]) - 1
    return None


def text_width(text: str) -> float:
    """``text``'s width in Excel's column units (digit widths): Cyrillic letters are wider."""
    return sum(CYRILLIC_WIDTH if _CYRILLIC.match(ch) else 1.0 for ch in text)


def least_width(header: str, wrap: bool = True) -> float:
    """The narrowest column in which ``header`` breaks only between words (the whole of it
    when it does not wrap)."""
    words = header.split() if wrap else [header]
    return max((text_width(w) for w in words), default=0.0) + BOLD_PAD


def header_lines(header: str, width: float) -> int:
    """How many lines ``header`` takes in a column ``width`` wide, breaking at spaces."""
    lines, used = 1, 0.0
    room = max(width - BOLD_PAD, 1.0)
    for word in header.split():
        w = text_width(word)
        if used and used + 1 + w > room:
            lines, used = lines + 1, w
        else:
            used = used + 1 + w if used else w
    return lines


def _fit_headers(sheet, entry: _Headers) -> None:
    for row, cells in entry.rows.items():
        wrap = row in entry.wrap
        for col, text in cells.items():
            need = least_width(text, wrap)
            if need > column_width(sheet, col):
                sheet.set_column(col, col, math.ceil(need), _column_format(sheet, col))
        if not wrap or getattr(sheet, "constant_memory", False):
            continue  # a streamed sheet's rows are on disk already
        lines = max((header_lines(t, column_width(sheet, c)) for c, t in cells.items()), default=1)
        height, fmt = _row(sheet, row)
        if lines * LINE_HEIGHT + 3 > height:
            sheet.set_row(row, lines * LINE_HEIGHT + 3, fmt)


# xlsxwriter keeps what set_column/set_row set: from 3.3 as dataclasses in pixels, before
# as lists in Excel's units (character widths, points)


def column_width(sheet, col: int) -> float:
    """The width set for ``col``, in Excel's character units (8.43 when none was set)."""
    info = sheet.col_info.get(col)
    if info is None:
        return 8.43
    if isinstance(info, list):
        return 8.43 if info[0] is None else float(info[0])
    if info.width is None:
        return 8.43
    pixels, digit, padding = float(info.width), sheet.max_digit_width, sheet.cell_padding
    if pixels <= digit + padding:
        return pixels / (digit + padding)
    return (pixels - padding) / digit


def _column_format(sheet, col: int):
    info = sheet.col_info.get(col)
    if info is None:
        return None
    return info[1] if isinstance(info, list) else info.column_format


def _row(sheet, row: int) -> tuple[float, object]:
    """The height (points) and format set for ``row``."""
    rows = getattr(sheet, "row_info", None)
    if rows is not None:
        info = rows.get(row)
        if info is None or info.height is None:
            return LINE_HEIGHT, info.row_format if info is not None else None
        return info.height * 0.75, info.row_format
    info = sheet.set_rows.get(row)
    if info is None or info[0] is None:
        return LINE_HEIGHT, info[1] if info is not None else None
    return float(info[0]), info[1]


def print_layout(sheet) -> None:
    """A4 landscape, one page wide, the header row on every page and frozen on screen."""
    sheet.set_paper(A4)
    sheet.set_landscape()
    sheet.set_margins(**MARGINS)
    sheet.fit_to_pages(1, 0)
    sheet.set_footer(FOOTER)
    row = header_row(sheet)
    if row is None:
        return
    sheet.repeat_rows(row)
    entry = _REGISTRY.get(sheet)
    panes = getattr(sheet, "panes", None)
    col = entry.freeze_col if entry is not None and entry.freeze_col else (panes[1] if panes else 0)
    sheet.freeze_panes(row + 1, col)


def finish(book) -> None:
    """Header widths and the print layout on every sheet of ``book``; call before ``close``."""
    for sheet in book.worksheets():
        entry = _REGISTRY.get(sheet)
        if entry is not None:
            _fit_headers(sheet, entry)
        print_layout(sheet)
