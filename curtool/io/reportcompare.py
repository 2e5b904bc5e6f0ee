"""The report's «Сравнение» sheet: the period against the previous one and a year earlier,
per sector and per district («нет данных» where the export does not cover that period)."""

from __future__ import annotations

from curtool.core import columns as C
from curtool.core import comparison as cmp
from curtool.core import report as R
from curtool.io.reportstyle import Formats, print_setup, sheet_title, table_at

SHEET_COMPARISON = "Сравнение"


def write_comparison(book, f: Formats, report: R.Report) -> None:
    sheet = book.add_worksheet(SHEET_COMPARISON)
    print_setup(sheet, repeat_row=None)
    comparison = report.comparison
    period = report.reported
    words = period.words
    year_ago = comparison.year_ago if comparison is not None else period.year_ago()
    previous = comparison.previous if comparison is not None else period.shifted(-1)
    sheet_title(
        sheet,
        f,
        report,
        "Сравнение с предыдущим периодом и с прошлым годом",
        f"{words.earlier[0].upper()}{words.earlier[1:]}: {previous.dates}; годом ранее: "
        + (year_ago.dates if year_ago is not None else "нет такого периода")
        + "; «нет данных» — выгрузка не охватывает тот период целиком"
        + (f" или {words.partial} не сравнивается." if report.partial else "."),
    )
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 5, 16)
    if comparison is None:
        sheet.write_string(3, 0, "Нет данных для сравнения", f.empty)
        return
    formats = {
        cmp.CURRENT: f.int,
        cmp.PREVIOUS: f.int,
        cmp.CHANGE_PREVIOUS: f.pct,
        cmp.YEAR_AGO: f.int,
        cmp.CHANGE_YEAR_AGO: f.pct,
    }
    headers = {
        C.SECTOR: "Сектор",
        C.DISTRICT: "Район",
        cmp.CURRENT: f"Сообщений за {words.noun}",
        cmp.PREVIOUS: words.earlier[0].upper() + words.earlier[1:],
        cmp.CHANGE_PREVIOUS: "Изменение " + words.previous_to,
        cmp.YEAR_AGO: "Годом ранее",
        cmp.CHANGE_YEAR_AGO: "Изменение к году ранее",
    }
    row = 3
    for title, table in (("По секторам", comparison.by_sector), ("По районам", comparison.by_district)):
        sheet.write_string(row, 0, title, f.section)
        row = table_at(sheet, f, row + 1, 0, table, formats, total_row=True, headers=headers) + 1
