"""Writing results: atomic files, text that never becomes a formula, one table per format.

Every file curtool writes goes through :func:`atomic_path`: the data lands in a
temporary file in a private folder beside the target and is renamed over it only
when complete, so a run killed half-way leaves the previous file intact and no
partial output, and its scratch files go with the folder.
"""

from __future__ import annotations

import contextlib
import errno
import math
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from curtool.core import errors
from curtool.io import pagelayout
from curtool.io.csvdialects import CsvDialect, csv_dialect

TABLE_FORMATS = (".xlsx", ".csv", ".parquet", ".jsonl")
EXCEL_MAX_ROWS = 1_048_575  # one row is the header
EXCEL_MAX_COLUMNS = 16_384  # XFD; xlsxwriter silently drops what lies beyond
EXCEL_MAX_CELL = 32_767

# A cell that starts with one of these is read by Excel/LibreOffice as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?\d+([.,]\d+)?([eE][+-]?\d+)?$")

MAX_URL_LENGTH = 2_079  # Excel refuses a longer link
# a whole cell that is an http(s) address and nothing else; «www.x.ru», «javascript:…» or a
# sentence with a link inside stay text
_LINK = re.compile(r"^https?://[^\s\"<>{}|\\^`]+$", re.I)
# the columns whose addresses are made clickable, by name
_LINK_COLUMN = re.compile(r"(^|_)(url|link|href)s?$|ссылк", re.I)


def is_link(value: object) -> bool:
    """Is ``value`` an http(s) address Excel can open as a link?"""
    return isinstance(value, str) and len(value) <= MAX_URL_LENGTH and bool(_LINK.match(value))


def is_link_column(name: object) -> bool:
    """Does a column of this name hold links to posts (``_url``, «Ссылка», ``post_url``)?"""
    return bool(_LINK_COLUMN.search(str(name).strip()))


MAX_LINKS = 65_530  # Excel keeps at most this many links per sheet; the rest stay text


def write_link(sheet, row: int, col: int, value: str, link_fmt=None, text_fmt=None) -> bool:
    """An http(s) address as a clickable link, anything else as plain text; True if linked."""
    if is_link(value) and getattr(sheet, "hlink_count", 0) < MAX_LINKS:
        sheet.write_url(row, col, value, link_fmt, value)
        return True
    sheet.write_string(row, col, value, text_fmt)
    return False


def link_format(book):
    """The look of a link cell: blue, underlined."""
    return book.add_format({"font_color": "#0563C1", "underline": 1})


def check_writable(path: Path, force: bool, *, make_folder: bool = False) -> None:
    """Refuse to overwrite an existing file unless ``force``; the folder must exist (or is made)."""
    if path.exists() and not force:
        raise errors.CurtoolError(
            errors.OUTPUT_EXISTS,
            "output file already exists",
            "pass --force to overwrite it, or choose another name with -o",
            path=path,
        )
    if make_folder and not path.parent.exists():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise errors.CurtoolError(
                errors.OUTPUT_FAILED,
                f"cannot create folder {path.parent} ({exc.strerror})",
                "choose another -o",
                path=path,
            ) from None
    if not path.parent.exists():
        raise errors.CurtoolError(
            errors.OUTPUT_FAILED,
            f"folder {path.parent} does not exist",
            "create it first or choose another -o",
            path=path,
        )


def write_json(data: object, target: str | Path) -> Path:
    """``data`` as indented UTF-8 JSON (Cyrillic as is), written atomically."""
    import json

    with atomic_path(target) as tmp:
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return Path(target)


# A run's private work folder beside its output: the temporary file and every scratch file
# (xlsxwriter's constant-memory rows and XML parts, 100–370 MB for a large workbook) live in
# it, so one removal cleans up on any failure, and a folder a killed run left is swept by
# the next run once its process is gone.
_WORK_PREFIX = ".curtool-"
_WORK_NAME = re.compile(r"^\.curtool-(\d+)-")


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it over ``target`` on success.

    The temporary file sits in a private folder (:func:`scratch_dir` of the path) that is
    removed whatever happens; running out of disk space is ``disk-full``, not a traceback.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    _sweep_stale(target.parent)
    work = Path(tempfile.mkdtemp(prefix=f"{_WORK_PREFIX}{os.getpid()}-", dir=target.parent))
    tmp = work / f"{target.name}.tmp"
    try:
        tmp.touch()
        yield tmp
        # mkdtemp makes the folder private; give the file the mode a plain open() would have
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException as exc:
        if _no_space(exc):
            raise errors.CurtoolError(
                errors.DISK_FULL,
                "no space left on the device while writing; nothing was written",
                "free some space or write the output to another disk with -o",
                path=target,
            ) from None
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


def scratch_dir(tmp: Path) -> Path:
    """Where a writer working on ``tmp`` (from :func:`atomic_path`) keeps its scratch files."""
    return tmp.parent


def _no_space(exc: BaseException) -> bool:
    """Does ``exc``, or anything it wraps (xlsxwriter wraps OSError), say the disk is full?"""
    seen: set[int] = set()
    todo: list[object] = [exc]
    while todo:
        item = todo.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, OSError) and item.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        todo.extend([item.__cause__, item.__context__, *item.args])
    return False


def _sweep_stale(folder: Path) -> None:
    """Remove work folders of curtool runs that were killed (their process no longer exists)."""
    with contextlib.suppress(OSError):
        for entry in folder.iterdir():
            match = _WORK_NAME.match(entry.name)
            if match and entry.is_dir() and not _alive(int(match.group(1))):
                shutil.rmtree(entry, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def defuse_csv(value: object) -> object:
    """Prefix a ``'`` to text that a spreadsheet would run as a formula (CSV only)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.match(value):
        return "'" + value
    return value


def _formula_like(values: pd.Series) -> pd.Series:
    """True where a spreadsheet would run the cell as a formula (a number with a sign is data)."""
    if values.dtype == "str":
        return values.str.match(r"[=+@\t\r-]", na=False) & ~values.str.fullmatch(
            r"[+-]?[0-9]+([.,][0-9]+)?([eE][+-]?[0-9]+)?", na=False
        )
    return values.map(lambda v: defuse_csv(v) is not v).astype(bool)


def defuse_column(values: pd.Series) -> pd.Series:
    """:func:`defuse_csv` over a column, touching only the cells that need it."""
    return _defused(values)[0]


def _defused(values: pd.Series) -> tuple[pd.Series, int]:
    """:func:`defuse_column`, and how many cells it protected."""
    risky = _formula_like(values)
    count = int(risky.sum())
    if not count:
        return values, 0
    out = values.copy()
    out[risky] = "'" + values[risky]
    return out, count


def excel_value(value: object) -> object:
    """A value xlsxwriter can write: NaN/NaT become empty, long text is cut to Excel's limit."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().replace(tzinfo=None)
    if isinstance(value, np.generic):
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    if isinstance(value, str) and len(value) > EXCEL_MAX_CELL:
        return value[: EXCEL_MAX_CELL - 1] + "…"
    if isinstance(value, (list, tuple)):
        return "; ".join(map(str, value))
    return value


def workbook_options(scratch: Path | None = None) -> dict[str, object]:
    """xlsxwriter options every curtool workbook uses: text stays text; scratch files in
    ``scratch`` (the run's work folder, see :func:`atomic_path`) rather than TMPDIR."""
    return {
        "tmpdir": str(scratch) if scratch is not None else None,
        "strings_to_formulas": False,  # public text starting with "=" must stay text
        "strings_to_urls": False,  # links are written explicitly where wanted
        "strings_to_numbers": False,
        "nan_inf_to_errors": False,
        "remove_timezone": True,
    }


# the header cells of every curtool workbook: bold on pale blue, boxed
HEADER_STYLE = {"bold": True, "bg_color": "#DDEBF7", "border": 1}


def header_format(book, **extra: object):
    """The header cells' format in ``book`` (:data:`HEADER_STYLE`); ``extra`` adds to it, as the
    weekly report's wrapped, centred headers do."""
    return book.add_format({**HEADER_STYLE, **extra})


class Written(NamedTuple):
    """A table written: where, and how many text cells a CSV protected with a leading ``'``."""

    path: Path
    protected: int = 0


def write_table(
    frame: pd.DataFrame, path: str | Path, *, sheet_name: str = "data", dialect: str | None = None
) -> Written:
    """Write ``frame`` to ``path`` in the format its extension names, atomically; a CSV in
    the ``dialect`` named (:mod:`curtool.io.csvdialects`; None: the default, ``excel-ru``)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in TABLE_FORMATS:
        raise errors.CurtoolError(
            errors.BAD_OPTION,
            f"cannot write «{suffix or path.name}» files",
            f"name the output with one of {', '.join(TABLE_FORMATS)}",
            path=path,
        )
    if suffix == ".xlsx" and frame.shape[1] > EXCEL_MAX_COLUMNS:
        raise _too_wide(frame.shape[1], path)
    protected = 0
    with atomic_path(path) as tmp:
        if suffix == ".xlsx":
            write_excel_sheets({sheet_name: frame}, tmp)  # text is stored as text there
        elif suffix == ".csv":
            protected = write_csv(frame, tmp, dialect)
        elif suffix == ".parquet":
            frame.to_parquet(tmp, index=False)
        else:
            frame.to_json(tmp, orient="records", lines=True, force_ascii=False, date_format="iso")
    return Written(path, protected)


def _too_wide(columns: int, path: Path | None = None) -> errors.CurtoolError:
    # xlsxwriter drops the cells past XFD without a word, and curtool's results are the last
    # columns: the sector and row_issues were the ones lost. A table missing columns is not written.
    return errors.CurtoolError(
        errors.OUTPUT_FAILED,
        f"{columns:,} columns do not fit in one Excel sheet (limit {EXCEL_MAX_COLUMNS:,})",
        "write .csv or .parquet instead",
        path=path,
    )


_CSV_BATCH = 100_000


def write_csv(frame: pd.DataFrame, path: Path, dialect: str | CsvDialect | None = None) -> int:
    """``frame`` as CSV in ``dialect`` (default ``excel-ru``: ``;``, UTF-8 with a BOM, CRLF),
    text defused, written by Arrow in batches; returns how many cells (header included) were
    protected with a leading ``'``.

    Batches of rows keep the memory flat; pandas' own writer took 20 s for a million rows.
    """
    with open(path, "wb") as handle:
        writer = _CsvParts(handle, dialect)
        writer.write(frame)
        writer.close()
    return writer.protected


class _CsvParts:
    """Rows into one CSV, a frame at a time: BOM and header once, every batch in the first one's
    Arrow types, text defused (a header cell too: «=HYPERLINK(…)» as a column name) in every
    dialect."""

    def __init__(self, handle, dialect: str | CsvDialect | None = None) -> None:
        self.handle = handle
        self.protected = 0
        self.dialect = dialect if isinstance(dialect, CsvDialect) else csv_dialect(dialect)
        self._writer = None
        self._schema = None
        if self.dialect.bom:
            handle.write(b"\xef\xbb\xbf")

    def write(self, frame: pd.DataFrame) -> None:
        import pyarrow as pa
        import pyarrow.csv as pacsv

        names = [str(defuse_csv(str(c))) for c in frame.columns]
        if self._writer is None:
            self.protected += sum(n != str(c) for n, c in zip(names, frame.columns, strict=True))
        for start in range(0, max(len(frame), 1 if self._writer is None else 0), _CSV_BATCH):
            part = frame.iloc[start : start + _CSV_BATCH]
            arrays = []
            for i in range(part.shape[1]):
                array, count = _csv_array(part.iloc[:, i], self.dialect.decimal_comma)
                arrays.append(array)
                self.protected += count
            table = pa.Table.from_arrays(arrays, names=names)
            if self._writer is None:
                self._schema = table.schema
                options = pacsv.WriteOptions(delimiter=self.dialect.delimiter, eol=self.dialect.eol)
                self._writer = pacsv.CSVWriter(self.handle, table.schema, write_options=options)
            self._writer.write_table(table.cast(self._schema))

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()


def _csv_array(column: pd.Series, decimal_comma: bool = False):
    """One column as the Arrow type it is written as (the same type in every batch), and
    how many of its cells were protected; ``decimal_comma`` writes fractions «0,96»."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pd.api.types.is_datetime64_any_dtype(column):
        stamps = column.dt.tz_localize(None) if column.dt.tz is not None else column
        # whole seconds: "2026-09-14 10:00:00", not nine digits of nanoseconds
        array = pa.array(stamps.to_numpy(dtype="datetime64[s]"), type=pa.timestamp("s"), from_pandas=True)
        return array, 0
    if pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
        array = pa.array(column.to_numpy(), from_pandas=True)
        if decimal_comma and pa.types.is_floating(array.type):
            # a number as a Russian Excel reads one; the type is text in every batch alike
            text = pc.replace_substring(pc.cast(array, pa.large_string()), ".", ",")
            return text, 0
        return array, 0
    if column.dtype != "str":
        column = column.map(_csv_text).astype("str")
    text, count = _defused(column.fillna(""))
    return pa.array(text, type=pa.large_string()), count


def _csv_text(value: object) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, pd.Timestamp | datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, list | tuple):
        return "; ".join(map(str, value))
    return str(value)


def write_excel_sheets(sheets: dict[str, pd.DataFrame], path: Path) -> None:
    """Plain data sheets with a bold frozen header, autofilter and sensible widths."""
    import xlsxwriter

    options = workbook_options(scratch_dir(path)) | {"constant_memory": True}
    book = xlsxwriter.Workbook(str(path), options)
    try:
        header = header_format(book)
        date_fmt = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        for name, frame in sheets.items():
            write_frame(book, book.add_worksheet(name[:31]), frame, header, date_fmt)
        pagelayout.finish(book)
    finally:
        book.close()


def write_frame(
    book,
    sheet,
    frame: pd.DataFrame,
    header_fmt,
    date_fmt,
    first_row: int = 0,
    *,
    repeat: bool = True,
    wrap_long: bool = False,
    print_columns: int | None = None,
) -> None:
    """Write ``frame`` row by row (constant memory) with header, filter, freeze and widths;
    ``repeat``: its header is the sheet's, printed atop every page and frozen on screen.
    Columns named as links (:func:`is_link_column`) have their http(s) addresses clickable.
    ``wrap_long`` (a sheet meant to be read, not a data dump): long texts wrap in a column
    :data:`WRAP_WIDTH` wide and headers wrap at spaces.  The printed page holds the table's
    columns (the first ``print_columns`` of them, when given), never text spilling past it.

    Each column is turned into plain Python values once, with its writer chosen once;
    the row loop then only skips empties and calls that writer.
    """
    if len(frame) > EXCEL_MAX_ROWS:
        raise errors.CurtoolError(
            errors.OUTPUT_FAILED,
            f"{len(frame):,} rows do not fit in one Excel sheet (limit {EXCEL_MAX_ROWS:,})",
            "write .csv or .parquet instead",
        )
    if frame.shape[1] > EXCEL_MAX_COLUMNS:
        raise _too_wide(frame.shape[1])
    columns = [str(c) for c in frame.columns]
    pagelayout.write_header(sheet, first_row, 0, columns, header_fmt, repeat=repeat, wrap=wrap_long)
    link_fmt = None
    wrap_fmt = book.add_format({"text_wrap": True, "valign": "top"}) if wrap_long else None
    widths = [min(max(len(c), 8), 60) for c in columns]
    if wrap_long:
        widths = [max(8, math.ceil(pagelayout.least_width(c))) for c in columns]
    values: list[list[object]] = []
    writers = []
    for i in range(frame.shape[1]):
        column = frame.iloc[:, i]
        if pd.api.types.is_datetime64_any_dtype(column):
            stamps = column.dt.tz_localize(None) if column.dt.tz is not None else column
            values.append([None if pd.isna(v) else v.to_pydatetime() for v in stamps])
            writers.append(lambda r, c, v: sheet.write_datetime(r, c, v, date_fmt))
            widths[i] = max(widths[i], 16)
        elif pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
            values.append(column.astype(object).where(column.notna(), None).tolist())
            writers.append(sheet.write)
        elif column.dtype == "str" or (is_link_column(columns[i]) and column.dtype == object):
            values.append(column.where(column.notna(), None).tolist())
            if is_link_column(columns[i]):
                link_fmt = link_fmt or link_format(book)
                writers.append(_link_writer(sheet, link_fmt))
            sample = column.head(200).dropna().astype(str).str.len()
            longest = int(sample.max()) if len(sample) else 0
            if not is_link_column(columns[i]):
                writers.append(_string_writer(sheet, wrap_fmt if longest > WRAP_WIDTH else None))
            widths[i] = min(max(widths[i], longest + 2), WRAP_WIDTH if wrap_long else 60)
        else:
            values.append(column.tolist())
            writers.append(_any_writer(sheet, date_fmt))
            sample = [len(v) for v in column.head(200) if isinstance(v, str)]
            if sample:
                widths[i] = min(max(widths[i], max(sample) + 2), 60)
    wrapped = [i for i, w in enumerate(writers) if getattr(w, "wraps", False)]
    for r, row in enumerate(zip(*values, strict=True), start=first_row + 1):
        if wrapped:
            # a wrapped text needs its row made tall: neither Excel nor LibreOffice does it on opening
            lines = max(_text_lines(row[i], widths[i]) for i in wrapped)
            if lines > 1:
                sheet.set_row(r, pagelayout.LINE_HEIGHT * lines)
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            writers[c](r, c, value)
    for c, width in enumerate(widths):
        sheet.set_column(c, c, width)
    if columns:
        last = first_row + max(len(frame), 1)
        sheet.autofilter(first_row, 0, last, len(columns) - 1)
        sheet.print_area(0, 0, last, max(min(print_columns or len(columns), len(columns)) - 1, 0))
    if repeat:
        sheet.freeze_panes(first_row + 1, 0)


def _link_writer(sheet, link_fmt):
    def write(r: int, c: int, value: object) -> None:
        if isinstance(value, str):
            write_link(sheet, r, c, value[:EXCEL_MAX_CELL], link_fmt)

    return write


_MAX_LINES = 8  # a row taller than this is a page of its own; the cell still holds it all


def _text_lines(value: object, width: float) -> int:
    """Lines ``value`` wraps to in a column ``width`` wide: body text runs about one character
    per width unit (narrower than the bold headers :mod:`pagelayout` measures)."""
    if not isinstance(value, str) or not value:
        return 1
    room = max(width - 1, 1)
    lines = sum(max(1, math.ceil(len(part) / room)) for part in value.strip().split("\n"))
    return min(lines, _MAX_LINES)


def _string_writer(sheet, fmt=None):
    def write(r: int, c: int, value: object) -> None:
        if not isinstance(value, str):  # NaN in a text column
            return
        if len(value) > EXCEL_MAX_CELL:
            value = value[: EXCEL_MAX_CELL - 1] + "…"
        sheet.write_string(r, c, value, fmt)

    write.wraps = fmt is not None  # type: ignore[attr-defined]

    return write


def _any_writer(sheet, date_fmt):
    def write(r: int, c: int, value: object) -> None:
        value = excel_value(value)
        if value is None:
            return
        if isinstance(value, (datetime, date)):
            sheet.write_datetime(r, c, value, date_fmt)
        elif isinstance(value, str):
            sheet.write_string(r, c, value)
        else:
            sheet.write(r, c, value)

    return write


WRAP_WIDTH = 50  # a long text's column in a sheet meant to be read; the text wraps in it

STREAM_FORMATS = (".csv", ".parquet", ".jsonl")


class TableStream:
    """A table written part by part (CSV, Parquet, JSON lines) into one file, atomically: a
    job whose rows never sit in memory together (``classify --engine dask``) writes each part
    as it comes; the file appears whole when the stream closes, or not at all."""

    def __init__(self, path: str | Path, dialect: str | None = None) -> None:
        self.path = Path(path)
        self.dialect = csv_dialect(dialect)
        self.suffix = self.path.suffix.lower()
        if self.suffix not in STREAM_FORMATS:
            raise errors.CurtoolError(
                errors.BAD_OPTION,
                f"cannot write «{self.suffix or self.path.name}» in parts",
                f"name the output with one of {', '.join(STREAM_FORMATS)} (an Excel sheet holds "
                f"{EXCEL_MAX_ROWS:,} rows)",
                path=self.path,
            )
        self.rows = 0
        self._writer = None
        self._schema = None

    def __enter__(self) -> TableStream:
        self._atomic = atomic_path(self.path)
        tmp = self._atomic.__enter__()
        self._handle = open(tmp, "wb")  # closed in __exit__
        if self.suffix == ".csv":
            self._writer = _CsvParts(self._handle, self.dialect)
        return self

    def write(self, frame: pd.DataFrame) -> None:
        import pyarrow as pa

        if self.suffix == ".jsonl":
            self._handle.write(
                frame.to_json(orient="records", lines=True, force_ascii=False, date_format="iso").encode()
            )
        elif self.suffix == ".parquet":
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(frame, preserve_index=False)
            if self._writer is None:
                self._schema = table.schema
                self._writer = pq.ParquetWriter(self._handle, table.schema)
            self._writer.write_table(table.cast(self._schema))
        else:
            self._writer.write(frame)
        self.rows += len(frame)

    @property
    def protected(self) -> int:
        """Cells a CSV protected with a leading ``'``."""
        return self._writer.protected if isinstance(self._writer, _CsvParts) else 0

    def __exit__(self, kind, value, trace) -> None:
        try:
            if self._writer is not None:
                self._writer.close()
            self._handle.close()
        finally:
            self._atomic.__exit__(kind, value, trace)
