"""The recurring problems' workbook (`curtool recurring -o x.xlsx`): «Проблемы» with the
definition on top, and «Сообщения», joined by the problem id."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from curtool.io import output
from curtool.io.reportstyle import HEADERS, TRENDS

if TYPE_CHECKING:
    from curtool.core.recurring import RecurringResult

# its messages sheet: «id» is the message's there, the problem's in the problem sheets
_RECURRING_MESSAGE_HEADERS = {
    "problem_id": "ID проблемы",
    "id": "ID сообщения",
    "date": "Дата",
    "district": "Район",
    "place": "Место",
    "text": "Текст",
}


def write_recurring_workbook(result: RecurringResult, frame: pd.DataFrame, path: str | Path) -> Path:
    """Two sheets joined by the problem id: «Проблемы» (with the definition on top) and
    «Сообщения»; headers as in the weekly report's problem sheet."""
    import xlsxwriter

    path = Path(path)
    problems = result.problems.copy()
    if not problems.empty:
        problems["trend"] = problems["trend"].map(TRENDS).fillna(problems["trend"])
        for col in ("returned_after_resolved", "systemic"):
            problems[col] = problems[col].map({True: "да", False: "нет"})
    problems = problems.rename(columns=HEADERS)
    messages = result.messages_frame(frame).rename(columns=_RECURRING_MESSAGE_HEADERS)
    with output.atomic_path(path) as tmp:
        book = xlsxwriter.Workbook(str(tmp), output.workbook_options(output.scratch_dir(tmp)))
        try:
            header = output.header_format(book)
            date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
            sheet = book.add_worksheet("Проблемы")
            sheet.write_string(0, 0, result.settings.describe())
            output.write_frame(book, sheet, problems, header, date_fmt, first_row=2)
            output.write_frame(book, book.add_worksheet("Сообщения"), messages, header, date_fmt)
        finally:
            book.close()
    return path
