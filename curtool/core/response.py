"""Response times of the report week: first answers and closings against their deadlines.

Deadlines are hours per sector (``[deadlines]`` of ``curtool.toml``), with defaults;
:func:`response_times` gives the medians, 90th percentiles and overdue shares per
sector or district, and «нет данных» where the export has no such dates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from curtool.core import columns as C
from curtool.core import errors
from curtool.core.periods import Period, as_period

DEFAULT_FIRST_ANSWER_HOURS = 24.0  # answer within a day: the usual social-media target of a ЦУР
DEFAULT_CLOSING_HOURS = 240.0  # closed within 10 days: the usual term for a reply in substance


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
# counts beside the shares (``response_times(..., counts=True)``): the executors' table ranks by them
RT_FIRST_OVERDUE_N = "first_overdue_n"
RT_CLOSE_OVERDUE_N = "close_overdue_n"
TOTAL = "Всего"
NO_DATA = "нет данных"  # a figure the export cannot support: never shown as a number
# the date fields response figures need, as the «Сроки ответа» sheet names them
DATE_FIELDS = {"first_answer": "дата первого ответа", "closed": "дата закрытия"}


def _hours(delta: pd.Series) -> pd.Series:
    hours = delta.dt.total_seconds() / 3600.0
    # an answer stamped before the message is a clock or export error, not a record-fast answer
    return hours.where(hours >= 0)


def _given(frame: pd.DataFrame, flag: str) -> pd.Series:
    """Whether each row's file has the date column (every row, for a frame without the flag)."""
    return frame[flag].astype(bool) if flag in frame else pd.Series(True, index=frame.index)


def response_times(
    prepared: pd.DataFrame,
    week: str | Period,
    by: str,
    deadlines: Deadlines | None = None,
    *,
    first_answer_known: bool = True,
    closed_known: bool = True,
    as_of: pd.Timestamp | None = None,
    counts: bool = False,
) -> pd.DataFrame:
    """Response times per ``by`` group (``sector``, ``_district`` or ``_executor``) with a «Всего» row.

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
    ``counts`` adds the numbers of overdue first answers and closings beside the shares.
    A group with only old open messages past their deadline has a row too.
    """
    deadlines = deadlines or Deadlines()
    if as_of is None:  # the moment the data describes: its latest stamp
        as_of = prepared[[C.CREATED, C.FIRST_ANSWER, C.CLOSED]].max().max()
    period = as_period(week)  # a week label or any report period
    start, end = period.start, period.end

    created = prepared[period.contains(prepared[C.CREATED])]
    first = _hours(created[C.FIRST_ANSWER] - created[C.CREATED])
    first_limit = deadlines.first_answer_hours(created[C.SECTOR])
    waiting = first.isna() & (created[C.CREATED] + pd.to_timedelta(first_limit, unit="h") > as_of)
    # a message from a file without first-answer dates: unknown, never «not answered in time»
    waiting |= first.isna() & ~_given(created, C.HAS_FIRST_ANSWER)
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
        prepared[C.CLOSED].isna() & prepared[C.CREATED].notna() & _given(prepared, C.HAS_CLOSED),
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
            RT_FIRST_OVERDUE_N: int(a_part["over"].sum()),
            RT_CLOSE_OVERDUE_N: int(b_part["over"].sum()),
        }

    groups = set(a[by]) | set(b[by]) | set(open_over)
    order = C.sector_order(groups) if by == C.SECTOR else C.district_order(groups)
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
    if not counts:
        table = table.drop(columns=[RT_FIRST_OVERDUE_N, RT_CLOSE_OVERDUE_N])
    if not first_answer_known:
        unknown += [RT_ANSWERED, RT_FIRST_MEDIAN, RT_FIRST_P90, RT_FIRST_OVERDUE]
        unknown += [RT_FIRST_OVERDUE_N] if counts else []
    if not closed_known:
        unknown += [RT_CLOSED, RT_CLOSE_MEDIAN, RT_CLOSE_P90, RT_CLOSE_OVERDUE, RT_OPEN_OVERDUE]
        unknown += [RT_CLOSE_OVERDUE_N] if counts else []
    for col in unknown:
        table[col] = pd.Series(NO_DATA, index=table.index, dtype=object)
    if by == C.DISTRICT:
        # deadlines differ by sector, so a district's "deadline" column would mix them
        table = table.drop(columns=[RT_FIRST_DEADLINE, RT_CLOSE_DEADLINE])
    return table


def known_dates(frame: pd.DataFrame, column: str) -> bool:
    """True when the export gives ``column`` (a date) for at least one message."""
    return column in frame and bool(pd.to_datetime(frame[column]).notna().any())
