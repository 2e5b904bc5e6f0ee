"""ISO weeks of the report: labels «2026-W47», their bounds, the data's span, the week to report.

Weeks are ISO weeks (Monday–Sunday) of ``_created``.  :func:`resolve_week` picks the
report week (the latest complete one by default) and :func:`until_week_end` cuts the
frame as it stood at the end of that week.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import NamedTuple

import numpy as np
import pandas as pd

from curtool.core import columns as C
from curtool.core import errors

WEEK_PATTERN = re.compile(r"^\s*(\d{4})-?[Ww](\d{1,2})\s*$")


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


def resolve_week(frame: pd.DataFrame | DataSpan, week: str | None, today: date) -> str:
    """The report week as «YYYY-Www».

    * ``"last"``: the last complete ISO week before ``today`` (on Monday 24 Nov:
      17–23 Nov; on Sunday 23 Nov: 10–16 Nov, since that Sunday is not over yet).
    * ``None``: the latest complete week of the data: the latest week whose Sunday
      the data reaches.  An export that ends on a Friday is reported up to the week
      before; its last, partial week only when asked for by name.
    * ``"YYYY-Www"``: that week, validated (bad ⇒ CurtoolError ``bad-option``).

    ``frame`` may be the data's :class:`DataSpan` already found (an archive's, from its parts).
    """
    if week is not None and week.strip().lower() != "last":
        return _parse_week(week)
    if week is not None:
        return iso_week(today - timedelta(days=7))
    span = frame if isinstance(frame, DataSpan) else data_span(frame)
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
    return until_end(frame, week_bounds(week)[1])


def until_end(frame: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """The frame as it stood at ``end`` (see :func:`until_week_end`; any report period ends so)."""
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
