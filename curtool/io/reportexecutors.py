"""The weekly report's «Исполнители» sheet: response times and overdue messages per executor."""

from __future__ import annotations

from curtool.core import executors as ex
from curtool.core import report as R
from curtool.core import response as rtimes
from curtool.core import wording
from curtool.io.reportstyle import Formats, print_setup, sheet_title, table_at

SHEET_EXECUTORS = "Исполнители"


def write_executors(book, f: Formats, report: R.Report) -> None:
    sheet = book.add_worksheet(SHEET_EXECUTORS)
    print_setup(sheet, repeat_row=3)
    d = report.deadlines
    missing = (
        " Нет данных там, где в выгрузке нет столбца: " + ", ".join(report.missing_dates) + "."
        if report.missing_dates
        else ""
    )
    sheet_title(
        sheet,
        f,
        report,
        "Исполнители: сроки ответа",
        "Первый ответ — по сообщениям недели (срок по умолчанию "
        f"{wording.fmt_num(d.default_first_answer, 0)} ч); закрытие — по закрытым за неделю "
        f"(срок по умолчанию {wording.fmt_num(d.default_closing, 0)} ч); сроки — по сектору "
        "сообщения." + missing,
    )
    sheet.set_column(0, 0, 46)
    sheet.set_column(1, 11, 13)
    if report.executors is None:
        sheet.write_string(3, 0, ex.NO_COLUMN, f.empty)
        return
    sheet.merge_range(2, 0, 2, 11, "", f.wrap)
    sheet.write_string(2, 0, ex.RANK_RULE, f.wrap)
    sheet.set_row(2, 32)
    formats = {
        rtimes.RT_MESSAGES: f.int,
        rtimes.RT_ANSWERED: f.int,
        rtimes.RT_FIRST_MEDIAN: f.float,
        rtimes.RT_FIRST_P90: f.float,
        rtimes.RT_FIRST_OVERDUE_N: f.int,
        rtimes.RT_FIRST_OVERDUE: f.pct,
        rtimes.RT_CLOSED: f.int,
        rtimes.RT_CLOSE_MEDIAN: f.float,
        rtimes.RT_CLOSE_OVERDUE_N: f.int,
        rtimes.RT_CLOSE_OVERDUE: f.pct,
        rtimes.RT_OPEN_OVERDUE: f.int,
    }
    headers = {
        rtimes.RT_FIRST_OVERDUE: "Ответ позже срока, доля",
        rtimes.RT_CLOSE_OVERDUE: "Закрыто позже срока, доля",
    }
    table_at(
        sheet,
        f,
        3,
        0,
        report.executors,
        formats,
        empty="Сообщений за неделю нет",
        total_row=len(report.executors) > 0,
        headers=headers,
        header_height=48,
        # a ministry's full name runs past the column: it wraps rather than being cut off
        wrap={report.executors.columns[0]: 46} if len(report.executors.columns) else None,
    )
    sheet.freeze_panes(4, 1)
