"""The weekly report as a formatted Excel workbook (xlsxwriter), written atomically.

Sheets, in this order: «Сводка», «Тепловая карта», «Динамика», «Сравнение», «Всплески»,
«Повторяющиеся проблемы», «Карта», «Источники», «Сроки ответа», «Исполнители», «Сообщения»,
«Отклонено».  Public text is always written with ``write_string`` and the
workbook options of :func:`curtool.io.output.workbook_options`, so a message
starting with «=» stays text.  A sheet with nothing to show says so in a row.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from curtool.core import errors
from curtool.core import report as R
from curtool.io import pagelayout
from curtool.io.output import atomic_path, scratch_dir, workbook_options
from curtool.io.reportcompare import SHEET_COMPARISON, write_comparison
from curtool.io.reportexecutors import SHEET_EXECUTORS, write_executors
from curtool.io.reportlists import (
    SHEET_MESSAGES,
    SHEET_RECURRING,
    SHEET_REJECTED,
    SHEET_RESPONSE,
    SHEET_SOURCES,
    SHEET_SURGES,
    write_dynamics,
    write_messages,
    write_recurring,
    write_rejected,
    write_response,
    write_sources,
    write_surges,
)
from curtool.io.reportmap import SHEET_MAP, write_map
from curtool.io.reportoverview import (
    HEAT_CHANGE_TITLE,
    HEAT_COUNTS_TITLE,
    HEAT_RATE_TITLE,
    SHEET_HEAT,
    SHEET_SUMMARY,
    SHEET_TRENDS,
    TOTAL,
    write_heat,
    write_summary,
    write_trends,
)
from curtool.io.reportstyle import PERIOD, Formats

__all__ = [
    "HEAT_CHANGE_TITLE",
    "HEAT_COUNTS_TITLE",
    "HEAT_RATE_TITLE",
    "SHEETS",
    "SHEET_COMPARISON",
    "SHEET_EXECUTORS",
    "SHEET_HEAT",
    "SHEET_MAP",
    "SHEET_MESSAGES",
    "SHEET_RECURRING",
    "SHEET_REJECTED",
    "SHEET_RESPONSE",
    "SHEET_SOURCES",
    "SHEET_SUMMARY",
    "SHEET_SURGES",
    "SHEET_TRENDS",
    "TOTAL",
    "WRITERS",
    "write_report",
]

SHEETS = (
    SHEET_SUMMARY,
    SHEET_HEAT,
    SHEET_TRENDS,
    SHEET_COMPARISON,
    SHEET_SURGES,
    SHEET_RECURRING,
    SHEET_MAP,
    SHEET_SOURCES,
    SHEET_RESPONSE,
    SHEET_EXECUTORS,
    SHEET_MESSAGES,
    SHEET_REJECTED,
)


WRITERS = (
    write_summary,
    write_heat,
    write_trends,
    write_comparison,
    write_surges,
    write_recurring,
    write_dynamics,  # «Динамика проблем», only when the problem state is kept
    write_map,
    write_sources,
    write_response,
    write_executors,
    write_messages,
    write_rejected,
)


def write_report(report: R.Report, path: str | Path) -> Path:
    """Write ``report`` as the Excel workbook at ``path``; on failure the old file stays."""
    import xlsxwriter

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise errors.CurtoolError(
            errors.BAD_OPTION, "the report is an Excel workbook", "name it with .xlsx", path=path
        )
    try:
        with atomic_path(path) as tmp:
            book = xlsxwriter.Workbook(str(tmp), workbook_options(scratch_dir(tmp)))
            try:
                f = Formats(book)
                token = PERIOD.set(report.reported)  # headers worded for the period
                try:
                    for writer in WRITERS:
                        writer(book, f, report)
                finally:
                    PERIOD.reset(token)
                pagelayout.finish(book)  # every sheet, whoever wrote it, prints alike
                title = f"{report.reported.words.report} {report.week}"
                book.set_properties({"title": title, "author": "curtool"})
                book.close()
            except BaseException:
                # atomic_path removes the temporary file; this only silences "not closed"
                with contextlib.suppress(Exception):
                    book.fileclosed = True
                raise
    except OSError as exc:  # a full disk or a read-only folder is the user's to fix
        raise errors.CurtoolError(
            errors.OUTPUT_FAILED,
            f"cannot write the report: {exc.strerror or exc}",
            "check that the folder is writable and has free space",
            path=path,
        ) from exc
    return path
