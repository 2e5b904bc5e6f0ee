"""The weekly report: every figure of one week as DataFrames plus sentences for a letter.

:func:`build_report` runs the analysis (:mod:`curtool.core.aggregate`) for one ISO
week and returns a :class:`Report`, its letter written by :mod:`curtool.core.summary`;
:func:`curtool.io.reportbook.write_report` writes it.  Nothing here prints or writes files.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from curtool.core import aggregate as agg
from curtool.core import columns as C
from curtool.core import errors, executors
from curtool.core import periods as P
from curtool.core import response as rtimes
from curtool.core import sources as src
from curtool.core import weeks as wk
from curtool.core.comparison import Comparison, compare_periods
from curtool.core.districtmap import Choropleth
from curtool.core.geopoints import MapPoints, map_points, members_of
from curtool.core.pii import mask_series, mask_text
from curtool.core.reach import REACH_FIELDS
from curtool.core.summary import PARTIAL_WEEK, key_figures, summary_lines  # noqa: F401 (io's marker)
from curtool.core.wording import fmt_num, format_period

if TYPE_CHECKING:
    from curtool.core.problemstate import Dynamics

# Keys of the report's own tables (curtool.io.reportstyle maps them to Russian headers).
CREATED_IN_REPORT = "counted"  # «учтено в отчёте»: does a rejected row count in the figures
REASON_CODES = "reason_codes"
REASONS = "reasons"
NEW = C.PROBLEM_NEW
IN_WEEK = C.PROBLEM_IN_WEEK
NO_DATA = rtimes.NO_DATA
# Problem columns the recurring stage promises (issue #4)
PROBLEM_COLUMNS: tuple[str, ...] = C.PROBLEM_FIELDS
# Columns never masked: identifiers made of digits would read as phone numbers
_NO_MASK = {C.ID, C.ROW, C.PROBLEM_ID, "id", "message_ids", C.WEEK, C.FILE}


@runtime_checkable
class RecurringLike(Protocol):
    """What the report needs from ``recurring.find_recurring``'s result."""

    problems: pd.DataFrame
    assignments: pd.Series


@dataclass
class Report:
    """One week's analysis: the tables of every sheet and the summary sentences."""

    week: str
    week_start: date
    week_end: date  # Sunday
    weeks_back: int
    generated: datetime
    totals: agg.WeekTotals
    summary_lines: list[str]
    key_figures: pd.DataFrame  # label, value, kind
    heat: agg.HeatMap
    weekly_by_sector: pd.DataFrame  # weeks × sectors
    weekly_by_district: pd.DataFrame  # weeks × districts
    surges: pd.DataFrame
    surge_rule: str  # the statistic and threshold, in words, for the sheet
    recurring: pd.DataFrame | None  # None when the recurring stage was not run
    platforms: pd.DataFrame
    sources: pd.DataFrame
    response_by_sector: pd.DataFrame
    response_by_district: pd.DataFrame
    deadlines: rtimes.Deadlines
    messages: pd.DataFrame
    rejected: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    masked: bool = False
    data_start: date | None = None  # the day of the earliest message in the export
    data_end: date | None = None  # the day of the latest message in the export
    partial: bool = False  # the export ends inside the report week
    missing_dates: list[str] = field(default_factory=list)  # «дата первого ответа», «дата закрытия»
    # per executor (curtool.core.executors); None: the export has no executor column
    executors: pd.DataFrame | None = None
    geo: MapPoints | None = None  # the «Карта» sheet: the week's messages and the problems as points
    districts: Choropleth | None = None  # the districts' outlines and counts (``report --districts``)
    dynamics: Dynamics | None = None  # problems against the previous report (core.problemstate)
    # the report's period (``week`` is its label, ``week_start``/``week_end`` its first and
    # last day); None only for a Report made by hand, which is then the week ``week``
    term: P.Period | None = None
    comparison: Comparison | None = None  # against the previous period and a year earlier

    @property
    def reported(self) -> P.Period:
        """The report's period, whatever made the report."""
        return self.term if self.term is not None else P.week_period(self.week)

    @property
    def stale(self) -> bool:
        """The export ends before the report week begins: no message could be in it."""
        return self.data_end is None or self.data_end < self.week_start

    @property
    def marker(self) -> str:
        """«неполная неделя» (месяц, квартал, период), said wherever the period appears; ""
        for a covered one."""
        return self.reported.words.partial if self.partial else ""

    @property
    def period(self) -> str:
        """«17–23 ноября 2026 г.»"""
        return format_period(self.week_start, self.week_end)


# --- building ------------------------------------------------------------------------------
def build_report(
    frame: pd.DataFrame,
    classified: pd.DataFrame,
    recurring: RecurringLike | None = None,
    *,
    week: str | None = None,
    today: date | None = None,
    weeks_back: int = 8,
    period: P.Period | None = None,
    population: pd.DataFrame | None = None,
    deadlines: dict | rtimes.Deadlines | None = None,
    mask_pii: bool = False,
    known_fields: Collection[str] | None = None,
    span: wk.DataSpan | None = None,
) -> Report:
    """All the analysis of one ISO week, or of any ``period`` (then ``week`` is unused).

    ``frame`` is the loaded frame (``_`` columns; duplicates are skipped),
    ``classified`` holds ``sector`` and ``sector_confidence`` indexed like it.
    ``week``: None = latest complete week in the data, ``"last"`` = last
    complete week before ``today``, or ``"YYYY-Www"``.  ``population`` is a
    table with ``_district`` and ``population`` (see :func:`curtool.io.sidefiles.read_population`).

    Only what was known at the end of the week counts (:func:`aggregate.until_week_end`):
    ``recurring`` must come from the same cut frame (see ``curtool.app.pipeline``).
    ``known_fields`` are the loader fields the export has (``first_answer``,
    ``closed``, ``executor``…); without it a field counts as present when any row has it.
    ``span`` holds the first and latest messages of the whole export (default: of
    ``frame``): it tells a partial or uncovered week from a quiet one when ``frame`` is
    already cut.
    """
    if weeks_back < 1:
        raise errors.CurtoolError(
            errors.BAD_OPTION, "weeks back must be at least 1", "for example --weeks-back 8"
        )
    if C.CREATED not in frame:
        raise errors.CurtoolError(
            errors.NO_DATA,
            "the messages have no creation date",
            "name the date column with --date-column",
        )
    today = today or date.today()
    if period is None:
        period = P.week_period(wk.resolve_week(frame, week, today))
    week = period.label
    start, end = period.start, period.end
    deadline_table = rtimes.deadlines_from(deadlines)
    given_fields = known_fields is not None
    if known_fields is None:
        known_fields = [f for f in rtimes.DATE_FIELDS if rtimes.known_dates(frame, C.FIELD_COLUMNS[f])]
    missing = [name for f, name in rtimes.DATE_FIELDS.items() if f not in known_fields]
    earliest, latest = span or wk.data_span(frame)
    whole = frame.index  # a problem's positions count in the frame it was found in
    frame = wk.until_end(frame, end)
    if not classified.index.equals(frame.index):
        classified = classified.loc[frame.index]
    prepared = agg.prepare(frame, classified[C.SECTOR])
    notes: list[str] = []

    pop_series = None
    if population is not None:
        pop_series, unmatched = agg.match_population(population, prepared[C.DISTRICT].unique())
        if unmatched:
            notes.append(
                "В таблице населения есть районы без сообщений или с иным написанием: "
                + ", ".join(unmatched[:20])
            )
        no_pop = sorted(set(prepared[C.DISTRICT]) - set(pop_series.index) - {C.NO_DISTRICT})
        if no_pop:
            notes.append("Нет численности населения для: " + ", ".join(no_pop[:20]))

    # an export that ends before the week says nothing of the weeks after its end
    until = latest if latest is not None and latest < start else None
    totals = agg.week_totals(prepared, period, weeks_back, until)
    heat = agg.heat_map(prepared, period, weeks_back, pop_series, until)
    # «Динамика»: the baseline's periods and this one, by week (by month when longer than half a year)
    steps = P.dynamics_steps(period, weeks_back)
    if earliest is not None and latest is not None:
        # weeks or months outside the export are unknown, not quiet: shown as 0 they would be
        # invented figures (a quarter's 27 rows mostly zeros); the reported period always stays
        steps = [s for s in steps[:-1] if s.end > earliest and s.start <= latest] + steps[-1:]
    by_sector = agg.weekly_series(prepared, steps, C.SECTOR)
    by_district = agg.weekly_series(prepared, steps, C.DISTRICT)
    surge_table = agg.surges(prepared, period, weeks_back, until=until)
    words = period.words
    surge_rule = (
        f"Всплеск — клетка «район × сектор», где за {words.noun} не меньше "
        f"{agg.SURGE_MIN_COUNT} сообщений, не меньше чем в {fmt_num(agg.SURGE_MIN_RATIO, 0)} раза "
        f"больше среднего за {words.previous_plural} (до {weeks_back}) и вероятность получить "
        f"столько же или больше случайно p < {agg.SURGE_ALPHA:g} (пуассоновская модель "
        "с неопределённостью среднего: отрицательное биномиальное распределение, "
        "априорное Gamma(0,5))."
    )
    by_platform, by_source = src.sources(prepared, period)
    known = {"first_answer_known": "first_answer" in known_fields, "closed_known": "closed" in known_fields}
    # deadlines are judged at the end of the week, or where the export stops inside it
    partial = P.is_partial(period, latest, earliest)
    # deadlines are judged where the export stops inside the period (not where it begins)
    known["as_of"] = latest if P.is_partial(period, latest) and latest is not None else end
    rt_sector = rtimes.response_times(prepared, period, C.SECTOR, deadline_table, **known)
    rt_district = rtimes.response_times(prepared, period, C.DISTRICT, deadline_table, **known)
    has_executor = C.EXECUTOR in frame and (
        "executor" in known_fields
        if given_fields
        else bool(frame[C.EXECUTOR].fillna("").astype(str).str.strip().ne("").any())
    )
    by_executor = (
        executors.executor_times(prepared, frame[C.EXECUTOR], period, deadline_table, **known)
        if has_executor
        else None
    )

    in_week = prepared.index[period.contains(prepared[C.CREATED])]
    # a partial period against whole ones would read as a fall: it is not compared
    first_day = earliest.date() if earliest is not None else None
    last_day = latest.date() if latest is not None else None
    comparison = compare_periods(
        prepared,
        period,
        previous_known=not partial and P.covers(period.shifted(-1), first_day, last_day),
        year_ago_known=not partial and P.covers(period.year_ago(), first_day, last_day),
    )
    assignments = None
    if recurring is not None:
        assignments = recurring.assignments.reindex(frame.index).fillna("").astype(str)
    messages = _messages(frame, classified, prepared, in_week, assignments)
    problems = _problems(recurring, start, end, assignments, in_week) if recurring is not None else None
    rejected = _rejected(frame, start, end)

    report = Report(
        week=week,
        week_start=start.date(),
        week_end=(end - pd.Timedelta(days=1)).date(),
        weeks_back=weeks_back,
        generated=datetime.now().replace(microsecond=0),
        totals=totals,
        summary_lines=[],
        key_figures=pd.DataFrame(),
        heat=heat,
        weekly_by_sector=by_sector,
        weekly_by_district=by_district,
        surges=surge_table,
        surge_rule=surge_rule,
        recurring=problems,
        platforms=by_platform,
        sources=by_source,
        response_by_sector=rt_sector,
        response_by_district=rt_district,
        deadlines=deadline_table,
        messages=messages,
        rejected=rejected,
        notes=notes,
        data_start=earliest.date() if earliest is not None else None,
        data_end=latest.date() if latest is not None else None,
        partial=partial,
        missing_dates=missing,
        executors=by_executor,
        term=period,
        comparison=comparison,
    )
    report.summary_lines = summary_lines(report)
    report.key_figures = key_figures(report)
    if mask_pii:
        _mask(report)
    # after the masking: the map's problems carry the masked labels
    members = (
        members_of(recurring.assignments, getattr(recurring, "positions", None), whole)
        if recurring is not None
        else {}
    )
    report.geo = map_points(frame, report.messages, report.recurring, members)
    return report


def _messages(
    frame: pd.DataFrame,
    classified: pd.DataFrame,
    prepared: pd.DataFrame,
    rows: pd.Index,
    assignments: pd.Series | None,
) -> pd.DataFrame:
    """Every message of the week, oldest first, with its original text."""

    def column(name: str, default: object = "") -> pd.Series:
        return frame.loc[rows, name] if name in frame else pd.Series(default, index=rows, dtype=object)

    table = pd.DataFrame(
        {
            C.ID: column(C.ID).astype(str),
            C.CREATED: prepared.loc[rows, C.CREATED],
            C.DISTRICT: prepared.loc[rows, C.DISTRICT],
            C.SECTOR: prepared.loc[rows, C.SECTOR],
            C.SECTOR_CONFIDENCE: (
                classified.loc[rows, C.SECTOR_CONFIDENCE].astype(float)
                if C.SECTOR_CONFIDENCE in classified
                else np.nan
            ),
            C.PROBLEM_KIND: (
                classified.loc[rows, C.PROBLEM_KIND].astype(str) if C.PROBLEM_KIND in classified else ""
            ),
            C.NEEDS_REVIEW: (
                np.where(classified.loc[rows, C.NEEDS_REVIEW].astype(bool), "да", "")
                if C.NEEDS_REVIEW in classified
                else ""
            ),
            C.PROBLEM_ID: assignments.loc[rows] if assignments is not None else "",
            C.PLATFORM: src.platforms(prepared.loc[rows]),
            C.STATUS: prepared.loc[rows, C.STATUS],
            C.TEXT: column(C.TEXT).fillna("").astype(str),
            C.URL: prepared.loc[rows, C.URL].astype(str),
            C.FILE: column(C.FILE).astype(str),
            C.ROW: column(C.ROW, np.nan),
        },
        index=rows,
    )
    return table.sort_values(C.CREATED, kind="stable")


def _problems(
    recurring: RecurringLike,
    start: pd.Timestamp,
    end: pd.Timestamp,
    assignments: pd.Series | None,
    in_week: pd.Index,
) -> pd.DataFrame:
    problems = recurring.problems.copy()
    for name in PROBLEM_COLUMNS:
        if name not in problems:
            problems[name] = 0 if name in ("count", "weeks") else NO_DATA if name in REACH_FIELDS else ""
    first_seen = pd.to_datetime(problems["first_seen"], errors="coerce")
    problems[NEW] = (first_seen >= start) & (first_seen < end)
    if assignments is not None and len(problems):
        week_counts = assignments.loc[in_week]
        week_counts = week_counts[week_counts != ""].value_counts()
        problems[IN_WEEK] = problems["id"].astype(str).map(week_counts).fillna(0).astype("int64")
    else:
        problems[IN_WEEK] = 0
    problems["message_ids"] = problems["message_ids"].map(
        lambda v: (
            "; ".join(map(str, v))
            if isinstance(v, (list, tuple, np.ndarray))
            else ("" if v is None else str(v))
        )
    )
    for flag in ("returned_after_resolved", "systemic"):
        problems[flag] = problems[flag].fillna(False).astype(bool)
    order = [NEW, IN_WEEK, *PROBLEM_COLUMNS]
    problems = problems[order + [c for c in problems.columns if c not in order]]
    return problems.sort_values(
        [NEW, "systemic", IN_WEEK, "count"], ascending=False, kind="stable"
    ).reset_index(drop=True)


def _rejected(frame: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Rows with issue codes that belong to the week, and every row of no week (no or an
    unreadable date): each input row is a counted message of some week or listed here."""
    cols = [C.FILE, C.ROW, C.ID, CREATED_IN_REPORT, REASON_CODES, REASONS, C.TEXT]
    if C.ISSUES not in frame or C.CREATED not in frame:
        return pd.DataFrame(columns=cols)
    issues = frame[C.ISSUES].fillna("").astype(str)
    created = pd.to_datetime(frame[C.CREATED])
    # an empty date is no error of the export's, but such a row is in no week's figures
    undated = created.isna() & ~issues.str.contains(C.ISSUE_BAD_DATE, regex=False)
    issues = issues.mask(undated, (issues + ";" + C.ISSUE_NO_DATE).str.lstrip(";"))
    relevant = (issues != "") & (created.isna() | ((created >= start) & (created < end)))
    rows = frame.loc[relevant]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    codes = issues[relevant]
    duplicate = rows[C.DUPLICATE].astype(bool) if C.DUPLICATE in rows else pd.Series(False, index=rows.index)

    def describe(joined: str) -> str:
        return "; ".join(C.ISSUE_DESCRIPTIONS.get(code, code) for code in joined.split(";") if code)

    descriptions = {u: describe(u) for u in pd.unique(codes)}
    table = pd.DataFrame(
        {
            C.FILE: rows[C.FILE].astype(str) if C.FILE in rows else "",
            C.ROW: rows[C.ROW] if C.ROW in rows else np.nan,
            C.ID: rows[C.ID].astype(str) if C.ID in rows else "",
            # duplicates and undated rows are out of every figure; other issues only flag a row
            CREATED_IN_REPORT: ~duplicate & created[relevant].notna(),
            REASON_CODES: codes,
            REASONS: _name_originals(codes.map(descriptions), rows),
            C.TEXT: rows[C.TEXT].fillna("").astype(str) if C.TEXT in rows else "",
        }
    )
    return table.reset_index(drop=True)


def _name_originals(reasons: pd.Series, rows: pd.DataFrame) -> pd.Series:
    """A duplicate's reason names the row it repeats: «… (повтор: file, строка N, id X)»."""
    if C.DUPLICATE_OF not in rows:
        return reasons
    original = rows[C.DUPLICATE_OF].fillna("").astype(str)
    return reasons.where(original == "", reasons + " (повтор: " + original + ")")


def _mask_frame(table: pd.DataFrame | None) -> pd.DataFrame | None:
    if table is None:
        return None
    table = table.copy()
    for col in table.columns:
        if col in _NO_MASK:
            continue
        if table[col].dtype == object or pd.api.types.is_string_dtype(table[col]):
            table[col] = mask_series(table[col])
    # labels of index/columns can carry text too (a district named by a user? unlikely) — leave them
    return table


def _mask(report: Report) -> None:
    """Mask phones, e-mails and profile links in every table and sentence of the report."""
    for name in ("messages", "rejected", "recurring", "surges", "platforms", "sources", "executors"):
        setattr(report, name, _mask_frame(getattr(report, name)))
    report.summary_lines = [mask_text(s) for s in report.summary_lines]
    report.notes = [mask_text(s) for s in report.notes]
    report.masked = True
