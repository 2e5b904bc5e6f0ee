"""The recurring problems' workbook (`curtool recurring -o x.xlsx`): «Проблемы» with the
definition on top, and «Сообщения», joined by the problem id."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from curtool.io import output, pagelayout
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


def _definition(book, sheet, text: str, columns: int) -> None:
    """The definition above the table, wrapped over the table's width: on paper a sentence
    running past the last column would be cut off."""
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    width = sum(pagelayout.column_width(sheet, c) for c in range(columns))
    if columns > 1:
        sheet.merge_range(0, 0, 0, columns - 1, "", wrap)
    sheet.write_string(0, 0, text, wrap)
    lines = max(1, math.ceil(pagelayout.text_width(text) / max(width, 1)))
    sheet.set_row(0, pagelayout.LINE_HEIGHT * lines + 3)


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
    if "message_ids" in problems.columns:  # the long list of ids last, off the printed page
        problems = problems[[c for c in problems.columns if c != "message_ids"] + ["message_ids"]]
    problems = problems.rename(columns=HEADERS)
    messages = result.messages_frame(frame).rename(columns=_RECURRING_MESSAGE_HEADERS)
    with output.atomic_path(path) as tmp:
        book = xlsxwriter.Workbook(str(tmp), output.workbook_options(output.scratch_dir(tmp)))
        try:
            header = output.header_format(book, text_wrap=True, valign="vcenter")
            date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
            sheet = book.add_worksheet("Проблемы")
            output.write_frame(
                book,
                sheet,
                problems,
                header,
                date_fmt,
                first_row=2,
                wrap_long=True,
                print_columns=len(problems.columns) - 1
                if HEADERS["message_ids"] in problems.columns
                else None,
            )
            _definition(book, sheet, result.settings.describe(), max(len(problems.columns), 1))
            output.write_frame(
                book, book.add_worksheet("Сообщения"), messages, header, date_fmt, wrap_long=True
            )
            pagelayout.finish(book)
        finally:
            book.close()
    return path
