"""Whole jobs, from export files to results: the Python API the CLI wraps.

``classify_files``, ``find_problems``, ``run_report``, ``train_from_files`` and
``evaluate_files`` take the export paths (or a loaded :class:`~curtool.io.loader.Dataset`)
and one :class:`~curtool.app.options.Options`, and return data; nothing here prints or
writes a file (the CLI and a notebook decide that).  Warnings a user must see (a glob that
matched nothing, an export that stops before the report week ends, a week without messages)
are returned with the result, so the CLI, a cron log and a notebook all get them.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from curtool.app.options import Options
from curtool.core import columns as C
from curtool.core import errors, reach
from curtool.core import periods as P
from curtool.core import weeks as wk
from curtool.core.categories import CategoryMap, CategoryVotes
from curtool.core.classify import Classification
from curtool.core.districts import Gazetteer
from curtool.core.evaluate import Evaluation, cross_validate, evaluate
from curtool.core.geopoints import MapPoints, map_points, members_of
from curtool.core.mapping import find_header
from curtool.core.model import SectorModel
from curtool.core.problemstate import ProblemState, track
from curtool.core.recurring import RecurringResult, RecurringSettings, find_recurring
from curtool.core.report import Report, build_report
from curtool.core.training import label_level, train
from curtool.io.loader import Dataset, load
from curtool.io.parquetarchive import Appended, is_archive, read_dataset
from curtool.io.taxonomyfile import load_taxonomy


def classify_frame_detailed(
    frame: pd.DataFrame,
    model_path: str | Path | None = None,
    taxonomy_path: str | Path | None = None,
    use_given: bool = True,
    groups: Mapping[str, str] | None = None,
    groups_source: str | Path | None = None,
    categories_seen: Sequence[str] | None = None,
    votes: CategoryVotes | None = None,
) -> Classification:
    """Sector columns for every row of a loaded frame (see :func:`curtool.core.classify.classify`),
    how the export's categories were mapped, and each row's likeliest kinds as vectors (what
    recurring problems compare).

    ``groups`` is the config's ``[groups]`` (category -> block or ``text``); its blocks
    are checked against the taxonomy in use, and an error names ``groups_source``.
    ``categories_seen`` and ``votes`` classify a part as its whole would be
    (:func:`curtool.core.classify.classify_detailed`).
    """
    from curtool.core.classify import classify_detailed
    from curtool.io.modelfile import load_model

    model = load_model(model_path)
    taxonomy = load_taxonomy(taxonomy_path)
    if groups:
        from curtool.io.configfile import check_groups

        check_groups(dict(groups), taxonomy, groups_source)
    return classify_detailed(
        frame,
        model,
        use_given=use_given,
        taxonomy=taxonomy,
        groups=groups,
        categories_seen=categories_seen,
        votes=votes,
    )


@dataclass
class ReportRun:
    """The report of one week and what the user must be told about it."""

    report: Report
    warnings: list[str] = field(default_factory=list)
    categories: CategoryMap | None = None  # how the export's own categories were mapped


def require_dates(data: Dataset) -> None:
    """A weekly report needs creation dates: say which file lacks the column, and how to name it."""
    if "created" in data.known_fields():
        return
    names = ", ".join(f"«{n}»" for n in C.FIELD_ALIASES["created"][:3])
    path = data.files[0].path
    archived = is_archive(path.parent)  # an archive's exports: the column is named when archiving
    raise errors.CurtoolError(
        errors.NO_DATA,
        "no column of creation dates, so messages cannot be put into weeks",
        ("archive the exports again naming" if archived else "name")
        + f" the date column with --date-column (looked for {names} …)",
        path=path,
    )


def data_warnings(report: Report) -> list[str]:
    """What a cron job must flag: a period the export does not cover, a period without messages."""
    name = f"{report.reported.kind if report.reported.kind != P.RANGE else 'period'} {report.week}"
    if report.data_end is None:
        return [f"{name} has no messages; the export has no dated message at all"]
    end = f"{report.data_end:%Y-%m-%d}"
    if report.totals.count == 0:
        if report.data_start is not None and report.data_start > report.week_end:
            return [
                f"{name} has no messages; the export begins on "
                f"{report.data_start:%Y-%m-%d} (its last message is from {end})"
            ]
        return [f"{name} has no messages; the export's last message is from {end}"]
    if report.partial and report.data_end < report.week_end:
        return [f"{name} is incomplete: the export's last message is from {end}"]
    if report.partial:
        return [f"{name} is incomplete: the export begins on {report.data_start:%Y-%m-%d}"]
    return []


# --- the jobs, from files --------------------------------------------------------------------

Inputs = Sequence[str | Path]
Progress = Callable[[str, int, int], None]  # (stage, done, total): see curtool.app.progress

# the stages a job names to its ``progress`` callback as each begins (total 0: not counted);
# the distributed engine counts its tasks instead
READING = "Чтение выгрузок"
CLASSIFYING = "Классификация сообщений"
FINDING = "Поиск повторяющихся проблем"
BUILDING = "Сборка отчёта"
CROSS_VALIDATING = "Перекрёстная проверка"
TRAINING = "Обучение модели"
ARCHIVING = "Запись в архив"
WRITING = "Запись результата"


def begin(progress: Progress | None, stage: str) -> None:
    """Tell ``progress`` (if any) that ``stage`` begins."""
    if progress is not None:
        progress(stage, 0, 0)


def archive_input(inputs: Inputs) -> Path | None:
    """The message archive the inputs name (a folder made by ``curtool archive``), if they
    name one; an archive is read alone, not beside exports."""
    folders = [Path(p) for p in inputs if is_archive(p)]
    if not folders:
        return None
    if len(list(inputs)) > 1:
        raise errors.CurtoolError(
            errors.BAD_OPTION,
            "an archive is read alone, not together with other exports or archives",
            f"add the exports to it first: curtool archive EXPORT... -o {folders[0]}",
            path=folders[0],
        )
    return folders[0]


def load_files(
    inputs: Inputs | Dataset, options: Options | None = None, progress: Progress | None = None
) -> Dataset:
    """The exports read and normalised with the options' reading flags and config (a loaded
    :class:`Dataset` is returned as it is; an archive folder is read whole)."""
    if isinstance(inputs, Dataset):
        return inputs
    begin(progress, READING)
    archive = archive_input(inputs)
    if archive is not None:
        return read_dataset(archive)
    opts = options or Options()
    return _load(list(inputs), opts, opts.read.gazetteer)


def _load(paths: list, opts: Options, gazetteer: Gazetteer | Path | None, keep_keys: bool = False) -> Dataset:
    """:func:`curtool.io.loader.load` with the options' reading flags and config."""
    read = opts.read
    return load(
        paths,
        columns=read.columns,
        sheet=read.sheet,
        encoding=read.encoding,
        separator=read.separator,
        no_header=read.no_header,
        config=opts.config,
        gazetteer=gazetteer,
        keep_keys=keep_keys,
    )


def classification(
    frame: pd.DataFrame,
    opts: Options,
    use_given: bool,
    *,
    categories_seen: Sequence[str] | None = None,
    votes: CategoryVotes | None = None,
) -> Classification:
    """:func:`classify_frame_detailed` with the options' model, taxonomy and ``[groups]``."""
    return classify_frame_detailed(
        frame, opts.model, opts.taxonomy, use_given, opts.groups, opts.groups_source, categories_seen, votes
    )


@dataclass
class ClassifyRun:
    """Every message's block and kind: ``table`` is what ``classify -o`` writes (the export's
    own columns, then curtool's), ``result`` the sector columns alone."""

    data: Dataset
    result: pd.DataFrame
    table: pd.DataFrame
    categories: CategoryMap | None = None

    @property
    def warnings(self) -> list[str]:
        return self.data.warnings


# what ``classify`` writes of an archive's messages in place of the export's own columns
ARCHIVE_COLUMNS = {
    "id": C.ID,
    "created": C.CREATED,
    "district": C.DISTRICT,
    "address": C.ADDRESS,
    "category": C.GROUP,
    "topic": C.TOPIC,
    "status": C.STATUS,
    "text": C.TEXT,
}


def export_table(data: Dataset, result: pd.DataFrame) -> pd.DataFrame:
    """Original columns, then the sector columns, the source file and any row issue codes."""
    originals = data.original_columns()
    table = data.frame[originals]  # copy-on-write: adding columns does not copy the originals
    if not originals:  # an archive keeps no original column: its analysis columns stand in
        table = pd.DataFrame(
            {name: data.frame[col].to_numpy() for name, col in ARCHIVE_COLUMNS.items() if col in data.frame},
            index=data.frame.index,
        )
    for col in C.OUTPUT_COLUMNS:
        name = col if col not in table.columns else f"{col} (curtool)"
        table[name] = result[col].to_numpy()
    table[C.SOURCE_FILE] = data.frame[C.FILE].to_numpy()
    table[C.LINE_NUMBER] = data.frame[C.LINE].to_numpy()
    table[C.ROW_ISSUES] = data.frame[C.ISSUES].to_numpy()
    table[C.DUPLICATE_OF_COLUMN] = data.frame[C.DUPLICATE_OF].to_numpy()
    return table


def classify_files(
    inputs: Inputs | Dataset, options: Options | None = None, progress: Progress | None = None
) -> ClassifyRun:
    """``curtool classify``: every message of the exports gets its block and kind, with
    confidence and evidence; rows set aside keep their reason in ``row_issues``."""
    opts = options or Options()
    data = load_files(inputs, opts, progress)
    begin(progress, CLASSIFYING)
    done = classification(data.frame, opts, opts.use_given())
    return ClassifyRun(data, done.table, export_table(data, done.table), done.categories)


@dataclass
class ProblemsRun:
    """``curtool recurring``: the problems found, and the messages they were found in."""

    data: Dataset
    result: RecurringResult
    settings: RecurringSettings
    categories: CategoryMap | None = None

    @property
    def warnings(self) -> list[str]:
        return self.data.warnings


def find_problems(
    inputs: Inputs | Dataset,
    options: Options | None = None,
    *,
    district: str | None = None,
    since: date | None = None,
    until: date | None = None,
    progress: Progress | None = None,
    rank: str = "count",
) -> ProblemsRun:
    """The problems that keep coming back (in one ``district``, or all), ranked, each with its
    messages; ``since``/``until`` bound the days looked at.  ``rank``: ``count`` (messages,
    the default) or ``reach`` (engagement, then audience: :func:`curtool.core.reach.rank_by`)."""
    opts = options or Options()
    check_ranking(rank)
    if opts.engine.distributed and not isinstance(inputs, Dataset):
        from curtool.app.distributed import problems_archive
        from curtool.io.parquetarchive import file_reports, open_archive

        with engine_source([inputs] if isinstance(inputs, (str, Path)) else list(inputs), opts) as source:
            found = problems_archive(
                source, opts, district=district, since=since, until=until, progress=progress
            )
            files = file_reports(open_archive(source))
        found.result.problems = reach.rank_by(found.result.problems, rank)
        return ProblemsRun(Dataset(found.frame, files), found.result, opts.recurring, found.categories)
    data = load_files(inputs, opts, progress)
    data.drop_originals()  # the outputs are built from the analysis columns alone
    begin(progress, CLASSIFYING)
    done = classification(data.frame, opts, opts.use_given())
    # the evidence strings of a million rows need not stay while problems are found
    table, vectors, categories = done.table[[C.SECTOR, C.PROBLEM_KIND]], done.kind_vectors, done.categories
    del done
    begin(progress, FINDING)
    result = find_recurring(
        data.frame,
        table[C.SECTOR],
        opts.recurring,
        district=district,
        since=since,
        until=until,
        kinds=table[C.PROBLEM_KIND],
        kind_vectors=vectors,
    )
    result.problems = reach.rank_by(result.problems, rank)
    return ProblemsRun(data, result, opts.recurring, categories)


def check_ranking(rank: str) -> None:
    """Refuse a ranking of problems that does not exist (before any file is read)."""
    if rank not in reach.RANKINGS:
        raise errors.CurtoolError(
            errors.BAD_OPTION,
            f"--rank-by {rank!r} is not a ranking",
            "use --rank-by count (messages) or --rank-by reach (engagement, then audience)",
        )


def problem_points(run: ProblemsRun) -> MapPoints:
    """``recurring --geojson``: the problems and their messages as points; a message takes
    the block and kind of the problem it is assigned to."""
    frame, result = run.data.frame, run.result
    assigned = result.assignments.reindex(frame.index).fillna("").astype(str)
    rows = frame.index[(assigned != "").to_numpy()]
    by_id = result.problems.set_index(result.problems["id"].astype(str)) if len(result.problems) else None
    messages = pd.DataFrame(index=rows)
    for name in (C.ID, C.DISTRICT, C.CREATED, C.STATUS):
        messages[name] = frame.loc[rows, name] if name in frame.columns else ""
    messages[C.PROBLEM_ID] = assigned.loc[rows]
    for name, source in ((C.SECTOR, "sector"), (C.PROBLEM_KIND, "kind")):
        if by_id is not None and source in by_id.columns:
            messages[name] = messages[C.PROBLEM_ID].map(by_id[source]).fillna("")
        else:
            messages[name] = ""
    messages = messages.sort_values(C.CREATED, kind="stable") if C.CREATED in frame.columns else messages
    members = members_of(result.assignments, result.positions, frame.index)
    return map_points(frame, messages, result.problems, members)


def run_report(
    inputs: Inputs | Dataset,
    options: Options | None = None,
    *,
    week: str | None = None,
    today: date | None = None,
    mask_pii: bool = False,
    population: pd.DataFrame | None = None,
    progress: Progress | None = None,
    state: ProblemState | None = None,
    period: P.Period | None = None,
) -> ReportRun:
    """``curtool report``: the weekly report of the exports (``week`` «2026-W47», «last», or
    the latest complete week), or the report of any ``period`` (see :func:`report_period`),
    built only from what was known at the end of the week or period.

    The week is resolved first and the frame cut at its end before anything is
    classified or grouped, so a past week's recurring problems, open messages and
    category mapping never depend on messages that came later.  ``population`` is the
    table of :func:`curtool.io.sidefiles.read_population`; the caller reads
    ``options.population`` (a file) because reading is io's.  ``state`` (the problem state
    read by :func:`curtool.io.statefile.read_state`; None: not tracked) gives every recurring
    problem its status against the previous report; ``report.dynamics.state`` is the state
    to write once the workbook is written.
    """
    opts = options or Options()
    if opts.engine.distributed and not isinstance(inputs, Dataset):
        from curtool.app.distributed import report_archive

        with engine_source([inputs] if isinstance(inputs, (str, Path)) else list(inputs), opts) as source:
            return report_archive(
                source,
                opts,
                week=week,
                today=today,
                mask_pii=mask_pii,
                population=population,
                progress=progress,
                state=state,
                period=period,
            )
    data = load_files(inputs, opts, progress)
    require_dates(data)
    today = today or date.today()
    frame = data.frame
    resolved = period or P.week_period(wk.resolve_week(frame, week, today))
    span = wk.data_span(frame)  # of the whole export: the cut below ends at the period's end
    cut = wk.until_end(frame, resolved.end)
    begin(progress, CLASSIFYING)
    done = classification(cut, opts, opts.use_given())
    categories, vectors = done.categories, done.kind_vectors
    # the report shows sector, confidence, kind and review; a million evidence strings need not stay
    classified = done.table[[C.SECTOR, C.SECTOR_CONFIDENCE, C.PROBLEM_KIND, C.NEEDS_REVIEW]]
    del done
    begin(progress, FINDING)
    found = find_recurring(
        cut, classified[C.SECTOR], opts.recurring, kinds=classified[C.PROBLEM_KIND], kind_vectors=vectors
    )
    begin(progress, BUILDING)
    report = build_weekly(
        cut, classified, found, opts, resolved, today, mask_pii, population, data.known_fields(), span, state
    )
    return ReportRun(report, [*data.warnings, *data_warnings(report)], categories)


def build_weekly(
    frame: pd.DataFrame,
    classified: pd.DataFrame,
    found: RecurringResult,
    opts: Options,
    period: P.Period,
    today: date,
    mask_pii: bool,
    population: pd.DataFrame | None,
    known_fields: set[str],
    span: wk.DataSpan,
    state: ProblemState | None = None,
) -> Report:
    """:func:`curtool.core.report.build_report` with the options: one place for both engines, so
    an option reaches the in-memory and the distributed report alike, and the problem state
    (:func:`curtool.core.problemstate.track`) is applied here once for both."""
    report = build_report(
        frame,
        classified,
        found,
        period=period,
        today=today,
        weeks_back=opts.weeks_back,
        population=population,
        deadlines=dict(opts.deadlines) or None,
        mask_pii=mask_pii,
        known_fields=known_fields,
        span=span,
    )
    if state is not None:
        track(report, found.problems, state)
    return report


def report_week(data: Dataset | Path, week: str | None, today: date | None = None) -> str:
    """The ISO week a report of ``data`` (or of an archive) will cover («2026-W47»), known
    before any work is done, so the output name can be checked first."""
    return report_period(data, today, week=week).label


def report_period(data: Dataset | Path, today: date | None = None, **chosen: str | None) -> P.Period:
    """The period a report of ``data`` (or of an archive) will cover, from the options
    ``week``, ``month``, ``quarter``, ``since``, ``until`` (see
    :func:`curtool.core.periods.resolve_period`), known before any work is done, so the
    output name can be checked first."""
    if not isinstance(data, Dataset):
        from curtool.app.distributed import report_period as archive_period

        return archive_period(data, today, **chosen)
    require_dates(data)
    return P.resolve_period(data.frame, today or date.today(), **chosen)


def labelled_messages(
    data: Dataset, label_column: str, alt_label_column: str | None = None
) -> tuple[pd.DataFrame, pd.Series, list[str] | None]:
    """Labelled messages (duplicates and empty labels out), their labels, and the alternative
    labels (or None): what ``train`` and ``evaluate`` learn from and measure against."""
    header = _label_header(data, label_column, "--label-column")
    alt_header = _label_header(data, alt_label_column, "--alt-label-column") if alt_label_column else None
    wanted = [C.CLEAN, C.GROUP, header] + ([alt_header] if alt_header and alt_header != header else [])
    msgs = data.frame.loc[~data.frame[C.DUPLICATE], wanted]
    labels = msgs[header].fillna("").astype(str).str.strip()  # an empty .xlsx cell is NaN
    keep = (labels != "") & (msgs[C.CLEAN] != "")
    if keep.sum() < 2:
        raise errors.CurtoolError(
            errors.NO_LABELS,
            f"column «{header}» has fewer than 2 labelled messages",
            "check --label-column",
            path=data.files[0].path,
        )
    alt = None
    if alt_header is not None:
        alt = msgs.loc[keep, alt_header].fillna("").astype(str).str.strip().tolist()
    return msgs[keep], labels[keep], alt


def _label_header(data: Dataset, name: str, option: str) -> str:
    header = find_header(name, data.original_columns())
    if header is None:
        raise errors.CurtoolError(
            errors.NO_SUCH_COLUMN,
            f"there is no column «{name}» for {option}",
            "columns seen: " + ", ".join(f"«{h}»" for h in data.original_columns()[:20]),
            path=data.files[0].path,
        )
    return header


def check_folds(cv: int) -> None:
    """``--cv``: 0 (none) or at least 2 folds."""
    if cv == 1:
        raise errors.CurtoolError(
            errors.BAD_OPTION, "--cv 1 is not cross-validation", "use --cv 5 (or 0 for none)"
        )


@dataclass
class TrainRun:
    """A model learnt from labelled exports, and its cross-validation when asked."""

    model: SectorModel
    messages: int
    labels: int
    cross_validation: Evaluation | None = None
    warnings: list[str] = field(default_factory=list)


def train_from_files(
    inputs: Inputs | Dataset,
    label_column: str,
    options: Options | None = None,
    *,
    alt_label_column: str | None = None,
    cv: int = 0,
    progress: Progress | None = None,
) -> TrainRun:
    """``curtool train``: a model from a region's own labelled history (``cv`` ≥ 2 also
    measures it by k-fold cross-validation first)."""
    check_folds(cv)
    data = load_files(inputs, options, progress)
    msgs, labels, alt = labelled_messages(data, label_column, alt_label_column)
    texts, truth = msgs[C.CLEAN].tolist(), labels.tolist()
    measured = None
    if cv:
        begin(progress, CROSS_VALIDATING)
        measured = cross_validate(texts, truth, folds=cv, alt_labels=alt)
    begin(progress, TRAINING)
    return TrainRun(train(texts, truth), len(truth), labels.nunique(), measured, data.warnings)


@dataclass
class EvaluateRun:
    """A model measured against labelled exports; ``level`` says what the labels are
    («kind», «sector» or «labels» of the user's own)."""

    evaluation: Evaluation
    level: str
    messages: int
    warnings: list[str] = field(default_factory=list)


def evaluate_files(
    inputs: Inputs | Dataset,
    label_column: str,
    options: Options | None = None,
    *,
    alt_label_column: str | None = None,
    progress: Progress | None = None,
) -> EvaluateRun:
    """``curtool evaluate``: per-class precision/recall/F1, macro-F1, accuracy and confusion of
    the options' model against the labels; by default every row is predicted (the model is
    measured on its own unless ``--use-given``)."""
    opts = options or Options()
    data = load_files(inputs, opts, progress)
    msgs, labels, alt = labelled_messages(data, label_column, alt_label_column)
    begin(progress, CLASSIFYING)
    # labels that are kinds of the taxonomy measure the kind, block labels the sector
    taxonomy = load_taxonomy(opts.taxonomy) if opts.taxonomy else None
    level = label_level(labels.tolist(), taxonomy)
    column = C.PROBLEM_KIND if level == "kind" else C.SECTOR
    predicted = classification(msgs, opts, opts.use_given(default=False)).table[column]
    result = evaluate(labels.tolist(), predicted.tolist(), alt_labels=alt)
    return EvaluateRun(result, level, len(labels), data.warnings)


# --- the archive and the distributed engine ------------------------------------------------------
@dataclass
class ArchiveRun:
    """``curtool archive``: what was added to the archive, and what the user must be told."""

    appended: Appended
    warnings: list[str] = field(default_factory=list)


def archive_files(
    inputs: Inputs, target: str | Path, options: Options | None = None, progress: Progress | None = None
) -> ArchiveRun:
    """``curtool archive``: the exports loaded once (the loader of every command) and added
    to the Parquet archive at ``target`` (see :mod:`curtool.io.parquetarchive`); a file
    already in it is skipped, its rows that repeat archived messages are marked."""
    from curtool.io.loader import expand_paths
    from curtool.io.parquetarchive import append, file_digest, open_archive
    from curtool.io.sidefiles import read_gazetteer

    opts = options or Options()
    warnings: list[str] = []
    for p in inputs:
        if is_archive(p):
            raise errors.CurtoolError(
                errors.BAD_OPTION,
                "is an archive, not an export",
                "name the export files to add; an archive is not merged into another",
                path=p,
            )
    paths = expand_paths(inputs, warnings)
    existing = open_archive(target) if is_archive(target) else None
    known = existing.digests if existing is not None else set()
    fresh: list[Path] = []
    digests: dict[Path, str] = {}
    skipped: list[str] = []
    for path in paths:
        digest = file_digest(path)
        if digest in known or digest in digests.values():
            skipped.append(path.name)
            continue
        digests[path] = digest
        fresh.append(path)
    if skipped:
        warnings.append(
            "already in the archive (the same content), skipped: " + ", ".join(skipped[:10])
            + (f" and {len(skipped) - 10} more" if len(skipped) > 10 else "")
        )  # fmt: skip
    if not fresh:
        archive = existing if existing is not None else None
        if archive is None:
            raise errors.CurtoolError(
                errors.NO_DATA, "no export to archive", "name the export files", path=target
            )
        return ArchiveRun(Appended(archive, skipped=skipped), warnings)
    cfg = opts.config
    gaz_path = opts.read.gazetteer or cfg.gazetteer
    gazetteer = read_gazetteer(gaz_path) if gaz_path is not None else None
    begin(progress, READING)
    data = _load(fresh, opts, gazetteer, keep_keys=True)
    files = [
        {
            "name": r.path.name,
            "path": str(r.path.resolve()),
            "sha256": digests.get(r.path, ""),
            "rows": r.rows,
            "format": r.format,
            "mapping": dict(r.mapping),
        }
        for r in data.files
    ]
    data.drop_originals()
    begin(progress, ARCHIVING)
    appended = append(data.frame, files, target, gazetteer=gazetteer, aliases=cfg.district_aliases)
    appended.skipped = skipped
    return ArchiveRun(appended, [*warnings, *data.warnings])


@contextlib.contextmanager
def engine_source(
    inputs: Inputs, options: Options, progress: Progress | None = None
) -> Iterator[Dataset | Path]:
    """What a job reads: the loaded exports (``--engine memory``), or an archive for the
    distributed engine: the one named, or the exports archived into a temporary folder
    (removed afterwards; on a remote cluster it must be an archive on a shared folder)."""
    if not options.engine.distributed:
        yield load_files(inputs, options, progress)
        return
    archive = archive_input(inputs)
    if archive is not None:
        yield archive
        return
    if options.engine.scheduler:
        raise errors.CurtoolError(
            errors.BAD_OPTION,
            "a remote Dask cluster reads an archive, not exports on this machine",
            "make one on a folder the workers share: curtool archive EXPORT... -o /shared/archive",
        )
    with tempfile.TemporaryDirectory(prefix="curtool-archive-") as folder:
        archive_files(inputs, Path(folder) / "archive", options, progress)
        yield Path(folder) / "archive"


def source_rows(source: Dataset | Path) -> int:
    """Rows a job reads: of the loaded exports, or of the archive."""
    from curtool.io.parquetarchive import open_archive

    return len(source.frame) if isinstance(source, Dataset) else open_archive(source).rows
