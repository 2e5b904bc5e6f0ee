"""Points on a map: where each message and each recurring problem is, from the data alone.

A message is placed by its own coordinates (``located`` = ``point``) when they are usable:
finite, inside WGS84, not the 0,0 an export writes for «none»; a pair written the wrong way
round is turned back when that is obvious (a latitude beyond ±90 that is a valid longitude, or
a pair far from all the others whose swap lands among them).  A message without usable
coordinates but with an address takes the median point of the messages *with* coordinates at
the same normalised address (``located`` = ``address``; :func:`curtool.core.address.place_table`
makes the keys, so the spellings of one house meet).  Nothing is looked up on a network: a
message the data cannot place stays unplaced and is counted, so a map never drops rows silently.
A problem stands at the median point of its placed messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from curtool.core import columns as C

LOCATED_POINT = "point"
LOCATED_ADDRESS = "address"
# A pair is «obviously swapped» when it lies this far from the data's median point and its swap
# lies this close to it (degrees): a whole region fits in a few degrees, a swap moves thousands of km.
SWAP_FAR_DEGREES = 5.0
SWAP_NEAR_DEGREES = 2.0
SWAP_MIN_POINTS = 5  # fewer points say nothing about where the data lies

# Columns of MapPoints.messages / MapPoints.problems besides the ones copied from the inputs
LAT = "lat"
LON = "lon"
LOCATED = "located"
SWAPPED = "swapped"  # locate(): the row's pair was turned back
INVALID = "invalid"  # locate(): the row's pair was given but unusable

_ADDRESS_FIELDS = (C.DISTRICT, C.LOCALITY, C.STREET, C.HOUSE, C.ADDRESS)


@dataclass
class Coordinates:
    """Usable coordinates of rows (NaN where none) and how many were mended or refused."""

    lat: np.ndarray
    lon: np.ndarray
    swapped: np.ndarray  # pairs turned back the right way round
    invalid: np.ndarray  # pairs given but unusable (not numbers, outside WGS84)


def clean_coordinates(lat: object, lon: object) -> Coordinates:
    """Usable latitude and longitude of each row: NaN for missing, impossible or 0,0 pairs."""
    la = _numbers(lat)
    lo = _numbers(lon)
    given = _given(lat) | _given(lon)
    finite = np.isfinite(la) & np.isfinite(lo)
    zero = finite & (la == 0) & (lo == 0)  # an export's «no coordinates»
    ok = finite & ~zero & (np.abs(la) <= 90) & (np.abs(lo) <= 180)
    # a latitude beyond ±90 that is a valid longitude, with a longitude that is a valid latitude
    turned = finite & ~zero & ~ok & (np.abs(lo) <= 90) & (np.abs(la) <= 180)
    swap = turned.copy()
    if int(ok.sum()) >= SWAP_MIN_POINTS:
        c_lat, c_lon = float(np.median(la[ok])), float(np.median(lo[ok]))
        far = np.maximum(np.abs(la - c_lat), np.abs(lo - c_lon)) > SWAP_FAR_DEGREES
        near_swapped = np.maximum(np.abs(lo - c_lat), np.abs(la - c_lon)) < SWAP_NEAR_DEGREES
        swap |= ok & far & near_swapped
    la, lo = np.where(swap, lo, la), np.where(swap, la, lo)
    usable = ok | turned
    la = np.where(usable, la, np.nan)
    lo = np.where(usable, lo, np.nan)
    return Coordinates(la, lo, swap, given & ~usable & ~zero)


def _numbers(values: object) -> np.ndarray:
    series = pd.Series(values)
    if pd.api.types.is_numeric_dtype(series.dtype):
        return series.to_numpy(dtype=float)
    return pd.to_numeric(series.astype(object), errors="coerce").to_numpy(dtype=float)


def _given(values: object) -> np.ndarray:
    """Which cells hold anything at all (a number or some text), as opposed to nothing."""
    series = pd.Series(values)
    if pd.api.types.is_numeric_dtype(series.dtype):
        return series.notna().to_numpy()
    return (series.notna() & (series.astype(str).str.strip() != "")).to_numpy()


def address_keys(frame: pd.DataFrame) -> pd.Series:
    """Each row's normalised house address from the export's own address fields ("" none).

    Only a street *and* a house make a key: a street or a village alone is too coarse to put
    a point on.  Coordinates and the message text are left out on purpose: the key must say
    where the export put the message, not where a point or a phrase suggests it is.
    """
    from curtool.core.address import place_table

    present = [c for c in _ADDRESS_FIELDS if c in frame.columns]
    if not present or not any(c in present for c in (C.ADDRESS, C.STREET)):
        return pd.Series("", index=frame.index, dtype=object)
    # a million rows name a few thousand houses: keys are made once per distinct set of fields
    stacked = np.column_stack([pd.factorize(frame[c])[0] for c in present])
    _, firsts, codes = np.unique(stacked, axis=0, return_index=True, return_inverse=True)
    distinct = frame[present].iloc[firsts].reset_index(drop=True)
    places = place_table(distinct.astype(object).where(distinct.notna(), ""), text_column="")
    keep = places["place_source"].isin(["street", "address"]) & (places["house_key"] != "")
    keys = places["place_key"].where(keep, "").to_numpy(dtype=object)
    return pd.Series(keys[codes.reshape(-1)], index=frame.index, dtype=object)


def locate(frame: pd.DataFrame, rows: pd.Index | None = None) -> pd.DataFrame:
    """``lat``, ``lon`` and ``located`` («point», «address», "") of ``rows`` (default: all).

    Every row of ``frame`` with coordinates lends its point to its address, so a message
    of the period is placed by the points of earlier messages at the same house.
    """
    rows = frame.index if rows is None else rows
    out = pd.DataFrame({LAT: np.nan, LON: np.nan, LOCATED: "", SWAPPED: False, INVALID: False}, index=rows)
    if out.empty or C.LAT not in frame.columns or C.LON not in frame.columns:
        return out
    coords = clean_coordinates(frame[C.LAT].to_numpy(), frame[C.LON].to_numpy())
    lat = pd.Series(coords.lat, index=frame.index)
    lon = pd.Series(coords.lon, index=frame.index)
    has = lat.notna() & lon.notna()
    out[LAT] = lat.reindex(rows).to_numpy()
    out[LON] = lon.reindex(rows).to_numpy()
    out[SWAPPED] = pd.Series(coords.swapped, index=frame.index).reindex(rows, fill_value=False).to_numpy()
    out[INVALID] = pd.Series(coords.invalid, index=frame.index).reindex(rows, fill_value=False).to_numpy()
    out.loc[has.reindex(rows, fill_value=False).to_numpy(), LOCATED] = LOCATED_POINT
    need = out[LOCATED] == ""
    if need.any() and has.any():
        # keys only for the rows that lend a point or need one: a million rows repeat few houses
        lenders = frame.index[has.to_numpy()]
        asking = out.index[need.to_numpy()]
        wanted = lenders.append(asking)
        keys = address_keys(frame.loc[wanted[~wanted.duplicated()]])
        lent = keys.reindex(lenders)
        lent = lent[lent.fillna("") != ""]
        if len(lent):
            medians = (
                pd.DataFrame({"k": lent.to_numpy(), LAT: lat[lent.index], LON: lon[lent.index]})
                .groupby("k")[[LAT, LON]]
                .median()
            )
            asked = keys.reindex(asking).fillna("")
            found = asked[asked.isin(medians.index)]
            if len(found):
                out.loc[found.index, LAT] = medians.loc[found.to_numpy(), LAT].to_numpy()
                out.loc[found.index, LON] = medians.loc[found.to_numpy(), LON].to_numpy()
                out.loc[found.index, LOCATED] = LOCATED_ADDRESS
    return out


@dataclass
class MapPoints:
    """The period's messages and the recurring problems as points, with what could not be placed.

    ``messages``: ``id``, ``lat``, ``lon``, ``located``, ``district``, ``sector``, ``kind``,
    ``created``, ``problem_id``, ``status`` (every message; ``located`` "" for an unplaced one).
    ``problems``: ``id``, ``label``, ``district``, ``sector``, ``count``, ``weeks``,
    ``first_seen``, ``last_seen``, ``systemic``, ``lat``, ``lon``, ``located``.
    """

    messages: pd.DataFrame
    problems: pd.DataFrame
    swapped: int = 0
    invalid: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def placed(self) -> int:
        return int((self.messages[LOCATED] != "").sum())

    @property
    def by_point(self) -> int:
        return int((self.messages[LOCATED] == LOCATED_POINT).sum())

    @property
    def by_address(self) -> int:
        return int((self.messages[LOCATED] == LOCATED_ADDRESS).sum())

    @property
    def unplaced(self) -> int:
        return len(self.messages) - self.placed

    @property
    def problems_placed(self) -> int:
        return int((self.problems[LOCATED] != "").sum()) if len(self.problems) else 0

    @property
    def has_points(self) -> bool:
        return self.placed > 0 or self.problems_placed > 0

    def placed_messages(self) -> pd.DataFrame:
        return self.messages[self.messages[LOCATED] != ""]

    def placed_problems(self) -> pd.DataFrame:
        return self.problems[self.problems[LOCATED] != ""] if len(self.problems) else self.problems

    def summary(self) -> str:
        """One line for the console and the sheet: how many were placed, how, and how many not."""
        from curtool.core.wording import fmt_num

        total = len(self.messages)
        text = (
            f"На карте {fmt_num(self.placed, 0)} из {fmt_num(total, 0)} сообщений "
            f"(по координатам {fmt_num(self.by_point, 0)}, по адресу {fmt_num(self.by_address, 0)}); "
            f"без места {fmt_num(self.unplaced, 0)}"
        )
        if len(self.problems):
            text += (
                f"; проблем на карте {fmt_num(self.problems_placed, 0)} из {fmt_num(len(self.problems), 0)}"
            )
        extra = []
        if self.swapped:
            extra.append(f"широта и долгота переставлены обратно у {fmt_num(self.swapped, 0)}")
        if self.invalid:
            extra.append(f"негодные координаты у {fmt_num(self.invalid, 0)}")
        return text + (" (" + "; ".join(extra) + ")" if extra else "") + "."


_MESSAGE_COLUMNS = {
    "id": C.ID,
    "district": C.DISTRICT,
    "sector": C.SECTOR,
    "kind": C.PROBLEM_KIND,
    "created": C.CREATED,
    "problem_id": C.PROBLEM_ID,
    "status": C.STATUS,
}
PROBLEM_COLUMNS = (
    "id",
    "label",
    "district",
    "sector",
    "count",
    "weeks",
    "first_seen",
    "last_seen",
    "systemic",
)


def map_points(
    frame: pd.DataFrame,
    messages: pd.DataFrame,
    problems: pd.DataFrame | None = None,
    members: Mapping[str, pd.Index] | None = None,
) -> MapPoints:
    """Points of ``messages`` (a table indexed like ``frame`` with the loader's or the report's
    columns: ``_id``, ``_district``, ``sector``, ``problem_kind``, ``_created``, ``problem_id``,
    ``_status``) and of ``problems`` (one row each, ``id`` …), whose messages are the rows
    ``members[id]`` of ``frame``.  The frame lends every point it holds (see :func:`locate`).
    """
    members = members or {}
    member_ids = [pid for pid, idx in members.items() if len(idx)]
    member_rows = [members[pid] for pid in member_ids]
    wanted = messages.index.append(member_rows) if member_rows else messages.index
    wanted = wanted[~wanted.duplicated()]
    wanted = wanted[wanted.isin(frame.index)]
    where = locate(frame, wanted)
    table = pd.DataFrame(index=messages.index)
    for name, source in _MESSAGE_COLUMNS.items():
        table[name] = messages[source] if source in messages.columns else ""
    placed = where.reindex(messages.index)
    table[LAT] = placed[LAT].to_numpy()
    table[LON] = placed[LON].to_numpy()
    table[LOCATED] = placed[LOCATED].fillna("").to_numpy()
    table = table[["id", LAT, LON, LOCATED, *[c for c in _MESSAGE_COLUMNS if c != "id"]]]

    # each problem at the median of its placed messages: one long table of (problem, row) pairs
    spots = pd.DataFrame(columns=[LAT, LON, "by_point"])
    if member_rows:
        pairs = pd.DataFrame(
            {
                "pid": np.repeat(member_ids, [len(idx) for idx in member_rows]),
                "row": np.concatenate([np.asarray(idx) for idx in member_rows]),
            }
        )
        pairs = pairs[pairs["row"].isin(where.index)]
        found = where.loc[pairs["row"].to_numpy()]
        pairs[LAT], pairs[LON] = found[LAT].to_numpy(), found[LON].to_numpy()
        pairs["by_point"] = (found[LOCATED] == LOCATED_POINT).to_numpy()
        pairs = pairs[(found[LOCATED] != "").to_numpy()]
        spots = pairs.groupby("pid").agg({LAT: "median", LON: "median", "by_point": "any"})
    rows = []
    if problems is not None and len(problems):
        for rec in problems.to_dict("records"):
            pid = str(rec.get("id", ""))
            lat = lon = np.nan
            located = ""
            if pid in spots.index:
                lat, lon = float(spots.at[pid, LAT]), float(spots.at[pid, LON])
                located = LOCATED_POINT if spots.at[pid, "by_point"] else LOCATED_ADDRESS
            rows.append(
                {**{c: rec.get(c, "") for c in PROBLEM_COLUMNS}, LAT: lat, LON: lon, LOCATED: located}
            )
    problem_table = pd.DataFrame(rows, columns=[*PROBLEM_COLUMNS, LAT, LON, LOCATED])
    return MapPoints(
        table,
        problem_table,
        int(placed[SWAPPED].fillna(False).sum()),
        int(placed[INVALID].fillna(False).sum()),
    )


def members_of(assignments: pd.Series, positions: Mapping[str, np.ndarray] | None, index: pd.Index) -> dict:
    """Each problem's message rows: its frame ``positions`` where known, else the rows assigned to it."""
    if positions:
        return {pid: index[np.asarray(pos, dtype=int)] for pid, pos in positions.items()}
    named = assignments[assignments.astype(str) != ""].astype(str)
    return {pid: rows.index for pid, rows in named.groupby(named)}
