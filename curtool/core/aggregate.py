"""Weekly figures for the report: counts, baselines, heat map, surges, sources, response times.

Pure functions on the loaded frame.  :func:`prepare` takes the loaded frame
and the ``sector`` Series once (duplicates dropped, ISO week label per row) and
every other function works on that prepared frame, so a million rows are
grouped without recomputing weeks per table.

Weeks are ISO weeks (Monday–Sunday) of ``_created``, labelled «2026-W47».  The
*baseline* of a week is the mean weekly count over the ``weeks_back`` weeks
before it, counting only weeks the data actually covers (a district that
started exporting three weeks ago has a three-week baseline, not eight weeks
with five invented zeros).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from curtool.core import columns as C
from curtool.core import errors
from curtool.core.districts import normal_form

WEEK_PATTERN = re.compile(r"^\s*(\d{4})-?[Ww](\d{1,2})\s*$")

# --- surge test -------------------------------------------------------------------
# A cell is a surge when all three hold (see docs/report.md):
SURGE_ALPHA = 0.001  # posterior-predictive upper-tail p-value below this
SURGE_MIN_COUNT = 5  # at least this many messages in the week
SURGE_MIN_RATIO = 2.0  # and at least twice the baseline mean
SURGE_PRIOR_SHAPE = 0.5  # Jeffreys prior on the weekly rate: one message against zero is noise

# --- response deadlines -------------------------------------------------------------
DEFAULT_FIRST_ANSWER_HOURS = 24.0  # answer within a day: the usual social-media target of a ЦУР
DEFAULT_CLOSING_HOURS = 240.0  # closed within 10 days: the usual term for a reply in substance

PLATFORM_VK = "ВКонтакте"
PLATFORM_OK = "Одноклассники"
PLATFORM_TG = "Telegram"
PLATFORM_POS = "ПОС"
PLATFORM_OTHER = "другое"
PLATFORM_NONE = "не указан"
_HOST = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*://)?(?:[^@/\s]*@)?([^/:?#\s]+)", re.I)
_SOURCE_HINTS = (
    (re.compile(r"вконтакт|\bvk\b|\bвк\b|vkontakte", re.I), PLATFORM_VK),
    (re.compile(r"одноклассн|\bok\b|\bок\b|odnoklassniki", re.I), PLATFORM_OK),
    (re.compile(r"телеграм|telegram|\btg\b", re.I), PLATFORM_TG),
    # ПОС reaches residents through its widget on official sites and its mobile app
    # («Госуслуги. Решаем вместе»), and exports name those channels, not «ПОС»
    (
        re.compile(
            r"\bпос\b|госуслуг|gosuslugi|платформа обратной связи|решаем вместе|виджет|widget"
            r"|мобильн\w* приложени|mobile app",
            re.I,
        ),
        PLATFORM_POS,
    ),
)


# --- weeks --------------------------------------------------------------------------
def iso_week(ts: date | pd.Timestamp) -> str:
    """The ISO week label of a date: «2026-W47»."""
    year, week, _ = pd.Timestamp(ts).isocalendar()
    return f"{year:04d}-W{week:02d}"


def week_monday(label: str) -> date:
    """Monday of an ISO week label."""
    match = WEEK_PATTERN.match(label)
    if not match:
        raise ValueError(label)
    return date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)


def week_bounds(label: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """[Monday 00:00, next Monday 00:00) of a week label."""
    start = pd.Timestamp(week_monday(label))
    return start, start + pd.Timedelta(days=7)


def shift_week(label: str, weeks: int) -> str:
    return iso_week(week_monday(label) + timedelta(weeks=weeks))


def window_weeks(week: str, weeks_back: int) -> list[str]:
    """The ``weeks_back`` weeks before ``week`` and ``week`` itself, oldest first."""
    return [shift_week(week, -k) for k in range(weeks_back, -1, -1)]


def week_labels(created: pd.Series) -> pd.Series:
    """ISO week label per timestamp ("" where NaT); labels computed once per distinct week."""
    created = pd.to_datetime(created)
    monday = created.dt.normalize() - pd.to_timedelta(created.dt.day_of_week, unit="D")
    codes, uniques = pd.factorize(monday)
    names = np.array([iso_week(m) for m in uniques] + [""], dtype=object)
    # factorize gives -1 for NaT, which picks the trailing "" above
    return pd.Series(names[codes], index=created.index, dtype=object)


def _parse_week(spec: str) -> str:
    match = WEEK_PATTERN.match(spec)
    hint = "write the week as YYYY-Www (for example 2026-W47), or «last» for the last complete week"
    if not match:
        raise errors.CurtoolError(errors.BAD_OPTION, f"«{spec}» is not a week", hint)
    try:
        monday = date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        raise errors.CurtoolError(
            errors.BAD_OPTION, f"week «{spec}» does not exist in year {match.group(1)}", hint
        ) from None
    return iso_week(monday)


class DataSpan(NamedTuple):
    """The creation times of the first and the latest message (duplicates aside); None
    when no date is readable."""

    start: pd.Timestamp | None
    end: pd.Timestamp | None


def data_span(frame: pd.DataFrame) -> DataSpan:
    """When the export's messages begin and end."""
    created = frame[C.CREATED] if C.CREATED in frame else pd.Series(dtype="datetime64[ns]")
    if C.DUPLICATE in frame:
        created = created[~frame[C.DUPLICATE].astype(bool)]
    created = pd.to_datetime(created)
    first, last = created.min(), created.max()
    return DataSpan(
        None if pd.isna(first) else pd.Timestamp(first), None if pd.isna(last) else pd.Timestamp(last)
    )


def is_partial(week: str, end: pd.Timestamp | None) -> bool:
    """True when the data ends inside ``week``: its last message is before the week's Sunday.

    A week is covered once the data reaches its last day; an export pulled on Monday
    morning whose last message is Sunday evening covers that week completely.
    """
    if end is None:
        return False
    monday = pd.Timestamp(week_monday(week))
    return monday <= end.normalize() < monday + pd.Timedelta(days=6)


def resolve_week(frame: pd.DataFrame, week: str | None, today: date) -> str:
    """The report week as «YYYY-Www».

    * ``"last"``: the last complete ISO week before ``today`` (on Monday 24 Nov:
      17–23 Nov; on Sunday 23 Nov: 10–16 Nov, since that Sunday is not over yet).
    * ``None``: the latest complete week of the data: the latest week whose Sunday
      the data reaches.  An export that ends on a Friday is reported up to the week
      before; its last, partial week only when asked for by name.
    * ``"YYYY-Www"``: that week, validated (bad ⇒ CurtoolError ``bad-option``).
    """
    if week is not None and week.strip().lower() != "last":
        return _parse_week(week)
    if week is not None:
        return iso_week(today - timedelta(days=7))
    span = data_span(frame)
    latest = span.end
    if latest is None:
        raise errors.CurtoolError(
            errors.NO_DATA,
            "no message has a readable creation date, so there is no week to report",
            "check the date column (--date-column) or pass --week YYYY-Www",
        )
    # six days before the last day lies in the latest week whose Sunday is covered
    candidate = iso_week(latest.normalize() - pd.Timedelta(days=6))
    if week_monday(candidate) < week_monday(iso_week(span.start)):
        raise errors.CurtoolError(
            errors.NO_DATA,
            f"the data has no complete week yet (it ends {latest:%Y-%m-%d}, within week {iso_week(latest)})",
            f"pass --week {iso_week(latest)} to report that week as incomplete",
        )
    return candidate


def until_week_end(frame: pd.DataFrame, week: str) -> pd.DataFrame:
    """The frame as it stood at the end of ``week``: nothing from the future reaches a past week.

    Rows created after the week are left out (rows with no readable date stay, to be
    listed as rejected); first answers and closings stamped after the week had not
    happened yet, so they are blanked.  A report on a file cut at the week's end is
    therefore the same as one on the whole file.
    """
    _, end = week_bounds(week)
    created = pd.to_datetime(frame[C.CREATED]) if C.CREATED in frame else None
    if created is not None:
        keep = (created < end) | created.isna()
        if not keep.all():
            frame = frame.loc[keep.to_numpy()]
    for col in (C.FIRST_ANSWER, C.CLOSED):
        if col in frame:
            stamps = pd.to_datetime(frame[col])
            if (stamps >= end).any():
                frame = frame.copy(deep=False)  # copy-on-write: the other columns are not copied
                frame[col] = stamps.where(stamps < end)
    return frame


# --- the prepared frame -------------------------------------------------------------------
def prepare(frame: pd.DataFrame, sector: pd.Series) -> pd.DataFrame:
    """Non-duplicate rows with the columns the weekly figures need, ``sector`` and ``_week``.

    Missing optional columns are filled empty so tests and odd exports work with
    only ``_created`` and ``_district``.  ``_district`` "" becomes «район не указан».
    """
    keep = ~frame[C.DUPLICATE].astype(bool) if C.DUPLICATE in frame else pd.Series(True, index=frame.index)
    # only the needed columns: a loaded frame carries every original column, and
    # copying all of it for a million rows would double the memory
    needed = [
        c for c in (C.CREATED, C.FIRST_ANSWER, C.CLOSED, C.STATUS, C.SOURCE, C.URL, C.DISTRICT) if c in frame
    ]
    base = frame.loc[keep, needed]
    out = pd.DataFrame(index=base.index)
    for col in (C.CREATED, C.FIRST_ANSWER, C.CLOSED):
        out[col] = (
            pd.to_datetime(base[col])
            if col in base
            else pd.Series(pd.NaT, index=base.index, dtype="datetime64[ns]")
        )
    for col in (C.STATUS, C.SOURCE, C.URL):
        out[col] = base[col].fillna("").astype(str) if col in base else ""
    district = (
        base[C.DISTRICT].fillna("").astype(str)
        if C.DISTRICT in base
        else pd.Series("", index=base.index, dtype=str)
    )
    out[C.DISTRICT] = district.where(district.str.strip() != "", C.NO_DISTRICT)
    del base
    sec = sector.reindex(out.index)
    out[C.SECTOR] = sec.where(sec.notna() & (sec.astype(str) != ""), C.OTHER_SECTOR).astype(str)
    out[C.WEEK] = week_labels(out[C.CREATED])
    return out


def covered_baseline(
    prepared: pd.DataFrame, week: str, weeks_back: int, until: str | None = None
) -> list[str]:
    """The baseline weeks the data covers: before ``week``, from the first week with data on,
    and up to ``until`` (the export's last week) when the export ends before ``week``: weeks
    after an export ends are unknown, not weeks without messages."""
    weeks = window_weeks(week, weeks_back)[:-1]
    present = prepared[C.WEEK]
    present = present[present != ""]
    if present.empty:
        return []
    first = present.min()
    return [w for w in weeks if w >= first and (until is None or w <= until)]


def sector_order(values: Iterable[str]) -> list[str]:
    """The twelve sectors in their fixed order, then any other label found."""
    extra = sorted(set(values) - set(C.SECTORS))
    return list(C.SECTORS) + extra


def district_order(values: Iterable[str]) -> list[str]:
    """Districts alphabetically, «район не указан» last."""
    names = sorted(set(values) - {C.NO_DISTRICT}, key=lambda s: s.lower().replace("ё", "е"))
    return names + ([C.NO_DISTRICT] if C.NO_DISTRICT in set(values) else [])


# --- totals -------------------------------------------------------------------------------
@dataclass
class WeekTotals:
    """Headline figures of the report week."""

    week: str
    count: int
    previous: int
    baseline: float  # NaN when no earlier week is covered
    baseline_weeks: int
    closed: int  # messages (of any week) closed within the report week
    resolved: int  # of those, with an outcome in RESOLVED_STATUSES
    answered: int  # messages of the week with a first answer
    by_week: pd.Series = field(default_factory=lambda: pd.Series(dtype="int64"))

    @property
    def change_previous(self) -> float:
        """Relative change against the previous week (NaN when it had none)."""
        return (self.count - self.previous) / self.previous if self.previous else float("nan")

    @property
    def change_baseline(self) -> float:
        return (
            (self.count - self.baseline) / self.baseline
            if self.baseline and self.baseline == self.baseline
            else float("nan")
        )


def week_totals(prepared: pd.DataFrame, week: str, weeks_back: int, until: str | None = None) -> WeekTotals:
    """Counts of the week, the previous week and the baseline; new and closed messages."""
    counts = prepared[C.WEEK].value_counts()
    window = window_weeks(week, weeks_back)
    by_week = pd.Series([int(counts.get(w, 0)) for w in window], index=window, dtype="int64")
    baseline_weeks = covered_baseline(prepared, week, weeks_back, until)
    baseline = float(by_week[baseline_weeks].mean()) if baseline_weeks else float("nan")
    previous_label = shift_week(week, -1)
    start, end = week_bounds(week)
    closed_mask = (prepared[C.CLOSED] >= start) & (prepared[C.CLOSED] < end)
    resolved = int((closed_mask & C.is_resolved_status(prepared[C.STATUS])).sum())
    in_week = prepared[C.WEEK] == week
    return WeekTotals(
        week=week,
        count=int(by_week[week]),
        previous=int(counts.get(previous_label, 0)),
        baseline=baseline,
        baseline_weeks=len(baseline_weeks),
        closed=int(closed_mask.sum()),
        resolved=resolved,
        answered=int((in_week & prepared[C.FIRST_ANSWER].notna()).sum()),
        by_week=by_week,
    )


# --- district × sector ------------------------------------------------------------------
def cell_counts(prepared: pd.DataFrame, weeks: list[str]) -> pd.Series:
    """Messages per (week, district, sector) for the given weeks (zeros not listed)."""
    sub = prepared.loc[prepared[C.WEEK].isin(weeks), [C.WEEK, C.DISTRICT, C.SECTOR]]
    return sub.groupby([C.WEEK, C.DISTRICT, C.SECTOR], sort=False).size()


@dataclass
class HeatMap:
    """District × sector tables of the report week (rows: districts, columns: sectors)."""

    counts: pd.DataFrame
    baseline: pd.DataFrame  # mean weekly count over the covered baseline weeks
    change: pd.DataFrame  # counts − baseline (NaN without baseline)
    rate: pd.DataFrame | None = None  # per 10,000 residents (population given)
    rate_change: pd.DataFrame | None = None
    population: pd.Series | None = None  # residents per district (matched)
    baseline_weeks: int = 0


def _grid(long: pd.Series, districts: list[str], sectors: list[str]) -> pd.DataFrame:
    if long.empty:
        return pd.DataFrame(
            0.0,
            index=pd.Index(districts, name=C.DISTRICT),
            columns=pd.Index(sectors, name=C.SECTOR),
        )
    grid = long.unstack(C.SECTOR, fill_value=0)
    return grid.reindex(index=districts, columns=sectors, fill_value=0).rename_axis(
        index=C.DISTRICT, columns=C.SECTOR
    )


def heat_map(
    prepared: pd.DataFrame,
    week: str,
    weeks_back: int,
    population: pd.Series | None = None,
    until: str | None = None,
) -> HeatMap:
    """Counts of the week per district × sector, the baseline and the change against it.

    ``population`` is residents per canonical district name (see
    :func:`match_population`); with it the rates per 10,000 residents are added.
    """
    baseline_weeks = covered_baseline(prepared, week, weeks_back, until)
    cells = cell_counts(prepared, [week, *baseline_weeks])
    in_window = prepared[C.WEEK].isin([week, *baseline_weeks])
    districts = district_order(prepared.loc[in_window, C.DISTRICT].unique())
    if population is not None:
        districts = district_order(set(districts) | set(population.index))
    sectors = sector_order(prepared.loc[in_window, C.SECTOR].unique())
    week_cells = (
        cells.xs(week, level=C.WEEK)
        if week in cells.index.get_level_values(C.WEEK)
        else cells.iloc[:0].droplevel(C.WEEK)
    )
    counts = _grid(week_cells, districts, sectors).astype("int64")
    if baseline_weeks:
        base_cells = cells[cells.index.get_level_values(C.WEEK) != week]
        base_sum = base_cells.groupby(level=[C.DISTRICT, C.SECTOR]).sum()
        baseline = _grid(base_sum, districts, sectors).astype(float) / len(baseline_weeks)
        change = counts - baseline
    else:
        baseline = counts.astype(float) * np.nan
        change = baseline.copy()
    result = HeatMap(counts=counts, baseline=baseline, change=change, baseline_weeks=len(baseline_weeks))
    if population is not None:
        pop = population.reindex(districts).astype(float)
        pop = pop.where(pop > 0)
        result.population = pop
        result.rate = counts.div(pop, axis=0) * 10_000
        result.rate_change = change.div(pop, axis=0) * 10_000
    return result


def weekly_series(prepared: pd.DataFrame, weeks: list[str], by: str) -> pd.DataFrame:
    """Weeks (rows, oldest first) × values of ``by`` (``sector`` or ``_district``), with zeros."""
    sub = prepared.loc[prepared[C.WEEK].isin(weeks), [C.WEEK, by]]
    order = sector_order(sub[by].unique()) if by == C.SECTOR else district_order(sub[by].unique())
    table = sub.groupby([C.WEEK, by]).size().unstack(by, fill_value=0) if len(sub) else pd.DataFrame()
    table = table.reindex(index=weeks, columns=order, fill_value=0).fillna(0).astype("int64")
    return table.rename_axis(index=C.WEEK, columns=by)


# --- surges ---------------------------------------------------------------------------------
def surge_p_values(count: np.ndarray, baseline_total: np.ndarray, baseline_weeks: int) -> np.ndarray:
    """Upper-tail p-value P(X ≥ count) of the week's count given the baseline weeks.

    The weekly rate gets a Jeffreys prior Gamma(0.5, 0); after ``baseline_total``
    messages in ``baseline_weeks`` weeks it is Gamma(total + 0.5, weeks), and
    next week's count is then negative binomial (the Poisson test with the
    rate's uncertainty integrated out, so a thin baseline is not over-trusted).
    """
    if baseline_weeks <= 0:
        return np.ones_like(count, dtype=float)
    shape = baseline_total + SURGE_PRIOR_SHAPE
    prob = baseline_weeks / (baseline_weeks + 1.0)
    return stats.nbinom.sf(count - 1, shape, prob)


def surges(
    prepared: pd.DataFrame,
    week: str,
    weeks_back: int,
    *,
    alpha: float = SURGE_ALPHA,
    min_count: int = SURGE_MIN_COUNT,
    min_ratio: float = SURGE_MIN_RATIO,
    until: str | None = None,
) -> pd.DataFrame:
    """District × sector cells of the week significantly above their own baseline.

    Columns: district, sector, count, baseline (mean per week), baseline_weeks,
    ratio (count / baseline, inf when the baseline is 0), p_value, threshold
    (``alpha``).  Sorted by p-value.  A surge needs count ≥ ``min_count``,
    count ≥ ``min_ratio`` × baseline and p < ``alpha``.
    """
    cols = [
        C.DISTRICT,
        C.SECTOR,
        C.COUNT,
        C.BASELINE,
        C.BASELINE_WEEKS,
        C.RATIO,
        C.P_VALUE,
        C.THRESHOLD,
    ]
    baseline_weeks = covered_baseline(prepared, week, weeks_back, until)
    if not baseline_weeks:
        return pd.DataFrame(columns=cols)
    cells = cell_counts(prepared, [week, *baseline_weeks])
    if week not in cells.index.get_level_values(C.WEEK):
        return pd.DataFrame(columns=cols)
    current = cells.xs(week, level=C.WEEK)
    current = current[current >= min_count]  # cheap floor first: most cells never qualify
    if current.empty:
        return pd.DataFrame(columns=cols)
    base = cells[cells.index.get_level_values(C.WEEK) != week].groupby(level=[C.DISTRICT, C.SECTOR]).sum()
    base_total = base.reindex(current.index, fill_value=0).to_numpy(dtype=float)
    count = current.to_numpy(dtype=float)
    n = len(baseline_weeks)
    mean = base_total / n
    p = surge_p_values(count, base_total, n)
    with np.errstate(divide="ignore"):
        ratio = np.where(mean > 0, count / np.where(mean > 0, mean, 1), np.inf)
    table = pd.DataFrame(
        {
            C.DISTRICT: current.index.get_level_values(C.DISTRICT),
            C.SECTOR: current.index.get_level_values(C.SECTOR),
            C.COUNT: count.astype("int64"),
            C.BASELINE: mean,
            C.BASELINE_WEEKS: n,
            C.RATIO: ratio,
            C.P_VALUE: p,
            C.THRESHOLD: alpha,
        }
    )
    flagged = (
        (table[C.COUNT] >= min_count)
        & (table[C.COUNT] >= min_ratio * table[C.BASELINE])
        & (table[C.P_VALUE] < alpha)
    )
    table = table[flagged].sort_values([C.P_VALUE, C.COUNT], ascending=[True, False])
    return table.reset_index(drop=True)


# --- sources --------------------------------------------------------------------------------
def platform_of(url: str, source: str = "") -> str:
    """The platform of one message: from its link's host, else from the source text."""
    match = _HOST.match(url or "")
    host = match.group(1).lower() if match and url and url.strip() else ""
    if host:
        host = host.removeprefix("www.").removeprefix("m.")
        if host in ("vk.com", "vk.ru", "vkontakte.ru") or host.endswith((".vk.com", ".vk.ru")):
            return PLATFORM_VK
        if host in ("ok.ru", "odnoklassniki.ru") or host.endswith(".ok.ru"):
            return PLATFORM_OK
        if host in ("t.me", "telegram.me", "telegram.org"):
            return PLATFORM_TG
        if "gosuslugi" in host or host.startswith("pos."):
            return PLATFORM_POS
    for pattern, name in _SOURCE_HINTS:
        if source and pattern.search(source):
            return name
    return PLATFORM_OTHER if (host or (source or "").strip()) else PLATFORM_NONE


def platforms(prepared: pd.DataFrame) -> pd.Series:
    """:func:`platform_of` per row, each distinct (url, source) pair once."""
    pairs = prepared[C.URL].astype(str) + "\x00" + prepared[C.SOURCE].astype(str)
    codes, uniques = pd.factorize(pairs)
    names = np.array([platform_of(*u.split("\x00", 1)) for u in uniques], dtype=object)
    return pd.Series(names[codes] if len(codes) else [], index=prepared.index, dtype=object)


def _shares(values: pd.Series, name: str) -> pd.DataFrame:
    counts = values.value_counts()
    total = int(counts.sum())
    table = pd.DataFrame({name: counts.index.astype(str), C.COUNT: counts.to_numpy(dtype="int64")})
    table[C.SHARE] = table[C.COUNT] / total if total else 0.0
    return table


def sources(prepared: pd.DataFrame, week: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Messages of the week per platform and per ``_source`` value: (platforms, sources)."""
    sub = prepared[prepared[C.WEEK] == week]
    by_platform = _shares(platforms(sub), C.PLATFORM)
    source = sub[C.SOURCE].astype(str).str.strip()
    by_source = _shares(source.where(source != "", PLATFORM_NONE), C.SOURCE)
    return by_platform, by_source


# --- response times -------------------------------------------------------------------------
@dataclass
class Deadlines:
    """Hours allowed for the first answer and for closing, per sector, with defaults."""

    first_answer: dict[str, float] = field(default_factory=dict)
    closing: dict[str, float] = field(default_factory=dict)
    default_first_answer: float = DEFAULT_FIRST_ANSWER_HOURS
    default_closing: float = DEFAULT_CLOSING_HOURS

    def first_answer_hours(self, sector: pd.Series) -> pd.Series:
        return sector.map(self.first_answer).astype(float).fillna(self.default_first_answer)

    def closing_hours(self, sector: pd.Series) -> pd.Series:
        return sector.map(self.closing).astype(float).fillna(self.default_closing)


def deadlines_from(mapping: Mapping[str, object] | Deadlines | None) -> Deadlines:
    """Deadlines from a config mapping.

    Accepted forms: ``{"first_answer": {sector: h, "default": h}, "closed": {…}}``,
    or a flat ``{sector: h, "default": h}`` which sets the first-answer deadline.
    """
    if mapping is None:
        return Deadlines()
    if isinstance(mapping, Deadlines):
        return mapping

    def split(part: object, default: float, what: str) -> tuple[dict[str, float], float]:
        if part is None:
            return {}, default
        if isinstance(part, (int, float)) and not isinstance(part, bool) and part > 0:
            return {}, float(part)  # one number: the deadline for every sector
        if not isinstance(part, Mapping):
            raise errors.CurtoolError(
                errors.BAD_CONFIG,
                f"deadlines for {what} must be a table sector = hours",
                "for example: ЖКХ = 24",
            )
        hours: dict[str, float] = {}
        for key, value in part.items():
            try:
                number = float(value)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                number = float("nan")
            if not number > 0:
                raise errors.CurtoolError(
                    errors.BAD_CONFIG,
                    f"deadline «{key}» for {what} must be a positive number of hours",
                    f"got {value!r}",
                )
            hours[str(key)] = number
        return hours, hours.pop("default", default)

    nested = any(k in mapping for k in ("first_answer", "closed", "closing"))
    if nested:
        first, first_default = split(
            mapping.get("first_answer"), DEFAULT_FIRST_ANSWER_HOURS, "the first answer"
        )
        closing, closing_default = split(
            mapping.get("closed", mapping.get("closing")), DEFAULT_CLOSING_HOURS, "closing"
        )
    else:
        first, first_default = split(mapping, DEFAULT_FIRST_ANSWER_HOURS, "the first answer")
        closing, closing_default = {}, DEFAULT_CLOSING_HOURS
    return Deadlines(first, closing, first_default, closing_default)


RT_MESSAGES = "messages"
RT_ANSWERED = "answered"
RT_FIRST_MEDIAN = "first_median_h"
RT_FIRST_P90 = "first_p90_h"
RT_FIRST_DEADLINE = "first_deadline_h"
RT_FIRST_OVERDUE = "first_overdue_share"
RT_CLOSED = "closed"
RT_CLOSE_MEDIAN = "close_median_h"
RT_CLOSE_P90 = "close_p90_h"
RT_CLOSE_DEADLINE = "close_deadline_h"
RT_CLOSE_OVERDUE = "close_overdue_share"
RT_OPEN_OVERDUE = "open_overdue"
TOTAL = "Всего"
NO_DATA = "нет данных"  # a figure the export cannot support: never shown as a number


def _hours(delta: pd.Series) -> pd.Series:
    hours = delta.dt.total_seconds() / 3600.0
    # an answer stamped before the message is a clock or export error, not a record-fast answer
    return hours.where(hours >= 0)


def response_times(
    prepared: pd.DataFrame,
    week: str,
    by: str,
    deadlines: Deadlines | None = None,
    *,
    first_answer_known: bool = True,
    closed_known: bool = True,
    as_of: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Response times per ``by`` group (``sector`` or ``_district``) with a «Всего» row.

    * first answer: messages *created* in the week; hours from ``_created`` to
      ``_first_answer``; overdue = answered after the deadline, or unanswered
      when the deadline has passed by the end of the data; messages whose
      deadline is still running are left out of the share.
    * closing: messages *closed* in the week (whatever week they came in), hours
      from ``_created`` to ``_closed``; overdue = closed after the deadline.
      ``open_overdue`` counts messages still open with their deadline passed.

    Without first-answer dates in the export (``first_answer_known`` False) every
    first-answer figure is :data:`NO_DATA`, and without closing dates every closing
    figure: a missing column says nothing about answers, so it must not read as
    «all overdue».  Deadlines are judged ``as_of`` (default: the data's latest stamp).
    """
    deadlines = deadlines or Deadlines()
    if as_of is None:  # the moment the data describes: its latest stamp
        as_of = prepared[[C.CREATED, C.FIRST_ANSWER, C.CLOSED]].max().max()
    start, end = week_bounds(week)

    created = prepared[prepared[C.WEEK] == week]
    first = _hours(created[C.FIRST_ANSWER] - created[C.CREATED])
    first_limit = deadlines.first_answer_hours(created[C.SECTOR])
    waiting = first.isna() & (created[C.CREATED] + pd.to_timedelta(first_limit, unit="h") > as_of)
    first_over = (first > first_limit) | (first.isna() & ~waiting)
    a = pd.DataFrame(
        {
            by: created[by],
            "first": first,
            "limit": first_limit,
            "over": first_over.astype(float),
            "counted": ~waiting,
        }
    )
    a.loc[~a["counted"], "over"] = np.nan

    closed = prepared[(prepared[C.CLOSED] >= start) & (prepared[C.CLOSED] < end)]
    close = _hours(closed[C.CLOSED] - closed[C.CREATED])
    close_limit = deadlines.closing_hours(closed[C.SECTOR])
    b = pd.DataFrame(
        {
            by: closed[by],
            "close": close,
            "limit": close_limit,
            "over": (close > close_limit).astype(float),
        }
    )
    b.loc[close.isna(), "over"] = np.nan

    still_open = prepared.loc[
        prepared[C.CLOSED].isna() & prepared[C.CREATED].notna(),
        list(dict.fromkeys([C.CREATED, C.SECTOR, by])),  # by may be the sector itself
    ]
    open_limit = deadlines.closing_hours(still_open[C.SECTOR])
    open_over = (
        still_open[still_open[C.CREATED] + pd.to_timedelta(open_limit, unit="h") < as_of][by]
        if pd.notna(as_of)
        else still_open[by].iloc[:0]
    )

    def summarise(a_part: pd.DataFrame, b_part: pd.DataFrame, n_open: int) -> dict[str, float]:
        return {
            RT_MESSAGES: len(a_part),
            RT_ANSWERED: int(a_part["first"].notna().sum()),
            RT_FIRST_MEDIAN: a_part["first"].median(),
            RT_FIRST_P90: a_part["first"].quantile(0.9),
            RT_FIRST_DEADLINE: a_part["limit"].median(),
            RT_FIRST_OVERDUE: a_part["over"].mean(),
            RT_CLOSED: len(b_part),
            RT_CLOSE_MEDIAN: b_part["close"].median(),
            RT_CLOSE_P90: b_part["close"].quantile(0.9),
            RT_CLOSE_DEADLINE: b_part["limit"].median(),
            RT_CLOSE_OVERDUE: b_part["over"].mean(),
            RT_OPEN_OVERDUE: n_open,
        }

    groups = set(a[by]) | set(b[by])
    order = sector_order(groups) if by == C.SECTOR else district_order(groups)
    order = [g for g in order if g in groups]
    a_groups = dict(tuple(a.groupby(by, sort=False))) if len(a) else {}
    b_groups = dict(tuple(b.groupby(by, sort=False))) if len(b) else {}
    open_counts = open_over.value_counts()
    rows = []
    for g in order:
        row = summarise(a_groups.get(g, a.iloc[:0]), b_groups.get(g, b.iloc[:0]), int(open_counts.get(g, 0)))
        rows.append({by: g, **row})
    rows.append({by: TOTAL, **summarise(a, b, len(open_over))})
    table = pd.DataFrame(rows)
    unknown = []
    if not first_answer_known:
        unknown += [RT_ANSWERED, RT_FIRST_MEDIAN, RT_FIRST_P90, RT_FIRST_OVERDUE]
    if not closed_known:
        unknown += [RT_CLOSED, RT_CLOSE_MEDIAN, RT_CLOSE_P90, RT_CLOSE_OVERDUE, RT_OPEN_OVERDUE]
    for col in unknown:
        table[col] = pd.Series(NO_DATA, index=table.index, dtype=object)
    if by == C.DISTRICT:
        # deadlines differ by sector, so a district's "deadline" column would mix them
        table = table.drop(columns=[RT_FIRST_DEADLINE, RT_CLOSE_DEADLINE])
    return table


def known_dates(frame: pd.DataFrame, column: str) -> bool:
    """True when the export gives ``column`` (a date) for at least one message."""
    return column in frame and bool(pd.to_datetime(frame[column]).notna().any())


# --- population ---------------------------------------------------------------------------------
def district_key(name: str) -> str:
    """A loose key for names written differently: «Абинский район» ~ «Абинский р-н»."""
    # the core alone: «город Сочи» in a population table is the «Сочи» of the export
    return normal_form(name).split(":", 1)[-1]


def match_population(population: pd.DataFrame, districts: Iterable[str]) -> tuple[pd.Series, list[str]]:
    """Residents per canonical district name, and the population rows that matched no district.

    ``population`` has columns ``_district`` (as written in the table) and
    ``population``.  A name equal to a canonical one is taken as is; otherwise
    both sides are compared by :func:`district_key`.
    """
    known = {d for d in districts if d and d != C.NO_DISTRICT}
    by_key: dict[str, str] = {}
    for d in known:
        by_key.setdefault(district_key(d), d)
    matched: dict[str, float] = {}
    unmatched: list[str] = []
    for name, value in zip(population[C.DISTRICT].astype(str), population[C.POPULATION], strict=True):
        canonical = name if name in known else by_key.get(district_key(name))
        if canonical is None:
            # kept as its own row (a district with no messages still belongs on the map),
            # and listed so a misspelt name is noticed
            canonical = name.strip()
            unmatched.append(canonical)
        matched[canonical] = matched.get(canonical, 0.0) + float(value)
    return pd.Series(matched, dtype=float, name=C.POPULATION), unmatched
