"""Weekly figures for the report: counts, baselines, heat map, surges, population.

Pure functions on the loaded frame.  :func:`prepare` takes the loaded frame
and the ``sector`` Series once (duplicates dropped, ISO week label per row) and
every other function works on that prepared frame, so a million rows are
grouped without recomputing weeks per table.

Weeks are ISO weeks (Monday–Sunday) of ``_created``, labelled «2026-W47».  The
*baseline* of a week is the mean weekly count over the ``weeks_back`` weeks
before it, counting only weeks the data actually covers (a district that
started exporting three weeks ago has a three-week baseline, not eight weeks
with five invented zeros).  The weeks themselves: :mod:`curtool.core.weeks`; where
messages came from: :mod:`curtool.core.sources`; response times against deadlines:
:mod:`curtool.core.response`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from curtool.core import columns as C
from curtool.core.districts import normal_form
from curtool.core.periods import Period, as_period, buckets
from curtool.core.weeks import week_labels

# --- surge test -------------------------------------------------------------------
# A cell is a surge when all three hold (see docs/report.md):
SURGE_ALPHA = 0.001  # posterior-predictive upper-tail p-value below this
SURGE_MIN_COUNT = 5  # at least this many messages in the week
SURGE_MIN_RATIO = 2.0  # and at least twice the baseline mean
SURGE_PRIOR_SHAPE = 0.5  # Jeffreys prior on the weekly rate: one message against zero is noise


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
    for col in (C.HAS_FIRST_ANSWER, C.HAS_CLOSED):
        # a frame without the flag (tests, an archive made before it) has the column where any row has a date
        given = frame.loc[keep, col] if col in frame else pd.Series(True, index=base.index)
        out[col] = given.astype(object).where(given.notna(), True).astype(bool)
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
    prepared: pd.DataFrame, week: str | Period, weeks_back: int, until: str | pd.Timestamp | None = None
) -> list[str]:
    """The labels of :func:`baseline_periods`."""
    return [p.label for p in baseline_periods(prepared, week, weeks_back, until)]


def baseline_periods(
    prepared: pd.DataFrame, period: str | Period, back: int, until: str | pd.Timestamp | None = None
) -> list[Period]:
    """The baseline periods the data covers: the ``back`` periods of the same kind and length
    before ``period``, from the one holding the first message on, and up to ``until`` (the
    export's last message, or its week) when the export ends before ``period``: periods after
    an export ends are unknown, not periods without messages."""
    period = as_period(period)
    created = prepared[C.CREATED]
    first = created.min()
    if pd.isna(first):
        return []
    if isinstance(until, str):
        until = as_period(until).start
    # A period counts only from its first day on: a week or month the export begins in the
    # middle of is a fragment, and a baseline of fragments invents a rise (a real portal export
    # beginning on a Sunday made its next week «21 times the average» of that one day).
    return [
        p for p in period.before(back) if p.start >= first.normalize() and (until is None or p.start <= until)
    ]


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


def week_totals(
    prepared: pd.DataFrame, week: str | Period, weeks_back: int, until: str | pd.Timestamp | None = None
) -> WeekTotals:
    """Counts of the period, the previous period and the baseline; new and closed messages.

    ``week`` is a week label or any :class:`~curtool.core.periods.Period`: the baseline is
    the mean over the covered periods of the same kind and length before it."""
    period = as_period(week)
    window = [*period.before(weeks_back), period]
    counts = buckets(prepared[C.CREATED], window).value_counts()
    labels = [p.label for p in window]
    by_week = pd.Series([int(counts.get(w, 0)) for w in labels], index=labels, dtype="int64")
    covered = [p.label for p in baseline_periods(prepared, period, weeks_back, until)]
    baseline = float(by_week[covered].mean()) if covered else float("nan")
    previous = period.shifted(-1)
    start, end = period.start, period.end
    closed_mask = (prepared[C.CLOSED] >= start) & (prepared[C.CLOSED] < end)
    resolved = int((closed_mask & C.is_resolved_status(prepared[C.STATUS])).sum())
    in_week = period.contains(prepared[C.CREATED])
    return WeekTotals(
        week=period.label,
        count=int(by_week[period.label]),
        previous=int(previous.contains(prepared[C.CREATED]).sum()),
        baseline=baseline,
        baseline_weeks=len(covered),
        closed=int(closed_mask.sum()),
        resolved=resolved,
        answered=int((in_week & prepared[C.FIRST_ANSWER].notna()).sum()),
        by_week=by_week,
    )


# --- district × sector ------------------------------------------------------------------
def cell_counts(prepared: pd.DataFrame, weeks: list[str] | list[Period]) -> pd.Series:
    """Messages per (week or period label, district, sector) for the given weeks or
    periods, in order and not overlapping (zeros not listed)."""
    periods = sorted((as_period(w) for w in weeks), key=lambda p: p.start)
    label = buckets(prepared[C.CREATED], periods)
    inside = (label != "").to_numpy()
    sub = pd.DataFrame(
        {
            C.WEEK: label[inside],
            C.DISTRICT: prepared.loc[inside, C.DISTRICT],
            C.SECTOR: prepared.loc[inside, C.SECTOR],
        }
    )
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
    week: str | Period,
    weeks_back: int,
    population: pd.Series | None = None,
    until: str | pd.Timestamp | None = None,
) -> HeatMap:
    """Counts of the week per district × sector, the baseline and the change against it.

    ``population`` is residents per canonical district name (see
    :func:`match_population`); with it the rates per 10,000 residents are added.
    """
    period = as_period(week)
    week = period.label
    baseline_weeks = baseline_periods(prepared, period, weeks_back, until)
    cells = cell_counts(prepared, [*baseline_weeks, period])
    in_window = buckets(prepared[C.CREATED], [*baseline_weeks, period]).ne("")
    districts = C.district_order(prepared.loc[in_window, C.DISTRICT].unique())
    if population is not None:
        districts = C.district_order(set(districts) | set(population.index))
    sectors = C.sector_order(prepared.loc[in_window, C.SECTOR].unique())
    week_cells = (
        cells.xs(week, level=C.WEEK)
        if week in cells.index.get_level_values(C.WEEK)
        else cells.iloc[:0].droplevel(C.WEEK)
    )
    counts = _grid(week_cells, districts, sectors).astype("int64")
    if baseline_weeks:
        base_cells = cells[cells.index.get_level_values(C.WEEK) != week]
        base_sum = base_cells.groupby(level=[C.DISTRICT, C.SECTOR]).sum()
        # per period of the report's length: months of 28 and 31 days are put on one footing
        baseline = _grid(base_sum, districts, sectors).astype(float) / _exposure(baseline_weeks, period)
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


def _exposure(baseline: list[Period], period: Period) -> float:
    """The baseline's length in periods of the report's length (the number of baseline
    periods when they are as long as it: always so for weeks and runs of days)."""
    return sum(p.days for p in baseline) / period.days


def weekly_series(prepared: pd.DataFrame, weeks: list[str] | list[Period], by: str) -> pd.DataFrame:
    """Weeks or periods (rows, oldest first) × values of ``by`` (``sector`` or ``_district``),
    with zeros; periods in order, not overlapping (see :func:`curtool.core.periods.dynamics_steps`)."""
    steps = [as_period(w) for w in weeks]
    weeks = [p.label for p in steps]
    label = buckets(prepared[C.CREATED], steps)
    inside = (label != "").to_numpy()
    sub = pd.DataFrame({C.WEEK: label[inside], by: prepared.loc[inside, by]})
    order = C.sector_order(sub[by].unique()) if by == C.SECTOR else C.district_order(sub[by].unique())
    table = sub.groupby([C.WEEK, by]).size().unstack(by, fill_value=0) if len(sub) else pd.DataFrame()
    table = table.reindex(index=weeks, columns=order, fill_value=0).fillna(0).astype("int64")
    return table.rename_axis(index=C.WEEK, columns=by)


# --- surges ---------------------------------------------------------------------------------
def surge_p_values(count: np.ndarray, baseline_total: np.ndarray, baseline_weeks: float) -> np.ndarray:
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
    week: str | Period,
    weeks_back: int,
    *,
    alpha: float = SURGE_ALPHA,
    min_count: int = SURGE_MIN_COUNT,
    min_ratio: float = SURGE_MIN_RATIO,
    until: str | pd.Timestamp | None = None,
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
    # A long period is judged as a whole against the periods of its kind before it (a month
    # against the months before): what an analyst asks of a monthly report is which cells
    # stood out this month, and a surge in its second week would be missed by a test of its
    # last week alone.  The statistic is the weekly one with the baseline's exposure counted
    # in periods of the report's length.
    period = as_period(week)
    week = period.label
    baseline_weeks = baseline_periods(prepared, period, weeks_back, until)
    if not baseline_weeks:
        return pd.DataFrame(columns=cols)
    cells = cell_counts(prepared, [*baseline_weeks, period])
    if week not in cells.index.get_level_values(C.WEEK):
        return pd.DataFrame(columns=cols)
    current = cells.xs(week, level=C.WEEK)
    current = current[current >= min_count]  # cheap floor first: most cells never qualify
    if current.empty:
        return pd.DataFrame(columns=cols)
    base = cells[cells.index.get_level_values(C.WEEK) != week].groupby(level=[C.DISTRICT, C.SECTOR]).sum()
    base_total = base.reindex(current.index, fill_value=0).to_numpy(dtype=float)
    count = current.to_numpy(dtype=float)
    exposure = _exposure(baseline_weeks, period)
    mean = base_total / exposure
    p = surge_p_values(count, base_total, exposure)
    with np.errstate(divide="ignore"):
        ratio = np.where(mean > 0, count / np.where(mean > 0, mean, 1), np.inf)
    table = pd.DataFrame(
        {
            C.DISTRICT: current.index.get_level_values(C.DISTRICT),
            C.SECTOR: current.index.get_level_values(C.SECTOR),
            C.COUNT: count.astype("int64"),
            C.BASELINE: mean,
            C.BASELINE_WEEKS: len(baseline_weeks),
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
