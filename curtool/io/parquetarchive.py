"""The message archive: exports normalised once into Parquet files partitioned by month.

A federal or regional archive holds tens of millions of messages over years; reading and
normalising its exports again for every report is the slow part, and a single frame of it
does not fit in one machine's memory.  ``curtool archive`` loads exports once (the same
loader as every command) and keeps each message's analysis columns (``_clean``, dates,
district, address fields, status, category, duplicate marks…) in a folder:

    ARCHIVE/curtool-archive.json         the manifest: loads, files, parts, districts
    ARCHIVE/month=2026-11/load-00003.parquet
    ARCHIVE/month=undated/load-00003.parquet

* Appending writes new part files only; a part is never rewritten.  The manifest is
  replaced last and atomically, and readers read only the parts it lists, so an append
  that stops half-way leaves the archive as it was.
* A file whose content is already in the archive (same SHA-256) is skipped.  Rows of a new
  export that repeat an archived message are marked as duplicates of it by the loader's own
  rules (:func:`curtool.core.duplicates.mark_duplicates`), against the archived rows they could
  match (the same id, or the same day); they are kept and marked, as in a single load.
* Row order is load order (``_seq``); readers return rows in that order, so a command on
  the archive sees the frame a single load of all its exports would have given.
* District names are decided over all spellings the archive has seen, in the order they
  came, with the gazetteer and aliases in force (the loader's rule over one load):
  the mapping is kept in the manifest and applied when rows are read.

Within a part rows are sorted by district and written one row group per district, so a
reader that wants one district (the distributed engine's unit of work) reads its row groups
and skips the others.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq

from curtool.core import columns as C
from curtool.core import errors
from curtool.core.districts import Gazetteer, canonical_names
from curtool.core.duplicates import mark_duplicates

if TYPE_CHECKING:
    from curtool.io.loader import Dataset, FileReport

MANIFEST = "curtool-archive.json"
FORMAT = "curtool-archive"
VERSION = 1
SEQ = "_seq"  # int64: the row's place in load order over the whole archive
UNDATED = "undated"

# Every archived column and its Arrow type: one schema for every part, whatever the export.
_STRING = (
    C.ID, C.TEXT, C.CLEAN, C.DISTRICT, C.DISTRICT_RAW, C.LOCALITY, C.STREET, C.HOUSE, C.ADDRESS,
    C.GROUP, C.TOPIC, C.STATUS, C.SOURCE, C.URL, C.EXECUTOR, C.ISSUES, C.DUPLICATE_OF, C.FILE,
    C.LAYOUT,
)  # fmt: skip
_STAMP = (C.CREATED, C.FIRST_ANSWER, C.CLOSED)
_FLOAT = (C.LAT, C.LON, C.AUDIENCE, C.ENGAGEMENT)
_INT = (C.ROW, C.LINE, C.COPIES, SEQ)
_BOOL = (C.DUPLICATE, C.ID_GIVEN, C.HAS_FIRST_ANSWER, C.HAS_CLOSED)
SCHEMA = pa.schema(
    [(c, pa.large_string()) for c in _STRING]
    + [(c, pa.timestamp("ns")) for c in _STAMP]
    + [(c, pa.float64()) for c in _FLOAT]
    + [(c, pa.int64()) for c in _INT]
    + [(c, pa.bool_()) for c in _BOOL]
)
COLUMNS: tuple[str, ...] = tuple(SCHEMA.names)
_NOT_AN_ARCHIVE_HINT = "make one with: curtool archive EXPORT... -o FOLDER"


def stamp(value: pd.Timestamp) -> pa.Scalar:
    """A time as the archive's Arrow timestamp, for filters."""
    return pa.scalar(pd.Timestamp(value).as_unit("ns").value, pa.timestamp("ns"))


def before(end: pd.Timestamp) -> pads.Expression:
    """Rows created before ``end``, and rows without a date (which no cut leaves out)."""
    return (pads.field(C.CREATED) < stamp(end)) | pads.field(C.CREATED).is_null()


def is_archive(path: str | Path) -> bool:
    """A folder with an archive manifest."""
    p = Path(path)
    return p.is_dir() and (p / MANIFEST).is_file()


@dataclass
class Part:
    """One Parquet file of the archive: the rows of one month from one load."""

    file: str  # relative to the archive folder
    month: str  # «2026-11» or «undated»
    load: int
    rows: int
    first: str | None = None  # the earliest and latest creation time of its kept rows (ISO)
    last: str | None = None


@dataclass
class Archive:
    """What the manifest says: the loads, their files and parts, and the district names."""

    path: Path
    loads: list[dict[str, object]] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)  # loader fields some export had a column for
    spellings: list[str] = field(default_factory=list)  # district spellings, as first seen
    districts: dict[str, str] = field(default_factory=dict)  # spelling -> canonical name
    categories: list[str] = field(default_factory=list)  # «Группа тем» values, as first seen
    rows: int = 0

    @property
    def digests(self) -> set[str]:
        return {str(f["sha256"]) for load in self.loads for f in load["files"]}  # type: ignore[union-attr]

    def span(self) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
        """The first and the latest creation time of the archive's kept messages."""
        firsts = [pd.Timestamp(p.first) for p in self.parts if p.first]
        lasts = [pd.Timestamp(p.last) for p in self.parts if p.last]
        return (min(firsts) if firsts else None, max(lasts) if lasts else None)

    @property
    def months(self) -> list[str]:
        return sorted({p.month for p in self.parts})

    def files(self, months: Iterable[str] | None = None) -> list[Path]:
        wanted = None if months is None else set(months)
        return [self.path / p.file for p in self.parts if wanted is None or p.month in wanted]

    def manifest(self) -> dict[str, object]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "rows": self.rows,
            "fields": sorted(self.fields),
            "loads": self.loads,
            "parts": [vars(p) for p in self.parts],
            "district_spellings": self.spellings,
            "districts": self.districts,
            "categories": self.categories,
        }


def open_archive(path: str | Path) -> Archive:
    """The archive at ``path``; a folder without a readable manifest is a clear error."""
    folder = Path(path)
    manifest = folder / MANIFEST
    if not manifest.is_file():
        raise errors.CurtoolError(
            errors.NOT_AN_ARCHIVE, "is not a curtool archive (no curtool-archive.json)", _NOT_AN_ARCHIVE_HINT,
            path=folder,
        )  # fmt: skip
    try:
        raw = json.loads(manifest.read_text(encoding="utf-8"))
        if raw.get("format") != FORMAT:
            raise ValueError("format")
        if int(raw.get("version", 0)) > VERSION:
            raise errors.CurtoolError(
                errors.NOT_AN_ARCHIVE,
                f"the archive is of a newer format (version {raw['version']}) than this curtool reads",
                "upgrade curtool: pip install -U curtool",
                path=manifest,
            )
        return Archive(
            path=folder,
            loads=list(raw["loads"]),
            parts=[Part(**p) for p in raw["parts"]],
            fields=list(raw["fields"]),
            spellings=list(raw["district_spellings"]),
            districts=dict(raw["districts"]),
            categories=list(raw["categories"]),
            rows=int(raw["rows"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise errors.CurtoolError(
            errors.NOT_AN_ARCHIVE, f"the archive manifest is damaged ({type(exc).__name__}: {exc})",
            "restore curtool-archive.json from a backup, or build the archive again",
            path=manifest,
        ) from None  # fmt: skip


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes: the same export loaded twice is known by it."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# --- reading ----------------------------------------------------------------------------------
def read_rows(
    archive: Archive,
    columns: Sequence[str] | None = None,
    *,
    months: Iterable[str] | None = None,
    part: str | None = None,
    district: str | None = None,
    where: pads.Expression | None = None,
) -> pd.DataFrame:
    """Rows of the archive in load order, with district names as the manifest decides.

    ``months`` limits the parts read (``part`` reads one, by its file name); ``district``
    keeps one canonical district (its row groups are read, the others skipped); ``where``
    is any further Arrow filter.
    """
    files = archive.files(months) if part is None else [archive.path / part]
    wanted = list(COLUMNS if columns is None else dict.fromkeys([*columns, SEQ, C.DISTRICT_RAW]))
    if district is not None:
        spellings = [s for s, name in archive.districts.items() if name == district]
        if district == "":
            spellings.append("")
        test = pads.field(C.DISTRICT_RAW).isin(spellings)
        where = test if where is None else where & test
    if not files:
        table = SCHEMA.empty_table().select(wanted)
    else:
        data = pads.dataset([str(f) for f in files], schema=SCHEMA, format="parquet")
        table = data.to_table(columns=wanted, filter=where)
    frame = table.to_pandas(types_mapper={pa.large_string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get)
    frame = frame.sort_values(SEQ, kind="stable").reset_index(drop=True)
    if C.DISTRICT in frame.columns:
        names = pd.Series(archive.districts, dtype=object)
        frame[C.DISTRICT] = frame[C.DISTRICT_RAW].map(names).fillna("").astype(object)
    if C.ISSUES in frame.columns:
        frame[C.ISSUES] = frame[C.ISSUES].astype(object)
    if columns is not None:
        frame = frame[list(dict.fromkeys(columns))]
    return frame


def district_names(archive: Archive) -> list[str]:
    """The canonical districts the archive's messages name ("" for messages without one)."""
    return sorted(set(archive.districts.values()) | ({""} if "" in archive.spellings else set()))


# --- writing ----------------------------------------------------------------------------------
@dataclass
class Appended:
    """What one ``curtool archive`` run added."""

    archive: Archive
    rows: int = 0
    duplicates: int = 0  # of the rows added, marked as copies (of archived rows or each other)
    against_archive: int = 0  # of those, copies of rows archived before
    skipped: list[str] = field(default_factory=list)  # files already in the archive
    months: list[str] = field(default_factory=list)


def append(
    frame: pd.DataFrame,
    files: Sequence[Mapping[str, object]],
    target: str | Path,
    *,
    gazetteer: Gazetteer | None = None,
    aliases: Mapping[str, str] | None = None,
) -> Appended:
    """Add a loaded frame (``load(..., keep_keys=True)``) of ``files`` to the archive at
    ``target`` (made when absent).  ``files`` describe the exports (name, path, sha256, rows,
    format, mapping); the frame's rows are theirs, in order."""
    folder = Path(target)
    if folder.exists() and not folder.is_dir():
        raise errors.CurtoolError(
            errors.NOT_AN_ARCHIVE, "exists and is not a folder", "name a folder for the archive", path=folder
        )
    if folder.is_dir() and any(folder.iterdir()) and not is_archive(folder):
        raise errors.CurtoolError(
            errors.NOT_AN_ARCHIVE, "is a folder with other files in it, not a curtool archive",
            "name a new or empty folder for the archive", path=folder,
        )  # fmt: skip
    archive = open_archive(folder) if is_archive(folder) else Archive(path=folder)
    number = 1 + max((int(load["number"]) for load in archive.loads), default=0)  # type: ignore[arg-type]
    frame = frame.reset_index(drop=True)
    n = len(frame)
    frame[SEQ] = np.arange(archive.rows, archive.rows + n, dtype=np.int64)

    # districts: over every spelling seen so far, as one load of everything would decide them
    spellings = list(archive.spellings)
    known = set(spellings)
    for s in pd.unique(frame[C.DISTRICT_RAW].astype(str)):
        if s not in known:
            spellings.append(str(s))
            known.add(str(s))
    mapping, _ = canonical_names(spellings, gazetteer, dict(aliases or {}))
    frame[C.DISTRICT] = frame[C.DISTRICT_RAW].astype(str).map(mapping).fillna("").astype(object)

    against = 0
    if archive.rows and n:
        archive.districts = mapping
        frame, against = _mark_against_archive(archive, frame)

    months = _month_labels(frame[C.CREATED])
    parts: list[Part] = []
    written: list[Path] = []
    folder.mkdir(parents=True, exist_ok=True)
    try:
        for month in sorted(pd.unique(months)):
            rows = frame.loc[months == month]
            name = f"month={month}/load-{number:05d}.parquet"
            _write_part(rows, folder / name)
            written.append(folder / name)
            kept = pd.to_datetime(rows.loc[~rows[C.DUPLICATE].to_numpy(dtype=bool), C.CREATED]).dropna()
            first, last = (kept.min().isoformat(), kept.max().isoformat()) if len(kept) else (None, None)
            parts.append(Part(name, str(month), number, len(rows), first, last))
        groups = list(archive.categories)
        seen = {*groups}
        for g in pd.unique(frame[C.GROUP].astype(str)):
            if g and g not in seen:
                groups.append(str(g))
                seen.add(str(g))
        archive.categories = groups
        archive.spellings = spellings
        archive.districts = mapping
        archive.parts.extend(parts)
        archive.rows += n
        for f in files:
            archive.fields = sorted(set(archive.fields) | set(f.get("mapping", {})))  # type: ignore[arg-type]
        duplicates = int(frame[C.DUPLICATE].sum())
        archive.loads.append(
            {
                "number": number,
                "at": datetime.now().replace(microsecond=0).isoformat(),
                "files": [dict(f) for f in files],
                "rows": n,
                "duplicates": duplicates,
                "duplicates_of_archived": against,
            }
        )
        _write_manifest(archive)
    except BaseException:
        for path in written:  # the manifest never named them: remove what this run wrote
            path.unlink(missing_ok=True)
        raise
    return Appended(archive, n, duplicates, against, [], [p.month for p in parts])


def _month_labels(created: pd.Series) -> np.ndarray:
    stamps = pd.to_datetime(created)
    labels = stamps.dt.strftime("%Y-%m").to_numpy(dtype=object)
    labels[stamps.isna().to_numpy()] = UNDATED
    return labels


def _write_part(rows: pd.DataFrame, path: Path) -> None:
    """One part, its rows in district order, a row group per district; written to a temporary
    name and renamed, so a part is either whole or absent."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = rows.sort_values([C.DISTRICT_RAW, SEQ], kind="stable")
    table = _to_arrow(rows)
    tmp = path.with_name(f".{path.name}.tmp")
    bounds = np.flatnonzero(rows[C.DISTRICT_RAW].astype(str).ne(rows[C.DISTRICT_RAW].astype(str).shift()))
    with pq.ParquetWriter(tmp, SCHEMA, compression="zstd") as writer:
        edges = [*bounds.tolist(), len(rows)]
        for start, stop in itertools.pairwise(edges):
            writer.write_table(table.slice(start, stop - start))
    os.replace(tmp, path)


def _to_arrow(rows: pd.DataFrame) -> pa.Table:
    arrays = []
    for name in COLUMNS:
        kind = SCHEMA.field(name).type
        if name not in rows.columns:
            n = len(rows)
            arrays.append(pa.array([""] * n, kind) if kind == pa.large_string() else pa.nulls(n, kind))
            continue
        values = rows[name]
        if kind == pa.large_string():
            values = values.astype(object).where(values.notna(), "").astype(str)
            arrays.append(pa.array(values.to_numpy(dtype=object), type=kind))
        elif kind == pa.timestamp("ns"):
            stamps = pd.to_datetime(values).astype("datetime64[ns]")
            arrays.append(pa.array(stamps, type=kind, from_pandas=True))
        else:
            arrays.append(pa.array(values.to_numpy(), type=kind, from_pandas=True))
    return pa.Table.from_arrays(arrays, schema=SCHEMA)


def _write_manifest(archive: Archive) -> None:
    path = archive.path / MANIFEST
    tmp = path.with_name(f".{MANIFEST}.tmp")
    tmp.write_text(json.dumps(archive.manifest(), ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def _mark_against_archive(archive: Archive, frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The new rows' duplicate marks, judged with the archived messages they could repeat.

    The loader's rules link rows with the same id (and layout) or the same day's text; the
    archived rows that could be linked are the kept (non-duplicate) ones with an id of the new
    rows or created on one of their days.  They go first, in load order, then the new rows,
    and the marks are made again over both: a new row that repeats an archived message is
    a duplicate of it, as in one load of every export.  Archived rows keep their marks
    (their parts are never rewritten).
    """
    created = pd.to_datetime(frame[C.CREATED])
    days = created.dropna().dt.normalize()
    where = pads.field(C.ID).isin(pa.array(pd.unique(frame[C.ID].astype(str)), pa.large_string()))
    if len(days):
        low, high = days.min(), days.max() + pd.Timedelta(days=1)
        in_range = (pads.field(C.CREATED) >= stamp(low)) & (pads.field(C.CREATED) < stamp(high))
        where = where | in_range
    where = (pads.field(C.DUPLICATE) == False) & where  # noqa: E712 (an Arrow expression)
    old = read_rows(archive, where=where)
    if len(days) and len(old):
        same_day = pd.to_datetime(old[C.CREATED]).dt.normalize().isin(set(days))
        same_id = old[C.ID].astype(str).isin(set(frame[C.ID].astype(str)))
        old = old.loc[(same_day | same_id).to_numpy()]
    if old.empty:
        return frame, 0
    new = frame.drop(columns=[C.DUPLICATE, C.COPIES, C.DUPLICATE_OF], errors="ignore")
    issues = new[C.ISSUES].astype(str).str.split(";")
    new[C.ISSUES] = [";".join(c for c in codes if c and c != C.ISSUE_DUPLICATE) for codes in issues]
    both = pd.concat([old.drop(columns=[C.DUPLICATE, C.COPIES, C.DUPLICATE_OF]), new], ignore_index=True)
    both[C.ISSUES] = both[C.ISSUES].astype(object)
    mark_duplicates(both, keep_keys=True)
    mine = both.iloc[len(old) :].reset_index(drop=True)
    was = frame[C.DUPLICATE].to_numpy(dtype=bool)
    for col in (C.DUPLICATE, C.COPIES, C.DUPLICATE_OF, C.ISSUES):
        frame[col] = mine[col].to_numpy()
    against = int((frame[C.DUPLICATE].to_numpy(dtype=bool) & ~was).sum())
    return frame, against


def read_dataset(path: str | Path, columns: Sequence[str] | None = None) -> Dataset:
    """The whole archive as one loaded :class:`~curtool.io.loader.Dataset` (the in-memory engine:
    the frame a single load of all its exports would give, without the original columns)."""
    from curtool.io.loader import Dataset

    archive = open_archive(path)
    frame = read_rows(archive, columns)
    frame = frame.drop(columns=[SEQ], errors="ignore")
    return Dataset(frame=frame, files=file_reports(archive))


def file_reports(archive: Archive) -> list[FileReport]:
    """A report per archived export (name, format, columns found, rows), for what reads
    ``Dataset.files``; with no export yet, the archive itself."""
    from curtool.io.loader import FileReport

    reports = []
    for load in archive.loads:
        for f in load["files"]:  # type: ignore[union-attr]
            reports.append(
                FileReport(
                    path=archive.path / str(f["name"]),
                    format=str(f.get("format", "")),
                    encoding=None,
                    separator=None,
                    sheet=None,
                    sheets=[],
                    header_row=0,
                    title_rows=[],
                    mapping=dict(f.get("mapping", {})),
                    rows=int(f.get("rows", 0)),
                )
            )
    return reports or [FileReport(archive.path, "archive", None, None, None, [], 0, [], {}, 0)]
