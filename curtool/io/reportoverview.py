"""The weekly report's overview sheets: «Сводка» (the letter's sentences and key figures),
«Тепловая карта» (districts × sectors with totals and colour scales) and «Динамика»
(weekly series with their line charts)."""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
import pandas as pd

from curtool.core import report as R
from curtool.core import weeks as wk
from curtool.core import wording
from curtool.io.reportstyle import Formats, print_setup, sheet_title, typed_cell

SHEET_SUMMARY = "Сводка"
SHEET_HEAT = "Тепловая карта"
SHEET_TRENDS = "Динамика"

HEAT_COUNTS_TITLE = "Сообщений за неделю"
HEAT_RATE_TITLE = "Сообщений на 10 000 жителей"
HEAT_CHANGE_TITLE = "Изменение к среднему за предыдущие недели"
TOTAL = "Всего"

_CHART_LINES = 12  # more lines than this turn a line chart into noise


def write_summary(book, f: Formats, report: R.Report) -> None:
    sheet = book.add_worksheet(SHEET_SUMMARY)
    print_setup(sheet, landscape=False)
    sheet.hide_gridlines(2)
    sheet.set_column(0, 0, 46)
    sheet.set_column(1, 1, 14)
    sheet.set_column(2, 6, 14)
    sheet_title(
        sheet,
        f,
        report,
        "Еженедельный отчёт",
        f"Сформирован {report.generated:%d.%m.%Y %H:%M}; сравнение со средним за "
        f"{report.totals.baseline_weeks} "
        f"{wording.plural(report.totals.baseline_weeks, 'неделю', 'недели', 'недель')} до отчётной.",
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
            typed_cell(sheet, row, 1, value, kinds.get(kind))
        else:  # the report says «нет данных» where the export cannot support a figure
            sheet.write_string(row, 1, str(value) if isinstance(value, str) else R.NO_DATA, f.text)
    row += 2
    sheet.write_string(row, 0, "Как считается", f.section)
    d = report.deadlines
    notes = [
        report.surge_rule,
        f"Срок первого ответа по умолчанию — {wording.fmt_num(d.default_first_answer, 0)} ч, "
        f"срок закрытия — {wording.fmt_num(d.default_closing, 0)} ч (можно задать по секторам "
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
    f: Formats,
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
            typed_cell(sheet, r, c, float(value), fmt)
        typed_cell(sheet, r, col + 1 + len(values), float(row_totals.get(district, np.nan)), bold)
    total = first + len(grid)
    sheet.write_string(total, col, TOTAL, f.total_label)
    for c, name in enumerate(grid.columns, start=col + 1):
        value = float(col_totals.get(name, np.nan))
        if math.isfinite(value):
            typed_cell(sheet, total, c, value, total_fmt)
        else:
            sheet.write_blank(total, c, None, f.total_label)
    typed_cell(sheet, total, col + 1 + len(grid.columns), float(grand), total_fmt)
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


def write_heat(book, f: Formats, report: R.Report) -> None:
    sheet = book.add_worksheet(SHEET_HEAT)
    print_setup(sheet)
    heat = report.heat
    per_10k = heat.rate is not None and heat.population is not None
    weeks = heat.baseline_weeks
    sheet_title(
        sheet,
        f,
        report,
        "Тепловая карта: районы × секторы",
        ("На 10 000 жителей; ниже — число сообщений. " if per_10k else "")
        + f"Справа — изменение к среднему за {weeks} "
        f"{wording.plural(weeks, 'предыдущую неделю', 'предыдущие недели', 'предыдущих недель')}"
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
            typed_cell(sheet, r, pop_col + 1, float(value) if value == value else None, f.int)
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
    f: Formats,
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
        sheet.write_datetime(r, 1, datetime.combine(wk.week_monday(str(week)), datetime.min.time()), f.day)
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


def write_trends(book, f: Formats, report: R.Report) -> None:
    sheet = book.add_worksheet(SHEET_TRENDS)
    print_setup(sheet)
    sheet_title(
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
