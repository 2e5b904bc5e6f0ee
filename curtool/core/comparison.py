"""The report period against the previous period and the same period a year earlier.

:func:`compare_periods` counts the period, the one right before it (of the same kind and
length) and the one a year back, in total and per sector and district.  A period the export
does not cover whole is not compared: its figures are :data:`NO_DATA`, never 0 or a
percentage (a fragment of a month against a whole one would invent a fall).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from curtool.core import columns as C
from curtool.core.periods import Period
from curtool.core.response import NO_DATA

# Keys of the comparison tables (curtool.io.reportcompare maps them to Russian headers).
CURRENT = "current"
PREVIOUS = "previous"
CHANGE_PREVIOUS = "change_previous"
YEAR_AGO = "year_ago"
CHANGE_YEAR_AGO = "change_year_ago"
TOTAL = "Всего"


@dataclass
class Comparison:
    """The counts to compare with; a count is None when its period is not compared."""

    previous: Period
    year_ago: Period | None  # None: an ISO week 53 has no week of that number a year back
    previous_count: int | None
    year_ago_count: int | None
    by_sector: pd.DataFrame
    by_district: pd.DataFrame


def change(current: float, reference: float | None) -> float:
    """Relative change; NaN when there is nothing to compare with (no data, or none before)."""
    if reference is None or not reference:
        return float("nan")
    return (current - reference) / reference


def compare_periods(
    prepared: pd.DataFrame,
    period: Period,
    *,
    previous_known: bool,
    year_ago_known: bool,
) -> Comparison:
    """The comparison of ``period`` in ``prepared`` (:func:`curtool.core.aggregate.prepare`'s
    frame); ``*_known``: whether the export covers that period whole and the report period
    is complete (see :func:`curtool.core.periods.covers`)."""
    previous, year_ago = period.shifted(-1), period.year_ago()
    year_ago_known = year_ago_known and year_ago is not None
    created = prepared[C.CREATED]
    masks = {
        CURRENT: period.contains(created),
        PREVIOUS: previous.contains(created) if previous_known else None,
        YEAR_AGO: year_ago.contains(created) if year_ago_known and year_ago is not None else None,
    }

    def table(by: str) -> pd.DataFrame:
        counts = {
            key: prepared.loc[mask, by].value_counts() if mask is not None else None
            for key, mask in masks.items()
        }
        names = set(counts[CURRENT].index)
        for other in (counts[PREVIOUS], counts[YEAR_AGO]):
            if other is not None:
                names |= set(other.index)
        order = C.sector_order(names) if by == C.SECTOR else C.district_order(names)
        rows = []
        for name in [*order, TOTAL]:
            now = int(counts[CURRENT].sum() if name == TOTAL else counts[CURRENT].get(name, 0))
            row: dict[str, object] = {by: name, CURRENT: now}
            for key, delta in ((PREVIOUS, CHANGE_PREVIOUS), (YEAR_AGO, CHANGE_YEAR_AGO)):
                other = counts[key]
                if other is None:
                    row[key], row[delta] = NO_DATA, NO_DATA
                    continue
                then = int(other.sum() if name == TOTAL else other.get(name, 0))
                ratio = change(now, then)
                row[key], row[delta] = then, NO_DATA if ratio != ratio else ratio
            rows.append(row)
        return pd.DataFrame(rows, columns=[by, CURRENT, PREVIOUS, CHANGE_PREVIOUS, YEAR_AGO, CHANGE_YEAR_AGO])

    by_sector, by_district = table(C.SECTOR), table(C.DISTRICT)
    total = by_sector.iloc[-1]
    return Comparison(
        previous=previous,
        year_ago=year_ago,
        previous_count=int(total[PREVIOUS]) if masks[PREVIOUS] is not None else None,
        year_ago_count=int(total[YEAR_AGO]) if masks[YEAR_AGO] is not None else None,
        by_sector=by_sector,
        by_district=by_district,
    )
