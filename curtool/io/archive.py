"""Zip containers (.xlsx, .ods, model .npz) checked before anything unpacks them.

A workbook is a zip of XML parts; the readers (calamine in Rust, numpy for models)
unpack a part whole into memory. A zip bomb (a 1 MB .xlsx holding a 1 GiB string took
more than 8 GB) and one stray cell far from the data (a 6 KB .xlsx with a cell at
XFD1048576 made calamine ask for 512 GiB and abort the process) are refused here, with
a ``too-large`` line that names the limit and how to raise it.

What is checked, in order:

1. the zip directory: the sizes the parts unpack to (total) and how much smaller they
   are packed (ratio). Real exports pack 3–15×: measured 6.8× for a 100,000-row
   «Инцидент Менеджмент» sheet (143 MB of XML), 2–5× for the small parts. A cell holds
   a row number that changes every row, so deflate cannot repeat long runs; beyond 50×
   a part is a run of repeated bytes, not data.
2. the parts themselves, unpacked as a stream (never whole): a part whose real size
   differs from the directory's is damaged or forged. Parts over ``_VERIFY_BYTES`` are
   left to the ratio bound, because unpacking costs time (0.38 s per 143 MB, a fifth of
   the 2.1 s load of such a sheet; with the scan below 0.78 s).
3. for worksheets, the rectangle calamine will allocate: it builds a dense grid of
   32-byte cells from the first to the last filled row and column. The filled cells'
   references are read from the XML (numpy over the unpacked stream); a rectangle far
   larger than the part itself means stray cells.
"""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from curtool.core import errors

MAX_UNPACKED_ENV = "CURTOOL_MAX_UNPACKED_MB"
MAX_RATIO_ENV = "CURTOOL_MAX_ZIP_RATIO"
DEFAULT_MAX_UNPACKED_MB = 4096  # a full sheet (1,048,576 rows × 47 columns) is ~1.5 GB of XML
DEFAULT_MAX_RATIO = 50
_RATIO_FLOOR = 8 << 20  # smaller parts may pack as tightly as they like: they stay small
_VERIFY_BYTES = 32 << 20  # ~22,000 rows of a 47-column export: unpacked and scanned in ~0.18 s
_CHUNK = 16 << 20
_CELL_BYTES = 32  # calamine's cell (Data enum); 16384 × 1048576 × 32 = the 512 GiB of the abort
_GRID_FLOOR = 512 << 20  # a grid this big is allowed whatever the part's size
_GRID_PER_XML_BYTE = 8  # a filled grid takes ~1.1 bytes per byte of XML (measured); 8 leaves room for gaps
MAX_SHEET_CELLS_NOTE = "delete the stray cells (Ctrl+End in Excel goes to the last one) and save again"


@dataclass
class Extent:
    """The filled cells of a worksheet part: 1-based last row and column, and their count."""

    rows: int
    columns: int
    first_row: int
    first_column: int
    cells: int
    far_cell: str  # the reference of the filled cell that stretches the rectangle most


def limit(env: str, default: int) -> int:
    """A limit from the environment, or its default; a bad value is a clear error."""
    raw = os.environ.get(env, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise errors.CurtoolError(
            errors.BAD_OPTION,
            f"{env}={raw!r} is not a positive whole number",
            f"e.g. {env}={default}",
        )
    return value


def check_zip(path: Path, what: str = "workbook", ratio_scale: int = 1) -> zipfile.ZipFile | None:
    """Refuse a zip whose parts cannot be real; returns it open (None if it is no zip).

    ``ratio_scale`` multiplies the ratio limit: a model's vocabulary is fixed-width UTF-32
    text, mostly padding, and packs far tighter than a workbook (17× for the shipped one).
    The caller closes the zip. Only the directory is read here: no part is unpacked.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return None
    try:
        _check_directory(archive, path, what, ratio_scale)
    except BaseException:
        archive.close()
        raise
    return archive


def _check_directory(archive: zipfile.ZipFile, path: Path, what: str, ratio_scale: int) -> None:
    max_mb = limit(MAX_UNPACKED_ENV, DEFAULT_MAX_UNPACKED_MB)
    max_ratio = limit(MAX_RATIO_ENV, DEFAULT_MAX_RATIO) * ratio_scale
    infos = archive.infolist()
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    if total > max_mb << 20:
        raise errors.CurtoolError(
            errors.TOO_LARGE,
            f"the {what} unpacks to {_size(total)}, more than the limit of {max_mb:,} MB",
            f"if it is genuine, raise the limit: {MAX_UNPACKED_ENV}={_raise(total >> 20)} curtool …",
            path=path,
        )
    worst = max(infos, key=lambda i: i.file_size / max(i.compress_size, 1), default=None)
    parts = [(i.filename, i.file_size, i.compress_size) for i in infos if i.file_size >= _RATIO_FLOOR]
    if total >= _RATIO_FLOOR:
        parts.append(("", total, packed))
    for name, size, compressed in parts:
        ratio = size / max(compressed, 1)
        if ratio > max_ratio:
            name = name or (worst.filename if worst else "")
            raise errors.CurtoolError(
                errors.TOO_LARGE,
                f"«{name}» in the {what} unpacks to {_size(size)} from {_size(compressed)} "
                f"({ratio:,.0f}× packed; real files pack under {max_ratio}×): a zip bomb, not data",
                f"if it is genuine, raise the limit: {MAX_RATIO_ENV}={_raise(int(ratio) // ratio_scale)} "
                "curtool …",
                path=path,
            )


def verify_parts(archive: zipfile.ZipFile, path: Path, skip: set[str] | frozenset[str] = frozenset()) -> None:
    """Unpack the parts up to ``_VERIFY_BYTES`` (but ``skip``) as a stream: their real size must
    be the one the directory gives, which the ratio check relied on."""
    for info in archive.infolist():
        if info.filename in skip or info.file_size > _VERIFY_BYTES:
            continue
        _stream(archive, info, path, lambda chunk: None)


def sheet_extent(archive: zipfile.ZipFile, part: str, path: Path) -> Extent | None:
    """The filled cells of worksheet ``part`` (None when the part is missing).

    A big part whose ``<dimension>`` declares a grid within the budget is trusted without
    unpacking it (see the module's docstring): scanning a 1.4 GB sheet costs ~8 s. Such a
    part that lies about its dimension is not caught.
    """
    try:
        info = archive.getinfo(part)
    except KeyError:
        return None
    if info.file_size > _VERIFY_BYTES:
        declared = _declared_extent(archive, info)
        if declared is not None and not too_wide(declared, info.file_size):
            return declared
    scan = _RefScan()
    _stream(archive, info, path, scan.feed)
    return scan.extent()


def too_wide(extent: Extent, xml_bytes: int) -> bool:
    """Would calamine's dense grid for these cells be far bigger than the XML they came from?"""
    grid = (extent.rows - extent.first_row + 1) * (extent.columns - extent.first_column + 1)
    return grid * _CELL_BYTES > max(_GRID_FLOOR, _GRID_PER_XML_BYTE * xml_bytes)


def refuse_stray_cells(extent: Extent, sheet: str, path: Path, others: bool = False) -> errors.CurtoolError:
    """The refusal; ``others``: the workbook has other sheets, which --sheet reads alone."""
    first = f"{column_name(extent.first_column)}{extent.first_row}"
    last = f"{column_name(extent.columns)}{extent.rows}"
    grid = (extent.rows - extent.first_row + 1) * (extent.columns - extent.first_column + 1)
    return errors.CurtoolError(
        errors.TOO_LARGE,
        f"sheet «{sheet}» spans {first}:{last} ({grid:,} cells) but only {extent.cells:,} are filled: "
        f"a stray cell far from the data (at {extent.far_cell})",
        MAX_SHEET_CELLS_NOTE + (", or read another sheet alone with --sheet" if others else ""),
        path=path,
    )


def column_name(number: int) -> str:
    """1 → A, 27 → AA, 16384 → XFD."""
    name = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        name = chr(65 + rest) + name
    return name


def _stream(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, feed) -> None:
    """Unpack one part chunk by chunk; zipfile stops at the declared size and checks the CRC."""
    got = 0
    try:
        with archive.open(info) as handle:
            while chunk := handle.read(_CHUNK):
                got += len(chunk)
                feed(chunk)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
        raise errors.CurtoolError(
            errors.CORRUPT_FILE,
            f"part «{info.filename}» is damaged ({str(exc)[:80]})",
            "open it in Excel or LibreOffice and save it again",
            path=path,
        ) from None
    if got != info.file_size:
        raise errors.CurtoolError(
            errors.CORRUPT_FILE,
            f"part «{info.filename}» unpacks to {got:,} bytes, not the {info.file_size:,} its directory says",
            "open it in Excel or LibreOffice and save it again",
            path=path,
        )


_ROWS_REPEATED = re.compile(rb'number-rows-repeated="(\d+)"')
_COLUMNS_REPEATED = re.compile(rb'number-columns-repeated="(\d+)"')
ODS_CELL_FLOOR = 8_000_000  # cells an .ods sheet may unfold to whatever its size (~70 bytes each in Python)
_ODS_XML_BYTES_PER_CELL = 4  # a written cell takes ~40–60 bytes of XML; a tenth of that is the limit


@dataclass
class Unfolded:
    """What ``content.xml`` unfolds to: filled cells, and the largest sheet's grid up to its last one."""

    cells: int
    grid: int
    sheet: int  # 1-based number of the sheet with that grid
    xml_bytes: int


def ods_cells(archive: zipfile.ZipFile, path: Path) -> Unfolded:
    """Count, from the tags, what calamine will unfold ``content.xml`` to.

    A row or cell may say it repeats (``table:number-rows-repeated="100000"``): 1.5 KB of XML
    unfolded to 20 million filled cells and 2.7 GB; another 1.5 KB, 60,000 empty rows and one
    cell at column 1501 below them, to a grid of 90 million cells and 6.3 GB. Empty cells (no
    ``office:value-type``) only count where a filled one lies beyond them: LibreOffice writes
    the rest of every sheet that way.
    """
    try:
        info = archive.getinfo("content.xml")
    except KeyError:
        return Unfolded(0, 0, 0, 0)
    data = bytearray()
    _stream(archive, info, path, data.extend)
    # tags found with numpy, not one Python object per match: 1 M cells in 0.3 s, not 1.6 s
    a = np.frombuffer(data, dtype=np.uint8)
    opens = _find(a, _OPEN)  # every tag below starts so: searched once
    tables = _tags(a, b"<table:table", opens)
    tables = tables if len(tables) else np.zeros(1, np.int64)
    row_at = _tags(a, b"<table:table-row", opens)
    cell_at = np.sort(
        np.concatenate([_tags(a, b"<table:table-cell", opens), _tags(a, b"<table:covered-table-cell", opens)])
    )
    if not len(row_at) or not len(cell_at):
        return Unfolded(0, 0, 0, len(data))
    closes = np.flatnonzero(a == ord(">"))
    row_repeat = _attribute_values(data, _ROWS_REPEATED, row_at, closes)
    cell_repeat = _attribute_values(data, _COLUMNS_REPEATED, cell_at, closes)
    equals = np.flatnonzero(a == ord("=")) - len(b"value-type")  # "=" is rarer than "v" in text
    filled = _inside(_find(a, b"value-type=", equals[equals >= 0]), cell_at, closes)
    # rows are numbered within their sheet: a running count of repeats, restarted at each sheet
    row_table = np.searchsorted(tables, row_at, side="right") - 1
    ends = np.cumsum(row_repeat)
    table_base = np.zeros(len(tables), dtype=np.int64)
    first_row = np.flatnonzero(np.r_[True, row_table[1:] != row_table[:-1]])
    table_base[row_table[first_row]] = ends[first_row] - row_repeat[first_row]
    row_end = ends - table_base[row_table]  # 1-based last row each row element covers
    # cells are numbered within their row the same way
    cell_row = np.maximum(np.searchsorted(row_at, cell_at, side="right") - 1, 0)
    col_ends = np.cumsum(cell_repeat)
    starts = np.flatnonzero(np.r_[True, cell_row[1:] != cell_row[:-1]])
    base = np.repeat(col_ends[starts] - cell_repeat[starts], np.diff(np.r_[starts, len(cell_row)]))
    col_end = col_ends - base
    unfolded = int((cell_repeat[filled] * row_repeat[cell_row[filled]]).sum())
    if not filled.any():
        return Unfolded(0, 0, 0, len(data))
    table_of_cell = row_table[cell_row[filled]]
    last_row = np.zeros(len(tables), dtype=np.int64)
    last_col = np.zeros(len(tables), dtype=np.int64)
    np.maximum.at(last_row, table_of_cell, row_end[cell_row[filled]])
    np.maximum.at(last_col, table_of_cell, col_end[filled])
    grids = last_row * last_col
    worst = int(np.argmax(grids))
    return Unfolded(unfolded, int(grids[worst]), worst + 1, len(data))


def _find(a: np.ndarray, needle: bytes, within: np.ndarray | None = None, known: int = 0) -> np.ndarray:
    """Start positions of ``needle`` (among the positions ``within``, whose first ``known`` bytes
    already match), each byte filtering the candidates of the one before."""
    at = np.flatnonzero(a[: max(len(a) - len(needle), 0)] == needle[0]) if within is None else within
    at = at[at + len(needle) < len(a)]
    for k in range(max(known, 1 if within is None else 0), len(needle)):
        at = at[a[at + k] == needle[k]]
    return at


_OPEN = b"<table:"


def _tags(a: np.ndarray, name: bytes, opens: np.ndarray) -> np.ndarray:
    """Start positions of the tags ``name`` (followed by a space, ">" or "/") among ``opens``."""
    at = _find(a, name, opens, known=len(_OPEN))
    after = a[at + len(name)]
    return at[(after == 32) | (after == 9) | (after == 10) | (after == 13) | (after == 62) | (after == 47)]


def _owners(where: np.ndarray, tags: np.ndarray, closes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For positions ``where``: the tag each lies inside (index into ``tags``), and whether it does."""
    owner = np.searchsorted(tags, where, side="right") - 1
    if not len(closes):
        return owner, np.zeros(len(where), bool)
    ends = closes[np.minimum(np.searchsorted(closes, tags[np.maximum(owner, 0)]), len(closes) - 1)]
    return owner, (owner >= 0) & (where < ends)


def _inside(where: np.ndarray, tags: np.ndarray, closes: np.ndarray) -> np.ndarray:
    """Per tag: does one of the positions ``where`` lie inside it?"""
    has = np.zeros(len(tags), bool)
    owner, inside = _owners(where, tags, closes)
    has[owner[inside]] = True
    return has


def _attribute_values(
    data: bytearray, pattern: re.Pattern[bytes], tags: np.ndarray, closes: np.ndarray
) -> np.ndarray:
    """Per tag: the number ``pattern`` captures inside it, 1 where absent.

    Repeats are written for runs only, so they are few and a regex finds them all.
    """
    values = np.ones(len(tags), dtype=np.int64)
    found = [(m.start(), int(m[1])) for m in pattern.finditer(data)]
    if not found or not len(tags):
        return values
    where, number = (np.asarray(x, dtype=np.int64) for x in zip(*found, strict=True))
    owner, inside = _owners(where, tags, closes)
    values[owner[inside]] = number[inside]
    return values


def refuse_unfolded(unfolded: Unfolded, path: Path) -> errors.CurtoolError | None:
    allowed = max(ODS_CELL_FLOOR, unfolded.xml_bytes // _ODS_XML_BYTES_PER_CELL)
    size = _size(unfolded.xml_bytes)
    if unfolded.cells > allowed:
        what = f"its {size} of cells unfold to {unfolded.cells:,} filled cells"
    elif unfolded.grid > allowed:
        what = f"its sheet {unfolded.sheet} unfolds to a grid of {unfolded.grid:,} cells from {size} of XML"
    else:
        return None
    return errors.CurtoolError(
        errors.TOO_LARGE,
        f"{what} (rows and cells marked as repeated; at most {allowed:,} for that size): a bomb, not data",
        "if it is genuine, save it from LibreOffice as .xlsx, which writes every cell",
        path=path,
    )


_DIMENSION = re.compile(rb'<dimension\s+ref="\$?([A-Z]{1,3})\$?(\d{1,7})(?::\$?([A-Z]{1,3})\$?(\d{1,7}))?"')


def _declared_extent(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Extent | None:
    try:
        with archive.open(info) as handle:
            head = handle.read(64 << 10)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return None
    match = _DIMENSION.search(head)
    if not match:
        return None
    first_col, first_row = _column_number(match[1]), int(match[2])
    last_col = _column_number(match[3]) if match[3] else first_col
    last_row = int(match[4]) if match[4] else first_row
    return Extent(last_row, last_col, first_row, first_col, 0, f"{column_name(last_col)}{last_row}")


_TAG_ATTRS = re.compile(r'([\w:]+)\s*=\s*"([^"]*)"')


def xlsx_sheet_parts(archive: zipfile.ZipFile, hidden: set[str] | None = None) -> dict[str, str]:
    """Sheet name → worksheet part (``xl/worksheets/sheet1.xml``), from the workbook's own index.

    The names of hidden sheets (``state="hidden"`` or ``"veryHidden"``) are added to ``hidden``.
    """
    import html

    try:
        book = archive.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return {}
    targets = {}
    for tag in re.findall(r"<(?:\w+:)?Relationship\b[^>]*>", rels):
        attrs = dict(_TAG_ATTRS.findall(tag))
        target = attrs.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        targets[attrs.get("Id", "")] = target
    parts = {}
    for tag in re.findall(r"<(?:\w+:)?sheet\b[^>]*>", book):
        attrs = _TAG_ATTRS.findall(tag)
        name = next((html.unescape(v) for k, v in attrs if k == "name"), None)
        rid = next((v for k, v in attrs if k.endswith(":id")), None)
        if name is not None and rid in targets:
            parts[name] = targets[rid]
        if name is not None and hidden is not None and dict(attrs).get("state", "visible") != "visible":
            hidden.add(name)
    return parts


def _column_number(letters: bytes) -> int:
    number = 0
    for byte in letters:
        number = number * 26 + byte - 64
    return number


class _RefScan:
    """Min/max row and column of the filled cells (``<c r="B12" …>…</c>``), numpy over chunks.

    A cell's reference follows `` r="``; a row's (``<row r="12"``) has no letters and is not
    counted. A self-closing cell (``<c r="B12" s="3"/>``) holds only formatting: calamine
    leaves it out of its grid, and so does this scan. Cells written without a reference
    (allowed, rare) are not seen.
    """

    _TAIL = 64  # a reference and its tag's end fit in this: kept for the next chunk

    def __init__(self) -> None:
        self.carry = b""
        self.rows = self.columns = self.cells = 0
        self.first_row = self.first_column = 1 << 40
        self.far = (0, 0)  # (row, column) of the last filled cell of the last row

    def feed(self, chunk: bytes, final: bool = False) -> None:
        data = self.carry + chunk
        a = np.frombuffer(data, dtype=np.uint8)
        end = len(a) if final else len(a) - self._TAIL
        if end <= 1:
            self.carry = b"" if final else data
            return
        # positions 1 .. end-1 are read now; the byte before ``end`` starts the carry, so a
        # reference whose "r" is at ``end`` is read next time with its space before it
        self.carry = b"" if final else data[end - 1 :]
        q = np.flatnonzero(a[1:end] == ord("r")) + 1
        q = q[(a[q - 1] == 32) & (a[q + 1] == ord("=")) & (a[q + 2] == ord('"'))]
        if len(q):
            self._count(a, q)

    def _count(self, a: np.ndarray, q: np.ndarray) -> None:
        padded = np.concatenate([a, np.zeros(16, np.uint8)])
        start = q + 3
        column = np.zeros(len(q), np.int64)
        letters = np.zeros(len(q), np.int64)
        alive = np.ones(len(q), bool)
        for k in range(3):
            byte = padded[start + k].astype(np.int64)
            alive &= (byte >= 65) & (byte <= 90)
            column = np.where(alive, column * 26 + byte - 64, column)
            letters += alive
        row = np.zeros(len(q), np.int64)
        alive = letters > 0
        for k in range(8):
            byte = padded[start + letters + k].astype(np.int64)
            alive &= (byte >= 48) & (byte <= 57)
            row = np.where(alive, row * 10 + byte - 48, row)
        # the tag's end: "/>" means formatting only, no value
        closes = np.flatnonzero(a == ord(">"))
        at = np.searchsorted(closes, q)
        found = at < len(closes)
        tag_end = closes[np.minimum(at, len(closes) - 1)] if len(closes) else q
        empty = found & (padded[np.maximum(tag_end - 1, 0)] == ord("/"))
        keep = (letters > 0) & (row > 0) & ~empty
        if not keep.any():
            return
        row, column = row[keep], column[keep]
        self.cells += int(keep.sum())
        self.first_row = min(self.first_row, int(row.min()))
        self.first_column = min(self.first_column, int(column.min()))
        self.rows = max(self.rows, int(row.max()))
        self.columns = max(self.columns, int(column.max()))
        best = int(np.argmax(row * 16384 + column))
        self.far = max(self.far, (int(row[best]), int(column[best])))

    def extent(self) -> Extent:
        self.feed(b"", final=True)
        if not self.cells:
            return Extent(0, 0, 1, 1, 0, "")
        far = f"{column_name(self.far[1])}{self.far[0]}"
        return Extent(self.rows, self.columns, self.first_row, self.first_column, self.cells, far)


def _size(n: int) -> str:
    for unit, shift in (("GB", 30), ("MB", 20), ("KB", 10)):
        if n >= 1 << shift:
            return f"{n / (1 << shift):,.1f} {unit}"
    return f"{n} bytes"


def _raise(needed: int) -> int:
    """A round limit above ``needed``."""
    value = 1
    while value <= needed:
        value *= 2
    return value
