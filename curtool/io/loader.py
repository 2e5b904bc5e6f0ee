"""The one loading function every command uses: files in, one normalised frame out.

``load()`` reads every file (CSV/TSV/XLSX/XLS/ODS, globs allowed), maps the
columns to canonical fields, adds the derived ``_`` columns described in
``docs/DESIGN.md`` and marks row problems with stable codes.  No row is ever
dropped: duplicates and unreadable dates are kept and marked.
"""

from __future__ import annotations

import glob
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from curtool.app.config import Config
from curtool.core import columns as C
from curtool.core import errors
from curtool.core.addressnorm import normalize_locality, normalize_street
from curtool.core.addresstext import parse_address_field
from curtool.core.dates import parse_dates
from curtool.core.districts import Gazetteer, normalise_districts
from curtool.core.mapping import column_letter, first_line_is_data, known_names, map_columns, require_text
from curtool.core.text import TEXT_DTYPE, blank, clean_series, text_codes
from curtool.io.readers import RawTable, cell_text, gc_paused, read_table


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
        return _count_codes(self.frame[C.ISSUES])

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
) -> Dataset:
    """Read and normalise exports.  ``columns`` maps field names (see ``columns.FIELD_ALIASES``)
    to header names and wins over the config file."""
    with gc_paused():  # millions of cells and strings, no cycles: see readers.gc_paused
        return _load(paths, columns, sheet, encoding, separator, no_header, config, gazetteer)


def _load(paths, columns, sheet, encoding, separator, no_header, config, gazetteer) -> Dataset:
    cfg = config or Config()
    given = {k: v for k, v in (columns or {}).items() if v}
    overrides = {**cfg.columns, **given}
    # an error names where the user wrote the column: the option, or the config key
    origins = {f: f"[columns] {f} in {cfg.path.name if cfg.path else 'curtool.toml'}" for f in cfg.columns}
    origins.update({f: C.option_for(f) for f in given})
    if gazetteer is None and cfg.gazetteer is not None:
        gazetteer = cfg.gazetteer
    if gazetteer is not None and not isinstance(gazetteer, Gazetteer):
        gazetteer = Gazetteer.from_file(gazetteer)
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
    _mark_duplicates(frame)
    if not isinstance(frame.index, pd.RangeIndex) or frame.index.start != 0:
        frame = frame.reset_index(drop=True)
    start = 0
    for report in reports:
        # a file's rows are contiguous, in the order read; the issue column alone is sliced
        # (selecting rows of the whole frame would copy every column)
        report.issues = _count_codes(frame[C.ISSUES].iloc[start : start + report.rows])
        start += report.rows
    return Dataset(frame=frame, files=reports, unknown_districts=unknown, warnings=warnings)


def _count_codes(issues: pd.Series) -> dict[str, int]:
    """Rows per reason code; a row may carry several codes ("empty_text;ragged_row")."""
    counts: Counter[str] = Counter()
    for value, n in issues[issues != ""].value_counts().items():
        for code in str(value).split(";"):
            counts[code] += int(n)
    return dict(counts.most_common())


def _text_column(frame: pd.DataFrame, header: str | None) -> pd.Series:
    """A column as Arrow-backed text ("" for empty): vectorised string ops stay in C++."""
    if header is None:
        return pd.Series("", index=frame.index, dtype="str")
    values = frame[header]
    if values.dtype == "str":
        # no copy when nothing is missing: the text column is the biggest thing in memory
        return values.fillna("") if values.hasnans else values
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
    text = _text_column(frame, mapping.get("text"))
    derived[C.TEXT] = text
    derived[C.CLEAN] = clean_series(text)
    ids = _text_column(frame, mapping.get("id"))
    row_ids = pd.Series(np.arange(1, n + 1), index=frame.index).astype(str)
    derived[C.ID] = ids.where(ids != "", row_ids).astype("str")
    derived["_id_given"] = (ids != "").to_numpy()  # consumed (and dropped) by _mark_duplicates
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
    lat, lon, bad_coords = _coordinates(frame, mapping)
    derived[C.LAT], derived[C.LON] = lat, lon
    issues.append(pd.Series(np.where(bad_coords, C.ISSUE_BAD_COORDINATES, ""), index=frame.index))
    derived[C.ISSUES] = _join_codes(issues)
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


def _join_codes(parts: list[pd.Series]) -> pd.Series:
    joined = parts[0]
    for part in parts[1:]:
        joined = joined.where(part == "", joined.where(joined == "", joined + ";") + part)
    return joined.astype(object)


def _add_issue(frame: pd.DataFrame, mask: pd.Series | np.ndarray, code: str) -> None:
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return
    current = frame.loc[mask, C.ISSUES]
    frame.loc[mask, C.ISSUES] = current.where(current == "", current + ";") + code


def _add_districts(frame: pd.DataFrame, gazetteer, aliases: Mapping[str, str]) -> dict[str, int]:
    names, unknown = normalise_districts(frame[C.DISTRICT_RAW], gazetteer, dict(aliases))
    frame[C.DISTRICT] = names
    if gazetteer is None:
        return {}
    _add_issue(frame, unknown, C.ISSUE_UNKNOWN_DISTRICT)
    return dict(Counter(frame.loc[unknown.to_numpy(), C.DISTRICT_RAW]).most_common())


# Two points of one message sent twice are the same spot seen by the phone twice: a phone's
# fix in a town is good to 5–20 m and a pin set by hand moves by as much, so the two points of
# a re-sent message differ by tens of metres (measured on a city portal's re-sends: median
# 15 m, 90 % within 31 m).  30 m is also the «one spot» of recurring problems.  Exact equality
# (even after rounding to 4 decimals, ~10 m) would keep half of such re-sends as new messages;
# farther apart is another place, and messages at different places are never one message.
POINT_TOLERANCE_M = 30.0
_METRES_PER_DEGREE = 111_320.0


def _mark_duplicates(frame: pd.DataFrame) -> None:
    """Mark every copy of a message seen before and name the row it repeats.

    A duplicate is the same message seen twice:

    * the same id within one source (files of one export layout, one platform): an
      overlapping re-export, a row pasted twice;
    * or, whatever the ids (re-sends get new ids on a portal, and two systems number alike
      messages differently), the same text on the same day in the same district at the same
      place, with the same post link and topic where both rows have one.  The place is the
      export's own address (between two exports normalised: «ул. Ленина, д. 5» is «улица
      Ленина, дом 5»); without an address, a point within ``POINT_TOLERANCE_M``; without
      either, the post link alone.  Messages at different places are never one message.
    * A row with nothing that places it (no address, point or link) is a copy only when the
      export gives no ids: there, the same text the same day in the same district is all an
      analyst could go by.  With ids, two rows of that kind are two registered messages;
      between two exports ids say nothing, and such a row is a copy of the first row of the
      other export with the same text, day and district.

    Copies of one message (linked by either rule, transitively) keep their first row in load
    order; the others get ``_duplicate`` and ``_duplicate_of`` (file, data row, id of the kept row).
    "The same text" is the same analysis text (markup and spacing aside), case included.
    """
    n = len(frame)
    has_id = frame.pop("_id_given").to_numpy() if "_id_given" in frame else np.ones(n, bool)
    # ids from different systems may collide, so an id only identifies within one layout and platform
    file_code, file_names = pd.factorize(frame[C.FILE])
    layout_code, _ = pd.factorize(np.asarray(_layouts(frame, file_code, len(file_names)))[file_code])
    id_key = _combine(_codes(frame[C.ID]), layout_code)
    # a row without an id is numbered by its row, which may equal another row's real id:
    # it never takes part in the id rule; the platform is read only where an id repeats
    repeated = np.flatnonzero(has_id & pd.Series(id_key).duplicated(keep=False).to_numpy())
    platform = _codes(frame[C.SOURCE].take(repeated))
    edges = [_first_of_groups(_combine(id_key[repeated], platform), np.ones(len(repeated), bool), repeated)]
    edges.extend(_content_links(frame, has_id, layout_code))
    root = _roots(n, edges)
    duplicate = root != np.arange(n)
    frame[C.DUPLICATE] = duplicate
    sizes = np.bincount(root, minlength=n)
    frame[C.COPIES] = np.where(duplicate, 0, sizes).astype(np.int64)
    frame[C.DUPLICATE_OF] = _references(frame, root, duplicate, has_id)
    _add_issue(frame, duplicate, C.ISSUE_DUPLICATE)


def _content_links(
    frame: pd.DataFrame, has_id: np.ndarray, layout: np.ndarray
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Pairs of rows with the same text, day, district and topic at the same place (see above).

    Two rows with different post links are two posts; a row without a link may be a copy of one
    with a link (an export that carries no links, or a cell left empty).
    """
    has_text = (frame[C.CLEAN] != "").to_numpy()
    day_code, _ = pd.factorize(frame[C.CREATED].dt.normalize())  # no date: -1, one more "day"
    district_code = _codes(frame[C.DISTRICT])
    text_code = text_codes(frame[C.CLEAN], day_code, district_code)
    base = _combine(text_code, day_code, district_code)
    # integer keys; everything below runs only on rows that share all of them with another row
    rows = np.flatnonzero(has_text & pd.Series(base).duplicated(keep=False).to_numpy())
    if not len(rows):
        return []
    # the link and the topic must agree where both rows have one; an export without them (or
    # an empty cell) says nothing against a copy.  Two posts are two messages, and the same words
    # filed under two topics (the resident's or the operator's choice) are two problems.
    local = np.full(len(frame), -1, dtype=np.int64)
    local[rows] = np.arange(len(rows))
    url, topic = frame[C.URL].take(rows), frame[C.TOPIC].take(rows)
    url_code, has_link = _codes(url), (url != "").to_numpy()
    topic_code, has_topic = _codes(topic), (topic != "").to_numpy()
    base = base[rows]
    address = _address_codes(frame, rows, base, layout[rows])  # -1: no address
    lat = frame[C.LAT].to_numpy(dtype=float)[rows]
    lon = frame[C.LON].to_numpy(dtype=float)[rows]
    point = (address < 0) & np.isfinite(lat) & np.isfinite(lon) & ~((lat == 0) & (lon == 0))
    linked = (address < 0) & ~point & has_link
    unplaced = (address < 0) & ~point & ~linked & ~has_id[rows]
    # tier 0: address, 1: the link alone, 2: nothing but the district (rows without ids)
    tier = np.select([address >= 0, linked, unplaced], [0, 1, 2], -1)
    key = _combine(base, tier, np.maximum(address, 0))
    # rows with both a link and a topic meet their exact namesakes; every row meets the first of
    # its group, and a pair whose links or topics differ is dropped below
    full = (tier >= 0) & has_link & has_topic
    candidates = [
        _first_of_groups(_combine(key, url_code, topic_code), full, rows),
        _first_of_groups(_combine(key, url_code), (tier >= 0) & has_link, rows),
        _first_of_groups(_combine(key, topic_code), (tier != 1) & (tier >= 0) & has_topic, rows),
        _first_of_groups(key, (tier == 0) | (tier == 2), rows),
        _near_points(base[point], lat[point], lon[point], rows[point]),
    ]
    # between two exports ids say nothing: a row that one of them does not place is the other's
    # copy when text, day and district agree (a row with ids and no place inside one export is not)
    a, b = _first_of_groups(base, np.ones(len(rows), bool), rows)
    placeless = np.zeros(len(frame), bool)
    placeless[rows[(tier < 0) | (tier == 2)]] = True
    across = (layout[a] != layout[b]) & (placeless[a] | placeless[b])
    candidates.append((a[across], b[across]))
    links = []
    for a, b in candidates:
        i, j = local[a], local[b]
        fits = ~has_link[i] | ~has_link[j] | (url_code[i] == url_code[j])
        fits &= ~has_topic[i] | ~has_topic[j] | (topic_code[i] == topic_code[j])
        links.append((a[fits], b[fits]))
    return links


def _near_points(group: np.ndarray, lat: np.ndarray, lon: np.ndarray, rows: np.ndarray):
    """Pairs of rows of one group whose points lie within ``POINT_TOLERANCE_M``.

    Points fall into square cells of the tolerance's size; two points that near each other are
    in the same or neighbouring cells, so only those are compared: the work grows with the rows
    that have a near namesake, not with the square of a group.  Points in one exact spot are
    linked first and take part once.
    """
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64))
    if len(rows) < 2:
        return empty
    same_spot = _combine(group, _codes(pd.Series(lat)), _codes(pd.Series(lon)))
    exact_a, exact_b = _first_of_groups(same_spot, np.ones(len(rows), bool), rows)
    first = ~pd.Series(same_spot).duplicated().to_numpy()
    group, lat, lon, rows = group[first], lat[first], lon[first], rows[first]
    y = lat * _METRES_PER_DEGREE
    x = lon * _METRES_PER_DEGREE * np.cos(np.radians(lat))
    cells = pd.DataFrame(
        {
            "g": group,
            "cy": np.floor(y / POINT_TOLERANCE_M).astype(np.int64),
            "cx": np.floor(x / POINT_TOLERANCE_M).astype(np.int64),
            "i": np.arange(len(rows)),
        }
    )
    cells = cells[pd.Series(group).duplicated(keep=False).to_numpy()]
    pairs_a, pairs_b = [exact_a], [exact_b]
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            moved = cells.assign(cy=cells["cy"] + dy, cx=cells["cx"] + dx)
            met = moved.merge(cells, on=["g", "cy", "cx"], suffixes=("", "_o"))
            a, b = met["i"].to_numpy(), met["i_o"].to_numpy()
            a, b = a[a < b], b[a < b]
            mean_lat = np.radians((lat[a] + lat[b]) / 2)
            dist = np.hypot(
                (lat[a] - lat[b]) * _METRES_PER_DEGREE,
                (lon[a] - lon[b]) * _METRES_PER_DEGREE * np.cos(mean_lat),
            )
            near = dist <= POINT_TOLERANCE_M
            pairs_a.append(rows[a[near]])
            pairs_b.append(rows[b[near]])
    return np.concatenate(pairs_a), np.concatenate(pairs_b)


def _address_codes(
    frame: pd.DataFrame, rows: np.ndarray, group: np.ndarray, layout: np.ndarray
) -> np.ndarray:
    """Code of each row's own address (of ``rows``), -1 where it has none.

    Inside one export a place is written one way: addresses compare as written (case, «ё»,
    punctuation and spacing aside).  Where a ``group`` holds rows of two export layouts, its
    addresses are read into settlement, street and house and normalised as for recurring
    problems, so «ул. Пушкина, д. 5» in one export meets «улица Пушкина, дом 5» in another;
    reading costs ~70 µs an address, too much to spend on every row of a million.  A
    settlement alone is no address.
    """
    parts = [frame[col].take(rows) for col in (C.LOCALITY, C.STREET, C.HOUSE, C.ADDRESS)]
    codes, _ = pd.factorize(_combine(*(_codes(p) for p in parts)))
    if not len(codes):
        return np.zeros(0, np.int64)
    first = pd.Series(np.arange(len(rows))).groupby(codes).first().to_numpy()
    values = list(zip(*(p.to_numpy(dtype=object)[first] for p in parts), strict=True))
    shared = pd.Series(layout).groupby(group).transform("nunique").to_numpy() > 1
    needs_reading = np.zeros(len(first), bool)
    needs_reading[codes[shared]] = True
    keys = [
        _address_key(*map(str, v)) if read else _written_address(*map(str, v))
        for v, read in zip(values, needs_reading, strict=True)
    ]
    key_codes, key_uniques = pd.factorize(pd.Series(keys, dtype=object))
    key_codes = np.where(np.asarray(key_uniques, dtype=object)[key_codes] == "", -1, key_codes)
    return key_codes[codes].astype(np.int64)


def _written_address(locality: str, street: str, house: str, address: str) -> str:
    if not (street or house or address):
        return ""
    text = " | ".join((locality, street, house, address)).lower().replace("ё", "е")
    return "as written:" + " ".join(re.sub(r"[^\w|]+", " ", text).split())


# The numbers and single letters of a house: «дом 15, корпус 1, литера А» → «15 1 а»; the
# one-letter abbreviations of «дом», «корпус», «город», «строение» are words, not parts of it.
_HOUSE_TOKEN = re.compile(r"\d+[а-я]?(?![а-я])|(?<![а-я0-9])[а-я](?![а-я])")
_HOUSE_ABBREVIATIONS = frozenset({"д", "к", "г", "с", "п", "ул"})
_HOUSE_WORDS = frozenset({"д", "дом", "к", "корп", "корпус", "лит", "литера", "стр", "строение"})


def _address_key(locality: str, street: str, house: str, address: str) -> str:
    if not street and address:
        loc, street, _ = parse_address_field(address)
        locality = locality or loc
        # «Луговой проспект, дом 15» is read as the street «дом» (a type after the name is
        # not known to the parser yet): such an address is compared as written
        if not street or street.lower().strip(" .") in _HOUSE_WORDS:
            folded = " ".join(re.sub(r"[^\w]+", " ", address.lower().replace("ё", "е")).split())
            return "raw:" + folded if folded else ""
        # the house is what follows the street: the parser's house may leave out a block or letter
        at = address.find(street)
        house = address[at + len(street) :] if at >= 0 else address
    street_key = normalize_street(street)
    if not street_key:
        return ""
    tokens = _HOUSE_TOKEN.findall(house.lower().replace("ё", "е"))
    house_key = " ".join(t for t in tokens if t not in _HOUSE_ABBREVIATIONS)
    return "|".join((normalize_locality(locality), street_key, house_key))


def _first_of_groups(key: np.ndarray, mask: np.ndarray, rows: np.ndarray | None = None):
    """(row, first row of its group) for every row of ``mask`` whose ``key`` an earlier row has."""
    series = pd.Series(key[mask])
    positions = np.flatnonzero(mask) if rows is None else rows[mask]
    later = series.duplicated(keep="first").to_numpy()
    firsts = pd.Series(positions).groupby(series.to_numpy(), sort=False).transform("min").to_numpy()
    return positions[later], firsts[later]


def _roots(n: int, edges: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """For every row the first row (lowest position) of the copies it is linked with."""
    a = np.concatenate([e[0] for e in edges]) if edges else np.zeros(0, np.int64)
    b = np.concatenate([e[1] for e in edges]) if edges else np.zeros(0, np.int64)
    root = np.arange(n)
    if not len(a):
        return root
    # only rows with a link take part; each takes the lowest row it reaches, spreading along
    # the links and jumping along the labels (a few rounds: copies of one message are few)
    nodes, inverse = np.unique(np.concatenate([a, b]), return_inverse=True)
    u, v = inverse[: len(a)], inverse[len(a) :]
    label = np.arange(len(nodes))
    while True:
        low = np.minimum(label[u], label[v])
        if (label[u] == low).all() and (label[v] == low).all():
            break
        np.minimum.at(label, u, low)
        np.minimum.at(label, v, low)
        label = label[label]
    root[nodes] = nodes[label]
    return root


def _references(
    frame: pd.DataFrame, root: np.ndarray, duplicate: np.ndarray, has_id: np.ndarray
) -> pd.Series:
    """«file, строка N, id X» of the kept row each duplicate repeats; "" elsewhere.

    N is the data row (header and title rows not counted), as in «Отклонено» and as the id a
    row without one is given.
    """
    out = np.full(len(frame), "", dtype=object)
    where = np.flatnonzero(duplicate)
    if len(where):
        first = root[where]
        files = frame[C.FILE].take(first).to_numpy(dtype=object)
        lines = frame[C.ROW].to_numpy()[first]
        ids = frame[C.ID].take(first).to_numpy(dtype=object)
        out[where] = [
            f"{f}, строка {line}" + (f", id {i}" if given else "")
            for f, line, i, given in zip(files, lines, ids, has_id[first], strict=True)
        ]
    return pd.Series(out, index=frame.index, dtype="str")


def _combine(*codes: np.ndarray) -> np.ndarray:
    """One integer code per distinct combination of integer codes (equal rows, equal codes).

    Plain arithmetic while the product of the value ranges fits in 62 bits; re-coded otherwise.
    """
    key = np.asarray(codes[0], dtype=np.int64)
    for part in codes[1:]:
        part = np.asarray(part, dtype=np.int64)
        if not len(part):
            return key
        low, span = int(part.min()), int(part.max() - part.min()) + 1
        if span == 1:
            continue
        top = int(key.max() - key.min()) + 1
        if top * span >= 2**62:
            key, _ = pd.factorize(key)
            key = key.astype(np.int64)
            top = int(key.max()) + 1
            if top * span >= 2**62:
                raise OverflowError("too many distinct combinations")  # needs > 2**31 rows
        key = (key - key.min()) * span + (part - low)
    return key


def _codes(values: pd.Series) -> np.ndarray:
    """Integer code per distinct value; Arrow's hash table for Arrow-backed text."""
    if values.dtype == "str":
        encoded = pc.dictionary_encode(pa.chunked_array(values.array._pa_array).combine_chunks())
        return encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    codes, _ = pd.factorize(values)
    return codes.astype(np.int64)


def _layouts(frame: pd.DataFrame, file_code: np.ndarray, files: int) -> list[str]:
    """Per file (by code): a signature of which original columns it fills (its export layout)."""
    layouts: list[str] = []
    originals = [c for c in frame.columns if not str(c).startswith("_")]
    for code in range(files):
        # a file's rows are contiguous: a slice, because taking rows by position copies
        first = int(np.argmax(file_code == code))
        head = frame.iloc[first : first + 50][originals]
        head = head[file_code[first : first + 50] == code]
        # one comparison for the whole head: column by column took 4 s for 17,000 columns
        has = (head.astype(str) != "").any(axis=0).to_numpy()
        filled = [str(c) for c, f in zip(originals, has, strict=True) if f]
        layouts.append(str(hash(tuple(filled))))
    return layouts
