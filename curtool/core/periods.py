"""Report periods: an ISO week, a calendar month, a quarter or any run of days.

A :class:`Period` is ``[start, end)`` at midnight, with its label («2026-W47», «2026-11»,
«2026-Q4», «2026-11-01..2026-11-20») and kind.  :func:`resolve_period` turns the report's
options into one; :meth:`Period.shifted` gives the periods before it of the same kind and
length (the baseline and the previous period), :meth:`Period.year_ago` the same period a
year earlier, :func:`until_end` cuts a frame as it stood when the period ended.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from curtool.core import errors
from curtool.core import weeks as wk
from curtool.core.wording import format_period

WEEK, MONTH, QUARTER, RANGE = "week", "month", "quarter", "range"
KINDS = (WEEK, MONTH, QUARTER, RANGE)

MONTHS_NOMINATIVE = (
    "январь", "февраль", "март", "апрель", "май", "июнь",
    "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь",
)  # fmt: skip
ROMAN = ("I", "II", "III", "IV")

MONTH_PATTERN = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
QUARTER_PATTERN = re.compile(r"^\s*(\d{4})-?[Qq]([1-4])\s*$")
DAY_PATTERN = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")
RU_DAY_PATTERN = re.compile(r"^\s*(\d{2})\.(\d{2})\.(\d{4})\s*$")

# A dynamics window longer than this is shown by month rather than by week: 30 weekly rows
# are as many as a chart of lines can carry.
WEEKLY_DYNAMICS_DAYS = 26 * 7


@dataclass(frozen=True)
class Words:
    """How a period of a kind is named in the report's sentences and figures."""

    noun: str  # «За неделю»: the accusative after «за»
    earlier: str  # «неделей ранее»
    previous_to: str  # «Изменение к предыдущей неделе»
    partial: str  # «неполная неделя»
    full_plural: str  # «сравнения с полными неделями»
    short: str  # «В среднем за 8 пред. нед.»
    per: str  # «при обычных 3,5 в неделю»
    report: str  # «Еженедельный отчёт»
    base_count: str  # «Недель в базе»
    previous_plural: str  # «среднее за предыдущие недели»
    baseline_forms: tuple[str, str, str]  # «за 1 предыдущую неделю / 2 … недели / 5 … недель»


WORDS = {
    WEEK: Words(
        noun="неделю", earlier="неделей ранее", previous_to="к предыдущей неделе",
        partial="неполная неделя", full_plural="неделями", short="нед.", per="в неделю",
        report="Еженедельный отчёт", base_count="Недель в базе",
        previous_plural="предыдущие недели",
        baseline_forms=("предыдущую неделю", "предыдущие недели", "предыдущих недель"),
    ),
    MONTH: Words(
        noun="месяц", earlier="месяцем ранее", previous_to="к предыдущему месяцу",
        partial="неполный месяц", full_plural="месяцами", short="мес.", per="в месяц",
        report="Ежемесячный отчёт", base_count="Месяцев в базе",
        previous_plural="предыдущие месяцы",
        baseline_forms=("предыдущий месяц", "предыдущих месяца", "предыдущих месяцев"),
    ),
    QUARTER: Words(
        noun="квартал", earlier="кварталом ранее", previous_to="к предыдущему кварталу",
        partial="неполный квартал", full_plural="кварталами", short="кв.", per="в квартал",
        report="Квартальный отчёт", base_count="Кварталов в базе",
        previous_plural="предыдущие кварталы",
        baseline_forms=("предыдущий квартал", "предыдущих квартала", "предыдущих кварталов"),
    ),
    RANGE: Words(
        noun="период", earlier="за столько же дней до того",
        previous_to="к предыдущему периоду той же длины", partial="неполный период",
        full_plural="периодами", short="пер.", per="за такой же период", report="Отчёт за период",
        base_count="Периодов в базе",
        previous_plural="предыдущие периоды той же длины",
        baseline_forms=("предыдущий период той же длины", "предыдущих периода той же длины",
                        "предыдущих периодов той же длины"),
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Period:
    """``[start, end)``, both at midnight; ``label`` names it in files and logs."""

    kind: str
    start: pd.Timestamp
    end: pd.Timestamp
    label: str

    @property
    def first_day(self) -> date:
        return self.start.date()

    @property
    def last_day(self) -> date:
        return (self.end - pd.Timedelta(days=1)).date()

    @property
    def days(self) -> int:
        return int((self.end - self.start) / pd.Timedelta(days=1))

    @property
    def words(self) -> Words:
        return WORDS[self.kind]

    @property
    def dates(self) -> str:
        """«17–23 ноября 2026 г.»"""
        return format_period(self.first_day, self.last_day)

    @property
    def title(self) -> str:
        """The period in a heading: «Неделя 2026-W47 (17–23 ноября 2026 г.)», «Ноябрь 2026»,
        «IV квартал 2026 г.», «Период 1–20 ноября 2026 г.»."""
        if self.kind == WEEK:
            return f"Неделя {self.label} ({self.dates})"
        if self.kind == MONTH:
            return f"{MONTHS_NOMINATIVE[self.start.month - 1].capitalize()} {self.start.year}"
        if self.kind == QUARTER:
            return f"{ROMAN[(self.start.month - 1) // 3]} квартал {self.start.year} г."
        return f"Период {self.dates}"

    def heading(self, marker: str = "") -> str:
        """:attr:`title` with a marker such as «неполный месяц»."""
        if not marker:
            return self.title
        if self.kind == WEEK:
            return f"Неделя {self.label} ({self.dates}, {marker})"
        return f"{self.title} ({marker})"

    def shifted(self, steps: int) -> Period:
        """The period ``steps`` periods later (negative: earlier) of the same kind and length."""
        if self.kind == WEEK:
            return week_period(wk.shift_week(self.label, steps))
        if self.kind in (MONTH, QUARTER):
            size = 1 if self.kind == MONTH else 3
            index = self.start.year * 12 + self.start.month - 1 + steps * size
            year, month0 = divmod(index, 12)
            return (
                month_period(year, month0 + 1)
                if self.kind == MONTH
                else quarter_period(year, month0 // 3 + 1)
            )
        length = timedelta(days=self.days)
        first = self.first_day + steps * length
        return day_range(first, first + length - timedelta(days=1))

    def before(self, count: int) -> list[Period]:
        """The ``count`` periods right before this one, oldest first."""
        return [self.shifted(-k) for k in range(count, 0, -1)]

    def year_ago(self) -> Period | None:
        """The same period a year earlier: the same dates (29 February → 28th), for an ISO
        week the same week number of the previous ISO year (None when it has no such week)."""
        if self.kind == WEEK:
            year, number = int(self.label[:4]), int(self.label[-2:])
            try:
                return week_period(wk.iso_week(date.fromisocalendar(year - 1, number, 1)))
            except ValueError:
                return None
        if self.kind == MONTH:
            return month_period(self.start.year - 1, self.start.month)
        if self.kind == QUARTER:
            return quarter_period(self.start.year - 1, (self.start.month - 1) // 3 + 1)
        return day_range(_year_back(self.first_day), _year_back(self.last_day))

    def contains(self, stamps: pd.Series) -> pd.Series:
        """Which stamps fall in the period (NaT never does)."""
        stamps = pd.to_datetime(stamps)
        return (stamps >= self.start) & (stamps < self.end)


def _year_back(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def week_period(label: str) -> Period:
    start, end = wk.week_bounds(label)
    return Period(WEEK, start, end, wk.iso_week(start))


def month_period(year: int, number: int) -> Period:
    start = pd.Timestamp(year, number, 1)
    return Period(MONTH, start, start + pd.offsets.MonthBegin(1), f"{year:04d}-{number:02d}")


def quarter_period(year: int, number: int) -> Period:
    start = pd.Timestamp(year, 3 * number - 2, 1)
    return Period(QUARTER, start, start + pd.offsets.MonthBegin(3), f"{year:04d}-Q{number}")


def day_range(first: date, last: date) -> Period:
    """The days ``first`` to ``last``, both included."""
    start = pd.Timestamp(first)
    return Period(
        RANGE, start, pd.Timestamp(last) + pd.Timedelta(days=1), f"{first:%Y-%m-%d}..{last:%Y-%m-%d}"
    )


def kind_of(label: str) -> str:
    """The kind of period a label names: «2026-W47» a week, «2026-11» a month, «2026-Q4» a
    quarter, anything else («2026-11-01..2026-11-20») a range of days."""
    if wk.WEEK_PATTERN.match(label):
        return WEEK
    if MONTH_PATTERN.match(label):
        return MONTH
    if QUARTER_PATTERN.match(label):
        return QUARTER
    return RANGE


def step_start(label: str) -> date:
    """The first day of a week («2026-W47») or month («2026-11») label of «Динамика»."""
    match = MONTH_PATTERN.match(label)
    if match:
        return date(int(match.group(1)), int(match.group(2)), 1)
    return wk.week_monday(label)


def as_period(value: Period | str) -> Period:
    """A period, or a week label read as its week."""
    return value if isinstance(value, Period) else week_period(value)


# --- reading the options -----------------------------------------------------------------------


def parse_month(spec: str, today: date) -> Period:
    if spec.strip().lower() == "last":
        return month_period(today.year, today.month).shifted(-1)
    match = MONTH_PATTERN.match(spec)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise errors.CurtoolError(
            errors.BAD_OPTION,
            f"--month «{spec}» is not a month",
            "write it as YYYY-MM (for example 2026-11), or «last» for the last complete month",
        )
    return month_period(int(match.group(1)), int(match.group(2)))


def parse_quarter(spec: str, today: date) -> Period:
    if spec.strip().lower() == "last":
        return quarter_period(today.year, (today.month - 1) // 3 + 1).shifted(-1)
    match = QUARTER_PATTERN.match(spec)
    if not match:
        raise errors.CurtoolError(
            errors.BAD_OPTION,
            f"--quarter «{spec}» is not a quarter",
            "write it as YYYY-Qn (for example 2026-Q4), or «last» for the last complete quarter",
        )
    return quarter_period(int(match.group(1)), int(match.group(2)))


def parse_day(spec: str, option: str) -> date:
    """YYYY-MM-DD, or DD.MM.YYYY as the exports write dates."""
    match = DAY_PATTERN.match(spec) or RU_DAY_PATTERN.match(spec)
    try:
        if not match:
            raise ValueError(spec)
        parts = [int(g) for g in match.groups()]
        year, number, day = parts if match.re is DAY_PATTERN else parts[::-1]
        return date(year, number, day)
    except ValueError:
        raise errors.CurtoolError(
            errors.BAD_OPTION,
            f"{option} «{spec}» is not a date",
            "write it as YYYY-MM-DD or DD.MM.YYYY (for example 2026-11-01)",
        ) from None


def check_choice(today: date, **chosen: str | None) -> None:
    """Refuse a bad or doubled period option before any file is read (see :func:`resolve_period`)."""
    if all(value is None for value in chosen.values()):
        return  # the latest complete week of the data: known once it is read
    # an open --since/--until bound runs to the data's edge, unknown yet: a span from long
    # before to long after any data checks the given bound alone
    wide = wk.DataSpan(pd.Timestamp(_FAR_PAST), pd.Timestamp(_FAR_FUTURE))
    resolve_period(wide, today, **chosen)


_FAR_PAST, _FAR_FUTURE = date(1900, 1, 1), date(2200, 12, 31)


def resolve_period(
    span: pd.DataFrame | wk.DataSpan,
    today: date,
    *,
    week: str | None = None,
    month: str | None = None,
    quarter: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> Period:
    """The report's period from its options (at most one of week, month, quarter and
    since/until; none: the latest complete week of the data, see :func:`wk.resolve_week`).

    An open ``since``/``until`` bound runs to the data's first or last day.
    """
    given = [
        name
        for name, value in (("--week", week), ("--month", month), ("--quarter", quarter))
        if value is not None
    ]
    if since is not None or until is not None:
        given.append("--since/--until")
    if len(given) > 1:
        raise errors.CurtoolError(
            errors.BAD_OPTION,
            f"{given[0]} and {given[1]} name different periods",
            "give one of --week, --month, --quarter or --since/--until",
        )
    if month is not None:
        return parse_month(month, today)
    if quarter is not None:
        return parse_quarter(quarter, today)
    if since is None and until is None:
        return week_period(wk.resolve_week(span, week, today))
    first = parse_day(since, "--since") if since is not None else None
    last = parse_day(until, "--until") if until is not None else None
    if first is None or last is None:
        found = span if isinstance(span, wk.DataSpan) else wk.data_span(span)
        if found.end is None:
            raise errors.CurtoolError(
                errors.NO_DATA,
                "no message has a readable creation date, so an open --since/--until has no end",
                "check the date column (--date-column) or give both --since and --until",
            )
        first = first or found.start.date()
        last = last or found.end.date()
    if last < first:
        raise errors.CurtoolError(
            errors.BAD_OPTION,
            f"--until {last:%Y-%m-%d} is before --since {first:%Y-%m-%d}",
            "the period runs from --since to --until, both days included",
        )
    return day_range(first, last)


until_end = wk.until_end


# --- the period in the data ---------------------------------------------------------------------
def is_partial(period: Period, end: pd.Timestamp | None, start: pd.Timestamp | None = None) -> bool:
    """True when the data ends inside the period (its last message is before the last day) or
    begins inside it (its first message is after the first day): either way the period's count
    is a fragment, and compared with whole periods it would invent a fall or a rise."""
    if end is None:
        return False
    ends_inside = period.start <= end.normalize() < pd.Timestamp(period.last_day)
    begins_inside = start is not None and period.start < start.normalize() < period.end
    return ends_inside or begins_inside


def covers(period: Period | None, first: date | None, last: date | None) -> bool:
    """Whether the export spans the whole period, from its first to its last day: only then
    is its count a count and not a fragment (a comparison with a fragment would invent a fall)."""
    if period is None or first is None or last is None:
        return False
    return first <= period.first_day and last >= period.last_day


def buckets(created: pd.Series, periods: Sequence[Period]) -> pd.Series:
    """The label of the period each stamp falls in ("" for none); ``periods`` in order, not
    overlapping."""
    created = pd.to_datetime(created)
    labels = np.array([p.label for p in periods] + [""], dtype=object)
    if not len(periods):
        return pd.Series("", index=created.index, dtype=object)
    starts = np.array([p.start.to_datetime64() for p in periods], dtype="datetime64[ns]")
    ends = np.array([p.end.to_datetime64() for p in periods], dtype="datetime64[ns]")
    values = created.to_numpy(dtype="datetime64[ns]")
    pos = np.searchsorted(starts, values, side="right") - 1
    safe = np.clip(pos, 0, len(periods) - 1)
    inside = (pos >= 0) & (values < ends[safe]) & ~np.isnat(values)
    return pd.Series(labels[np.where(inside, safe, len(periods))], index=created.index, dtype=object)


def dynamics_steps(period: Period, back: int) -> list[Period]:
    """The rows of «Динамика»: from the first baseline period to the period's end, by ISO week
    (a week report: exactly its weeks), or by calendar month when that is longer than half a
    year; the steps at the window's edges are cut to it, so nothing after the period shows."""
    first = period.shifted(-back).start if back else period.start
    if period.kind == WEEK:
        return [*period.before(back), period]
    if (period.end - first).days <= WEEKLY_DYNAMICS_DAYS:
        steps = []
        monday = first - pd.Timedelta(days=first.day_of_week)
        while monday < period.end:
            w = week_period(wk.iso_week(monday))
            steps.append(Period(WEEK, max(w.start, first), min(w.end, period.end), w.label))
            monday += pd.Timedelta(days=7)
        return steps
    steps = []
    current = month_period(first.year, first.month)
    while current.start < period.end:
        steps.append(Period(MONTH, max(current.start, first), min(current.end, period.end), current.label))
        current = current.shifted(1)
    return steps
