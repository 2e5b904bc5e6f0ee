"""The map: points from coordinates or the same address, GeoJSON out, the «Карта» sheet,
districts' outlines matched to the data (report --districts)."""

from __future__ import annotations

import json
import math
import zipfile
from datetime import date
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from frames import W47, message_frame
from typer.testing import CliRunner

from curtool.app.cli import app
from curtool.core import columns as C
from curtool.core import geopoints as G
from curtool.core.districtmap import choropleth, match_names
from curtool.core.errors import BAD_OPTION, CORRUPT_FILE, CurtoolError
from curtool.core.report import build_report
from curtool.io import reportmap
from curtool.io.geojson import districts_collection, read_districts, write_geojson
from curtool.io.reportbook import SHEETS, write_report

DATA = Path(__file__).parent / "data"
SQUARES = DATA / "districts_squares.geojson"
TODAY = date(2026, 11, 24)
FORMULA = '=HYPERLINK("http://x","y")'
runner = CliRunner()


# --- coordinates ------------------------------------------------------------------------------
def test_unusable_coordinates_are_refused_and_counted():
    lat = [45.0, np.inf, 95.0, "abc", 0, None, ""]
    lon = [39.0, 39.0, 200.0, 39.0, 0, None, ""]
    got = G.clean_coordinates(lat, lon)
    assert got.lat[0] == 45.0 and got.lon[0] == 39.0
    assert np.isnan(got.lat[1:]).all()
    # infinite, out of range, not a number: given but unusable; 0,0 and empty cells: absent
    assert got.invalid.tolist() == [False, True, True, True, False, False, False]


def test_a_latitude_beyond_90_is_taken_for_a_swapped_pair():
    got = G.clean_coordinates([39.1], [45.0])
    assert (got.lat[0], got.lon[0]) == (39.1, 45.0)
    got = G.clean_coordinates([139.1], [45.0])
    assert (got.lat[0], got.lon[0]) == (45.0, 139.1)
    assert got.swapped.tolist() == [True]


def test_a_pair_far_from_the_others_whose_swap_lands_among_them_is_turned_back():
    lat = [45.01, 45.02, 45.03, 45.00, 44.99, 39.02]
    lon = [39.01, 39.02, 39.00, 39.03, 38.99, 45.02]
    got = G.clean_coordinates(lat, lon)
    assert got.swapped.tolist() == [False] * 5 + [True]
    assert (got.lat[5], got.lon[5]) == (45.02, 39.02)
    # a few points say nothing of where the data lies: nothing is turned
    assert not G.clean_coordinates(lat[-3:], lon[-3:]).swapped.any()


# --- placing messages ---------------------------------------------------------------------------
def _frame(rows: list[dict]) -> pd.DataFrame:
    frame = message_frame(rows)
    frame[C.ADDRESS] = [r.get("address", "") for r in rows]
    frame[C.LAT] = [r.get("lat", np.nan) for r in rows]
    frame[C.LON] = [r.get("lon", np.nan) for r in rows]
    return frame


def test_a_message_without_coordinates_takes_the_median_point_of_its_address():
    frame = _frame(
        [
            {"address": "г. Энск, ул. Ленина, д. 5", "lat": 45.00, "lon": 39.00},
            {"address": "г Энск, улица Ленина, 5", "lat": 45.02, "lon": 39.04},
            {"address": "г. Энск, ул. Ленина, д. 5", "lat": 45.01, "lon": 39.01},
            {"address": "г Энск, улица Ленина, 5"},  # placed by the three above
            {"address": "г. Энск, ул. Ленина, д. 7"},  # no point at this house
            {"address": "г. Энск, ул. Мира"},  # a street alone is too coarse
            {},
        ]
    )
    where = G.locate(frame)
    assert where[G.LOCATED].tolist() == ["point"] * 3 + ["address", "", "", ""]
    assert where.loc[3, G.LAT] == pytest.approx(45.01)
    assert where.loc[3, G.LON] == pytest.approx(39.01)


def test_map_points_count_placed_and_unplaced_and_place_problems_at_their_median():
    frame = _frame(
        [
            {"lat": 45.0, "lon": 39.0, "district": "Энский район"},
            {"lat": 45.2, "lon": 39.2},
            {"lat": 45.4, "lon": 39.4},
            {"lat": 95.0, "lon": 500.0},
            {},
        ]
    )
    messages = frame.assign(**{C.SECTOR: "ЖКХ", C.PROBLEM_KIND: "", C.PROBLEM_ID: ""})
    problems = pd.DataFrame({"id": ["P1", "P2"], "label": ["яма", "нигде"], "count": [3, 1]})
    members = {"P1": frame.index[:3], "P2": frame.index[4:]}
    points = G.map_points(frame, messages, problems, members)
    assert (points.placed, points.by_point, points.by_address, points.unplaced) == (3, 3, 0, 2)
    assert points.invalid == 1
    placed = points.placed_problems()
    assert placed["id"].tolist() == ["P1"]
    assert (placed.iloc[0][G.LAT], placed.iloc[0][G.LON]) == (pytest.approx(45.2), pytest.approx(39.2))
    assert points.summary() == (
        "На карте 3 из 5 сообщений (по координатам 3, по адресу 0); без места 2; "
        "проблем на карте 1 из 2 (негодные координаты у 1)."
    )


# --- GeoJSON ------------------------------------------------------------------------------------
def _points() -> G.MapPoints:
    frame = _frame(
        [
            {"lat": 45.0, "lon": 39.5, "text": FORMULA, "status": FORMULA, "created": "2026-11-17 10:30"},
            {"address": "нигде"},
        ]
    )
    messages = frame.assign(**{C.SECTOR: "ЖКХ", C.PROBLEM_KIND: "Яма", C.PROBLEM_ID: "P1"})
    problems = pd.DataFrame(
        {
            "id": ["P1"],
            "label": [FORMULA],
            "district": ["Энский район"],
            "sector": ["ЖКХ"],
            "count": [3],
            "weeks": [2],
            "first_seen": [pd.Timestamp("2026-10-01")],
            "last_seen": [pd.Timestamp("2026-11-17")],
            "systemic": [True],
        }
    )
    return G.map_points(frame, messages, problems, {"P1": frame.index[:1]})


def test_geojson_is_rfc7946_lon_lat_and_round_trips(tmp_path):
    path = write_geojson(_points(), tmp_path / "map.geojson", name="test")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    assert data["curtool"]["unplaced"] == 1 and data["curtool"]["placed_by_point"] == 1
    problem, message = data["features"]
    assert message["geometry"] == {"type": "Point", "coordinates": [39.5, 45.0]}
    assert message["properties"] == {
        "layer": "message",
        "id": "1",
        "district": "Абинский",
        "sector": "ЖКХ",
        "kind": "Яма",
        "created": "2026-11-17T10:30:00",
        "problem_id": "P1",
        "status": FORMULA,  # JSON text: nothing evaluates it
        "located": "point",
    }
    assert problem["properties"]["label"] == FORMULA
    assert problem["properties"]["first_seen"] == "2026-10-01"
    assert problem["properties"]["systemic"] is True
    assert "Абинский" in path.read_text(encoding="utf-8")  # UTF-8 as is, not \\u escapes


def test_geojson_write_is_atomic(tmp_path, monkeypatch):
    target = tmp_path / "map.geojson"
    target.write_text("old", encoding="utf-8")

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(json, "dumps", broken)
    with pytest.raises(RuntimeError):
        write_geojson(_points(), target)
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.geojson"]


# --- the «Карта» sheet --------------------------------------------------------------------------
def _report(rows: list[dict], **kwargs):
    frame = _frame(rows)
    classified = pd.DataFrame(
        {C.SECTOR: [r.get("sector", "ЖКХ") for r in rows], C.SECTOR_CONFIDENCE: 0.9}, index=frame.index
    )
    return build_report(frame, classified, week="2026-W47", today=TODAY, **kwargs)


def _week_rows(n: int, coords: bool = True) -> list[dict]:
    rows = []
    for i in range(n):
        row = {
            "created": W47 + pd.Timedelta(hours=3 * i),
            "district": ["Энский район", "Город Энск"][i % 2],
            "sector": ["ЖКХ", "Транспорт", "Благоустройство"][i % 3],
            "status": FORMULA if i == 0 else "",
        }
        if coords:
            row |= {"lat": 45.0 + 0.01 * (i % 7), "lon": 39.0 + 0.013 * (i % 5)}
        rows.append(row)
    return rows


def _chart_xml(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return [z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/charts/chart")]


def test_map_sheet_holds_a_scatter_chart_and_its_points_as_text_safe_table(tmp_path):
    report = _report(_week_rows(12))
    path = write_report(report, tmp_path / "week.xlsx")
    sheet = openpyxl.load_workbook(path)[reportmap.SHEET_MAP]
    assert reportmap.SHEET_MAP in SHEETS
    assert sheet["A2"].value.startswith("На карте 12 из 12 сообщений (по координатам 12, по адресу 0)")
    charts = [x for x in _chart_xml(path) if "Карта!" in x]
    assert len(charts) == 1 and "<c:scatterChart>" in charts[0]
    assert "<c:v>ЖКХ (4)</c:v>" in charts[0]
    values = [c for row in sheet.iter_rows() for c in row if c.value == FORMULA]
    assert values and all(c.data_type == "s" for c in values)


def test_map_sheet_without_coordinates_says_so_in_one_row(tmp_path):
    path = write_report(_report(_week_rows(6, coords=False)), tmp_path / "week.xlsx")
    sheet = openpyxl.load_workbook(path)[reportmap.SHEET_MAP]
    texts = [c.value for row in sheet.iter_rows() for c in row if c.value is not None]
    assert texts[1].startswith("На карте 0 из 6 сообщений")
    assert texts[2] == reportmap.NO_DATA
    assert len(texts) == 3
    assert not [x for x in _chart_xml(path) if "Карта!" in x]


def test_many_points_are_sampled_evenly_and_the_sheet_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(reportmap, "MAX_CHART_POINTS", 5)
    path = write_report(_report(_week_rows(12)), tmp_path / "week.xlsx")
    sheet = openpyxl.load_workbook(path)[reportmap.SHEET_MAP]
    assert sheet["A3"].value.startswith("На диаграмме и в таблице 5 из 12 точек")
    table = pd.DataFrame({"x": range(12)})
    assert reportmap.sample(table, 5)["x"].tolist() == [0, 3, 6, 8, 11]


def test_axes_keep_a_degree_of_longitude_cos_latitude_long():
    x0, x1, y0, y1 = reportmap.frame_axes(np.array([30.0, 30.5]), np.array([59.8, 60.0]))
    w = reportmap.CHART_W * reportmap.PLOT["width"]
    h = reportmap.CHART_H * reportmap.PLOT["height"]
    k = math.cos(math.radians((y0 + y1) / 2))
    assert (x1 - x0) * k / w == pytest.approx((y1 - y0) / h)
    assert x0 < 30.0 and x1 > 30.5 and y0 < 59.8 and y1 > 60.0


# --- districts ----------------------------------------------------------------------------------
def test_district_outlines_match_the_data_across_spellings():
    shapes, field = read_districts(SQUARES)
    assert field == "name"
    counts = pd.DataFrame(
        {"ЖКХ": [5, 2, 1], "Транспорт": [1, 0, 4]},
        index=["Город Майкоп", "Тахтамукайский район", "Теучежский район"],
    )
    population = pd.Series({"Город Майкоп": 20_000.0})
    choro = choropleth(shapes, counts, population, field)
    table = choro.table.set_index("name")
    assert table.loc["МО «Город Майкоп»", "district"] == "Город Майкоп"
    assert table.loc["Тахтамукайский р-н", "messages"] == 2
    assert table.loc["МО «Город Майкоп»", "per_10k"] == pytest.approx(3.0)
    assert table.loc["Кошехабльский район Республики Адыгея", "district"] == ""
    # a district of another type is not a spelling of the town it is named after
    assert table.loc["Майкопский муниципальный район", "district"] == ""
    assert choro.unmatched_districts == ["Теучежский район"]
    assert "Озёрный район" in choro.unmatched_shapes
    out = districts_collection(choro, "16–22 ноября 2026 г.")
    first = out["features"][0]
    assert first["properties"]["code"] == 1  # the file's own properties stay
    assert (first["properties"]["messages"], first["properties"]["ЖКХ"]) == (6, 5)
    assert out["features"][-1]["properties"]["messages"] is None  # «нет данных», not 0
    assert first["properties"]["per_10000"] == 3.0
    assert out["features"][1]["properties"]["per_10000"] is None  # no population: no rate
    assert first["geometry"]["type"] == "Polygon"


def test_outline_names_match_typos_but_never_count_a_district_twice():
    known = ["Город Майкоп", "Тахтамукайский район", "Гиагинский район"]
    names = ["Гиагинскй р-н", "г. Майкоп", "Тахтамукайский", "Тахтамукаиский район", "Озёрный"]
    assert match_names(names, known) == ["Гиагинский район", "Город Майкоп", "Тахтамукайский район", "", ""]


def _geojson(tmp_path: Path, data: object, name: str = "d.geojson") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _square(props: dict) -> dict:
    ring = [[39.0, 45.0], [39.1, 45.0], [39.1, 45.1], [39.0, 45.1], [39.0, 45.0]]
    return {"type": "Feature", "properties": props, "geometry": {"type": "Polygon", "coordinates": [ring]}}


@pytest.mark.parametrize("key", ["NAME", "район", "district"])
def test_the_name_property_is_found_among_common_keys(tmp_path, key):
    path = _geojson(
        tmp_path, {"type": "FeatureCollection", "features": [_square({"id": 1, key: "Энский р-н"})]}
    )
    shapes, field = read_districts(path)
    assert field == key and shapes[0].name == "Энский р-н"


@pytest.mark.parametrize(
    "data, message",
    [
        (
            "{not json",
            "the districts file is not valid JSON (Expecting property name enclosed in double quotes)",
        ),
        ({"type": "Feature"}, "the districts file is not a GeoJSON FeatureCollection"),
        ({"type": "FeatureCollection", "features": []}, "the districts file has no features"),
        (
            {"type": "FeatureCollection", "features": [_square({"code": 1})]},
            "the districts have no name property (name, district, район …)",
        ),
        (
            {
                "type": "FeatureCollection",
                "features": [
                    {**_square({"name": "А"}), "geometry": {"type": "Point", "coordinates": [1, 2]}}
                ],
            },
            "feature 1 of the districts file is not a Polygon or MultiPolygon",
        ),
    ],
)
def test_bad_districts_files_are_one_error(tmp_path, data, message):
    with pytest.raises(CurtoolError) as caught:
        read_districts(_geojson(tmp_path, data))
    assert caught.value.code == CORRUPT_FILE
    assert caught.value.message == message


def test_a_named_property_missing_is_an_option_error(tmp_path):
    path = _geojson(tmp_path, {"type": "FeatureCollection", "features": [_square({"name": "А"})]})
    with pytest.raises(CurtoolError) as caught:
        read_districts(path, "okrug")
    assert caught.value.code == BAD_OPTION
    assert caught.value.message == "feature 1 of the districts file has no property 'okrug'"


# --- the command line -------------------------------------------------------------------------------
def _export(tmp_path: Path) -> Path:
    rows = ["id;text;district;created;lat;lon"]
    for i in range(14):
        day = (W47 + pd.Timedelta(hours=11 * i)).strftime("%d.%m.%Y %H:%M")
        district = ["Тахтамукайский район", "г. Майкоп"][i % 2]
        rows.append(
            f"{i + 1};яма на дороге у дома {i};{district};{day};{44.6 + i / 100:.4f};{40.1 - i / 100:.4f}"
        )
    path = tmp_path / "export.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.slow
def test_report_writes_the_map_files_and_says_what_had_no_place(tmp_path):
    export = _export(tmp_path)
    out = tmp_path / "out" / "week.xlsx"
    result = runner.invoke(
        app,
        [
            "report",
            str(export),
            "-o",
            str(out),
            "--week",
            "2026-W47",
            "--geojson",
            str(tmp_path / "m.geojson"),
            "--districts",
            str(SQUARES),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "На карте 14 из 14 сообщений (по координатам 14, по адресу 0); без места 0" in result.output
    assert (
        "Районы карты без сообщений или с иным написанием: Майкопский муниципальный район, Гиагинский"
        in result.output
    )
    features = json.loads((tmp_path / "m.geojson").read_text(encoding="utf-8"))["features"]
    assert len([f for f in features if f["properties"]["layer"] == "message"]) == 14
    districts = json.loads((out.parent / "week-districts.geojson").read_text(encoding="utf-8"))
    by_name = {f["properties"]["name"]: f["properties"] for f in districts["features"]}
    assert by_name["Тахтамукайский р-н"]["messages"] == 7
    sheet = openpyxl.load_workbook(out)[reportmap.SHEET_MAP]
    assert any(c.value == "Районы карты: сообщений за период" for row in sheet.iter_rows() for c in row)


@pytest.mark.slow
def test_a_bad_districts_file_is_one_line_and_writes_nothing(tmp_path):
    export = _export(tmp_path)
    bad = _geojson(tmp_path, {"type": "FeatureCollection", "features": []}, "bad.geojson")
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "report",
            str(export),
            "-o",
            str(out / "week.xlsx"),
            "--week",
            "2026-W47",
            "--geojson",
            str(out / "m.geojson"),
            "--districts",
            str(bad),
            "--log",
            str(tmp_path / "run.log"),
        ],
    )
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: bad.geojson: the districts file has no features. "
        "Hint: give a GeoJSON FeatureCollection of district polygons [corrupt-file]"
    )
    assert "Traceback" not in result.output + result.stderr
    assert not (out / "week.xlsx").exists() and not (out / "m.geojson").exists()


@pytest.mark.slow
def test_recurring_writes_its_problems_and_their_messages_as_geojson(tmp_path):
    rows = ["id;text;district;created;address;lat;lon"]
    for i in range(8):
        day = (W47 - pd.Timedelta(days=4 * i)).strftime("%d.%m.%Y %H:%M")
        point = f"{45.0 + i / 10000:.5f};{39.0:.5f}" if i % 2 else ";"
        rows.append(f"{i + 1};нет горячей воды в доме;Энский район;{day};г. Энск, ул. Ленина, д. 5;{point}")
    export = tmp_path / "export.csv"
    export.write_text("\n".join(rows) + "\n", encoding="utf-8")
    target = tmp_path / "problems.geojson"
    result = runner.invoke(app, ["recurring", str(export), "--geojson", str(target)])
    assert result.exit_code == 0, result.output
    data = json.loads(target.read_text(encoding="utf-8"))
    layers = [f["properties"]["layer"] for f in data["features"]]
    assert layers.count("problem") == 1
    messages = [f["properties"] for f in data["features"] if f["properties"]["layer"] == "message"]
    assert {m["located"] for m in messages} == {"point", "address"}
    assert len(messages) == data["curtool"]["messages"] == 8
    assert f"Written: {target}" in result.output


def test_map_sheet_draws_district_outlines_and_their_counts_coloured(tmp_path):
    rows = [
        dict(r, district=["Город Майкоп", "Тахтамукайский район"][i % 2]) for i, r in enumerate(_week_rows(8))
    ]
    population = pd.DataFrame({C.DISTRICT: ["Город Майкоп"], "population": [40_000]})
    report = _report(rows, population=population)
    shapes, field = read_districts(SQUARES)
    report.districts = choropleth(shapes, report.heat.counts, report.heat.population, field)
    path = write_report(report, tmp_path / "week.xlsx")
    sheet = openpyxl.load_workbook(path)[reportmap.SHEET_MAP]
    table = {
        row[0]: row[1:5]
        for row in sheet.iter_rows(values_only=True)
        if row[0] in ("МО «Город Майкоп»", "Тахтамукайский р-н", "Озёрный район")
    }
    assert table["МО «Город Майкоп»"] == ("Город Майкоп", 4, 1.0, 2)
    assert table["Тахтамукайский р-н"][:3] == ("Тахтамукайский район", 4, "нет данных")
    assert table["Озёрный район"][0] == "нет данных: не найден в выгрузке"
    chart = next(x for x in _chart_xml(path) if "Карта!" in x)
    assert "<c:v>границы районов</c:v>" in chart
    with zipfile.ZipFile(path) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
    assert any("colorScale" in x and "F8696B" in x for x in sheets)


def test_the_districts_table_never_writes_over_the_points_table(tmp_path):
    # enough points for their table to run past the chart, where the districts' table begins
    sectors = ["ЖКХ", "Транспорт", "Благоустройство", "Дорожное хозяйство", "Здравоохранение"]
    sectors += ["Образование", "Социальная защита", "Экология", "Строительство", "Прочее"]
    rows = [
        dict(r, district=["Город Майкоп", "Тахтамукайский район"][i % 2], sector=sectors[i % 10])
        for i, r in enumerate(_week_rows(50))
    ]
    report = _report(rows)
    shapes, field = read_districts(SQUARES)
    report.districts = choropleth(shapes, report.heat.counts, report.heat.population, field)
    path = write_report(report, tmp_path / "week.xlsx")
    sheet = openpyxl.load_workbook(path)[reportmap.SHEET_MAP]
    assert len(report.geo.placed_messages()) == 50
    title = next(c for row in sheet.iter_rows() for c in row if c.value == "Сообщения на карте")
    lon_lat = [
        (sheet.cell(r, title.column).value, sheet.cell(r, title.column + 1).value)
        for r in range(title.row + 2, title.row + 52)
    ]
    assert all(isinstance(x, (int, float)) and isinstance(y, (int, float)) for x, y in lon_lat), lon_lat
