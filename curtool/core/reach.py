"""Reach of a post: its audience («Аудитория») and engagement («Вовлеченность») as numbers,
and their sums over each problem's messages.

Exports write these counts as people read them: «1234», «1 234» (a space or a no-break
space between thousands), «1,2K», «3 тыс.», «1.5M».  :func:`parse_counts` reads all of
them; anything else is NaN (unknown), never 0.  A problem's reach is the sum over its
messages that have the figure; a problem none of whose messages has it is :data:`NO_DATA`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from curtool.core import columns as C

NO_DATA = "нет данных"  # the export gives no such figure for any message of the problem
REACH_FIELDS = ("audience", "engagement")  # the problem columns, in their ranking order below
RANKINGS = ("count", "reach")

_SUFFIX = {
    "k": 1e3,
    "к": 1e3,
    "тыс": 1e3,
    "m": 1e6,
    "м": 1e6,
    "млн": 1e6,
}
_COUNT = re.compile(r"^(?P<number>\d+(?:[.,]\d+)?)(?P<suffix>[a-zа-я]*)\.?$")
_THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+$")  # «1,234,567»: an English export's thousands


def _parse_one(text: str) -> float:
    value = "".join(text.lower().split()).replace("\u202f", "")
    if not value:
        return np.nan
    if _THOUSANDS.match(value):
        return float(value.replace(",", ""))
    found = _COUNT.match(value)
    if found is None:
        return np.nan
    suffix = found["suffix"]
    if suffix and suffix not in _SUFFIX:
        return np.nan
    return float(found["number"].replace(",", ".")) * _SUFFIX.get(suffix, 1.0)


def parse_counts(values: pd.Series) -> pd.Series:
    """Counts as floats: numbers as they are, text as :mod:`this module <curtool.core.reach>`
    reads it; negative, unreadable or empty cells NaN."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.astype(float)
    else:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        parsed = np.array(
            [
                float(u) if isinstance(u, (int, float)) and not isinstance(u, bool) else _parse_one(str(u))
                for u in uniques
            ],
            dtype=float,
        )
        numbers = pd.Series(
            np.where(codes >= 0, parsed[np.maximum(codes, 0)] if len(parsed) else np.nan, np.nan),
            index=values.index,
            dtype=float,
        )
    return numbers.where(numbers >= 0)


def problem_reach(frame: pd.DataFrame, positions: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """``audience`` and ``engagement`` of each problem (index: problem id): the sums over its
    messages (frame positions) that have the figure, :data:`NO_DATA` where none has."""
    out: dict[str, list[object]] = {name: [] for name in REACH_FIELDS}
    ids = list(positions)
    for name in REACH_FIELDS:
        column = C.FIELD_COLUMNS[name]
        values = (
            pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
            if column in frame.columns
            else np.full(len(frame), np.nan)
        )
        for pid in ids:
            part = values[np.asarray(positions[pid], dtype=np.int64)]
            known = part[~np.isnan(part)]
            out[name].append(float(known.sum()) if len(known) else NO_DATA)
    return pd.DataFrame(out, index=pd.Index(ids, dtype=object), dtype=object)


def reach_key(problems: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """(engagement, audience) of each problem as numbers for ranking, «нет данных» as -1:
    a problem whose reach is unknown ranks below one whose reach is zero."""

    def number(name: str) -> pd.Series:
        if name not in problems:
            return pd.Series(-1.0, index=problems.index)
        return pd.to_numeric(problems[name], errors="coerce").fillna(-1.0)

    return number("engagement"), number("audience")


def rank_by(problems: pd.DataFrame, ranking: str) -> pd.DataFrame:
    """Problems ranked by ``count`` (messages, then weeks, last seen, id: the default) or by
    ``reach``: engagement first (people who reacted), then audience (people who could see the
    post), then the count order."""
    if ranking == "count" or problems.empty:
        return problems
    if ranking != "reach":
        raise ValueError(f"unknown ranking {ranking!r}")
    engagement, audience = reach_key(problems)
    order = pd.DataFrame(
        {"e": engagement.to_numpy(), "a": audience.to_numpy(), "n": np.arange(len(problems))}
    ).sort_values(["e", "a", "n"], ascending=[False, False, True], kind="stable")
    return problems.iloc[order.index.to_numpy()].reset_index(drop=True)


def top_reach(problems: pd.DataFrame) -> pd.Series | None:
    """The problem with the largest reach (engagement, then audience), or None when no
    problem has either figure."""
    if problems is None or problems.empty:
        return None
    engagement, audience = reach_key(problems)
    if not ((engagement >= 0) | (audience >= 0)).any():
        return None
    return rank_by(problems, "reach").iloc[0]
