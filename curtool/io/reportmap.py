"""The weekly report's «Карта» sheet: the week's messages and the recurring problems as a
native Excel scatter chart (x = longitude, y = latitude, scaled so the map is not stretched),
one series per sector, problems as larger markers, the districts' outlines when given, and
the charted points as a table beside it.

The chart shows at most :data:`MAX_CHART_POINTS` messages, an evenly spaced sample in date
order (the sheet says so); the GeoJSON (``--geojson``) keeps every point.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from curtool.core import geopoints as G
from curtool.core import report as R
from curtool.core.districtmap import DISTRICT, MESSAGES, NAME, PER_10K
from curtool.core.wording import fmt_num
from curtool.io import pagelayout
from curtool.io.reportstyle import Formats, print_setup, sheet_title, typed_cell

SHEET_MAP = "Карта"
MAX_CHART_POINTS = 5_000  # Excel and LibreOffice draw a chart of this many points without a pause
TOP_SECTORS = 8  # series of their own; the rest are «прочие»
OTHER = "прочие"
NO_DATA = "нет данных: в выгрузке нет координат и адресов, которые можно поставить на карту"
# chart size in pixels and the plot area inside it (fractions): the axis ranges are fitted to it
CHART_W, CHART_H = 720, 620
PLOT = {"x": 0.1, "y": 0.05, "width": 0.86, "height": 0.78}
MIN_SPAN = 0.005  # degrees: one point alone still gets a readable frame
# sector colours (Office palette, distinct on screen and in grey print)
COLOURS = (
    "#4472C4",
    "#ED7D31",
    "#70AD47",
    "#FFC000",
    "#7030A0",
    "#00B0F0",
    "#C00000",
    "#A5A5A5",
    "#7F6000",
)
# the heat map's colours: a district's count is read the same way on both sheets
HEAT_SCALE = {"type": "3_color_scale", "min_color": "#FFFFFF", "mid_color": "#FFD966", "max_color": "#F8696B"}
_TABLE_COL = 12  # the points table starts right of the chart
_LOCATED = {G.LOCATED_POINT: "координаты", G.LOCATED_ADDRESS: "адрес"}
_POINT_HEADERS = [
    "Долгота",
    "Широта",
    "Сектор",
    "ID",
    "Район",
    "Вид проблемы",
    "Создано",
    "Проблема",
    "Статус",
    "Место по",
]
_PROBLEM_HEADERS = [
    "Долгота",
    "Широта",
    "ID проблемы",
    "Проблема",
    "Район",
    "Сектор",
    "Сообщений",
    "Недель",
    "Системная",
]


def sample(table: pd.DataFrame, cap: int = MAX_CHART_POINTS) -> pd.DataFrame:
    """At most ``cap`` rows, evenly spaced in the table's order: the same rows on every run."""
    if len(table) <= cap:
        return table
    picks = np.unique(np.linspace(0, len(table) - 1, cap).round().astype(int))
    return table.iloc[picks]


def _series_names(points: pd.DataFrame) -> pd.Series:
    counts = points["sector"].astype(str).value_counts()
    top = list(counts.index[:TOP_SECTORS]) if len(counts) > TOP_SECTORS + 1 else list(counts.index)
    return points["sector"].astype(str).where(points["sector"].astype(str).isin(top), OTHER)


def frame_axes(lon: np.ndarray, lat: np.ndarray) -> tuple[float, float, float, float]:
    """x and y ranges around the points such that a degree of longitude is drawn cos(latitude)
    as long as a degree of latitude: the plot area's sides are in the ratio of the ground."""
    lo_min, lo_max = float(np.nanmin(lon)), float(np.nanmax(lon))
    la_min, la_max = float(np.nanmin(lat)), float(np.nanmax(lat))
    pad_x = max((lo_max - lo_min) * 0.05, MIN_SPAN / 2)
    pad_y = max((la_max - la_min) * 0.05, MIN_SPAN / 2)
    lo_min, lo_max, la_min, la_max = lo_min - pad_x, lo_max + pad_x, la_min - pad_y, la_max + pad_y
    k = max(math.cos(math.radians((la_min + la_max) / 2)), 0.05)
    w, h = CHART_W * PLOT["width"], CHART_H * PLOT["height"]
    x_span, y_span = lo_max - lo_min, la_max - la_min
    if x_span * k / w > y_span / h:
        grow = x_span * k * h / w - y_span
        la_min, la_max = la_min - grow / 2, la_max + grow / 2
    else:
        grow = y_span * w / (h * k) - x_span
        lo_min, lo_max = lo_min - grow / 2, lo_max + grow / 2
    return lo_min, lo_max, max(la_min, -90.0), min(la_max, 90.0)


def write_map(book, f: Formats, report: R.Report) -> None:
    sheet = book.add_worksheet(SHEET_MAP)
    print_setup(sheet)
    geo, choro = report.geo, report.districts
    has_points = geo is not None and geo.has_points
    sheet_title(sheet, f, report, "Карта сообщений и повторяющихся проблем")
    lines = [geo.summary()] if geo is not None else []
    placed = geo.placed_messages() if geo is not None else pd.DataFrame()
    if len(placed) > MAX_CHART_POINTS:
        lines.append(
            f"На диаграмме и в таблице {fmt_num(MAX_CHART_POINTS, 0)} из {fmt_num(len(placed), 0)} точек "
            "(равномерная выборка по дате); все точки — в файле --geojson."
        )
    if choro is not None:
        lines.extend(choro.notes())
    for i, line in enumerate(lines[:3]):
        sheet.write_string(1 + i, 0, line, f.subtitle)
    row = 1 + max(len(lines[:3]), 1) + 1
    if not has_points:
        sheet.write_string(row, 0, NO_DATA, f.empty)
        if choro is None:
            return
        row += 2
    points = sample(placed) if has_points else placed
    problems = geo.placed_problems() if geo is not None else pd.DataFrame()

    chart = book.add_chart({"type": "scatter"})
    chart.set_size({"width": CHART_W, "height": CHART_H})
    chart.set_plotarea({"layout": PLOT})
    chart.set_legend({"position": "bottom"})
    chart.show_blanks_as("gap")
    lons, lats = [], []
    series: list[dict] = []
    problem_series: dict | None = None

    top = row
    # the districts' table goes under the chart; the tables of problems and points start right
    # of the wider of the two, so no cell of one is written over a cell of the other
    col = max(_TABLE_COL, _district_columns(choro) + 1) if choro is not None else _TABLE_COL
    table_row = top
    if len(problems):
        sheet.write_string(table_row, col, "Повторяющиеся проблемы", f.section)
        table_row += 1
        pagelayout.write_header(sheet, table_row, col, _PROBLEM_HEADERS, f.header)
        first = table_row + 1
        for r, rec in enumerate(problems.to_dict("records"), start=first):
            values = [rec[G.LON], rec[G.LAT], rec["id"], rec["label"], rec["district"], rec["sector"]]
            values += [rec["count"], rec["weeks"], bool(rec["systemic"]) if rec["systemic"] != "" else ""]
            for c, value in enumerate(values):
                typed_cell(sheet, r, col + c, value, f.float2 if c < 2 else None)
        last = first + len(problems) - 1
        # added last, so the problems are drawn over the messages
        problem_series = {
            "name": "повторяющиеся проблемы",
            "categories": [SHEET_MAP, first, col, last, col],
            "values": [SHEET_MAP, first, col + 1, last, col + 1],
            "marker": {
                "type": "diamond",
                "size": 10,
                "border": {"color": "#C00000", "width": 1.5},
                "fill": {"none": True},
            },
        }
        lons.append(problems[G.LON].to_numpy(dtype=float))
        lats.append(problems[G.LAT].to_numpy(dtype=float))
        table_row = last + 2

    if len(points):
        groups = _series_names(points)
        order = list(dict.fromkeys([*groups.value_counts().index.drop(OTHER, errors="ignore"), OTHER]))
        sheet.write_string(table_row, col, "Сообщения на карте", f.section)
        table_row += 1
        pagelayout.write_header(sheet, table_row, col, _POINT_HEADERS, f.header)
        r = table_row + 1
        for i, name in enumerate(name for name in order if (groups == name).any()):
            part = points[(groups == name).to_numpy()]
            first = r
            for rec in part.to_dict("records"):
                values = [rec[G.LON], rec[G.LAT], rec["sector"], rec["id"], rec["district"], rec["kind"]]
                values += [rec["created"], rec["problem_id"], rec["status"], _LOCATED.get(rec[G.LOCATED], "")]
                for c, value in enumerate(values):
                    fmt = f.float2 if c < 2 else f.date if c == 6 else None
                    typed_cell(sheet, r, col + c, value, fmt)
                r += 1
            colour = COLOURS[i % len(COLOURS)] if name != OTHER else "#7F7F7F"
            series.append(
                {
                    "name": f"{name} ({fmt_num(len(part), 0)})",
                    "categories": [SHEET_MAP, first, col, r - 1, col],
                    "values": [SHEET_MAP, first, col + 1, r - 1, col + 1],
                    "marker": {
                        "type": "circle",
                        "size": 4,
                        "border": {"none": True},
                        "fill": {"color": colour, "transparency": 30},
                    },
                }
            )
        lons.append(points[G.LON].to_numpy(dtype=float))
        lats.append(points[G.LAT].to_numpy(dtype=float))

    chart_rows = int(CHART_H / 20) + 2
    if choro is not None:
        outline_col = col + len(_POINT_HEADERS) + 1
        ring_lon, ring_lat = _write_outlines(sheet, f, choro, top, outline_col)
        if ring_lon:
            first, last = top + 2, top + 1 + len(ring_lon)
            series.insert(
                0,
                {
                    "name": "границы районов",
                    "categories": [SHEET_MAP, first, outline_col, last, outline_col],
                    "values": [SHEET_MAP, first, outline_col + 1, last, outline_col + 1],
                    "marker": {"type": "none"},
                    "line": {"color": "#404040", "width": 1},
                },
            )
            lons.append(np.array([v for v in ring_lon if v is not None], dtype=float))
            lats.append(np.array([v for v in ring_lat if v is not None], dtype=float))
        _write_district_table(sheet, f, choro, top + chart_rows + 1)

    for spec in [*series, *([problem_series] if problem_series else [])]:
        chart.add_series(spec)
    all_lon = np.concatenate(lons) if lons else np.array([])
    all_lat = np.concatenate(lats) if lats else np.array([])
    if all_lon.size:
        x_min, x_max, y_min, y_max = frame_axes(all_lon, all_lat)
        grid = {"visible": True, "line": {"color": "#E7E6E6"}}
        chart.set_x_axis(
            {"name": "долгота", "min": x_min, "max": x_max, "num_format": "0.00", "major_gridlines": grid}
        )
        chart.set_y_axis(
            {"name": "широта", "min": y_min, "max": y_max, "num_format": "0.00", "major_gridlines": grid}
        )
        chart.set_title({"none": True})
        sheet.insert_chart(top, 0, chart, {"object_position": 3})
    sheet.set_column(col, col + 1, 9)
    sheet.set_column(col + 2, col + 2, 18)
    sheet.set_column(col + 3, col + len(_POINT_HEADERS) - 1, 14)


def _write_outlines(sheet, f: Formats, choro, row: int, col: int) -> tuple[list, list]:
    """Every outer ring as (lon, lat) rows, rings apart by an empty row: one line series draws all."""
    sheet.write_string(row, col, "Контуры районов", f.section)
    sheet.write_row(row + 1, col, ["Долгота", "Широта"], f.header)
    lon: list[float | None] = []
    lat: list[float | None] = []
    for shape in choro.shapes:
        for ring in shape.rings:
            for x, y in ring:
                lon.append(x)
                lat.append(y)
            lon.append(None)
            lat.append(None)
    for r, (x, y) in enumerate(zip(lon, lat, strict=True), start=row + 2):
        if x is not None:
            sheet.write_number(r, col, x, f.float2)
            sheet.write_number(r, col + 1, y, f.float2)
    return lon, lat


def _district_columns(choro) -> int:
    """How many columns the districts' table takes (see :func:`_write_district_table`)."""
    return 3 + int(choro.table[PER_10K].notna().any()) + len(choro.sectors)


def _write_district_table(sheet, f: Formats, choro, row: int) -> None:
    sheet.write_string(row, 0, "Районы карты: сообщений за период", f.section)
    table = choro.table
    per_10k = table[PER_10K].notna().any()
    columns = [NAME, DISTRICT, MESSAGES, *([PER_10K] if per_10k else []), *choro.sectors]
    headers = ["Район (карта)", "Район (данные)", "Сообщений", *(["На 10 тыс. жителей"] if per_10k else [])]
    headers += choro.sectors
    sheet.write_row(row + 1, 0, headers, f.header)
    sheet.set_row(row + 1, 32)
    first = row + 2
    for r, rec in enumerate(table[columns].to_dict("records"), start=first):
        for c, name in enumerate(columns):
            value = rec[name]
            if name == DISTRICT and not value:
                sheet.write_string(r, c, "нет данных: не найден в выгрузке", f.empty)
            elif name == NAME:
                typed_cell(sheet, r, c, str(value))
            elif name == PER_10K and rec[DISTRICT] and not value == value:  # NaN: no population
                sheet.write_string(r, c, "нет данных", f.empty)
            else:
                typed_cell(sheet, r, c, value, f.float if name == PER_10K else f.int if c >= 2 else None)
    last = first + len(table) - 1
    if len(table):
        # the total, the rate and the sectors are each their own scale, as on the heat map
        sheet.conditional_format(first, 2, last, 2, HEAT_SCALE)
        if per_10k:
            sheet.conditional_format(first, 3, last, 3, HEAT_SCALE)
        if choro.sectors:
            start = 4 if per_10k else 3
            sheet.conditional_format(first, start, last, len(columns) - 1, HEAT_SCALE)
    sheet.set_column(0, 1, 24)
