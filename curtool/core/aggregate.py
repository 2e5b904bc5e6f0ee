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
from curtool.core.weeks import shift_week, week_bounds, week_labels, window_weeks

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
    order = C.sector_order(sub[by].unique()) if by == C.SECTOR else C.district_order(sub[by].unique())
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
