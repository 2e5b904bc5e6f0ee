"""How the weekly report's sheets look: cell formats, the Russian column headers, typed cells,
tables, page setup and sheet titles.  The recurring problems' workbook names its columns
the same way (:data:`HEADERS`, :data:`TRENDS`)."""

from __future__ import annotations

import math
from contextvars import ContextVar
from datetime import date, datetime

import numpy as np
import pandas as pd

from curtool.core import columns as C
from curtool.core import periods as P
from curtool.core import report as R
from curtool.core import response as rtimes
from curtool.io import pagelayout
from curtool.io.output import EXCEL_MAX_CELL, header_format

TRENDS = {"growing": "растёт", "stable": "без изменений", "fading": "затухает"}

# The period of the workbook being written (set by ``reportbook.write_report``): the headers
# and empty-table lines say «за неделю», and a month's workbook must say «за месяц».
PERIOD: ContextVar[P.Period | None] = ContextVar("curtool_report_period", default=None)


def in_period(text: str) -> str:
    """A sheet's week wording for the workbook's period: «Сообщений за неделю» → «за месяц»,
    «Среднее в неделю» → «в месяц», «Недель в базе» → «Месяцев в базе»."""
    period = PERIOD.get()
    if period is None or period.kind == P.WEEK:
        return text
    words = period.words
    return (
        text.replace("за неделю", f"за {words.noun}")
        .replace("в неделю", words.per)
        .replace("Недель в базе", words.base_count)
        .replace("сообщениям недели", "сообщениям периода")
        .replace("За неделю", f"За {words.noun}")
        .replace("на отчётной неделе", "в отчётном периоде")
        .replace("за предыдущие недели", "за " + words.previous_plural)
    )


HEADERS = {
    C.DISTRICT: "Район",
    C.SECTOR: "Сектор",
    C.COUNT: "Сообщений",
    C.SHARE: "Доля",
    C.BASELINE: "Среднее в неделю",
    C.BASELINE_WEEKS: "Недель в базе",
    C.RATIO: "Во сколько раз",
    C.P_VALUE: "p-значение",
    C.THRESHOLD: "Порог p",
    C.PLATFORM: "Платформа",
    C.SOURCE: "Источник",
    C.ID: "ID",
    C.CREATED: "Дата",
    C.SECTOR_CONFIDENCE: "Уверенность",
    C.PROBLEM_KIND: "Вид проблемы",
    C.NEEDS_REVIEW: "На проверку",
    C.PROBLEM_ID: "Проблема",
    C.STATUS: "Итог",
    C.TEXT: "Текст сообщения",
    C.URL: "Ссылка",
    C.FILE: "Файл",
    C.ROW: "Строка",
    R.CREATED_IN_REPORT: "Учтено в отчёте",
    R.REASON_CODES: "Коды",
    R.REASONS: "Причины",
    R.NEW: "Новая",
    R.IN_WEEK: "За неделю",
    "id": "ID проблемы",
    "district": "Район",
    "sector": "Сектор",
    "kind": "Вид проблемы",
    "label": "Проблема",
    "place": "Место",
    "weeks": "Недель",
    "first_seen": "Впервые",
    "last_seen": "Последний раз",
    "trend": "Тренд",
    "returned_after_resolved": "Вернулась после решения",
    "systemic": "Системная",
    "message_ids": "ID сообщений",
    "representative": "Типичное сообщение",
    "places": "Мест",
    "audience": "Аудитория",
    "engagement": "Вовлечённость",
    rtimes.RT_MESSAGES: "Сообщений за неделю",
    rtimes.RT_ANSWERED: "С первым ответом",
    rtimes.RT_FIRST_MEDIAN: "Ответ: медиана, ч",
    rtimes.RT_FIRST_P90: "Ответ: 90-й процентиль, ч",
    rtimes.RT_FIRST_DEADLINE: "Срок ответа, ч",
    rtimes.RT_FIRST_OVERDUE: "Ответ позже срока",
    rtimes.RT_CLOSED: "Закрыто за неделю",
    rtimes.RT_CLOSE_MEDIAN: "Закрытие: медиана, ч",
    rtimes.RT_CLOSE_P90: "Закрытие: 90-й процентиль, ч",
    rtimes.RT_CLOSE_DEADLINE: "Срок закрытия, ч",
    rtimes.RT_CLOSE_OVERDUE: "Закрыто позже срока",
    rtimes.RT_OPEN_OVERDUE: "Открыто с истёкшим сроком",
    rtimes.RT_FIRST_OVERDUE_N: "Ответ позже срока, сообщений",
    rtimes.RT_CLOSE_OVERDUE_N: "Закрыто позже срока, сообщений",
    C.EXECUTOR: "Исполнитель",
}


class Formats:
    """The workbook's cell formats, created once."""

    def __init__(self, book) -> None:
        self._book = book
        self._props: dict[int, dict] = {}
        self._top: dict[int, object] = {}
        add = self._add
        self.title = add({"bold": True, "font_size": 14, "font_color": "#1F3864"})
        self.subtitle = add({"italic": True, "font_color": "#595959"})
        self.section = add({"bold": True, "font_size": 11, "font_color": "#1F3864"})
        self.header = header_format(book, text_wrap=True, valign="vcenter", align="center")
        self.header_left = header_format(book, text_wrap=True, valign="vcenter")
        self.text = add({})
        self.wrap = add({"text_wrap": True, "valign": "top"})
        self.sentence = add({"text_wrap": True, "valign": "top", "font_size": 11})
        self.int = add({"num_format": "#,##0"})
        self.float = add({"num_format": "#,##0.0"})
        self.float2 = add({"num_format": "0.00"})
        self.pct = add({"num_format": "0%"})
        self.pvalue = add({"num_format": "0.0E+00"})
        self.date = add({"num_format": "dd.mm.yyyy hh:mm"})
        self.day = add({"num_format": "dd.mm.yyyy"})
        self.link = add({"font_color": "#0563C1", "underline": 1})
        self.total_label = add({"bold": True, "top": 1})
        self.total_int = add({"bold": True, "top": 1, "num_format": "#,##0"})
        self.total_float = add({"bold": True, "top": 1, "num_format": "#,##0.0"})
        self.total_pct = add({"bold": True, "top": 1, "num_format": "0%"})
        self.bold_int = add({"bold": True, "num_format": "#,##0"})
        self.bold_float = add({"bold": True, "num_format": "#,##0.0"})
        self.key_label = add({"border": 1, "border_color": "#BFBFBF"})
        self.empty = add({"italic": True, "font_color": "#7F7F7F"})
        self.new = add({"bold": True, "font_color": "#C00000"})

    def _add(self, props: dict):
        fmt = self._book.add_format(props)
        self._props[id(fmt)] = props
        return fmt

    def top(self, fmt):
        """``fmt`` aligned to the top of its cell: the other cells of a row made tall for a
        wrapped text start where that text starts."""
        key = id(fmt)
        if key not in self._top:
            self._top[key] = self._book.add_format({**self._props.get(key, {}), "valign": "top"})
        return self._top[key]


def typed_cell(sheet, row: int, col: int, value: object, fmt=None) -> None:
    """Write one value with the right type; text always as a string, never a formula."""
    if value is None or value is pd.NaT or value is pd.NA:
        return
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (list, tuple, set, np.ndarray)):
        value = "; ".join(map(str, value))
    if isinstance(value, bool):
        sheet.write_string(row, col, "да" if value else "нет", fmt)
    elif isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            if math.isinf(value):
                sheet.write_string(row, col, "∞", fmt)
            return
        sheet.write_number(row, col, value, fmt)
    elif isinstance(value, pd.Timestamp):
        sheet.write_datetime(row, col, value.to_pydatetime(warn=False).replace(tzinfo=None), fmt)
    elif isinstance(value, (datetime, date)):
        sheet.write_datetime(row, col, value, fmt)
    else:
        text = str(value)
        if len(text) > EXCEL_MAX_CELL:
            text = text[: EXCEL_MAX_CELL - 1] + "…"
        sheet.write_string(row, col, text, fmt)


def table_at(
    sheet,
    f: Formats,
    row: int,
    col: int,
    table: pd.DataFrame,
    formats: dict[str, object] | None = None,
    empty: str = "Нет данных за неделю",
    total_row: bool = False,
    headers: dict[str, str] | None = None,
    header_height: float = 32,
    wrap: dict[str, float] | None = None,
) -> int:
    """A header and the rows of ``table`` at (row, col); returns the first free row below.

    ``wrap``: columns whose long texts wrap, with the width each will have; a row is made
    tall enough for them (up to :data:`WRAP_LINES` lines), since no spreadsheet sizes it on
    opening and an unwrapped text is cut off by its neighbour.
    """
    formats = formats or {}
    wrap = {c: w for c, w in (wrap or {}).items() if c in table.columns}
    names = {**HEADERS, **(headers or {})}
    header = [in_period(names.get(c, str(c))) for c in table.columns]
    pagelayout.write_header(sheet, row, col, header, f.header)
    sheet.set_row(row, header_height)
    if table.empty:
        sheet.write_string(row + 1, col, in_period(empty), f.empty)
        return row + 2
    for r, values in enumerate(table.itertuples(index=False, name=None), start=row + 1):
        is_total = total_row and r == row + len(table)
        for c, (name, value) in enumerate(zip(table.columns, values, strict=True)):
            fmt = formats.get(name)
            if is_total:
                fmt = {f.int: f.total_int, f.float: f.total_float, f.pct: f.total_pct}.get(fmt, f.total_label)
            if wrap and not is_total:
                fmt = f.wrap if name in wrap and isinstance(value, str) else f.top(fmt)
            typed_cell(sheet, r, col + c, value, fmt)
        if wrap:
            lines = max(_wrapped_lines(values[list(table.columns).index(c)], w) for c, w in wrap.items())
            if lines > 1:
                sheet.set_row(r, pagelayout.LINE_HEIGHT * min(lines, WRAP_LINES))
    return row + 1 + len(table)


WRAP_LINES = 6  # a taller row would push the page's other rows off it; the cell holds it all


def _wrapped_lines(value: object, width: float) -> int:
    if not isinstance(value, str) or not value.strip():
        return 1
    room = max(width - 1, 1)
    # measured as a header is (Cyrillic wider than digits): a row a line too tall reads, one a
    # line too short spills its text over the next row
    return sum(max(1, math.ceil(pagelayout.text_width(part) / room)) for part in value.strip().split("\n"))


def print_setup(sheet, landscape: bool = True, repeat_row: int | None = None) -> None:
    """Name the header row printed atop every page (and frozen on screen); the page itself
    (A4 landscape, one page wide, footer) is set for every sheet by :func:`pagelayout.finish`.
    ``landscape`` is kept for the writers' sake: every sheet prints landscape."""
    if repeat_row is not None:
        pagelayout.mark_header(sheet, repeat_row)


def sheet_title(sheet, f: Formats, report: R.Report, title: str, subtitle: str = "") -> None:
    marker = f", {report.marker}" if report.marker else ""
    sheet.write_string(0, 0, f"{title}: {report.period} ({report.week}{marker})", f.title)
    extra = " Персональные данные скрыты." if report.masked else ""
    if subtitle or extra:
        sheet.write_string(1, 0, in_period((subtitle + extra).strip()), f.subtitle)
    sheet.set_row(0, 22)
