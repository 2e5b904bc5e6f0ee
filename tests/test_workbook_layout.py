"""Every workbook curtool writes reads on screen and prints on A4: print layout on every sheet,
headers that break between words, links, real dates, the heat map's colours anchored at zero,
the summary's charts; and the rendering script on one workbook when LibreOffice is there."""

from __future__ import annotations

import importlib.util
import math
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from frames import W47
from test_recurring import _heating_at, _rows
from test_report import TODAY, make_frame, recurring_for, sample_rows

from curtool.core import columns as C
from curtool.core import evaluate
from curtool.core.recurring import find_recurring
from curtool.core.report import build_report
from curtool.io import evalbook, pagelayout, reportbook
from curtool.io.output import is_link, write_excel_sheets
from curtool.io.recurringbook import write_recurring_workbook

ROOT = Path(__file__).resolve().parent.parent
GOOD_URL = "https://vk.com/wall-1_77"
NOT_LINKS = ("www.example.ru/page", '=HYPERLINK("http://x","y")', "см. https://x.ru/a", "javascript:alert(1)")


def _report_rows() -> list[dict]:
    rows = sample_rows()
    for k, url in enumerate((GOOD_URL, *NOT_LINKS)):
        rows.append(
            {"created": W47 + pd.Timedelta(days=3, hours=k), "district": "Сочи", "sector": "ЖКХ", "url": url}
        )
    return rows


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("layout")
    frame, classified = make_frame(_report_rows())
    classified[C.PROBLEM_KIND] = ["Холодная вода" if i % 3 else "Ямы на дорогах" for i in range(len(frame))]
    report = build_report(frame, classified, recurring_for(frame), today=TODAY)
    weekly = reportbook.write_report(report, tmp / "week.xlsx")
    specs = _heating_at("Ленина", "5", [0, 8, 15])
    specs[0]["text"] = "Длинное обращение про отопление, " * 6 + specs[0]["text"]
    rec_frame = _rows(specs)
    recurring = write_recurring_workbook(find_recurring(rec_frame), rec_frame, tmp / "recurring.xlsx")
    ev = evaluate.evaluate(["ЖКХ", "Транспорт", "ЖКХ"], ["ЖКХ", "ЖКХ", "ЖКХ"])
    evaluation = evalbook.write_evaluation(ev, tmp / "eval.xlsx")
    return {"weekly": weekly, "recurring": recurring, "evaluation": evaluation}


def test_every_sheet_of_every_workbook_prints_on_a4_landscape_one_page_wide(books) -> None:
    seen = 0
    for name, path in books.items():
        book = openpyxl.load_workbook(path)
        for sheet in book.worksheets:
            where = f"{name}: {sheet.title}"
            setup = sheet.page_setup
            assert setup.orientation == "landscape", where
            assert int(setup.paperSize) == 9, where
            assert sheet.sheet_properties.pageSetUpPr.fitToPage, where
            assert int(setup.fitToWidth or 1) == 1 and int(setup.fitToHeight) == 0, where  # 1 is the default
            assert "&A" in sheet.oddFooter.left.text and "стр. &P из &N" in sheet.oddFooter.right.text, where
            assert sheet.page_margins.left == pytest.approx(0.4), where
            seen += 1
    assert seen >= 13


def test_tables_repeat_and_freeze_their_header_row(books) -> None:
    weekly = openpyxl.load_workbook(books["weekly"])
    expected = {
        reportbook.SHEET_HEAT: 5,
        reportbook.SHEET_SURGES: 4,
        reportbook.SHEET_RECURRING: 4,
        reportbook.SHEET_RESPONSE: 5,
        reportbook.SHEET_MESSAGES: 1,
        reportbook.SHEET_REJECTED: 4,
    }
    for title, row in expected.items():
        sheet = weekly[title]
        assert sheet.print_title_rows == f"${row}:${row}", title
        # frozen just below the repeated header, whatever columns the writer kept frozen
        assert (
            sheet.freeze_panes is not None
            and int("".join(filter(str.isdigit, sheet.freeze_panes))) == row + 1
        )
    for path, title, row in (
        (books["recurring"], "Проблемы", 3),
        (books["recurring"], "Сообщения", 1),
        (books["evaluation"], evalbook.CONFUSION_SHEET, 1),
    ):
        sheet = openpyxl.load_workbook(path)[title]
        assert sheet.print_title_rows == f"${row}:${row}", title
        assert sheet.freeze_panes == f"A{row + 1}", title


def _width(sheet, column: int) -> float:
    """The column's width as openpyxl reads it (a range of columns is stored once)."""
    for dim in sheet.column_dimensions.values():
        if dim.min is not None and dim.min <= column <= dim.max and dim.customWidth:
            return dim.width
    return 8.43


def _is_header(cell) -> bool:
    return bool(cell.font and cell.font.b and cell.fill and cell.fill.fgColor.rgb in ("FFDDEBF7", "00DDEBF7"))


def test_no_header_word_is_wider_than_its_column(books) -> None:
    checked = 0
    for path in books.values():
        book = openpyxl.load_workbook(path)
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if not isinstance(cell.value, str) or not _is_header(cell):
                        continue
                    wraps = bool(cell.alignment and cell.alignment.wrap_text)
                    words = cell.value.split() if wraps else [cell.value]
                    widest = max(pagelayout.text_width(w) for w in words)
                    assert widest <= _width(sheet, cell.column), (sheet.title, cell.value)
                    checked += 1
    assert checked > 100


def test_header_lines_break_at_spaces_only() -> None:
    assert pagelayout.least_width("Благоустройство") == pytest.approx(15 * 1.1 + pagelayout.BOLD_PAD)
    assert pagelayout.least_width("Во сколько раз") < pagelayout.least_width("Во сколько раз", wrap=False)
    assert pagelayout.header_lines("Ответ: 90-й процентиль, ч", 14) == 3
    assert pagelayout.header_lines("ID", 14) == 1


def test_header_row_grows_to_hold_its_wrapped_lines(tmp_path: Path) -> None:
    book = xlsxwriter.Workbook(str(tmp_path / "x.xlsx"))
    sheet = book.add_worksheet("x")
    pagelayout.write_header(sheet, 2, 0, ["Закрытие: 90-й процентиль, ч", "ID"], repeat=True)
    sheet.set_column(0, 1, 10)
    pagelayout.finish(book)
    book.close()
    read = openpyxl.load_workbook(tmp_path / "x.xlsx")["x"]
    assert _width(read, 1) >= pagelayout.least_width("процентиль,")
    assert read.row_dimensions[3].height >= 3 * pagelayout.LINE_HEIGHT
    assert read.print_title_rows == "$3:$3" and read.freeze_panes == "A4"


def test_links_only_for_whole_http_addresses(books) -> None:
    sheet = openpyxl.load_workbook(books["weekly"])[reportbook.SHEET_MESSAGES]
    header = [c.value for c in sheet[1]]
    url_col = header.index("Ссылка") + 1
    linked, plain = {}, {}
    for r in range(2, sheet.max_row + 1):
        cell = sheet.cell(r, url_col)
        if cell.value:
            (linked if cell.hyperlink is not None else plain)[cell.value] = cell
    assert GOOD_URL in linked and linked[GOOD_URL].hyperlink.target == GOOD_URL
    assert "https://vk.com/wall-1_2" in linked
    for text in NOT_LINKS:
        assert text in plain, text
        assert plain[text].data_type == "s", text  # formula-like text stays text
    assert all(is_link(v) for v in linked)


def test_plain_tables_link_their_url_column_only(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"url": [GOOD_URL, "www.example.ru", "=1+1"], "text": [GOOD_URL, "a", "b"], "n": [1, 2, 3]}
    )
    path = tmp_path / "t.xlsx"
    write_excel_sheets({"data": frame}, path)
    sheet = openpyxl.load_workbook(path)["data"]
    assert sheet["A2"].hyperlink is not None and sheet["A2"].hyperlink.target == GOOD_URL
    assert sheet["A3"].hyperlink is None and sheet["A4"].hyperlink is None and sheet["A4"].data_type == "s"
    assert sheet["B2"].hyperlink is None  # an address in a text column is the text's
    assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows == "$1:$1"


def _date_columns(sheet, header_row: int, names: set[str]) -> dict[str, int]:
    header = [c.value for c in sheet[header_row]]
    return {n: header.index(n) + 1 for n in names if n in header}


def test_dates_are_excel_dates_on_every_sheet(books) -> None:
    weekly = openpyxl.load_workbook(books["weekly"])
    checks = [
        (weekly[reportbook.SHEET_MESSAGES], 1, {"Дата"}),
        (weekly[reportbook.SHEET_RECURRING], 4, {"Впервые", "Последний раз"}),
    ]
    rec = openpyxl.load_workbook(books["recurring"])
    checks += [(rec["Проблемы"], 3, {"Впервые", "Последний раз"}), (rec["Сообщения"], 1, {"Дата"})]
    for sheet, header_row, names in checks:
        columns = _date_columns(sheet, header_row, names)
        assert columns, sheet.title
        for name, col in columns.items():
            values = [sheet.cell(r, col) for r in range(header_row + 1, sheet.max_row + 1)]
            filled = [c for c in values if c.value is not None]
            assert filled, (sheet.title, name)
            for cell in filled:
                assert isinstance(cell.value, (datetime, date)), (sheet.title, name, cell.value)
                assert cell.is_date and ("yy" in cell.number_format), (sheet.title, name)
    # no sheet holds a date written as text
    for book in (weekly, rec):
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                for value in row:
                    if isinstance(value, str):
                        assert not _looks_like_a_date(value), (sheet.title, value)


def _looks_like_a_date(text: str) -> bool:
    import re

    return bool(
        re.fullmatch(r"\d{4}-\d\d-\d\d( \d\d:\d\d(:\d\d)?)?|\d\d\.\d\d\.\d{4}( \d\d:\d\d)?", text.strip())
    )


def test_heat_map_colours_start_at_zero(books) -> None:
    sheet = openpyxl.load_workbook(books["weekly"])[reportbook.SHEET_HEAT]
    scales = [rule.colorScale for rng in sheet.conditional_formatting for rule in rng.rules]
    anchored = [sc for sc in scales if sc.cfvo[0].type == "num" and float(sc.cfvo[0].val) == 0]
    # the change table diverges around zero, as far below as above
    diverging = [
        sc
        for sc in scales
        if len(sc.cfvo) == 3
        and sc.cfvo[1].type == "num"
        and float(sc.cfvo[1].val) == 0
        and sc.cfvo[0].type == sc.cfvo[2].type == "num"
        and float(sc.cfvo[0].val) == -float(sc.cfvo[2].val) < 0
    ]
    assert len(anchored) == 1 and len(diverging) == 1 and len(scales) == 2


def test_summary_has_its_charts(books) -> None:
    with zipfile.ZipFile(books["weekly"]) as book:
        charts = [n for n in book.namelist() if n.startswith("xl/charts/chart")]
        # two on «Сводка»: weeks and kinds; «Динамика» and «Источники» have their own
        summary_rels = book.read("xl/worksheets/_rels/sheet1.xml.rels").decode()
        drawing = summary_rels.split('Target="../drawings/')[1].split('"')[0]
        drawn = book.read(f"xl/drawings/{drawing}").decode()
    assert len(charts) >= 4
    assert drawn.count("<c:chart ") == 2
    sheet = openpyxl.load_workbook(books["weekly"])[reportbook.SHEET_SUMMARY]
    texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert "Сообщений по неделям (для графика)" in texts and "Холодная вода" in texts
    assert sheet.row_breaks.brk, "the key figures and the charts start a printed page of their own"


def _render_module():
    spec = importlib.util.spec_from_file_location("render_workbook", ROOT / "scripts" / "render_workbook.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_render_copy_hides_every_other_sheet_and_its_print_area(books, tmp_path: Path) -> None:
    render = _render_module()
    names = render.sheet_names(books["weekly"])
    assert names[:2] == [reportbook.SHEET_SUMMARY, reportbook.SHEET_HEAT]
    copy = tmp_path / "one.xlsx"
    render.only_sheet(books["weekly"], 4, copy)
    book = openpyxl.load_workbook(copy)
    assert [s.sheet_state for s in book.worksheets].count("visible") == 1
    assert book.worksheets[4].sheet_state == "visible"
    assert not any(s.print_area or s.print_title_rows for i, s in enumerate(book.worksheets) if i != 4)


@pytest.mark.slow
def test_rendering_draws_one_picture_per_sheet(books, tmp_path: Path) -> None:
    render = _render_module()
    if not render.available():
        pytest.skip("LibreOffice (soffice) and poppler (pdftoppm) are not installed")
    results = render.render(books["recurring"], tmp_path / "png", dpi=40, prefix="r")
    assert [name for name, _, _ in results] == ["Проблемы", "Сообщения"]
    for _, pages, picture in results:
        assert pages >= 1
        assert picture.exists() and picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert math.isfinite(results[0][1])


def test_long_texts_wrap_in_rows_made_tall_enough(books) -> None:
    sheet = openpyxl.load_workbook(books["weekly"])[reportbook.SHEET_RECURRING]
    header = [c.value for c in sheet[4]]
    label = sheet.cell(5, header.index("Проблема") + 1)
    assert label.alignment.wrap_text and label.alignment.vertical == "top"
    # the row's other cells start at its top too, not at the bottom of a tall row
    assert sheet.cell(5, header.index("Сообщений всего") + 1).alignment.vertical == "top"
    rec = openpyxl.load_workbook(books["recurring"])["Сообщения"]
    text_col = [c.value for c in rec[1]].index("Текст") + 1
    long_row = next(r for r in range(2, rec.max_row + 1) if len(str(rec.cell(r, text_col).value)) > 150)
    assert rec.cell(long_row, text_col).alignment.wrap_text
    assert rec.row_dimensions[long_row].height >= 3 * pagelayout.LINE_HEIGHT
