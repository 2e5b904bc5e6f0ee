"""Districts on a map: the outlines a user gives (a GeoJSON of districts) matched to the
data's districts, with each district's counts of the period for a choropleth.

An outline's name is matched with the district normalisation of the loader
(:func:`curtool.core.districts.canonical_names`): «Энский р-н», «Энский район» and
«МО Энский район» are one district.  Names on either side left unmatched are listed, so a
district never drops off the map unnoticed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from curtool.core import columns as C
from curtool.core.districts import Gazetteer, canonical_names, normal_form, parse_name

Ring = list[tuple[float, float]]  # (lon, lat) pairs, closed


@dataclass
class DistrictShape:
    """One district of the user's file: its name, its outer rings, and the feature as read."""

    name: str
    rings: list[Ring]
    feature: dict  # the GeoJSON feature as read: written back with the counts added


@dataclass
class Choropleth:
    """The outlines with the period's counts: ``table`` has one row per outline, in file
    order: ``name``, ``district`` (the data's name, "" unmatched), ``messages``, ``per_10k``
    (NaN without population) and one column per sector."""

    shapes: list[DistrictShape]
    table: pd.DataFrame
    sectors: list[str]
    name_field: str
    unmatched_shapes: list[str] = field(default_factory=list)  # outlines no data district matched
    unmatched_districts: list[str] = field(default_factory=list)  # data districts with no outline

    def notes(self) -> list[str]:
        out = []
        if self.unmatched_shapes:
            out.append(
                "Районы карты без сообщений или с иным написанием: " + ", ".join(self.unmatched_shapes[:20])
            )
        if self.unmatched_districts:
            out.append("Районы данных без контура на карте: " + ", ".join(self.unmatched_districts[:20]))
        return out


NAME = "name"
DISTRICT = "district"
MESSAGES = "messages"
PER_10K = "per_10k"


def match_names(names: list[str], known: list[str]) -> list[str]:
    """The data's district for each outline name ("" none): the loader's normalisation, exact
    forms first; a fuzzy match of another type («Майкопский район» for «Город Майкоп») or of a
    district another outline already names exactly is refused, so no district is counted twice."""
    exact = {normal_form(k): k for k in known}
    mapping, unknown = canonical_names(sorted(set(names)), Gazetteer(names=known))
    out, fuzzy = [], []
    for name in names:
        form = normal_form(name)
        if form in exact:
            out.append(exact[form])
            fuzzy.append(False)
            continue
        target = "" if name in unknown else mapping.get(name, "")
        mine, theirs = parse_name(name), parse_name(target)
        if target and mine and theirs and mine.kind and theirs.kind and mine.kind != theirs.kind:
            target = ""
        out.append(target)
        fuzzy.append(bool(target))
    claimed = {t for t, f in zip(out, fuzzy, strict=True) if t and not f}
    seen: set[str] = set()
    for i, (target, is_fuzzy) in enumerate(zip(out, fuzzy, strict=True)):
        if target and ((is_fuzzy and target in claimed) or (is_fuzzy and target in seen)):
            out[i] = ""
        elif target:
            seen.add(target)
    return out


def choropleth(
    shapes: list[DistrictShape],
    counts: pd.DataFrame,
    population: pd.Series | None = None,
    name_field: str = "",
) -> Choropleth:
    """Match ``shapes`` to the districts of ``counts`` (districts × sectors of the period) and
    give each outline its counts; ``population`` (residents by district) adds a rate per 10,000."""
    known = [str(d) for d in counts.index if str(d) and str(d) != C.NO_DISTRICT]
    names = [s.name for s in shapes]
    matched = match_names(names, known)
    sectors = [str(c) for c in counts.columns]
    grid = counts.reindex(index=[m or "\x00" for m in matched], columns=counts.columns).fillna(0)
    table = pd.DataFrame(
        {
            NAME: names,
            DISTRICT: matched,
            MESSAGES: grid.sum(axis=1).to_numpy(),
        }
    )
    if population is not None:
        residents = population.reindex([m or "\x00" for m in matched]).to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            table[PER_10K] = np.where(residents > 0, table[MESSAGES].to_numpy() / residents * 10_000, np.nan)
    else:
        table[PER_10K] = np.nan
    for sector in sectors:
        table[sector] = grid[sector].to_numpy() if sector in grid.columns else 0
    # an outline the data does not know has no figures: «нет данных», not a zero
    none = table[DISTRICT] == ""
    table.loc[none, [MESSAGES, *sectors]] = np.nan
    shown = set(matched)
    return Choropleth(
        shapes,
        table,
        sectors,
        name_field,
        unmatched_shapes=[n for n, m in zip(names, matched, strict=True) if not m],
        unmatched_districts=[d for d in known if d not in shown],
    )
