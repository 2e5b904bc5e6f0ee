"""The weekly report's overview sheets: «Сводка» (the letter's sentences and key figures),
«Тепловая карта» (districts × sectors with totals and colour scales) and «Динамика»
(weekly series with their line charts)."""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
import pandas as pd

from curtool.core import columns as C
from curtool.core import report as R
from curtool.core import wording
from curtool.core.periods import step_start
from curtool.io import pagelayout
from curtool.io.reportstyle import Formats, in_period, sheet_title, typed_cell

SHEET_SUMMARY = "Сводка"
SHEET_HEAT = "Тепловая карта"
SHEET_TRENDS = "Динамика"

HEAT_COUNTS_TITLE = "Сообщений за неделю"
HEAT_RATE_TITLE = "Сообщений на 10 000 жителей"
HEAT_CHANGE_TITLE = "Изменение к среднему за предыдущие недели"
TOTAL = "Всего"

_CHART_LINES = 12  # more lines than this turn a line chart into noise


def write_summary(book, f: Formats, report: R.Report) -> None:
    words = report.reported.words
    sheet = book.add_worksheet(SHEET_SUMMARY)
    sheet.hide_gridlines(2)
    sheet.set_column(0, 0, 46)
    sheet.set_column(1, 1, 14)
    sheet.set_column(2, 6, 14)
    sheet_title(
        sheet,
        f,
        report,
        words.report,
        f"Сформирован {report.generated:%d.%m.%Y %H:%M}; сравнение со средним за "
        f"{report.totals.baseline_weeks} "
        f"{wording.plural(report.totals.baseline_weeks, *words.baseline_forms)}.",
    )
    sheet.write_string(3, 0, "Главное", f.section)
    row = 4
    width_chars = 46 + 14 * 6  # the merged range A:G
    for line in report.summary_lines:
        sheet.merge_range(row, 0, row, 6, "", f.sentence)
        sheet.write_string(row, 0, line, f.sentence)
        lines = max(1, math.ceil(len(line) / width_chars))  # the sentence font runs narrower than a header
        sheet.set_row(row, 15 * lines + 3)
        row += 1
    row += 1
    # the key figures and the two charts beside them make the second printed page
    sheet.set_h_pagebreaks([row])
    sheet.write_string(row, 0, "Ключевые показатели", f.section)
    row += 1
    charts_row = row
    pagelayout.write_header(sheet, row, 0, ["Показатель", "Значение"], f.header)
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
    weekly, top_kinds = _weekly_totals(report), _top_kinds(report)
    chart_rows = _CHART_ROWS_WEEKS + (
        _kinds_rows(top_kinds) if top_kinds is not None and len(top_kinds) else 0
    )
    row = max(row, charts_row + chart_rows) + 2
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
        sheet.write_string(row, 0, in_period(note), f.wrap)
        sheet.set_row(row, 15 * max(1, math.ceil(pagelayout.text_width(note) / width_chars)) + 3)
    _summary_charts(book, sheet, f, report, weekly, top_kinds, charts_row, row + 2)
    sheet.activate()


_CHART_WIDTH = 520  # pixels: columns C:G of the summary, beside the key figures
_CHART_ROWS_WEEKS = 13  # the weekly chart's height in 20-pixel rows, with the gap below it
_TOP_KINDS = 10
_LABELLED_COLUMNS = 16


def _kinds_rows(kinds: pd.Series) -> int:
    return math.ceil(_kinds_height(kinds) / 20)


def _kinds_height(kinds: pd.Series) -> int:
    return 60 + 20 * len(kinds)


def _weekly_totals(report: R.Report) -> pd.Series | None:
    if not len(report.weekly_by_sector.columns) or not len(report.weekly_by_sector):
        return None
    return report.weekly_by_sector.sum(axis=1)


def _summary_charts(
    book,
    sheet,
    f: Formats,
    report: R.Report,
    weekly: pd.Series | None,
    kinds: pd.Series | None,
    chart_row: int,
    row: int,
) -> None:
    """Messages per week (per month over a long period) in columns and the period's commonest
    kinds of problem in bars, drawn beside the key figures from ``chart_row``; the small
    tables they draw go below the notes, from ``row``."""
    by_week = "W" in str(report.weekly_by_sector.index[:1].tolist())  # else by month (a long period)
    title = "Сообщений по неделям" if by_week else "Сообщений по месяцам"
    sheet.write_string(row, 0, f"{title} (для графика)", f.section)
    row += 1
    if weekly is None:
        sheet.write_string(row, 0, "Нет сообщений за эти недели", f.empty)
        row += 2
    else:
        pagelayout.write_header(sheet, row, 0, ["Неделя" if by_week else "Месяц", "Сообщений"], f.header)
        first = row + 1
        for r, (week, value) in enumerate(weekly.items(), start=first):
            label = f"{week} ({report.marker})" if report.partial and str(week) == report.week else str(week)
            sheet.write_string(r, 0, label, f.text)
            sheet.write_number(r, 1, int(value), f.int)
        last = first + len(weekly) - 1
        chart = book.add_chart({"type": "column"})
        chart.add_series(
            {
                "name": "Сообщений",
                "categories": [sheet.name, first, 0, last, 0],
                "values": [sheet.name, first, 1, last, 1],
                "fill": {"color": "#5B9BD5"},
                # a label on each of two dozen columns is a smudge; the table below has them
                "data_labels": {"value": len(weekly) <= _LABELLED_COLUMNS, "font": {"size": 8}},
            }
        )
        chart.set_title(
            {"name": "Сообщений в неделю" if by_week else "Сообщений в месяц", "name_font": {"size": 11}}
        )
        chart.set_legend({"none": True})
        chart.set_x_axis({"num_font": {"rotation": -45, "size": 8}})
        # from zero: a column's height is the week's count, not its distance from the quietest week
        chart.set_y_axis({"min": 0, "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
        chart.set_size({"width": _CHART_WIDTH, "height": (_CHART_ROWS_WEEKS - 1) * 20})
        sheet.insert_chart(chart_row, 2, chart, {"x_offset": 12})
        row = last + 2
    noun = report.reported.words.noun
    sheet.write_string(row, 0, f"Частые виды проблем за {noun} (для графика)", f.section)
    row += 1
    if kinds is None or not len(kinds):
        sheet.write_string(row, 0, "Вид проблемы не определён ни для одного сообщения недели", f.empty)
        return
    pagelayout.write_header(sheet, row, 0, ["Вид проблемы", "Сообщений"], f.header)
    first = row + 1
    for r, (kind, value) in enumerate(kinds.items(), start=first):
        sheet.write_string(r, 0, str(kind), f.text)
        sheet.write_number(r, 1, int(value), f.int)
    last = first + len(kinds) - 1
    chart = book.add_chart({"type": "bar"})
    chart.add_series(
        {
            "name": "Сообщений",
            "categories": [sheet.name, first, 0, last, 0],
            "values": [sheet.name, first, 1, last, 1],
            "fill": {"color": "#ED7D31"},
            "data_labels": {"value": True, "font": {"size": 8}},
        }
    )
    chart.set_title({"name": f"Частые виды проблем за {noun}", "name_font": {"size": 11}})
    chart.set_legend({"none": True})
    chart.set_y_axis({"reverse": True, "num_font": {"size": 8}})
    chart.set_x_axis({"min": 0, "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_size({"width": _CHART_WIDTH, "height": _kinds_height(kinds)})
    sheet.insert_chart(
        chart_row + (_CHART_ROWS_WEEKS if weekly is not None else 0), 2, chart, {"x_offset": 12}
    )


def _top_kinds(report: R.Report) -> pd.Series | None:
    """The week's messages per kind of problem, the commonest first (None: no kinds known)."""
    if C.PROBLEM_KIND not in report.messages.columns:
        return None
    kinds = report.messages[C.PROBLEM_KIND].astype("string").str.strip()
    kinds = kinds[kinds.notna() & (kinds != "")]
    return kinds.value_counts().head(_TOP_KINDS)


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
    pagelayout.write_header(sheet, row, col, ["Район", *map(str, grid.columns), TOTAL], f.header)
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


def _heat_scale(grid: pd.DataFrame) -> dict:
    """White at zero, yellow at half the largest cell, red at the largest: the colour says how
    many, not the cell's rank (a median of 0 made a single message as yellow as many)."""
    values = grid.to_numpy(dtype=float)
    top = float(np.nanmax(values)) if np.isfinite(values).any() else 0.0
    top = top if top > 0 else 1.0
    return {
        "type": "3_color_scale",
        "min_type": "num",
        "min_value": 0,
        "min_color": "#FFFFFF",
        "mid_type": "num",
        "mid_value": top / 2,
        "mid_color": "#FFD966",
        "max_type": "num",
        "max_value": top,
        "max_color": "#F8696B",
    }


def _change_scale(grid: pd.DataFrame) -> dict:
    """Blue for fewer, red for more, white at zero, symmetric: a table where every cell grew
    has no blue in it."""
    values = grid.to_numpy(dtype=float)
    reach = float(np.nanmax(np.abs(values))) if np.isfinite(values).any() else 0.0
    reach = reach if reach > 0 else 1.0
    return {
        "type": "3_color_scale",
        "min_type": "num",
        "min_value": -reach,
        "min_color": "#5B9BD5",
        "mid_type": "num",
        "mid_value": 0,
        "mid_color": "#FFFFFF",
        "max_type": "num",
        "max_value": reach,
        "max_color": "#F8696B",
    }


def write_heat(book, f: Formats, report: R.Report) -> None:
    sheet = book.add_worksheet(SHEET_HEAT)
    heat = report.heat
    per_10k = heat.rate is not None and heat.population is not None
    weeks = heat.baseline_weeks
    sheet_title(
        sheet,
        f,
        report,
        "Тепловая карта: районы × секторы",
        ("На 10 000 жителей; ниже — число сообщений. " if per_10k else "")
        + f"Ниже — изменение к среднему за {weeks} "
        f"{wording.plural(weeks, *report.reported.words.baseline_forms)}"
        + (" (на 10 000 жителей)." if per_10k else f" (сообщений {report.reported.words.per})."),
    )
    counts_title = f"Сообщений за {report.reported.words.noun}"
    # the blocks stand one under another: side by side they made a page too wide to read
    if per_10k:
        assert heat.rate is not None and heat.rate_change is not None and heat.population is not None
        blocks = [
            (
                HEAT_RATE_TITLE,
                heat.rate,
                f.float,
                _heat_scale(heat.rate),
                _rate_totals(heat.counts, heat.population),
            ),
            (
                HEAT_CHANGE_TITLE,
                heat.rate_change,
                f.float,
                _change_scale(heat.rate_change),
                _rate_totals(heat.change, heat.population),
            ),
            (counts_title, heat.counts, f.int, _heat_scale(heat.counts), _sum_totals(heat.counts)),
        ]
    else:
        blocks = [
            (counts_title, heat.counts, f.int, _heat_scale(heat.counts), _sum_totals(heat.counts)),
            (HEAT_CHANGE_TITLE, heat.change, f.float, _change_scale(heat.change), _sum_totals(heat.change)),
        ]
    row = 3
    for title, grid, fmt, scale, totals in blocks:
        row = _grid_block(sheet, f, row, 0, in_period(title), grid, fmt, scale, totals)
    if per_10k:
        assert heat.population is not None
        sheet.write_string(row, 0, "Население", f.section)
        pagelayout.write_header(sheet, row + 1, 0, ["Район", "Жителей"], f.header)
        for r, (name, value) in enumerate(heat.population.items(), start=row + 2):
            sheet.write_string(r, 0, str(name))
            typed_cell(sheet, r, 1, float(value) if value == value else None, f.int)
    width = max([pagelayout.text_width(str(d)) for d in heat.counts.index] + [12])
    sheet.set_column(0, 0, min(width + 2, 36))
    # every sector as wide as the widest header word: a heat map reads by equal cells
    cell = max([pagelayout.least_width(str(c)) for c in heat.counts.columns] + [10])
    sheet.set_column(1, len(heat.counts.columns) + 1, math.ceil(min(cell, 18)))
    pagelayout.mark_header(sheet, 4, freeze_col=1)


def _series_block(
    book,
    sheet,
    f: Formats,
    row: int,
    title: str,
    table: pd.DataFrame,
    chart_title: str,
    partial_week: str = "",
    marker: str = R.PARTIAL_WEEK,
) -> int:
    sheet.write_string(row, 0, title, f.section)
    row += 1
    header = [
        "Неделя" if "W" in str(table.index[:1].tolist()) else "Месяц",
        "С",
        *map(str, table.columns),
        TOTAL,
    ]
    pagelayout.write_header(sheet, row, 0, header, f.header)
    first = row + 1
    for r, (week, values) in enumerate(zip(table.index, table.to_numpy(), strict=True), start=first):
        label = f"{week} ({marker})" if str(week) == partial_week else str(week)
        sheet.write_string(r, 0, label)
        sheet.write_datetime(r, 1, datetime.combine(step_start(str(week)), datetime.min.time()), f.day)
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


def _weeks_note(report: R.Report) -> str:
    """«Отчётная неделя и 8 предыдущих», saying why fewer are shown: weeks outside the export
    are left out of «Динамика» (unknown, not quiet)."""
    shown = max(len(report.weekly_by_sector) - 1, 0)
    note = f"Отчётная неделя и {shown} {wording.plural(shown, 'предыдущая', 'предыдущие', 'предыдущих')}."
    if shown < report.weeks_back and report.data_start is not None:
        note += (
            f" Выгрузка начинается {report.data_start:%d.%m.%Y}: более ранних недель в ней нет, "
            "они не показаны (не нули)."
        )
    return note


def write_trends(book, f: Formats, report: R.Report) -> None:
    sheet = book.add_worksheet(SHEET_TRENDS)
    by_week = "W" in str(report.weekly_by_sector.index[:1].tolist())
    step = "в неделю" if by_week else "в месяц"
    period = report.reported
    sheet_title(
        sheet,
        f,
        report,
        "Динамика по неделям" if by_week else "Динамика по месяцам",
        _weeks_note(report)
        if period.kind == "week"
        else f"{period.title} и {report.weeks_back} "
        f"{wording.plural(report.weeks_back, *period.words.baseline_forms)} до него; первая и "
        "последняя строки — только дни внутри этого окна.",
    )
    row = _series_block(
        book,
        sheet,
        f,
        3,
        "По секторам",
        report.weekly_by_sector,
        f"Сообщений {step} по секторам",
        report.week if report.partial else "",
        report.marker or R.PARTIAL_WEEK,
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
        f"Сообщений {step} по районам",
        report.week if report.partial else "",
        report.marker or R.PARTIAL_WEEK,
    )
    # wide enough for «2026-11 (неполный месяц)» in the partial period's row
    sheet.set_column(
        0,
        0,
        max(11, math.ceil(pagelayout.text_width(f"2026-W47 ({report.marker})")) if report.partial else 11),
    )
    sheet.set_column(1, 1, 11)
    sheet.set_column(2, 2 + max(report.weekly_by_sector.shape[1], report.weekly_by_district.shape[1]), 15)
