"""The weekly report: every figure of one week as DataFrames plus sentences for a letter.

:func:`build_report` runs the analysis (:mod:`curtool.core.aggregate`) for one ISO
week and returns a :class:`Report`; :func:`curtool.io.reportbook.write_report`
writes it.  Nothing here prints or writes files.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

from curtool.core import aggregate as agg
from curtool.core import columns as C
from curtool.core import errors
from curtool.core.pii import mask_series, mask_text

# Keys of the report's own tables (curtool.io.reportstyle maps them to Russian headers).
LABEL = "label"
VALUE = "value"
KIND = "kind"  # how a key figure is formatted: int / pct / hours / float / text
CREATED_IN_REPORT = "counted"  # «учтено в отчёте»: does a rejected row count in the figures
REASON_CODES = "reason_codes"
REASONS = "reasons"
NEW = "new"
IN_WEEK = "in_week"
MONTHS_GENITIVE = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)
PARTIAL_WEEK = "неполная неделя"
NO_DATA = agg.NO_DATA
# the date columns response figures need, as the «Сроки ответа» sheet names them
_DATE_NAMES = {"first_answer": "дата первого ответа", "closed": "дата закрытия"}
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
    deadlines: agg.Deadlines
    messages: pd.DataFrame
    rejected: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    masked: bool = False
    data_start: date | None = None  # the day of the earliest message in the export
    data_end: date | None = None  # the day of the latest message in the export
    partial: bool = False  # the export ends inside the report week
    missing_dates: list[str] = field(default_factory=list)  # «дата первого ответа», «дата закрытия»

    @property
    def stale(self) -> bool:
        """The export ends before the report week begins: no message could be in it."""
        return self.data_end is None or self.data_end < self.week_start

    @property
    def marker(self) -> str:
        """«неполная неделя», said wherever the week appears; "" for a covered week."""
        return PARTIAL_WEEK if self.partial else ""

    @property
    def period(self) -> str:
        """«17–23 ноября 2026 г.»"""
        return format_period(self.week_start, self.week_end)


# --- words ---------------------------------------------------------------------------
def plural(n: int, one: str, few: str, many: str) -> str:
    """Russian noun form for ``n``: 1 сообщение, 2 сообщения, 5 сообщений."""
    n = abs(int(n))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def fmt_int(n: float) -> str:
    return f"{round(float(n)):,}".replace(",", "\u00a0")


def fmt_num(x: float, digits: int = 1) -> str:
    if x != x:
        return "—"
    return f"{x:,.{digits}f}".replace(",", "\u00a0").replace(".", ",")


def fmt_messages(n: int) -> str:
    return f"{fmt_int(n)} {plural(n, 'сообщение', 'сообщения', 'сообщений')}"


def format_period(start: date, end: date) -> str:
    """A week as written in a letter: «17–23 ноября 2026 г.», across months and years too."""
    if start.year != end.year:
        return (
            f"{start.day} {MONTHS_GENITIVE[start.month - 1]} {start.year} г. – "
            f"{end.day} {MONTHS_GENITIVE[end.month - 1]} {end.year} г."
        )
    if start.month != end.month:
        return (
            f"{start.day} {MONTHS_GENITIVE[start.month - 1]} – "
            f"{end.day} {MONTHS_GENITIVE[end.month - 1]} {end.year} г."
        )
    return f"{start.day}–{end.day} {MONTHS_GENITIVE[end.month - 1]} {end.year} г."


def change_words(current: float, reference: float) -> str:
    """«на 14% больше» / «на 5% меньше» / «столько же»; "" when there is nothing to compare."""
    if reference != reference or reference <= 0:
        return ""
    change = (current - reference) / reference
    pct = round(abs(change) * 100)
    if pct == 0:
        return "столько же"
    ratio = round(current / reference, 1)
    if ratio >= 2:  # «на 250% больше» reads worse than «в 3,5 раза больше»
        if ratio == int(ratio):
            return f"в {int(ratio)} {plural(int(ratio), 'раз', 'раза', 'раз')} больше"
        return f"в {fmt_num(ratio)} раза больше"
    return f"на {pct}% {'больше' if change > 0 else 'меньше'}"


def change_short(current: float, reference: float) -> str:
    """«+12% к среднему» / «−5% к среднему»; «раньше не было» against zero; "" without one."""
    if reference != reference:
        return ""
    if reference <= 0:
        return "раньше не было" if current else ""
    pct = round((current - reference) / reference * 100)
    return f"{'+' if pct > 0 else '−' if pct < 0 else '±'}{abs(pct)}% к среднему"


# --- building ------------------------------------------------------------------------------
def build_report(
    frame: pd.DataFrame,
    classified: pd.DataFrame,
    recurring: RecurringLike | None = None,
    *,
    week: str | None = None,
    today: date | None = None,
    weeks_back: int = 8,
    population: pd.DataFrame | None = None,
    deadlines: dict | agg.Deadlines | None = None,
    mask_pii: bool = False,
    known_fields: Collection[str] | None = None,
    span: agg.DataSpan | None = None,
) -> Report:
    """All the analysis of one ISO week.

    ``frame`` is the loaded frame (``_`` columns; duplicates are skipped),
    ``classified`` holds ``sector`` and ``sector_confidence`` indexed like it.
    ``week``: None = latest complete week in the data, ``"last"`` = last
    complete week before ``today``, or ``"YYYY-Www"``.  ``population`` is a
    table with ``_district`` and ``population`` (see :func:`curtool.io.sidefiles.read_population`).

    Only what was known at the end of the week counts (:func:`aggregate.until_week_end`):
    ``recurring`` must come from the same cut frame (see ``curtool.app.pipeline``).
    ``known_fields`` are the loader fields the export has (``first_answer``,
    ``closed``…); without it a date field counts as present when any row has it.
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
    week = agg.resolve_week(frame, week, today)
    start, end = agg.week_bounds(week)
    deadline_table = agg.deadlines_from(deadlines)
    if known_fields is None:
        known_fields = [f for f in _DATE_NAMES if agg.known_dates(frame, C.FIELD_COLUMNS[f])]
    missing = [name for f, name in _DATE_NAMES.items() if f not in known_fields]
    earliest, latest = span or agg.data_span(frame)
    frame = agg.until_week_end(frame, week)
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
    until = agg.iso_week(latest) if latest is not None and latest < start else None
    totals = agg.week_totals(prepared, week, weeks_back, until)
    heat = agg.heat_map(prepared, week, weeks_back, pop_series, until)
    weeks = agg.window_weeks(week, weeks_back)
    by_sector = agg.weekly_series(prepared, weeks, C.SECTOR)
    by_district = agg.weekly_series(prepared, weeks, C.DISTRICT)
    surge_table = agg.surges(prepared, week, weeks_back, until=until)
    surge_rule = (
        "Всплеск — клетка «район × сектор», где за неделю не меньше "
        f"{agg.SURGE_MIN_COUNT} сообщений, не меньше чем в {fmt_num(agg.SURGE_MIN_RATIO, 0)} раза "
        f"больше среднего за предыдущие недели (до {weeks_back}) и вероятность получить "
        f"столько же или больше случайно p < {agg.SURGE_ALPHA:g} (пуассоновская модель "
        "с неопределённостью среднего: отрицательное биномиальное распределение, "
        "априорное Gamma(0,5))."
    )
    by_platform, by_source = agg.sources(prepared, week)
    known = {"first_answer_known": "first_answer" in known_fields, "closed_known": "closed" in known_fields}
    # deadlines are judged at the end of the week, or where the export stops inside it
    partial = agg.is_partial(week, latest)
    known["as_of"] = latest if partial and latest is not None else end
    rt_sector = agg.response_times(prepared, week, C.SECTOR, deadline_table, **known)
    rt_district = agg.response_times(prepared, week, C.DISTRICT, deadline_table, **known)

    in_week = prepared.index[prepared[C.WEEK] == week]
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
    )
    report.summary_lines = _summary(report)
    report.key_figures = _key_figures(report)
    if mask_pii:
        _mask(report)
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
            C.PLATFORM: agg.platforms(prepared.loc[rows]),
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
            problems[name] = "" if name not in ("count", "weeks") else 0
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


# --- sentences -------------------------------------------------------------------------
def _short(text: str, limit: int) -> str:
    """Cut at a word boundary with «…» so a sentence stays readable."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;: ") + "…"


def _top_with_change(counts: pd.Series, baseline: pd.Series, n: int = 3) -> str:
    parts = []
    for name, value in counts[counts > 0].sort_values(ascending=False, kind="stable").head(n).items():
        change = change_short(float(value), float(baseline.get(name, np.nan)))
        parts.append(f"{name} — {fmt_int(value)}" + (f" ({change})" if change else ""))
    return ", ".join(parts)


def _summary(report: Report) -> list[str]:
    t = report.totals
    lines: list[str] = []
    end = f"{report.data_end:%d.%m.%Y}" if report.data_end else ""
    if report.partial:
        lines.append(
            f"Неполная неделя: выгрузка заканчивается {end}, "
            "поэтому сравнения с полными неделями не приводятся."
        )
    if t.count == 0:
        first = f"За неделю {report.period} сообщений не поступило"
        if report.data_end is None:
            first += ": в выгрузке нет датированных сообщений"
        elif report.stale:
            first += f": выгрузка заканчивается раньше ({end})"
        elif report.data_start is not None and report.data_start > report.week_end:
            first += (
                f": выгрузка начинается позже ({report.data_start:%d.%m.%Y}, последнее сообщение — {end})"
            )
        elif t.previous:
            first += f" (неделей ранее — {fmt_int(t.previous)})"
        return [*lines, first + ".", *report.notes]
    first = f"За неделю {report.period} поступило {fmt_messages(t.count)}"
    vs_prev = "" if report.partial else change_words(t.count, t.previous)
    if vs_prev:
        first += f", {vs_prev}, чем неделей ранее ({fmt_int(t.previous)})"
    elif t.previous == 0 and not report.partial:
        first += ", неделей ранее сообщений не было"
    vs_base = "" if report.partial else change_words(t.count, t.baseline)
    if vs_base and t.baseline_weeks:
        forms = ("предыдущую неделю", "предыдущие недели", "предыдущих недель")
        weeks = f"{t.baseline_weeks} {plural(t.baseline_weeks, *forms)}"
        compare = f"{vs_base}, чем" if vs_base != "столько же" else "столько же, сколько"
        first += f"; {compare} в среднем за {weeks} ({fmt_num(t.baseline)})"
    lines.append(first + ".")

    heat = report.heat
    sector_counts = heat.counts.sum(axis=0)
    # without a covered earlier week there is no baseline (a sum of NaN would read as 0)
    sector_base = heat.baseline.sum(axis=0, min_count=1)
    if report.partial:  # part of a week against whole ones would read as a fall
        sector_base = sector_base * np.nan
    lines.append("Больше всего сообщений по секторам: " + _top_with_change(sector_counts, sector_base) + ".")
    if C.PROBLEM_KIND in report.messages and len(report.messages):
        kinds = report.messages[C.PROBLEM_KIND].astype(str)
        top = kinds[kinds != ""].value_counts().head(5)
        if len(top):
            lines.append("Чаще всего: " + ", ".join(f"{k} — {n}" for k, n in top.items()) + ".")
    if C.NEEDS_REVIEW in report.messages:
        review = int((report.messages[C.NEEDS_REVIEW] == "да").sum())
        if review:
            lines.append(
                f"На проверку человеку: {review} сообщ. (модель не уверена в секторе; "
                "столбец «На проверку» листа сообщений)."
            )
    district_counts = heat.counts.sum(axis=1).drop(C.NO_DISTRICT, errors="ignore")
    district_base = heat.baseline.sum(axis=1, min_count=1)
    if report.partial:
        district_base = district_base * np.nan
    if (district_counts > 0).any():
        lines.append("Больше всего — из районов: " + _top_with_change(district_counts, district_base) + ".")
    if heat.rate is not None:
        rate = heat.rate.sum(axis=1).dropna()
        rate = rate[rate > 0].sort_values(ascending=False)
        if len(rate):
            top = ", ".join(f"{name} — {fmt_num(v)}" for name, v in rate.head(3).items())
            lines.append(f"Больше всего на 10 000 жителей: {top}.")

    if len(report.surges):
        items = [
            f"{r[C.DISTRICT]}, {r[C.SECTOR]} — {fmt_messages(r[C.COUNT])} "
            f"при обычных {fmt_num(r[C.BASELINE])} в неделю"
            for _, r in report.surges.head(5).iterrows()
        ]
        more = len(report.surges) - len(items)
        tail = f" и ещё {more}" if more > 0 else ""
        lines.append(f"Всплески ({len(report.surges)}): " + "; ".join(items) + tail + ".")
    else:
        lines.append("Значимых всплесков по районам и секторам нет.")

    problems = report.recurring
    if problems is not None and len(problems):
        n_new = int(problems[NEW].sum())
        n_sys = int(problems["systemic"].sum())
        n_ret = int(problems["returned_after_resolved"].sum())
        line = (
            f"Повторяющихся проблем: {fmt_int(len(problems))}, из них новых за неделю — {n_new}, "
            f"системных — {n_sys}, вернувшихся после решения — {n_ret}."
        )
        attention = problems[problems[NEW] | problems["systemic"] | problems["returned_after_resolved"]]
        attention = attention[attention[IN_WEEK] > 0] if (attention[IN_WEEK] > 0).any() else attention
        items = []
        for _, r in attention.sort_values("count", ascending=False, kind="stable").head(3).iterrows():
            # the label usually names the place already; the district is enough beside it
            label = _short(str(r["label"]).strip() or str(r["sector"]), 90)
            district = str(r["district"]).strip()
            week_part = f", за неделю — {int(r[IN_WEEK])}" if r[IN_WEEK] else ""
            items.append(
                f"{r['id']} «{label}»"
                + (f" ({district})" if district else "")
                + f" — {fmt_messages(int(r['count']))}{week_part}"
            )
        if items:
            line += " Требуют внимания: " + "; ".join(items) + "."
        lines.append(line)

    total_rt = report.response_by_sector.iloc[-1]
    if report.missing_dates:
        lines.append(
            "Сроки ответа: нет данных — в выгрузке нет столбца: " + ", ".join(report.missing_dates) + "."
        )
    if "first_answer" not in _missing_fields(report) and total_rt[agg.RT_ANSWERED]:
        line = f"Медиана времени до первого ответа — {fmt_num(total_rt[agg.RT_FIRST_MEDIAN])} ч"
        overdue = total_rt[agg.RT_FIRST_OVERDUE]
        if overdue == overdue:
            line += f", позже срока ответ дан или не дан на {round(overdue * 100)}% сообщений"
        lines.append(line + ".")
    if "closed" not in _missing_fields(report) and t.closed:
        line = f"За неделю закрыто {fmt_messages(t.closed)}"
        if t.resolved:
            line += f", из них с итогом «решено» — {fmt_int(t.resolved)}"
        lines.append(line + ".")
    return lines + report.notes


def _missing_fields(report: Report) -> set[str]:
    return {f for f, name in _DATE_NAMES.items() if name in report.missing_dates}


def _key_figures(report: Report) -> pd.DataFrame:
    """Label, value, kind; a value the export cannot support is :data:`NO_DATA`."""
    t = report.totals
    rt = report.response_by_sector.iloc[-1]
    missing = _missing_fields(report)
    # a partial week against full ones would read as a fall that did not happen
    compare = not report.partial

    def known(value: object, field: str) -> object:
        return NO_DATA if field in missing else value

    rows: list[tuple[str, object, str]] = [
        ("Сообщений за неделю" + (f" ({PARTIAL_WEEK})" if report.partial else ""), t.count, "int"),
        (
            "Неделей ранее",
            t.previous if _covers(report, report.week_start - timedelta(days=7)) else NO_DATA,
            "int",
        ),
        (f"В среднем за {t.baseline_weeks} пред. нед.", t.baseline, "float"),
        ("Изменение к предыдущей неделе", t.change_previous if compare else NO_DATA, "pct"),
        ("Изменение к среднему", t.change_baseline if compare else NO_DATA, "pct"),
        ("Закрыто за неделю", known(t.closed, "closed"), "int"),
        ("из них решено", known(t.resolved, "closed"), "int"),
        ("Получили первый ответ", known(t.answered, "first_answer"), "int"),
        ("Медиана до первого ответа, ч", rt[agg.RT_FIRST_MEDIAN], "hours"),
        ("90% ответов быстрее, ч", rt[agg.RT_FIRST_P90], "hours"),
        ("Доля с нарушением срока ответа", rt[agg.RT_FIRST_OVERDUE], "pct"),
        ("Медиана до закрытия, ч", rt[agg.RT_CLOSE_MEDIAN], "hours"),
        ("Открыто с истёкшим сроком", rt[agg.RT_OPEN_OVERDUE], "int"),
        ("Всплесков", len(report.surges), "int"),
    ]
    if report.recurring is not None:
        rows.append(("Повторяющихся проблем", len(report.recurring), "int"))
        rows.append(("из них новых", int(report.recurring[NEW].sum()), "int"))
    rows.append(("Строк с замечаниями", len(report.rejected), "int"))
    rows = [(label, NO_DATA if _is_nan(value) else value, kind) for label, value, kind in rows]
    return pd.DataFrame(rows, columns=[LABEL, VALUE, KIND])


def _covers(report: Report, monday: date) -> bool:
    """Whether the export's messages span any of the week from ``monday``: outside it a count
    is unknown, not zero."""
    if report.data_start is None or report.data_end is None:
        return False
    return report.data_start <= monday + timedelta(days=6) and report.data_end >= monday


def _is_nan(value: object) -> bool:
    return isinstance(value, (float, np.floating)) and value != value


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
    for name in ("messages", "rejected", "recurring", "surges", "platforms", "sources"):
        setattr(report, name, _mask_frame(getattr(report, name)))
    report.summary_lines = [mask_text(s) for s in report.summary_lines]
    report.notes = [mask_text(s) for s in report.notes]
    report.masked = True
