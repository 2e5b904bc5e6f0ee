"""The distributed engine: ``report`` and ``recurring`` over a message archive, on Dask.

Why districts are the unit of work: everything curtool computes for a message depends on
the message itself (its block and kind), on its district's messages (recurring problems:
:func:`curtool.core.recurring.find_recurring` works district by district), or on small
counts over the whole archive (which categories of the export name a block: a vote of
counts that add up; when the data begins and ends).  So a job runs as:

1. from the manifest: when the data begins and ends, and so the report week;
2. one task per Parquet part: the categories in order of appearance and the latest day
   before the week's end (and, where an export's categories must be decided by their
   messages, each part's votes: counts that are summed);
3. one task per district: its rows read from the archive (its row groups only), cut at
   the week's end, classified with the whole archive's category decisions, its recurring
   problems found; it returns its problems and the few rows the report shows or counts
   (the report's weeks, messages closed in the week, still-open ones, undated ones);
4. on the client: the districts' problems ranked as one list and the weekly report
   built from those rows by the same code as the in-memory engine
   (:func:`curtool.core.report.build_report`).

Each step runs the in-memory engine's own functions, so the answers are the same by
construction (tests compare the two on the bundled samples, on a real local cluster of
two worker processes).  A task's memory is bounded by its district, not by the archive;
the client holds the report's window of weeks and the open backlog.

Workers read the archive (and any ``--model``/``--taxonomy`` file) by the same path as
the client: on several machines, a shared folder (NFS, SMB) mounted at the same place.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from curtool.app.options import EngineOptions, Options
from curtool.core import columns as C
from curtool.core import errors
from curtool.core import periods as P
from curtool.core import weeks as wk
from curtool.core.categories import CategoryMap, CategoryVotes
from curtool.core.classify import category_values
from curtool.core.recurring import RecurringResult, find_recurring, match_district, rank_problems
from curtool.io import parquetarchive as pq_archive

Progress = Callable[[str, int, int], None]  # (stage, done, total)

_CLASSIFIED = [C.SECTOR, C.SECTOR_CONFIDENCE, C.PROBLEM_KIND, C.NEEDS_REVIEW]
_ASSIGNED = "_problem"
_PLACE = "_place"


# --- the cluster ------------------------------------------------------------------------------
@contextlib.contextmanager
def cluster(engine: EngineOptions) -> Iterator[object]:
    """A Dask client: of the scheduler at ``engine.scheduler``, or of a local cluster sized
    to this machine (a worker process per core, the memory shared out between them)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise errors.CurtoolError(
            errors.ENGINE_FAILED,
            "--engine dask needs Dask, which is not installed",
            'install it with: pip install "curtool[dask]"',
        ) from None
    if engine.scheduler:
        try:
            client = Client(engine.scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise errors.CurtoolError(
                errors.ENGINE_FAILED,
                f"no Dask scheduler answers at {engine.scheduler} ({type(exc).__name__})",
                "start one with `dask scheduler` and workers with `dask worker ADDRESS` (see README)",
            ) from None
        with client:
            yield client
        return
    workers = engine.workers or max(1, os.cpu_count() or 1)
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # a free port: two clusters on one machine do not collide
            silence_logs=logging.CRITICAL,
        ) as local,
        Client(local) as client,
    ):
        yield client


def _gather(client, futures: list, stage: str, progress: Progress | None) -> list:
    """The futures' results in their order, reporting progress as they finish; a task's
    CurtoolError is raised as it is (the user's line), anything else says which stage."""
    from distributed import as_completed

    total = len(futures)
    if progress:
        progress(stage, 0, total)
    for done, _ in enumerate(as_completed(futures), 1):
        if progress:
            progress(stage, done, total)
    try:
        return client.gather(futures)
    except errors.CurtoolError:
        raise
    except Exception as exc:  # a worker died, ran out of memory, lost its files
        raise errors.CurtoolError(
            errors.ENGINE_FAILED,
            f"the Dask cluster failed while {stage} ({type(exc).__name__}: {exc})",
            "check the workers' logs and memory (a district must fit in one worker); "
            "--engine memory runs without Dask",
        ) from None


# --- the tasks (run on workers) ---------------------------------------------------------------
@dataclass
class PartFacts:
    """What one Parquet part says before any text is read."""

    groups: list[tuple[int, str]] = field(default_factory=list)  # (first _seq, category) as met
    last: pd.Timestamp | None = None  # its latest kept creation time before the cut


def part_facts(archive_path: str, file: str, end: pd.Timestamp | None) -> PartFacts:
    archive = pq_archive.open_archive(archive_path)
    rows = pq_archive.read_rows(archive, [pq_archive.SEQ, C.GROUP, C.CREATED, C.DUPLICATE], part=file)
    created = pd.to_datetime(rows[C.CREATED])
    if end is not None:
        rows = rows.loc[((created < end) | created.isna()).to_numpy()]
        created = pd.to_datetime(rows[C.CREATED])
    kept = created[~rows[C.DUPLICATE].to_numpy(dtype=bool)].dropna()
    groups = rows[C.GROUP].astype(str)
    first = ~groups.duplicated() & (groups != "")
    seq = rows[pq_archive.SEQ].to_numpy()
    return PartFacts(
        groups=list(zip(seq[first.to_numpy()].tolist(), groups[first].tolist(), strict=True)),
        last=kept.max() if len(kept) else None,
    )


def part_votes(
    archive_path: str, file: str, end: pd.Timestamp | None, opts: Options, seen: list[str]
) -> CategoryVotes | None:
    """The model's votes on the categories, over one part's messages up to the cut."""
    from curtool.app.pipeline import classification

    archive = pq_archive.open_archive(archive_path)
    frame = pq_archive.read_rows(archive, part=file)
    if end is not None:
        frame = wk.until_end(frame, end)
    return classification(frame, opts, opts.use_given(), categories_seen=seen).votes


@dataclass
class DistrictPart:
    """One district's share of a job."""

    problems: pd.DataFrame
    members: dict[str, np.ndarray]  # problem id -> _seq of its messages
    rows: pd.DataFrame  # the rows the report needs (index: _seq), classified and assigned
    categories: CategoryMap | None = None


def district_part(
    archive_path: str,
    district: str,
    opts: Options,
    *,
    week: P.Period | str | None,
    last_day: pd.Timestamp | None,
    seen: list[str],
    votes: CategoryVotes | None,
    weeks_back: int,
    known_closed: bool,
    since: date | None = None,
    until: date | None = None,
) -> DistrictPart:
    """Classify one district's messages and find its recurring problems (see the module)."""
    from curtool.app.pipeline import classification

    archive = pq_archive.open_archive(archive_path)
    period = P.as_period(week) if week else None
    end = period.end if period is not None else None
    where = pq_archive.before(end) if end is not None else None
    frame = pq_archive.read_rows(archive, district=district, where=where)
    frame.index = pd.Index(frame.pop(pq_archive.SEQ).to_numpy(), name=None)
    if end is not None:
        frame = wk.until_end(frame, end)
    done = classification(frame, opts, opts.use_given(), categories_seen=seen, votes=votes)
    classified = done.table[_CLASSIFIED]
    found = find_recurring(
        frame,
        classified[C.SECTOR],
        opts.recurring,
        since=since,
        until=until if until is not None else (last_day.date() if last_day is not None else None),
        kinds=classified[C.PROBLEM_KIND],
        kind_vectors=done.kind_vectors,
    )
    members = {pid: frame.index.to_numpy()[pos] for pid, pos in found.positions.items()}
    if period is not None:
        keep = _report_rows(frame, period, weeks_back, known_closed)
    else:  # the recurring job: the problems' messages
        keep = found.assignments.ne("").to_numpy().copy()
        for pos in found.positions.values():
            keep[pos] = True
    rows = frame.loc[keep]
    rows = pd.concat([rows, classified.loc[keep]], axis=1)
    rows[_ASSIGNED] = found.assignments[keep].astype(object)
    places = found.places if found.places is not None else pd.Series("", index=frame.index)
    rows[_PLACE] = places[keep].astype(object)
    return DistrictPart(found.problems, members, rows, done.categories)


def _report_rows(frame: pd.DataFrame, period: P.Period, weeks_back: int, known_closed: bool) -> np.ndarray:
    """The rows the report reads: those of its window of periods (copies included, for
    the rejected list) and of the same period a year back, closed in the period, still open
    (when closing dates are known), undated, and the earliest kept row (which period the
    data begins in)."""
    start, end = period.start, period.end
    first_week = period.shifted(-weeks_back).start
    created = pd.to_datetime(frame[C.CREATED])
    closed = pd.to_datetime(frame[C.CLOSED]) if C.CLOSED in frame else pd.Series(pd.NaT, index=frame.index)
    kept = ~frame[C.DUPLICATE].to_numpy(dtype=bool)
    keep = ((created >= first_week) & (created < end)).to_numpy() | created.isna().to_numpy()
    year_ago = period.year_ago()
    if year_ago is not None:
        keep |= year_ago.contains(created).to_numpy()
    keep |= ((closed >= start) & (closed < end)).to_numpy()
    if known_closed:
        keep |= (closed.isna() & created.notna()).to_numpy() & kept
    dated = np.flatnonzero(kept & created.notna().to_numpy())
    if len(dated):
        keep[dated[np.argmin(created.to_numpy()[dated])]] = True
    return keep


# --- the jobs ---------------------------------------------------------------------------------
@dataclass
class ArchiveFacts:
    """What the whole archive says before its districts are read."""

    archive: pq_archive.Archive
    seen: list[str]
    votes: CategoryVotes | None
    last_day: pd.Timestamp | None


def _facts(
    client, archive: pq_archive.Archive, opts: Options, end: pd.Timestamp | None, progress: Progress | None
) -> ArchiveFacts:
    path = str(archive.path)
    files = [p.file for p in archive.parts]
    futures = [client.submit(part_facts, path, f, end, pure=False) for f in files]
    facts = _gather(client, futures, "reading the archive", progress)
    met = sorted((s, g) for part in facts for s, g in part.groups)
    seen = category_values([g for _, g in met]) if opts.use_given() else []
    lasts = [f.last for f in facts if f.last is not None]
    votes = None
    if seen and _needs_votes(seen, opts):
        parts = _gather(
            client,
            [client.submit(part_votes, path, f, end, opts, seen, pure=False) for f in files],
            "counting the categories' votes",
            progress,
        )
        for part in parts:
            if part is not None:
                votes = part if votes is None else votes + part
    return ArchiveFacts(archive, seen, votes, max(lasts) if lasts else None)


def _needs_votes(seen: list[str], opts: Options) -> bool:
    """Whether some category is left to its messages' vote (neither the taxonomy nor the
    config decides it)."""
    from curtool.core.categories import fix_categories
    from curtool.io.taxonomyfile import load_taxonomy

    _, why, _, _ = fix_categories(seen, load_taxonomy(opts.taxonomy), dict(opts.groups) or None)
    return bool((why == "").any())


def _district_parts(
    client,
    archive: pq_archive.Archive,
    opts: Options,
    facts: ArchiveFacts,
    names: list[str],
    progress: Progress | None,
    **job: object,
) -> list[DistrictPart]:
    """:func:`district_part` of every district named, on the cluster."""
    tasks = [
        client.submit(
            district_part,
            str(archive.path),
            name,
            opts,
            last_day=facts.last_day,
            seen=facts.seen,
            votes=facts.votes,
            weeks_back=opts.weeks_back,
            pure=False,
            **job,
        )
        for name in names
    ]
    return _gather(client, tasks, "classifying and finding problems by district", progress)


@dataclass
class Assembled:
    rows: pd.DataFrame
    problems: pd.DataFrame
    members: dict[str, np.ndarray]
    categories: CategoryMap | None


def _assemble(parts: Sequence[DistrictPart]) -> Assembled:
    frames = [p.rows for p in parts if len(p.rows)]
    if frames:
        rows = pd.concat(frames).sort_index(kind="stable")
    else:  # no message of any district is shown: the columns still are
        rows = parts[0].rows.iloc[:0] if parts else pd.DataFrame(columns=[*_CLASSIFIED, _ASSIGNED, _PLACE])
    members: dict[str, np.ndarray] = {}
    for p in parts:
        members.update(p.members)
    problems = rank_problems([p.problems for p in parts if len(p.problems)])
    categories = next((p.categories for p in parts if p.categories is not None), None)
    return Assembled(rows, problems, members, categories)


def _result(assembled: Assembled, opts: Options) -> RecurringResult:
    rows = assembled.rows
    where = pd.Series(np.arange(len(rows)), index=rows.index)
    positions = {
        pid: where.reindex(seq).dropna().to_numpy(dtype=np.int64) for pid, seq in assembled.members.items()
    }
    return RecurringResult(
        problems=assembled.problems,
        assignments=rows[_ASSIGNED].astype(object) if len(rows) else pd.Series(dtype=object),
        settings=opts.recurring,
        places=rows[_PLACE].astype(object) if len(rows) else pd.Series(dtype=object),
        positions=positions,
    )


def report_archive(
    path: str | Path,
    opts: Options,
    *,
    week: str | None = None,
    today: date | None = None,
    mask_pii: bool = False,
    population: pd.DataFrame | None = None,
    progress: Progress | None = None,
    state=None,
    period: P.Period | None = None,
):
    """``curtool report ARCHIVE --engine dask``: the same report as the in-memory engine (and the
    same problem statuses: ``state`` is applied in the shared ``build_weekly``)."""
    from curtool.app.pipeline import ReportRun, build_weekly, data_warnings

    archive = pq_archive.open_archive(path)
    _require_dates(archive)
    today = today or date.today()
    first, last = archive.span()
    span = wk.DataSpan(first, last)
    resolved = period or P.week_period(wk.resolve_week(span, week, today))
    end = resolved.end
    with cluster(opts.engine) as client:
        facts = _facts(client, archive, opts, end, progress)
        parts = _district_parts(
            client, archive, opts, facts, pq_archive.district_names(archive), progress,
            week=resolved, known_closed="closed" in archive.fields,
        )  # fmt: skip
    assembled = _assemble(parts)
    rows = assembled.rows
    found = _result(assembled, opts)
    report = build_weekly(
        rows.drop(columns=[*_CLASSIFIED, _ASSIGNED, _PLACE]), rows[_CLASSIFIED], found, opts,
        resolved, today, mask_pii, population, set(archive.fields), span, state,
    )  # fmt: skip
    return ReportRun(report, data_warnings(report), assembled.categories)


def report_period(path: str | Path, today: date | None = None, **chosen: str | None) -> P.Period:
    """The period a report of the archive covers, from its manifest alone."""
    archive = pq_archive.open_archive(path)
    _require_dates(archive)
    first, last = archive.span()
    return P.resolve_period(wk.DataSpan(first, last), today or date.today(), **chosen)


def _require_dates(archive: pq_archive.Archive) -> None:
    if "created" not in archive.fields:
        raise errors.CurtoolError(
            errors.NO_DATA,
            "the archive's exports have no column of creation dates, so messages cannot be put into weeks",
            "archive them again naming the date column with --date-column",
            path=archive.path,
        )


@dataclass
class ArchiveProblems:
    """``curtool recurring ARCHIVE --engine dask``: the problems, and the rows of their messages."""

    result: RecurringResult
    frame: pd.DataFrame
    categories: CategoryMap | None = None


def problems_archive(
    path: str | Path,
    opts: Options,
    *,
    district: str | None = None,
    since: date | None = None,
    until: date | None = None,
    progress: Progress | None = None,
) -> ArchiveProblems:
    """The recurring problems of the archive (or of one ``district``), the same as in memory."""
    archive = pq_archive.open_archive(path)
    _require_dates(archive)
    names = pq_archive.district_names(archive)
    if district is not None:
        names = [match_district(district, [n for n in names if n])]
    with cluster(opts.engine) as client:
        facts = _facts(client, archive, opts, None, progress)
        if facts.last_day is None:
            from curtool.core.recurring import NO_DATES, NO_DATES_HINT

            raise errors.CurtoolError(errors.NO_DATA, NO_DATES, NO_DATES_HINT, path=archive.path)
        parts = _district_parts(
            client, archive, opts, facts, names, progress,
            week=None, known_closed=False, since=since, until=until,
        )  # fmt: skip
    assembled = _assemble(parts)
    rows = assembled.rows
    result = _result(assembled, opts)
    frame = rows.drop(columns=[*_CLASSIFIED, _ASSIGNED, _PLACE]) if len(rows) else rows
    return ArchiveProblems(result, frame, assembled.categories)


def part_classified(
    archive_path: str, file: str, opts: Options, seen: list[str], votes: CategoryVotes | None
) -> pd.DataFrame:
    """One part's messages classified as the whole archive would be: what ``classify -o``
    writes of them (see :func:`curtool.app.pipeline.export_table`)."""
    from curtool.app.pipeline import classification, export_table
    from curtool.io.loader import Dataset

    archive = pq_archive.open_archive(archive_path)
    frame = pq_archive.read_rows(archive, part=file)
    frame.index = pd.Index(frame.pop(pq_archive.SEQ).to_numpy(), name=None)
    done = classification(frame, opts, opts.use_given(), categories_seen=seen, votes=votes)
    return export_table(Dataset(frame, []), done.table)


@dataclass
class ArchiveClassified:
    """``curtool classify ARCHIVE --engine dask``: rows written, sectors counted."""

    rows: int
    protected: int
    sectors: pd.Series  # messages (duplicates aside) per block


def classify_archive(
    path: str | Path, opts: Options, target: str | Path, progress: Progress | None = None
) -> ArchiveClassified:
    """Every message of the archive classified part by part on the workers, written to
    ``target`` (.csv, .parquet, .jsonl) as the parts come: never whole in memory.  Rows are
    grouped by month (the archive's parts), in load order within a part."""
    from curtool.io.output import TableStream

    archive = pq_archive.open_archive(path)
    counts: dict[str, int] = {}
    with TableStream(target, opts.csv_dialect) as stream, cluster(opts.engine) as client:
        facts = _facts(client, archive, opts, None, progress)
        path_ = str(archive.path)
        order = sorted(archive.parts, key=lambda p: (p.month, p.load))
        futures = [
            client.submit(part_classified, path_, p.file, opts, facts.seen, facts.votes, pure=False)
            for p in order
        ]
        done = 0
        if progress:
            progress("classifying by part", 0, len(futures))
        for future in futures:  # in order: the file's rows follow the parts
            try:
                table = future.result()
            except errors.CurtoolError:
                raise
            except Exception as exc:
                raise errors.CurtoolError(
                    errors.ENGINE_FAILED,
                    f"the Dask cluster failed while classifying ({type(exc).__name__}: {exc})",
                    "check the workers' logs and memory; --engine memory runs without Dask",
                ) from None
            stream.write(table)
            kept = table.loc[table[C.DUPLICATE_OF_COLUMN].astype(str) == "", C.SECTOR].value_counts()
            for block, n in kept.items():
                counts[str(block)] = counts.get(str(block), 0) + int(n)
            future.release()
            done += 1
            if progress:
                progress("classifying by part", done, len(futures))
    sectors = pd.Series(counts, dtype="int64").sort_values(ascending=False)
    return ArchiveClassified(stream.rows, stream.protected, sectors)
