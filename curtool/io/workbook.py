"""The weekly report as a formatted Excel workbook (xlsxwriter), written atomically.

Sheets, in this order: «Сводка», «Тепловая карта», «Динамика», «Всплески»,
«Повторяющиеся проблемы», «Источники», «Сроки ответа», «Сообщения»,
«Отклонено».  Public text is always written with ``write_string`` and the
workbook options of :func:`curtool.io.output.workbook_options`, so a message
starting with «=» stays text.  A sheet with nothing to show says so in a row.
"""

from __future__ import annotations

import contextlib
import math
import re
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from curtool.core import aggregate as agg
from curtool.core import columns as C
from curtool.core import errors
from curtool.core import report as R
from curtool.io.output import EXCEL_MAX_CELL, EXCEL_MAX_ROWS, atomic_path, scratch_dir, workbook_options

if TYPE_CHECKING:
    from curtool.core.recurring import RecurringResult

SHEET_SUMMARY = "Сводка"
SHEET_HEAT = "Тепловая карта"
SHEET_TRENDS = "Динамика"
SHEET_SURGES = "Всплески"
SHEET_RECURRING = "Повторяющиеся проблемы"
SHEET_SOURCES = "Источники"
SHEET_RESPONSE = "Сроки ответа"
SHEET_MESSAGES = "Сообщения"
SHEET_REJECTED = "Отклонено"
SHEETS = (
    SHEET_SUMMARY,
    SHEET_HEAT,
    SHEET_TRENDS,
    SHEET_SURGES,
    SHEET_RECURRING,
    SHEET_SOURCES,
    SHEET_RESPONSE,
    SHEET_MESSAGES,
    SHEET_REJECTED,
)

HEAT_COUNTS_TITLE = "Сообщений за неделю"
HEAT_RATE_TITLE = "Сообщений на 10 000 жителей"
HEAT_CHANGE_TITLE = "Изменение к среднему за предыдущие недели"
TOTAL = "Всего"

MAX_URLS = 65_530  # Excel keeps at most this many hyperlinks per sheet; the rest stay text
MAX_URL_LENGTH = 2_079
_VALID_URL = re.compile(r"^https?://[^\s\"<>{}|\\^`]+$", re.I)
_LONG_TEXT = 110  # characters that fit one line of the 90-wide text column
_TRENDS = {"growing": "растёт", "stable": "без изменений", "fading": "затухает"}
_CHART_LINES = 12  # more lines than this turn a line chart into noise

_HEADERS = {
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
    agg.RT_MESSAGES: "Сообщений за неделю",
    agg.RT_ANSWERED: "С первым ответом",
    agg.RT_FIRST_MEDIAN: "Ответ: медиана, ч",
    agg.RT_FIRST_P90: "Ответ: 90-й процентиль, ч",
    agg.RT_FIRST_DEADLINE: "Срок ответа, ч",
    agg.RT_FIRST_OVERDUE: "Ответ позже срока",
    agg.RT_CLOSED: "Закрыто за неделю",
    agg.RT_CLOSE_MEDIAN: "Закрытие: медиана, ч",
    agg.RT_CLOSE_P90: "Закрытие: 90-й процентиль, ч",
    agg.RT_CLOSE_DEADLINE: "Срок закрытия, ч",
    agg.RT_CLOSE_OVERDUE: "Закрыто позже срока",
    agg.RT_OPEN_OVERDUE: "Открыто с истёкшим сроком",
}


class _Formats:
    """The workbook's cell formats, created once."""

    def __init__(self, book) -> None:
        add = book.add_format
        self.title = add({"bold": True, "font_size": 14, "font_color": "#1F3864"})
        self.subtitle = add({"italic": True, "font_color": "#595959"})
        self.section = add({"bold": True, "font_size": 11, "font_color": "#1F3864"})
        self.header = add(
            {
                "bold": True,
                "bg_color": "#DDEBF7",
                "border": 1,
                "text_wrap": True,
                "valign": "vcenter",
                "align": "center",
            }
        )
        self.header_left = add(
            {
                "bold": True,
                "bg_color": "#DDEBF7",
                "border": 1,
                "text_wrap": True,
                "valign": "vcenter",
            }
        )
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


def _cell(sheet, row: int, col: int, value: object, fmt=None) -> None:
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


def _table(
    sheet,
    f: _Formats,
    row: int,
    col: int,
    table: pd.DataFrame,
    formats: dict[str, object] | None = None,
    empty: str = "Нет данных за неделю",
    total_row: bool = False,
    headers: dict[str, str] | None = None,
    header_height: float = 32,
) -> int:
    """A header and the rows of ``table`` at (row, col); returns the first free row below."""
    formats = formats or {}
    names = {**_HEADERS, **(headers or {})}
    sheet.write_row(row, col, [names.get(c, str(c)) for c in table.columns], f.header)
    sheet.set_row(row, header_height)
    if table.empty:
        sheet.write_string(row + 1, col, empty, f.empty)
        return row + 2
    for r, values in enumerate(table.itertuples(index=False, name=None), start=row + 1):
        is_total = total_row and r == row + len(table)
        for c, (name, value) in enumerate(zip(table.columns, values, strict=True)):
            fmt = formats.get(name)
            if is_total:
                fmt = {f.int: f.total_int, f.float: f.total_float, f.pct: f.total_pct}.get(fmt, f.total_label)
            _cell(sheet, r, col + c, value, fmt)
    return row + 1 + len(table)


def _print_setup(sheet, landscape: bool = True, repeat_row: int | None = None) -> None:
    """A4, fitted to the page width: the head of the centre prints these sheets."""
    sheet.set_paper(9)
    if landscape:
        sheet.set_landscape()
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    sheet.fit_to_pages(1, 0)
    if repeat_row is not None:
        sheet.repeat_rows(repeat_row)
    sheet.set_footer("&L&A&R&P / &N")


def _title(sheet, f: _Formats, report: R.Report, title: str, subtitle: str = "") -> None:
    marker = f", {report.marker}" if report.marker else ""
    sheet.write_string(0, 0, f"{title}: {report.period} ({report.week}{marker})", f.title)
    extra = " Персональные данные скрыты." if report.masked else ""
    if subtitle or extra:
        sheet.write_string(1, 0, (subtitle + extra).strip(), f.subtitle)
    sheet.set_row(0, 22)


# --- sheets ---------------------------------------------------------------------------------
def _summary(book, f: _Formats, report: R.Report) -> None:
    sheet = book.add_worksheet(SHEET_SUMMARY)
    _print_setup(sheet, landscape=False)
    sheet.hide_gridlines(2)
    sheet.set_column(0, 0, 46)
    sheet.set_column(1, 1, 14)
    sheet.set_column(2, 6, 14)
    _title(
        sheet,
        f,
        report,
        "Еженедельный отчёт",
        f"Сформирован {report.generated:%d.%m.%Y %H:%M}; сравнение со средним за "
        f"{report.totals.baseline_weeks} "
        f"{R.plural(report.totals.baseline_weeks, 'неделю', 'недели', 'недель')} до отчётной.",
    )
    sheet.write_string(3, 0, "Главное", f.section)
    row = 4
    width_chars = 46 + 14 * 6  # the merged range A:G
    for line in report.summary_lines:
        sheet.merge_range(row, 0, row, 6, "", f.sentence)
        sheet.write_string(row, 0, line, f.sentence)
        lines = max(1, math.ceil(len(line) / width_chars))
        sheet.set_row(row, 15 * lines + 3)
        row += 1
    row += 1
    sheet.write_string(row, 0, "Ключевые показатели", f.section)
    row += 1
    sheet.write_row(row, 0, ["Показатель", "Значение"], f.header)
    kinds = {"int": f.int, "float": f.float, "pct": f.pct, "hours": f.float}
    for label, value, kind in report.key_figures.itertuples(index=False, name=None):
        row += 1
        sheet.write_string(row, 0, str(label), f.key_label)
        if isinstance(value, (int, float, np.number)) and not (
            isinstance(value, float) and math.isnan(value)
        ):
            _cell(sheet, row, 1, value, kinds.get(kind))
        else:  # the report says «нет данных» where the export cannot support a figure
            sheet.write_string(row, 1, str(value) if isinstance(value, str) else R.NO_DATA, f.text)
    row += 2
    sheet.write_string(row, 0, "Как считается", f.section)
    d = report.deadlines
    notes = [
        report.surge_rule,
        f"Срок первого ответа по умолчанию — {R.fmt_num(d.default_first_answer, 0)} ч, "
        f"срок закрытия — {R.fmt_num(d.default_closing, 0)} ч (можно задать по секторам "
        "в настройках). Время ответа считается по сообщениям, поступившим за неделю; "
        "время закрытия — по сообщениям, закрытым за неделю.",
        "Недели — ISO (понедельник–воскресенье) по дате создания сообщения; повторы строк не учитываются.",
    ]
    for note in notes:
        row += 1
        sheet.merge_range(row, 0, row, 6, "", f.wrap)
        sheet.write_string(row, 0, note, f.wrap)
        sheet.set_row(row, 15 * max(1, math.ceil(len(note) * 1.1 / width_chars)) + 3)
    sheet.activate()


def _grid_block(
    sheet,
    f: _Formats,
    row: int,
    col: int,
    title: str,
    grid: pd.DataFrame,
    fmt,
    scale: dict,
    totals: tuple[pd.Series, pd.Series, float],
) -> int:
    """One district × sector block with its totals and a colour scale; returns the next free row.

    ``totals`` = (per district, per sector, overall): given by the caller because
    a rate's total is not the sum of the rates.
    """
    row_totals, col_totals, grand = totals
    bold = f.bold_float if fmt is f.float else f.bold_int
    total_fmt = f.total_float if fmt is f.float else f.total_int
    sheet.write_string(row, col, title, f.section)
    row += 1
    sheet.write_row(row, col, ["Район", *map(str, grid.columns), TOTAL], f.header)
    sheet.set_row(row, 48)
    first = row + 1
    if grid.empty:
        sheet.write_string(first, col, "Нет сообщений за неделю", f.empty)
        return first + 2
    for r, (district, values) in enumerate(
        zip(grid.index, grid.to_numpy(dtype=float), strict=True), start=first
    ):
        sheet.write_string(r, col, str(district), f.text)
        for c, value in enumerate(values, start=col + 1):
            _cell(sheet, r, c, float(value), fmt)
        _cell(sheet, r, col + 1 + len(values), float(row_totals.get(district, np.nan)), bold)
    total = first + len(grid)
    sheet.write_string(total, col, TOTAL, f.total_label)
    for c, name in enumerate(grid.columns, start=col + 1):
        value = float(col_totals.get(name, np.nan))
        if math.isfinite(value):
            _cell(sheet, total, c, value, total_fmt)
        else:
            sheet.write_blank(total, c, None, f.total_label)
    _cell(sheet, total, col + 1 + len(grid.columns), float(grand), total_fmt)
    sheet.conditional_format(first, col + 1, total - 1, col + len(grid.columns), scale)
    return total + 2


def _sum_totals(grid: pd.DataFrame) -> tuple[pd.Series, pd.Series, float]:
    return (
        grid.sum(axis=1, min_count=1),
        grid.sum(axis=0, min_count=1),
        float(np.nansum(grid.to_numpy(dtype=float))),
    )


def _rate_totals(counts: pd.DataFrame, population: pd.Series) -> tuple[pd.Series, pd.Series, float]:
    """Rates of the totals: summed counts over summed residents (districts with a population)."""
    known = population.reindex(counts.index)
    has = known.notna()
    residents = float(known[has].sum())
    per_district = counts.sum(axis=1) / known * 10_000
    if residents <= 0:
        return per_district, pd.Series(np.nan, index=counts.columns), float("nan")
    per_sector = counts[has].sum(axis=0) / residents * 10_000
    return per_district, per_sector, float(counts[has].to_numpy().sum()) / residents * 10_000


_HEAT_SCALE = {
    "type": "3_color_scale",
    "min_color": "#FFFFFF",
    "mid_color": "#FFD966",
    "max_color": "#F8696B",
}
_CHANGE_SCALE = {
    "type": "3_color_scale",
    "min_color": "#5B9BD5",
    "mid_type": "num",
    "mid_value": 0,
    "mid_color": "#FFFFFF",
    "max_color": "#F8696B",
}


def _heat(book, f: _Formats, report: R.Report) -> None:
    sheet = book.add_worksheet(SHEET_HEAT)
    _print_setup(sheet)
    heat = report.heat
    per_10k = heat.rate is not None and heat.population is not None
    weeks = heat.baseline_weeks
    _title(
        sheet,
        f,
        report,
        "Тепловая карта: районы × секторы",
        ("На 10 000 жителей; ниже — число сообщений. " if per_10k else "")
        + f"Справа — изменение к среднему за {weeks} "
        f"{R.plural(weeks, 'предыдущую неделю', 'предыдущие недели', 'предыдущих недель')}"
        + (" (на 10 000 жителей)." if per_10k else " (сообщений в неделю)."),
    )
    n_cols = len(heat.counts.columns) + 2
    gap = n_cols + 1
    if per_10k:
        assert heat.rate is not None and heat.rate_change is not None and heat.population is not None
        end = _grid_block(
            sheet,
            f,
            3,
            0,
            HEAT_RATE_TITLE,
            heat.rate,
            f.float,
            _HEAT_SCALE,
            _rate_totals(heat.counts, heat.population),
        )
        _grid_block(
            sheet,
            f,
            3,
            gap,
            HEAT_CHANGE_TITLE,
            heat.rate_change,
            f.float,
            _CHANGE_SCALE,
            _rate_totals(heat.change, heat.population),
        )
        _grid_block(
            sheet,
            f,
            end + 1,
            0,
            HEAT_COUNTS_TITLE,
            heat.counts,
            f.int,
            _HEAT_SCALE,
            _sum_totals(heat.counts),
        )
        pop_col = 2 * gap
        sheet.write_string(3, pop_col, "Население", f.section)
        sheet.write_row(4, pop_col, ["Район", "Жителей"], f.header)
        for r, (name, value) in enumerate(heat.population.items(), start=5):
            sheet.write_string(r, pop_col, str(name))
            _cell(sheet, r, pop_col + 1, float(value) if value == value else None, f.int)
        sheet.set_column(pop_col - 1, pop_col - 1, 3)
        sheet.set_column(pop_col, pop_col, 26)
        sheet.set_column(pop_col + 1, pop_col + 1, 12)
    else:
        _grid_block(
            sheet,
            f,
            3,
            0,
            HEAT_COUNTS_TITLE,
            heat.counts,
            f.int,
            _HEAT_SCALE,
            _sum_totals(heat.counts),
        )
        _grid_block(
            sheet,
            f,
            3,
            gap,
            HEAT_CHANGE_TITLE,
            heat.change,
            f.float,
            _CHANGE_SCALE,
            _sum_totals(heat.change),
        )
    width = max([len(str(d)) for d in heat.counts.index] + [12])
    for start in (0, gap):
        sheet.set_column(start, start, min(width + 2, 36))
        sheet.set_column(start + 1, start + n_cols - 1, 16)
    sheet.set_column(gap - 1, gap - 1, 3)
    sheet.freeze_panes(5, 1)


def _series_block(
    book,
    sheet,
    f: _Formats,
    row: int,
    title: str,
    table: pd.DataFrame,
    chart_title: str,
    partial_week: str = "",
) -> int:
    sheet.write_string(row, 0, title, f.section)
    row += 1
    header = ["Неделя", "С", *map(str, table.columns), TOTAL]
    sheet.write_row(row, 0, header, f.header)
    sheet.set_row(row, 48)
    first = row + 1
    for r, (week, values) in enumerate(zip(table.index, table.to_numpy(), strict=True), start=first):
        label = f"{week} ({R.PARTIAL_WEEK})" if str(week) == partial_week else str(week)
        sheet.write_string(r, 0, label)
        sheet.write_datetime(r, 1, datetime.combine(agg.week_monday(str(week)), datetime.min.time()), f.day)
        for c, value in enumerate(values, start=2):
            sheet.write_number(r, c, int(value), f.int)
        sheet.write_number(r, 2 + len(values), int(values.sum()), f.bold_int)
    last = first + len(table) - 1
    # the busiest lines only: a dozen is already the limit of what an eye separates
    busiest = table.sum(axis=0).sort_values(ascending=False).head(_CHART_LINES)
    drawn = [c for c in table.columns if c in busiest.index and busiest[c] > 0]
    if not drawn:  # a quiet stretch: a chart needs at least one series, and a flat line says nothing
        sheet.write_string(max(first, last + 1), 0, "Нет сообщений за эти недели", f.empty)
        return max(first, last + 1) + 2
    chart = book.add_chart({"type": "line"})
    for name in drawn:
        c = 2 + list(table.columns).index(name)
        chart.add_series(
            {
                "name": [sheet.name, row, c],
                "categories": [sheet.name, first, 0, last, 0],
                "values": [sheet.name, first, c, last, c],
                "marker": {"type": "circle", "size": 4},
            }
        )
    chart.set_title({"name": chart_title, "name_font": {"size": 11}})
    chart.set_y_axis(
        {"name": "сообщений", "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}}
    )
    chart.set_legend({"position": "right"})
    chart.set_size({"width": 960, "height": 380})
    chart_row = last + 2
    sheet.insert_chart(chart_row, 0, chart)
    return chart_row + 21


def _trends(book, f: _Formats, report: R.Report) -> None:
    sheet = book.add_worksheet(SHEET_TRENDS)
    _print_setup(sheet)
    _title(
        sheet,
        f,
        report,
        "Динамика по неделям",
        f"Отчётная неделя и {report.weeks_back} предыдущих.",
    )
    row = _series_block(
        book,
        sheet,
        f,
        3,
        "По секторам",
        report.weekly_by_sector,
        "Сообщений в неделю по секторам",
        report.week if report.partial else "",
    )
    sheet.set_h_pagebreaks([row])  # each table with its chart on one printed page
    more = ""
    if report.weekly_by_district.shape[1] > _CHART_LINES:
        more = f" (на графике — {_CHART_LINES} районов с наибольшим числом сообщений)"
    _series_block(
        book,
        sheet,
        f,
        row,
        "По районам" + more,
        report.weekly_by_district,
        "Сообщений в неделю по районам",
        report.week if report.partial else "",
    )
    sheet.set_column(0, 0, 11)
    sheet.set_column(1, 1, 11)
    sheet.set_column(2, 2 + max(report.weekly_by_sector.shape[1], report.weekly_by_district.shape[1]), 15)


def _surges(book, f: _Formats, report: R.Report) -> None:
    sheet = book.add_worksheet(SHEET_SURGES)
    _print_setup(sheet, repeat_row=3)
    _title(sheet, f, report, "Всплески по районам и секторам")
    sheet.merge_range(1, 0, 1, 7, "", f.wrap)
    sheet.write_string(
        1, 0, report.surge_rule + (" Персональные данные скрыты." if report.masked else ""), f.wrap
    )
    sheet.set_row(1, 48)
    formats = {
        C.COUNT: f.int,
        C.BASELINE: f.float,
        C.BASELINE_WEEKS: f.int,
        C.RATIO: f.float,
        C.P_VALUE: f.pvalue,
        C.THRESHOLD: f.pvalue,
    }
    _table(
        sheet,
        f,
        3,
        0,
        report.surges,
        formats,
        empty="Значимых всплесков за неделю нет",
        headers={C.COUNT: "Сообщений за неделю"},
    )
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 26)
    sheet.set_column(2, 7, 13)
    sheet.freeze_panes(4, 0)


def _recurring(book, f: _Formats, report: R.Report) -> None:
    sheet = book.add_worksheet(SHEET_RECURRING)
    _print_setup(sheet, repeat_row=3)
    _title(sheet, f, report, "Повторяющиеся проблемы", "«Новая» — впервые замечена на отчётной неделе.")
    if report.recurring is None:
        sheet.write_string(3, 0, "Поиск повторяющихся проблем не запускался для этого отчёта.", f.empty)
        return
    table = report.recurring.copy()
    table[R.NEW] = table[R.NEW].map({True: "новая", False: ""})
    table["trend"] = table["trend"].map(lambda t: _TRENDS.get(str(t), t))
    # the long list of message ids goes last, so the printed page can leave it off
    table = table[[c for c in table.columns if c != "message_ids"] + ["message_ids"]]
    for col in ("first_seen", "last_seen"):
        parsed = pd.to_datetime(table[col], errors="coerce")
        if parsed.notna().any():
            table[col] = parsed.dt.date
    formats = {
        R.IN_WEEK: f.int,
        "count": f.int,
        "weeks": f.int,
        "first_seen": f.day,
        "last_seen": f.day,
        R.NEW: f.new,
    }
    end = _table(
        sheet,
        f,
        3,
        0,
        table,
        formats,
        empty="Повторяющихся проблем не найдено",
        headers={"count": "Сообщений всего", "district": "Район", "sector": "Сектор"},
        header_height=45,
    )
    widths = {
        R.NEW: 8,
        R.IN_WEEK: 9,
        "id": 13,
        "district": 20,
        "sector": 16,
        "kind": 24,
        "label": 36,
        "place": 24,
        "message_ids": 40,
        "representative": 60,
        "places": 7,
        "trend": 14,
        "first_seen": 11,
        "last_seen": 11,
    }
    for c, name in enumerate(table.columns):
        sheet.set_column(c, c, widths.get(name, 10))
    if len(table):
        sheet.autofilter(3, 0, end - 1, len(table.columns) - 1)
        # the long list of message ids stays on screen but off the printed page
        sheet.print_area(0, 0, end - 1, len(table.columns) - 2)
    sheet.freeze_panes(4, 3)


def _sources(book, f: _Formats, report: R.Report) -> None:
    sheet = book.add_worksheet(SHEET_SOURCES)
    _print_setup(sheet, landscape=False)
    _title(
        sheet,
        f,
        report,
        "Источники сообщений",
        "Платформа — по адресу ссылки на пост, иначе по полю «Источник».",
    )
    sheet.write_string(3, 0, "По платформам", f.section)
    end = _table(sheet, f, 4, 0, report.platforms, {C.COUNT: f.int, C.SHARE: f.pct})
    sheet.write_string(3, 4, "По полю «Источник»", f.section)
    _table(sheet, f, 4, 4, report.sources, {C.COUNT: f.int, C.SHARE: f.pct})
    if len(report.platforms):
        chart = book.add_chart({"type": "bar"})
        chart.add_series(
            {
                "name": "Сообщений",
                "categories": [sheet.name, 5, 0, 4 + len(report.platforms), 0],
                "values": [sheet.name, 5, 1, 4 + len(report.platforms), 1],
                "data_labels": {"value": True},
                "fill": {"color": "#5B9BD5"},
            }
        )
        chart.set_title({"name": "Сообщений по платформам", "name_font": {"size": 11}})
        chart.set_legend({"none": True})
        chart.set_y_axis({"reverse": True})
        chart.set_size({"width": 520, "height": 60 + 40 * len(report.platforms)})
        sheet.insert_chart(max(end, 5 + len(report.sources)) + 1, 0, chart)
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 2, 12)
    sheet.set_column(3, 3, 3)
    sheet.set_column(4, 4, 30)
    sheet.set_column(5, 6, 12)


def _response(book, f: _Formats, report: R.Report) -> None:
    sheet = book.add_worksheet(SHEET_RESPONSE)
    _print_setup(sheet)
    d = report.deadlines
    _title(
        sheet,
        f,
        report,
        "Сроки ответа",
        "Первый ответ — по сообщениям недели (срок по умолчанию "
        f"{R.fmt_num(d.default_first_answer, 0)} ч); закрытие — по закрытым за неделю "
        f"(срок по умолчанию {R.fmt_num(d.default_closing, 0)} ч)."
        + (
            " Нет данных там, где в выгрузке нет столбца: " + ", ".join(report.missing_dates) + "."
            if report.missing_dates
            else ""
        ),
    )
    formats = {
        agg.RT_MESSAGES: f.int,
        agg.RT_ANSWERED: f.int,
        agg.RT_FIRST_MEDIAN: f.float,
        agg.RT_FIRST_P90: f.float,
        agg.RT_FIRST_DEADLINE: f.int,
        agg.RT_FIRST_OVERDUE: f.pct,
        agg.RT_CLOSED: f.int,
        agg.RT_CLOSE_MEDIAN: f.float,
        agg.RT_CLOSE_P90: f.float,
        agg.RT_CLOSE_DEADLINE: f.int,
        agg.RT_CLOSE_OVERDUE: f.pct,
        agg.RT_OPEN_OVERDUE: f.int,
    }
    sheet.write_string(3, 0, "По секторам", f.section)
    end = _table(sheet, f, 4, 0, report.response_by_sector, formats, total_row=True, header_height=48)
    sheet.write_string(end + 1, 0, "По районам", f.section)
    _table(sheet, f, end + 2, 0, report.response_by_district, formats, total_row=True, header_height=48)
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 12, 14)
    sheet.freeze_panes(5, 1)


def _messages(book, f: _Formats, report: R.Report) -> None:
    sheet = book.add_worksheet(SHEET_MESSAGES)
    _print_setup(sheet, repeat_row=0)
    table = report.messages
    notice = ""
    if len(table) > EXCEL_MAX_ROWS:
        notice = f"Показаны первые {EXCEL_MAX_ROWS:,} из {len(table):,} сообщений".replace(",", " ")
        table = table.iloc[:EXCEL_MAX_ROWS]
    columns = list(table.columns)
    sheet.write_row(0, 0, [_HEADERS.get(c, str(c)) for c in columns], f.header_left)
    sheet.set_row(0, 20)
    widths = {
        C.ID: 12,
        C.CREATED: 16,
        C.DISTRICT: 24,
        C.SECTOR: 20,
        C.SECTOR_CONFIDENCE: 13,
        C.PROBLEM_KIND: 30,
        C.NEEDS_REVIEW: 12,
        C.PROBLEM_ID: 13,
        C.PLATFORM: 14,
        C.STATUS: 14,
        C.TEXT: 90,
        C.URL: 40,
        C.FILE: 18,
        C.ROW: 8,
    }
    for c, name in enumerate(columns):
        sheet.set_column(c, c, widths.get(name, 14))
    sheet.freeze_panes(1, 0)
    if table.empty:
        sheet.write_string(1, 0, "Сообщений за неделю нет", f.empty)
        return
    # every cell top-aligned: a two-line text row must not leave its neighbours at the bottom
    top = book.add_format({"valign": "top"})
    kinds = {
        C.CREATED: book.add_format({"num_format": "dd.mm.yyyy hh:mm", "valign": "top"}),
        C.SECTOR_CONFIDENCE: book.add_format({"num_format": "0.00", "valign": "top", "align": "center"}),
    }
    link_fmt = book.add_format({"font_color": "#0563C1", "underline": 1, "valign": "top"})
    url_col = columns.index(C.URL) if C.URL in columns else -1
    text_col = columns.index(C.TEXT) if C.TEXT in columns else -1
    links = 0
    for r, values in enumerate(table.itertuples(index=False, name=None), start=1):
        for c, value in enumerate(values):
            if c == url_col:
                url = str(value)
                if not url:
                    continue
                if links < MAX_URLS and len(url) <= MAX_URL_LENGTH and _VALID_URL.match(url):
                    sheet.write_url(r, c, url, link_fmt, url)
                    links += 1
                else:
                    sheet.write_string(r, c, url, top)
                continue
            if c == text_col and isinstance(value, str) and ("\n" in value or len(value) > _LONG_TEXT):
                # a fixed two-line row: unwrapped multi-line text would spill over the next rows
                sheet.write_string(r, c, value[:EXCEL_MAX_CELL], f.wrap)
                sheet.set_row(r, 30)
                continue
            _cell(sheet, r, c, value, kinds.get(columns[c], top))
    sheet.autofilter(0, 0, len(table), len(columns) - 1)
    if notice:
        sheet.write_string(len(table) + 1, 0, notice, f.empty)


def _rejected(book, f: _Formats, report: R.Report) -> None:
    sheet = book.add_worksheet(SHEET_REJECTED)
    _print_setup(sheet, repeat_row=3)
    table = report.rejected
    if len(table) > EXCEL_MAX_ROWS - 3:
        table = table.iloc[: EXCEL_MAX_ROWS - 3]
    _title(
        sheet,
        f,
        report,
        "Строки с замечаниями",
        "Строки недели и строки без даты, к которым есть замечания; "
        "«Учтено в отчёте: нет» — строка не вошла в цифры.",
    )
    end = _table(sheet, f, 3, 0, table, {C.ROW: None}, empty="Замечаний к строкам нет")
    sheet.set_row(3, 20)
    widths = {
        C.FILE: 20,
        C.ROW: 8,
        C.ID: 12,
        R.CREATED_IN_REPORT: 10,
        R.REASON_CODES: 22,
        R.REASONS: 45,
        C.TEXT: 80,
    }
    for c, name in enumerate(table.columns):
        sheet.set_column(c, c, widths.get(name, 14))
    if len(table):
        sheet.autofilter(3, 0, end - 1, len(table.columns) - 1)
        # long texts spill to the right on screen; the printed page stops at the table
        sheet.print_area(0, 0, end - 1, len(table.columns) - 1)
    sheet.freeze_panes(4, 0)


_WRITERS = (
    _summary,
    _heat,
    _trends,
    _surges,
    _recurring,
    _sources,
    _response,
    _messages,
    _rejected,
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
                f = _Formats(book)
                for writer in _WRITERS:
                    writer(book, f, report)
                book.set_properties({"title": f"Еженедельный отчёт {report.week}", "author": "curtool"})
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


# --- the recurring problems' workbook (`curtool recurring -o x.xlsx`) ---------------------
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

    from curtool.io import output

    path = Path(path)
    problems = result.problems.copy()
    if not problems.empty:
        problems["trend"] = problems["trend"].map(_TRENDS).fillna(problems["trend"])
        for col in ("returned_after_resolved", "systemic"):
            problems[col] = problems[col].map({True: "да", False: "нет"})
    problems = problems.rename(columns=_HEADERS)
    messages = result.messages_frame(frame).rename(columns=_RECURRING_MESSAGE_HEADERS)
    with output.atomic_path(path) as tmp:
        book = xlsxwriter.Workbook(str(tmp), output.workbook_options(output.scratch_dir(tmp)))
        try:
            header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
            date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
            sheet = book.add_worksheet("Проблемы")
            sheet.write_string(0, 0, result.settings.describe())
            output.write_frame(book, sheet, problems, header, date_fmt, first_row=2)
            output.write_frame(book, book.add_worksheet("Сообщения"), messages, header, date_fmt)
        finally:
            book.close()
    return path
