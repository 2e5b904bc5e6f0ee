"""The one loading function every command uses: files in, one normalised frame out.

``load()`` reads every file (CSV/TSV/XLSX/XLS/ODS, globs allowed), maps the
columns to canonical fields, adds the derived ``_`` columns described in
``docs/DESIGN.md`` and marks row problems with stable codes.  No row is ever
dropped: duplicates and unreadable dates are kept and marked.
"""

from __future__ import annotations

import glob
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from curtool.core import columns as C
from curtool.core import errors
from curtool.core.dates import parse_dates
from curtool.core.districts import Gazetteer, normalise_districts
from curtool.core.duplicates import mark_duplicates
from curtool.core.issues import add_issue, count_codes, join_codes
from curtool.core.mapping import column_letter, first_line_is_data, known_names, map_columns, require_text
from curtool.core.reach import parse_counts
from curtool.core.text import TEXT_DTYPE, blank, clean_series
from curtool.io.configfile import Config
from curtool.io.formats import read_table
from curtool.io.sidefiles import read_gazetteer
from curtool.io.tables import RawTable, cell_text, gc_paused


@dataclass
class FileReport:
    """How one file was read: what an analyst checks first on a new export."""

    path: Path
    format: str
    encoding: str | None
    separator: str | None
    sheet: str | None
    sheets: list[str]
    header_row: int
    title_rows: list[str]
    mapping: dict[str, str]
    rows: int
    issues: dict[str, int] = field(default_factory=dict)
    bad_dates: list[tuple[int, str, str]] = field(default_factory=list)  # (line, column, value)
    ragged_lines: list[int] = field(default_factory=list)
    swallowed_lines: list[int] = field(default_factory=list)  # rows a stray quote had merged
    sheets_read: list[str] = field(default_factory=list)  # when rows come from several sheets


@dataclass
class Dataset:
    """All rows of all files: originals plus derived ``_`` columns."""

    frame: pd.DataFrame
    files: list[FileReport]
    unknown_districts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # said on stderr and in the run log

    def known_fields(self) -> set[str]:
        """The fields (``first_answer``, ``closed``…) some input file has a column for."""
        return {fld for report in self.files for fld in report.mapping}

    @property
    def messages(self) -> pd.DataFrame:
        """The rows analysis works on: every message once (duplicates left out).

        A copy of the whole frame: on large inputs select columns first instead.
        """
        return self.frame[~self.frame[C.DUPLICATE]]

    def issue_counts(self) -> dict[str, int]:
        return count_codes(self.frame[C.ISSUES])

    def rejected(self) -> pd.DataFrame:
        """Rows set aside or flagged, with file, line, reason codes and descriptions."""
        flagged = self.frame[self.frame[C.ISSUES] != ""]
        reasons = flagged[C.ISSUES].map(
            lambda codes: "; ".join(C.ISSUE_DESCRIPTIONS.get(c, c) for c in codes.split(";"))
        )
        return pd.DataFrame(
            {
                C.SOURCE_FILE: flagged[C.FILE],
                C.ROW_NUMBER: flagged[C.ROW],
                C.LINE_NUMBER: flagged[C.LINE],
                "id": flagged[C.ID],
                "reason_codes": flagged[C.ISSUES],
                "reason": reasons,
                C.DUPLICATE_OF_COLUMN: flagged[C.DUPLICATE_OF] if C.DUPLICATE_OF in flagged else "",
                "text": flagged[C.TEXT].str.slice(0, 300),
            }
        )

    def drop_originals(self) -> Dataset:
        """Keep only the analysis columns: for commands that never write the originals back.

        On a million-row export the original columns are about a third of the memory.
        """
        self.frame = self.frame[[c for c in self.frame.columns if str(c).startswith("_")]]
        return self

    def original_columns(self) -> list[str]:
        return [c for c in self.frame.columns if not str(c).startswith("_")]

    def date_range(self) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
        created = self.frame.loc[~self.frame[C.DUPLICATE], C.CREATED].dropna()
        if created.empty:
            return None, None
        return created.min(), created.max()


def expand_paths(paths: Iterable[str | Path], warnings: list[str] | None = None) -> list[Path]:
    """Expand globs.  A pattern that matches nothing is a warning (appended to ``warnings``)
    while other inputs remain: a cron job reading ``inbox/*.csv pos/*.xlsx`` on a week
    with no CSV still reports the XLSX.  With nothing left it is an error, like a missing file.
    """
    result: list[Path] = []
    unmatched: list[str] = []
    for item in paths:
        text = str(item)
        if any(ch in text for ch in "*?["):
            matches = sorted(glob.glob(text))
            if not matches:
                unmatched.append(text)
            result.extend(Path(m) for m in matches)
        else:
            result.append(Path(text))
    if unmatched and not result:
        raise errors.CurtoolError(
            errors.FILE_NOT_FOUND,
            "no files match this pattern",
            "check the folder and the pattern; quote it so the shell leaves it to curtool",
            path=unmatched[0],
        )
    if not result:
        raise errors.CurtoolError(errors.NO_DATA, "no input files given", "name one or more exports")
    if warnings is not None:
        warnings.extend(f"{p}: no files match this pattern; the other inputs are read" for p in unmatched)
    return result


def load(
    paths: Iterable[str | Path],
    *,
    columns: Mapping[str, str] | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    separator: str | None = None,
    no_header: bool = False,
    config: Config | None = None,
    gazetteer: Gazetteer | str | Path | None = None,
    keep_keys: bool = False,
) -> Dataset:
    """Read and normalise exports.  ``columns`` maps field names (see ``columns.FIELD_ALIASES``)
    to header names and wins over the config file; ``keep_keys`` keeps the columns later
    duplicates are judged by (see :func:`curtool.core.duplicates.mark_duplicates`)."""
    with gc_paused():  # millions of cells and strings, no cycles: see io.tables.gc_paused
        return _load(paths, columns, sheet, encoding, separator, no_header, config, gazetteer, keep_keys)


def _load(paths, columns, sheet, encoding, separator, no_header, config, gazetteer, keep_keys) -> Dataset:
    cfg = config or Config()
    given = {k: v for k, v in (columns or {}).items() if v}
    overrides = {**cfg.columns, **given}
    # an error names where the user wrote the column: the option, or the config key
    origins = {f: f"[columns] {f} in {cfg.path.name if cfg.path else 'curtool.toml'}" for f in cfg.columns}
    origins.update({f: C.option_for(f) for f in given})
    if gazetteer is None and cfg.gazetteer is not None:
        gazetteer = cfg.gazetteer
    if gazetteer is not None and not isinstance(gazetteer, Gazetteer):
        gazetteer = read_gazetteer(gazetteer)
    frames: list[pd.DataFrame] = []
    reports: list[FileReport] = []
    warnings: list[str] = []
    for path in expand_paths(paths, warnings):
        raw = read_table(
            path,
            sheet=sheet or cfg.sheet,
            encoding=encoding or cfg.encoding,
            separator=separator or cfg.separator,
        )
        raw = _without_header(raw) if no_header else raw
        warnings.extend(raw.warnings)
        try:
            frame, report = _normalise_file(raw, overrides, origins, header_checked=no_header)
        except errors.CurtoolError as exc:
            raise _other_sheets_hint(exc, raw) from None
        frames.append(frame)
        reports.append(report)
    frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True, sort=False)
    if len(frames) > 1:  # a column one file lacks is empty, not NaN, in the other's rows
        for col in frame.columns:
            if not str(col).startswith("_") and not pd.api.types.is_numeric_dtype(frame[col]):
                frame[col] = frame[col].where(frame[col].notna(), "")
    unknown = _add_districts(frame, gazetteer, cfg.district_aliases)
    mark_duplicates(frame, keep_keys)
    if not isinstance(frame.index, pd.RangeIndex) or frame.index.start != 0:
        frame = frame.reset_index(drop=True)
    start = 0
    for report in reports:
        # a file's rows are contiguous, in the order read; the issue column alone is sliced
        # (selecting rows of the whole frame would copy every column)
        report.issues = count_codes(frame[C.ISSUES].iloc[start : start + report.rows])
        start += report.rows
    return Dataset(frame=frame, files=reports, unknown_districts=unknown, warnings=warnings)


def _text_column(frame: pd.DataFrame, header: str | None, *, trim: bool = True) -> pd.Series:
    """A column as Arrow-backed text ("" for empty), without the spaces around each value:
    « г. Майкоп » is the spelling «г. Майкоп» whichever reader read the cell (fastexcel 0.16
    gives object cells, trimmed below; 0.21 gives text as written). Vectorised in C++.

    ``trim=False`` (the message text alone) keeps a text column as read: it is the biggest
    thing in memory, and the analysis text is cleaned from it anyway."""
    if header is None:
        return pd.Series("", index=frame.index, dtype="str")
    values = frame[header]
    if values.dtype == "str":
        # no copy when nothing is missing and nothing is trimmed
        values = values.fillna("") if values.hasnans else values
        return values.str.strip() if trim else values
    try:  # text cells only (None for empty ones): Arrow converts and trims in C++
        array = pa.array(values.to_numpy(dtype=object), type=pa.large_string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # numbers or dates among the cells
        return values.map(cell_text).astype("str")
    array = pc.utf8_trim_whitespace(pc.fill_null(array, ""))
    return pd.Series(pd.arrays.ArrowStringArray(array, dtype=TEXT_DTYPE), index=frame.index)


def _without_header(raw: RawTable) -> RawTable:
    """``--no-header``: the line read as the header is the first row; columns are A, B, C …"""
    frame = raw.frame
    letters = [column_letter(i) for i in range(frame.shape[1])]
    cells = list(raw.header_cells or [str(c) for c in frame.columns])
    cells = (cells + [""] * frame.shape[1])[: frame.shape[1]]
    first = pd.DataFrame([cells], columns=letters, dtype=object)
    body = frame.set_axis(letters, axis=1)
    if len(body):
        body = body.astype(object).where(body.notna(), None)  # one dtype per column for the join
    frame = pd.concat([first, body], ignore_index=True)
    lines = (
        raw.lines if raw.lines is not None else np.arange(raw.header_row + 1, raw.header_row + 1 + len(body))
    )
    ragged = raw.ragged if raw.ragged is not None else np.zeros(len(body), dtype=bool)
    return replace(
        raw,
        frame=frame,
        lines=np.concatenate([[raw.header_row], np.asarray(lines, dtype=np.int64)]),
        ragged=np.concatenate([[False], np.asarray(ragged, dtype=bool)]),
        swallowed=None
        if raw.swallowed is None
        else np.concatenate([[False], np.asarray(raw.swallowed, dtype=bool)]),
        header_row=0,
        header_cells=letters,
    )


def _check_header(raw: RawTable, headers: list[str]) -> None:
    """Refuse a first line that is data: read as names, it maps columns by accident."""
    # One known name does not make a header: a data row can hold one («Обращение» as a
    # message's type) and be taken for the header when the real one is blank (;;;). Dates and
    # numbers standing over dates and numbers are data whatever else the line holds.
    if raw.header_cells is None or known_names(headers) >= 2:
        return
    if first_line_is_data(raw.header_cells, raw.frame):
        raise errors.CurtoolError(
            errors.NO_HEADER,
            "the first line looks like a message, not column names "
            + ("(no known name in it)" if not known_names(headers) else "(its dates or numbers are data)"),
            "if the file has no header line, add --no-header and name the columns by position "
            "or letter, e.g. --text-column 2 or --text-column B",
            path=raw.path,
            row=raw.header_row,
        )


def _normalise_file(
    raw: RawTable,
    overrides: Mapping[str, str],
    origins: Mapping[str, str] | None = None,
    header_checked: bool = False,
) -> tuple[pd.DataFrame, FileReport]:
    headers = [str(c) for c in raw.frame.columns]
    if not header_checked:
        _check_header(raw, headers)
    mapping = map_columns(headers, overrides, raw.path, origins)
    require_text(mapping, headers, raw.path)
    frame = raw.frame
    n = len(frame)
    lines = raw.lines if raw.lines is not None else np.arange(2, n + 2)
    derived: dict[str, object] = {
        C.ROW: np.arange(1, n + 1, dtype=np.int64),
        C.FILE: _file_labels(raw),
    }
    text = _text_column(frame, mapping.get("text"), trim=False)
    derived[C.TEXT] = text
    derived[C.CLEAN] = clean_series(text)
    ids = _text_column(frame, mapping.get("id"))
    row_ids = pd.Series(np.arange(1, n + 1), index=frame.index).astype(str)
    derived[C.ID] = ids.where(ids != "", row_ids).astype("str")
    derived[C.ID_GIVEN] = (ids != "").to_numpy()  # read (and dropped) by mark_duplicates
    for fld in (
        "district",
        "locality",
        "street",
        "house",
        "address",
        "group",
        "topic",
        "status",
        "source",
        "url",
        "executor",
    ):
        derived[C.FIELD_COLUMNS[fld]] = _text_column(frame, mapping.get(fld))
    issues: list[pd.Series] = []
    empty = blank(text)
    issues.append(pd.Series(np.where(empty, C.ISSUE_EMPTY_TEXT, ""), index=frame.index))
    ragged = raw.ragged if raw.ragged is not None else np.zeros(n, dtype=bool)
    issues.append(pd.Series(np.where(ragged, C.ISSUE_RAGGED_ROW, ""), index=frame.index))
    if raw.swallowed is not None:
        issues.append(pd.Series(np.where(raw.swallowed, C.ISSUE_SWALLOWED_ROWS, ""), index=frame.index))
    report = FileReport(
        path=raw.path,
        format=raw.format,
        encoding=raw.encoding,
        separator=raw.separator,
        sheet=raw.sheet,
        sheets=raw.sheets,
        sheets_read=[sheet for sheet, _ in raw.sheet_rows],
        header_row=raw.header_row,
        title_rows=raw.title_rows,
        mapping=mapping,
        rows=n,
        ragged_lines=[int(x) for x in np.asarray(lines)[ragged][:50]],
        swallowed_lines=[]
        if raw.swallowed is None
        else [int(x) for x in np.asarray(lines)[np.asarray(raw.swallowed, dtype=bool)][:50]],
    )
    any_bad = pd.Series(False, index=frame.index)
    derived[C.HAS_FIRST_ANSWER] = np.full(n, "first_answer" in mapping)
    derived[C.HAS_CLOSED] = np.full(n, "closed" in mapping)
    for fld in C.DATE_FIELDS:
        header = mapping.get(fld)
        if header is None:
            derived[C.FIELD_COLUMNS[fld]] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
            continue
        parsed, bad = parse_dates(frame[header])
        derived[C.FIELD_COLUMNS[fld]] = parsed
        if bad.any():
            any_bad |= bad
            for idx in np.flatnonzero(bad.to_numpy())[:20]:
                report.bad_dates.append((int(lines[idx]), header, str(frame[header].iloc[idx])))
    issues.append(pd.Series(np.where(any_bad, C.ISSUE_BAD_DATE, ""), index=frame.index))
    for fld in C.NUMBER_FIELDS:
        header = mapping.get(fld)
        derived[C.FIELD_COLUMNS[fld]] = (
            parse_counts(frame[header]) if header is not None else pd.Series(np.nan, index=frame.index)
        )
    lat, lon, bad_coords = _coordinates(frame, mapping)
    derived[C.LAT], derived[C.LON] = lat, lon
    issues.append(pd.Series(np.where(bad_coords, C.ISSUE_BAD_COORDINATES, ""), index=frame.index))
    derived[C.ISSUES] = join_codes(issues)
    derived[C.LINE] = np.asarray(lines, dtype=np.int64)
    extra = pd.DataFrame(derived, index=frame.index)
    out = pd.concat([frame, extra], axis=1)
    return out, report


def _other_sheets_hint(exc: errors.CurtoolError, raw: RawTable) -> errors.CurtoolError:
    """A sheet that cannot be used (a summary or cover sheet first) may not be the data: the
    error names the workbook's other sheets, which --sheet reads."""
    others = [s for s in raw.sheets if s != raw.sheet]
    if not raw.warnings or not others or exc.code not in (errors.NO_TEXT_COLUMN, errors.NO_HEADER):
        return exc
    names = ", ".join(f"«{s}»" for s in others[:5]) + (" …" if len(others) > 5 else "")
    return replace(
        exc,
        message=f"sheet «{raw.sheet}»: {exc.message}",
        hint=f"{exc.hint.rstrip('.')}; or read another sheet with --sheet (the workbook also has {names})",
    )


def _file_labels(raw: RawTable) -> str | np.ndarray:
    """Where each row comes from: the file, and its sheet when several sheets were read
    (a line number alone would be ambiguous then): ``export.xlsx [Март]``."""
    if len(raw.sheet_rows) < 2:
        return raw.path.name
    labels = [f"{raw.path.name} [{sheet}]" for sheet, _ in raw.sheet_rows]
    return np.repeat(np.asarray(labels, dtype=object), [rows for _, rows in raw.sheet_rows])


def _coordinates(frame: pd.DataFrame, mapping: Mapping[str, str]):
    nan = pd.Series(np.nan, index=frame.index)
    if "lat" not in mapping or "lon" not in mapping:
        return nan, nan.copy(), pd.Series(False, index=frame.index)
    lat_raw = _text_column(frame, mapping["lat"])
    lon_raw = _text_column(frame, mapping["lon"])
    lat, lon = _decimal(lat_raw), _decimal(lon_raw)
    filled = (lat_raw != "") | (lon_raw != "")
    valid = lat.between(-90, 90) & lon.between(-180, 180)
    bad = filled & ~valid
    return lat.where(valid), lon.where(valid), bad


_DECIMAL = r"^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$"


def _decimal(text: pd.Series) -> pd.Series:
    """Numbers written with a point or a comma; anything else is NaN. Arrow, no Python per row."""
    array = pc.utf8_trim_whitespace(pc.replace_substring(pc.fill_null(text.array._pa_array, ""), ",", "."))
    numbers = pc.cast(pc.if_else(pc.match_substring_regex(array, _DECIMAL), array, None), pa.float64())
    return pd.Series(numbers.to_numpy(zero_copy_only=False), index=text.index, dtype=float)


def _add_districts(frame: pd.DataFrame, gazetteer, aliases: Mapping[str, str]) -> dict[str, int]:
    names, unknown = normalise_districts(frame[C.DISTRICT_RAW], gazetteer, dict(aliases))
    frame[C.DISTRICT] = names
    if gazetteer is None:
        return {}
    add_issue(frame, unknown, C.ISSUE_UNKNOWN_DISTRICT)
    return dict(Counter(frame.loc[unknown.to_numpy(), C.DISTRICT_RAW]).most_common())
