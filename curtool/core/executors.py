"""Executors of the report week: who answers late, who keeps messages open past their deadline.

The export's own executor column («Исполнитель», «Ответственное лицо», «Ответственный»,
«Орган власти») names who answers each message.  :func:`executor_times` gives, per executor,
the response figures of :func:`curtool.core.response.response_times` (first answers of the
week's messages, closings within the week, open messages past their deadline) and the
numbers of overdue answers and closings, ranked by :data:`RANK_RULE`.

Spellings of one executor (case, spaces, «ё», quote marks) are one executor, shown in the
spelling the export uses most.  A figure the export cannot support is «нет данных»: without
first-answer dates every first-answer column, without closing dates every closing column.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from curtool.core import columns as C
from curtool.core import response as rtimes
from curtool.core.periods import Period

NO_EXECUTOR = "исполнитель не указан"  # messages with an empty executor cell
NO_COLUMN = "нет данных: в выгрузке нет столбца исполнителя"
RANK_RULE = (
    "Порядок: больше ответов позже срока (ответ дан после срока или не дан, а срок истёк), "
    "затем больше открытых с истёкшим сроком, затем больше закрытых позже срока, затем больше "
    "сообщений; исполнитель с одним-двумя сообщениями не поднимается вверх за счёт доли. "
    "Сообщения без исполнителя — в конце."
)
_QUOTES = re.compile(r"[«»\"“”„'‘’`]")


def executor_key(names: pd.Series) -> pd.Series:
    """The key spellings of one executor share: lower case, «ё» as «е», one kind of quote, single
    spaces, no dot or space at the ends."""
    text = names.fillna("").astype(str).str.lower().str.replace("ё", "е", regex=False)
    text = text.str.replace(_QUOTES, '"', regex=True).str.split().str.join(" ")
    return text.str.strip(" .")


def executor_names(names: pd.Series) -> pd.Series:
    """Each message's executor, spelling variants merged: the spelling used most for the key
    (ties: the alphabetically first), :data:`NO_EXECUTOR` where the cell is empty."""
    written = names.fillna("").astype(str).str.split().str.join(" ")
    keys = executor_key(names)
    if not len(keys):
        return pd.Series("", index=names.index, dtype=object)
    counts = pd.DataFrame({"key": keys.to_numpy(), "name": written.to_numpy()}).value_counts()
    best = (
        counts.rename("n")
        .reset_index()
        .sort_values(["key", "n", "name"], ascending=[True, False, True], kind="stable")
        .drop_duplicates("key")
        .set_index("key")["name"]
    )
    shown = keys.map(best).astype(object)
    return shown.where(keys != "", NO_EXECUTOR)


def _rank_value(column: pd.Series) -> np.ndarray:
    """A figure for ranking: «нет данных» ranks as nothing (-1), never as overdue."""
    return pd.to_numeric(column, errors="coerce").fillna(-1).to_numpy(dtype=float)


def executor_times(
    prepared: pd.DataFrame,
    executors: pd.Series,
    week: str | Period,
    deadlines: rtimes.Deadlines | None = None,
    *,
    first_answer_known: bool = True,
    closed_known: bool = True,
    as_of: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Response figures per executor, ranked (see :data:`RANK_RULE`), the «Всего» row last.

    ``prepared`` is :func:`curtool.core.aggregate.prepare`'s frame, ``executors`` each of its
    rows' executor as written (indexed like it).  The deadline columns are left out: an
    executor's messages mix sectors, each with its own deadline.
    """
    frame = prepared.copy(deep=False)
    frame[C.EXECUTOR] = executor_names(executors.reindex(prepared.index))
    table = rtimes.response_times(
        frame,
        week,
        C.EXECUTOR,
        deadlines,
        first_answer_known=first_answer_known,
        closed_known=closed_known,
        as_of=as_of,
        counts=True,
    )
    table = table.drop(columns=[rtimes.RT_FIRST_DEADLINE, rtimes.RT_CLOSE_DEADLINE])
    body, total = table.iloc[:-1], table.iloc[-1:]
    order = np.lexsort(
        (
            body[C.EXECUTOR].map(lambda s: str(s).lower().replace("ё", "е")).to_numpy(),
            -body[rtimes.RT_MESSAGES].to_numpy(dtype=float),
            -_rank_value(body[rtimes.RT_CLOSE_OVERDUE_N]),
            -_rank_value(body[rtimes.RT_OPEN_OVERDUE]),
            -_rank_value(body[rtimes.RT_FIRST_OVERDUE_N]),
            (body[C.EXECUTOR] == NO_EXECUTOR).to_numpy(),  # nobody to ask: after every executor
        )
    )
    columns = [
        C.EXECUTOR,
        rtimes.RT_MESSAGES,
        rtimes.RT_ANSWERED,
        rtimes.RT_FIRST_MEDIAN,
        rtimes.RT_FIRST_P90,
        rtimes.RT_FIRST_OVERDUE_N,
        rtimes.RT_FIRST_OVERDUE,
        rtimes.RT_CLOSED,
        rtimes.RT_CLOSE_MEDIAN,
        rtimes.RT_CLOSE_OVERDUE_N,
        rtimes.RT_CLOSE_OVERDUE,
        rtimes.RT_OPEN_OVERDUE,
    ]
    return pd.concat([body.iloc[order], total], ignore_index=True)[columns]


def worst(table: pd.DataFrame | None) -> pd.Series | None:
    """The executor at the top of the ranking when it has anything overdue, else None."""
    if table is None or len(table) < 2:
        return None
    top = table.iloc[0]
    if top[C.EXECUTOR] == NO_EXECUTOR:
        return None
    figures = [top[rtimes.RT_FIRST_OVERDUE_N], top[rtimes.RT_OPEN_OVERDUE], top[rtimes.RT_CLOSE_OVERDUE_N]]
    return top if any(isinstance(v, (int, float, np.number)) and v > 0 for v in figures) else None
