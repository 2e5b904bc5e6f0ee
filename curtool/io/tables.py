"""A file as read (RawTable) and what every reader shares: the header row's choice and names,
cells as text, Arrow tables into frames, the garbage collector paused for millions of rows.

Returns the file's own columns untouched (text as text, Excel values as typed
by the workbook) plus what was learned about the file; mapping columns to
meaning is :mod:`curtool.core.mapping`'s job.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from curtool.core.mapping import KNOWN_HEADERS, norm_header

HEADER_SCAN_ROWS = 30


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


def pick_header_row(rows: list[list[object]]) -> int:
    """Index (0-based) of the header among the first rows: known names first, else the widest."""
    scored = []
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        cells = [c for c in row if c is not None and str(c).strip() != ""]
        known = sum(1 for c in cells if norm_header(c) in KNOWN_HEADERS)
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
    known = any(bool(norm_header(cells[i])) and norm_header(cells[i]) in KNOWN_HEADERS for i in filled)
    leaves_named = any(top[i] and not (cells[i] if i < len(cells) else "") for i in range(len(top)))
    if not group or not known or not leaves_named:
        return None
    names = []
    for i, name in enumerate(top):
        sub = cells[i] if i < len(cells) else ""
        if not sub or sub == name:
            names.append(name)
        elif not name or norm_header(sub) in KNOWN_HEADERS:
            names.append(sub)
        else:
            names.append(f"{name} {sub}")
    return names


def one_chunk_frame(table, keep: np.ndarray | None = None) -> pd.DataFrame:
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


def unique_names(cells: list[str]) -> list[str]:
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


def cell_text(cell: object) -> str:
    """A cell as text: empty for None or NaN, whole floats without ".0", spaces trimmed."""
    if cell is None or (isinstance(cell, float) and cell != cell):
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()
