"""The loader on every hostile fixture: a clear error, or every row kept and marked."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from curtool.core import columns as C
from curtool.core import errors
from curtool.core.dates import parse_dates
from curtool.core.districts import match_district, normalise_districts
from curtool.core.mapping import map_columns
from curtool.core.text import clean_series, clean_text
from curtool.io.configfile import load_config
from curtool.io.encoding import detect_separator
from curtool.io.loader import load
from curtool.io.sidefiles import read_gazetteer

HOSTILE = Path(__file__).parent / "data" / "hostile"
EXPECTED_TEXTS = [
    "Во дворе дома 5 по ул. Пушкина нет света третий день",
    "Яма на дороге у школы, машины бьют колёса",
    "Автобус 12 не ходит по расписанию, ждём по часу",
    "Нет отопления в квартире, батареи холодные",
]


@pytest.mark.parametrize(
    "name, encoding, separator",
    [
        ("cp1251_no_bom.csv", "cp1251", ";"),
        ("utf8_bom.csv", "utf-8-sig", ","),
        ("utf16.tsv", "utf-16", "\t"),
        ("title_rows.csv", "utf-8", ";"),
    ],
)
def test_text_files_are_read_whatever_their_encoding(name, encoding, separator):
    data = load([HOSTILE / name])
    report = data.files[0]
    assert report.encoding == encoding
    assert report.separator == separator
    assert data.frame[C.TEXT].tolist() == EXPECTED_TEXTS
    assert data.frame[C.ID].tolist() == ["101", "102", "103", "104"]
    assert data.frame[C.ISSUES].eq("").all()


@pytest.mark.parametrize("name", ["title_rows.xlsx", "legacy.xls", "export.ods"])
def test_workbooks_are_read_with_their_header_found(name):
    data = load([HOSTILE / name])
    assert data.frame[C.TEXT].tolist() == EXPECTED_TEXTS
    assert data.files[0].mapping["text"] == "Текст сообщения"


def test_title_rows_above_the_header_are_skipped_and_reported():
    data = load([HOSTILE / "title_rows.xlsx"])
    report = data.files[0]
    assert report.header_row == 3
    assert report.sheet == "Инциденты"
    assert report.title_rows == ["Выгрузка из «Инцидент Менеджмент»"]
    assert data.frame[C.LINE].tolist() == [4, 5, 6, 7]


def test_excel_dates_native_serial_and_text_all_read():
    created = load([HOSTILE / "title_rows.xlsx"]).frame[C.CREATED]
    assert created.tolist() == [
        pd.Timestamp("2026-09-14 10:15"),
        pd.Timestamp("2026-09-15 12:00"),
        pd.Timestamp("2026-09-16"),
        pd.Timestamp("2026-09-17 12:30"),
    ]


def test_sheet_can_be_chosen_and_a_missing_sheet_is_named():
    with pytest.raises(errors.CurtoolError) as exc:
        load([HOSTILE / "title_rows.xlsx"], sheet="Нет такого")
    assert exc.value.code == errors.SHEET_NOT_FOUND
    assert "«Инциденты», «Справка»" in exc.value.hint


def test_ragged_rows_are_kept_and_marked_with_their_lines():
    data = load([HOSTILE / "ragged.csv"])
    frame = data.frame
    assert len(frame) == 6
    ragged = frame[frame[C.ISSUES].str.contains(C.ISSUE_RAGGED_ROW)]
    assert ragged[C.ID].tolist() == ["105", "106"]
    assert data.files[0].ragged_lines == [4, 5]
    assert "extra_1" in frame.columns
    assert frame.loc[frame[C.ID] == "106", "extra_1"].item() == "лишнее"
    short = frame[frame[C.ID] == "105"]
    assert short[C.ISSUES].item() == "empty_text;ragged_row"


def test_quoted_multiline_fields_with_separators_stay_one_row():
    frame = load([HOSTILE / "multiline.csv"]).frame
    assert len(frame) == 2
    assert frame[C.TEXT].iloc[0].startswith("Первая строка жалобы;\nвторая строка")
    assert '"цитата"' in frame[C.TEXT].iloc[0]
    assert frame[C.LINE].tolist() == [2, 4]


def test_unreadable_dates_are_reported_not_guessed():
    data = load([HOSTILE / "bad_dates.csv"])
    frame = data.frame
    assert frame[C.CREATED].isna().tolist() == [True, True, False]
    assert frame[C.ISSUES].tolist() == ["bad_date", "bad_date", ""]
    assert data.files[0].bad_dates[0] == (2, "Дата создания", "32.13.2026")


def test_dates_outside_1677_to_2262_are_flagged_not_a_crash(tmp_path):
    """Every parse path (formats, ISO, Russian month names, the per-value path of a long
    column, workbook dates): found by tests/test_properties.py (issue 11, case 4)."""
    path = tmp_path / "far_dates.csv"
    path.write_text(
        "ID;Текст;Дата создания\n1;Яма;31.12.9999\n2;Свет;01.01.0001\n3;Вода;01.02.2026 10:00\n"
        "4;Мусор;9999-12-31 23:59:59\n5;Лифт;1 января 0001 г.\n6;Крыша;-5\n",
        encoding="utf-8",
    )
    frame = load([path]).frame
    assert frame[C.ISSUES].tolist() == ["bad_date", "bad_date", "", "bad_date", "bad_date", "bad_date"]
    assert frame[C.CREATED].tolist()[2] == pd.Timestamp("2026-02-01 10:00")
    # the per-value path of a long column, and dates a workbook holds as dates
    from datetime import datetime

    many = pd.Series(["31.12.9999", "01.02.2026"] * 600, dtype="str")
    parsed, bad = parse_dates(many)
    assert bad.tolist() == [True, False] * 600 and parsed.dtype == "datetime64[ns]"
    native = pd.Series([datetime(9999, 12, 31), datetime(2026, 2, 1)], dtype=object)
    parsed, bad = parse_dates(native)
    assert bad.tolist() == [True, False] and parsed.iloc[1] == pd.Timestamp("2026-02-01")


def test_duplicates_are_kept_marked_and_counted():
    data = load([HOSTILE / "duplicates.csv"])
    frame = data.frame
    assert len(frame) == 6
    assert frame[C.DUPLICATE].tolist() == [False] * 4 + [True, True]
    assert frame[C.COPIES].tolist()[:2] == [2, 2]
    assert len(data.messages) == 4
    assert data.issue_counts() == {"duplicate": 2}


def test_the_same_message_in_two_exports_is_kept_once(tmp_path):
    copy = tmp_path / "second.csv"
    shutil.copy(HOSTILE / "cp1251_no_bom.csv", copy)
    data = load([HOSTILE / "utf8_bom.csv", copy])
    assert data.frame[C.FILE].tolist() == ["utf8_bom.csv"] * 4 + ["second.csv"] * 4
    assert data.frame[C.DUPLICATE].sum() == 4
    assert len(data.messages) == 4


def test_different_exports_with_colliding_ids_are_not_merged(tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("ID;Текст;Отдел;Статус\n101;Совсем другое сообщение;Энем;\n", encoding="utf-8")
    data = load([HOSTILE / "cp1251_no_bom.csv", other])
    assert not data.frame[C.DUPLICATE].any()


def test_globs_expand_and_a_pattern_matching_nothing_is_an_error():
    data = load([str(HOSTILE / "utf*.csv")])
    assert [f.path.name for f in data.files] == ["utf8_bom.csv"]
    with pytest.raises(errors.CurtoolError) as exc:
        load([str(HOSTILE / "nothing-*.csv")])
    assert exc.value.code == errors.FILE_NOT_FOUND


@pytest.mark.parametrize(
    "name, code",
    [
        ("empty.csv", errors.EMPTY_FILE),
        ("blank.csv", errors.EMPTY_FILE),
        ("no_text_column.csv", errors.NO_TEXT_COLUMN),
        ("bad_bytes.csv", errors.ENCODING),
        ("corrupt.xlsx", errors.CORRUPT_FILE),
        ("not_really.xlsx", errors.CORRUPT_FILE),
        ("encrypted.xlsx", errors.ENCRYPTED_FILE),
        ("report.pdf", errors.UNKNOWN_FORMAT),
        ("missing.csv", errors.FILE_NOT_FOUND),
    ],
)
def test_unusable_files_raise_a_coded_error_naming_the_file(name, code):
    with pytest.raises(errors.CurtoolError) as exc:
        load([HOSTILE / name])
    assert exc.value.code == code
    assert exc.value.line().startswith(f"{name}: ")
    assert exc.value.hint


def test_header_only_file_loads_with_no_rows():
    data = load([HOSTILE / "header_only.csv"])
    assert len(data.frame) == 0
    assert data.files[0].mapping["text"] == "Текст сообщения"


def test_text_column_override_and_unknown_override():
    data = load([HOSTILE / "no_text_column.csv"], columns={"text": "Итог"})
    assert data.frame[C.TEXT].tolist() == ["Решено", "", "Разъяснено", ""]
    with pytest.raises(errors.CurtoolError) as exc:
        load([HOSTILE / "no_text_column.csv"], columns={"text": "Нет такой"})
    assert exc.value.code == errors.NO_SUCH_COLUMN
    assert "«Номер»" in exc.value.hint


def test_formula_like_text_is_read_as_plain_text():
    frame = load([HOSTILE / "formula.csv"]).frame
    assert frame[C.TEXT].iloc[0] == '=HYPERLINK("http://x","y")'
    assert frame[C.TEXT].str[0].tolist() == ["=", "+", "-", "@"]


def test_inputs_are_never_modified(tmp_path):
    target = tmp_path / "in.csv"
    shutil.copy(HOSTILE / "cp1251_no_bom.csv", target)
    before = target.read_bytes()
    load([target])
    assert target.read_bytes() == before


def test_real_export_headers_map_to_fields():
    headers = [
        "Кабинет",
        "ID",
        "Номер инцидента",
        "Отдел",
        "Исполнитель",
        "Общее время первого ответа",
        "Общий текст первого ответа",
        "Время с даты создания инцидента до времени первого ответа",
        "Текущий шаг инцидента",
        "Дата создания",
        "Дата окончания",
        "Группа тем",
        "Тема",
        "Регион",
        "Муниципалитет",
        "Населенный пункт",
        "Улица",
        "Дом",
        "Итог",
        "Урл поста",
        "Текст инцидента",
    ]
    mapping = map_columns(headers)
    assert mapping["text"] == "Текст инцидента"
    assert mapping["id"] == "ID"
    assert mapping["district"] == "Муниципалитет"
    assert mapping["created"] == "Дата создания"
    assert mapping["closed"] == "Дата окончания"
    assert mapping["first_answer"] == "Общее время первого ответа"
    assert mapping["group"] == "Группа тем"
    assert mapping["topic"] == "Тема"
    assert mapping["status"] == "Итог"
    assert mapping["url"] == "Урл поста"
    assert mapping["street"] == "Улица" and mapping["house"] == "Дом"


def test_clean_text_removes_markup_but_keeps_words():
    raw = "'<p>Нет&nbsp;света &quot;вообще&quot;</p><br>см. https://vk.com/wall-1_2  срочно"
    assert clean_text(raw) == 'Нет света "вообще" см. срочно'
    series = pd.Series([raw, None, "  обычный   текст "], dtype=object)
    assert clean_series(series).tolist() == [clean_text(raw), "", "обычный текст"]


def test_dates_in_every_format_exports_use():
    values = pd.Series(
        [
            "2026-09-14 20:06:02",
            "14.09.2026 20:06",
            "14.09.2026",
            "14 сентября 2026 г.",
            "46279",
            "",
            "32.01.2026",
        ],
        dtype=object,
    )
    parsed, bad = parse_dates(values)
    assert parsed.tolist()[:5] == [
        pd.Timestamp("2026-09-14 20:06:02"),
        pd.Timestamp("2026-09-14 20:06"),
        pd.Timestamp("2026-09-14"),
        pd.Timestamp("2026-09-14"),
        pd.Timestamp("2026-09-14"),
    ]
    assert bad.tolist() == [False] * 6 + [True]


def test_district_variants_become_one_name():
    values = pd.Series(
        [
            "г. Майкоп",
            "Майкоп г",
            'МО "Город Майкоп"',
            'муниципальное образование "Город Майкоп"',
            "Майкоп",
            "Тахтамукайский р-н",
            "Тахтамукайский муниципальный район",
            "тахтамукайскй район",
            "Майкопский район",
            "",
        ]
    )
    names, unknown = normalise_districts(values)
    assert names.tolist() == ["Город Майкоп"] * 5 + ["Тахтамукайский район"] * 3 + ["Майкопский район", ""]
    assert not unknown.any()


def test_gazetteer_matches_fuzzily_and_reports_unknown_names(tmp_path):
    gaz_file = tmp_path / "districts.csv"
    gaz_file.write_text(
        "district;aliases;population\nГород Майкоп;Майкоп;140000\nТахтамукайский район;Яблоновский;80000\n",
        encoding="utf-8",
    )
    gaz = read_gazetteer(gaz_file)
    assert gaz.population["Город Майкоп"] == 140000
    names, unknown = normalise_districts(
        pd.Series(["г.Майкоп", "Тахтамукайскии р-н", "Яблоновский", "Нью-Васюки"]), gaz
    )
    assert names.tolist()[:3] == ["Город Майкоп", "Тахтамукайский район", "Тахтамукайский район"]
    assert unknown.tolist() == [False, False, False, True]


def test_district_typed_by_a_user_is_matched_tolerantly():
    known = ["Город Майкоп", "Майкопский район", "Тахтамукайский район"]
    assert match_district("майкоп", known) == "Город Майкоп"
    assert match_district("Майкопский р-н", known) == "Майкопский район"
    assert match_district("Тахтамукай", known) == "Тахтамукайский район"
    assert match_district("Шовгеновский", known) is None


def test_separator_is_the_one_that_splits_the_header_most():
    assert detect_separator(["a;b;c", "1;2,5;3"]) == ";"
    assert detect_separator(["a\tb\tc"]) == "\t"
    assert detect_separator(["one column"]) == ";"


def test_config_file_overrides_columns_and_refuses_typos(tmp_path):
    cfg_file = tmp_path / "curtool.toml"
    cfg_file.write_text('[columns]\ntext = "Итог"\n[report]\nweeks_back = 4\n', encoding="utf-8")
    cfg = load_config(cfg_file)
    assert cfg.columns == {"text": "Итог"} and cfg.weeks_back == 4
    data = load([HOSTILE / "no_text_column.csv"], config=cfg)
    assert data.files[0].mapping["text"] == "Итог"
    cfg_file.write_text("[colums]\ntext = 'x'\n", encoding="utf-8")
    with pytest.raises(errors.CurtoolError) as exc:
        load_config(cfg_file)
    assert exc.value.code == errors.BAD_CONFIG
    assert "[colums]" in exc.value.message


def test_separator_is_not_fooled_by_commas_in_long_texts():
    text = "a, b, c, d, e, f, g, h, i, j, k, l"
    head = f'Номер;Дата;Текст\n1;14.09.2026;"{text}\n{text}\n{text}"\n2;15.09.2026;{text}\n'
    assert detect_separator(head) == ";"


def test_readme_config_example_is_valid(tmp_path):
    """The config shown in the README loads and its deadlines are understood."""
    from curtool.core.response import deadlines_from

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    example = readme.split("```toml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "districts.csv").write_text("district;population\nГород Майкоп;140000\n", encoding="utf-8")
    (tmp_path / "curtool.toml").write_text(example, encoding="utf-8")
    cfg = load_config(tmp_path / "curtool.toml")
    assert cfg.columns["text"] == "Текст обращения"
    deadlines = deadlines_from(cfg.deadlines)
    assert deadlines.first_answer_hours(pd.Series(["ЖКХ", "Транспорт"])).tolist() == [8, 24]
    assert deadlines.closing_hours(pd.Series(["ЖКХ"])).tolist() == [240]


def test_vectorised_cleaning_equals_the_per_message_rule():
    """clean_series takes an Arrow shortcut for plain rows; it must agree with clean_text."""
    from curtool.io.formats import read_table

    samples = Path(__file__).resolve().parent.parent / "data" / "samples"
    texts = read_table(samples / "pos_adygea.csv").frame["Текст сообщения"]
    tricky = pd.Series(
        [
            "  a\n\n b ",
            "' x",
            "a\xa0 b",
            "",
            None,
            "plain",
            " \r\n",
            "a \t b",
            "a\x0bb",
            "<b>x</b>  y",
            "www.x.ru z",
        ],
        dtype=object,
    )
    for column in (texts, tricky, tricky.astype("str")):
        assert clean_series(column).tolist() == [clean_text(v) for v in column]


def test_vectorised_cleaning_equals_the_per_message_rule_on_random_markup():
    """The Arrow road for HTML, entities and links must give clean_text's answer exactly."""
    import random

    pieces = [
        "слово", "Дом", " ", "  ", "\n", "\r\n", "\t", "\xa0", "\u2009", "\x0b", "'", "''", "<br>",
        "<p class='x'>", "</p>", "<b>", "< div>", "<a href=\"http://x.ru\">", "&nbsp;", "&amp;", "&lt;",
        "&quot;", "&laquo;", "&#39;", "&#8212;", "&amp;lt;", "&nbsp", "&copy;", "R&D", "&Amp;", "&#x41;",
        "http://site.ru/a?b=1", "https://vk.com/wall-1_2", "www.adm.ru", "Www.Adm.ru", "HTTP://X.RU",
        "текст.", "<", ">", "&", "ул. Ленина, 5",
    ]  # fmt: skip
    rng = random.Random(7)
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 12))) for _ in range(3000)]
    column = pd.Series(texts, dtype="str")
    assert clean_series(column).tolist() == [clean_text(v) for v in texts]


def test_when_the_quick_scan_and_the_parser_disagree_the_exact_reader_decides(monkeypatch):
    from curtool.io import csvfile, formats

    monkeypatch.setattr(csvfile, "parse_csv", lambda *args, **kwargs: pd.DataFrame())
    table = formats.read_table(HOSTILE / "ragged.csv")
    assert len(table.frame) == 6
    assert table.ragged.tolist() == [False, False, True, True, False, False]
    assert table.lines.tolist() == [2, 3, 4, 5, 6, 7]
    assert table.frame.loc[3, "extra_1"] == "лишнее"
    assert table.encoding == "utf-8"


def test_the_arrow_reader_and_the_exact_reader_agree_on_every_csv_fixture(monkeypatch):
    """The fast path must give what the exact reader gives, or step aside (None)."""
    from curtool.io import csvfile, formats

    files = sorted(HOSTILE.glob("*.csv")) + [
        Path(__file__).resolve().parent.parent / "data/samples/pos_adygea.csv"
    ]
    fast_ones = 0
    for path in files:
        fast = csvfile.read_csv_arrow(path, encoding=None, separator=None)
        if fast is None:
            continue
        fast_ones += 1
        monkeypatch.setattr(csvfile, "read_csv_arrow", lambda *a, **k: None)
        exact = formats.read_table(path)
        monkeypatch.undo()
        assert fast.frame.astype(str).equals(exact.frame.astype(str)), path.name
        assert fast.lines.tolist() == exact.lines.tolist(), path.name
        assert (fast.header_row, fast.title_rows, fast.separator) == (
            exact.header_row,
            exact.title_rows,
            exact.separator,
        ), path.name
    assert fast_ones >= 8  # the common files do take the fast path


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_blank_lines_between_rows_keep_every_row_on_its_own_line(tmp_path, monkeypatch, newline):
    from curtool.io import csvfile, formats

    path = tmp_path / "gaps.csv"
    text = 'id;Текст;Итог\n1;a;\n\n2;"b\nc";\n\n\n3;d;Решено\n\n'.replace("\n", newline)
    path.write_bytes(text.encode("cp1251"))
    fast = csvfile.read_csv_arrow(path, encoding=None, separator=None)
    assert fast is not None  # blank lines keep the fast reader
    monkeypatch.setattr(csvfile, "read_csv_arrow", lambda *a, **k: None)
    exact = formats.read_table(path)
    for table in (fast, exact):
        assert table.frame["id"].tolist() == ["1", "2", "3"]
        assert table.lines.tolist() == [2, 4, 8]
        assert not table.ragged.any()
    assert fast.frame.astype(str).equals(exact.frame.astype(str))


def test_a_line_of_separators_is_a_row_but_a_blank_line_is_not(tmp_path):
    from curtool.io import csvfile, formats

    path = tmp_path / "gaps.csv"
    path.write_text("id;Текст;Итог\n1;a;\n\n;;\n3;d;\n", encoding="utf-8")
    assert csvfile.read_csv_arrow(path, encoding=None, separator=None) is None  # the exact reader
    table = formats.read_table(path)
    assert table.frame["id"].tolist() == ["1", "", "3"]
    assert table.lines.tolist() == [2, 4, 5]


def test_a_million_dates_are_read_like_a_few():
    """Distinct values are parsed once; the answer must not depend on that shortcut."""
    values = ["01.02.2026 10:00", "2026-02-03 11:12:13", "", "вчера", "45000", "14 сентября 2026 г."] * 400
    column = pd.Series(values, dtype="str")
    fast, fast_bad = parse_dates(column)
    slow, slow_bad = zip(*(parse_dates(pd.Series([v], dtype="str")) for v in values[:6]), strict=True)
    assert fast.head(6).tolist() == [s.item() for s in slow]
    assert fast_bad.head(6).tolist() == [b.item() for b in slow_bad]
    assert fast_bad.sum() == 400 and fast.notna().sum() == 1600


@pytest.mark.slow
def test_the_arrow_xlsx_reader_and_the_calamine_reader_agree(monkeypatch):
    """fastexcel gives every cell as the text Excel shows; calamine gives typed cells."""
    from curtool.io import formats, sheets, tables

    files = [
        Path(__file__).resolve().parent.parent / "data/samples/incidents_adygea.xlsx",
        HOSTILE / "title_rows.xlsx",
    ]
    for path in files:
        fast = sheets.read_xlsx_arrow(path, sheet=None)
        assert fast is not None, path.name
        monkeypatch.setattr(sheets, "read_xlsx_arrow", lambda *a, **k: None)
        slow = formats.read_table(path)
        monkeypatch.undo()
        assert (fast.header_row, fast.title_rows, fast.sheet) == (
            slow.header_row,
            slow.title_rows,
            slow.sheet,
        )
        assert fast.lines.tolist() == slow.lines.tolist()
        cells = fast.frame.fillna("").astype(str).apply(lambda col: col.str.strip())
        assert cells.equals(slow.frame.map(tables.cell_text)), path.name


def test_missing_dates_in_a_text_column_are_missing_not_errors():
    column = pd.Series(["01.02.2026", None, "", "2026-02-03 10:00:00"] * 400, dtype="str")
    parsed, bad = parse_dates(column)
    assert parsed.notna().sum() == 800 and not bad.any()


def test_xlsx_blank_rows_inside_the_data_are_skipped_with_their_lines_kept(tmp_path):
    import xlsxwriter

    from curtool.io import sheets

    path = tmp_path / "gaps.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Лист")
    sheet.write_row(0, 0, ["Выгрузка за неделю"])
    sheet.write_row(2, 0, ["ID", "Текст инцидента", "Дата создания"])
    sheet.write_row(3, 0, [1, "первое", "2026-09-14 10:00:00"])
    sheet.write_row(5, 0, [2, "  второе  ", "2026-09-15 11:00:00"])
    sheet.write_number(6, 0, 3)
    sheet.write_string(6, 1, "=1+1")  # text, as exports store it; not a formula
    book.close()
    table = sheets.read_xlsx_arrow(path, sheet=None)
    assert table is not None
    assert (table.header_row, table.title_rows) == (3, ["Выгрузка за неделю"])
    assert table.lines.tolist() == [4, 6, 7]
    assert table.frame["ID"].tolist() == ["1", "2", "3"]
    assert table.frame["Текст инцидента"].tolist() == ["первое", "  второе  ", "=1+1"]


@pytest.mark.parametrize("encoding", ["cp1251", "utf-8", "utf-8-sig"])
def test_the_arrow_reader_streams_a_long_file_like_the_exact_reader(tmp_path, monkeypatch, encoding):
    """Many small reads and a head cut inside a quoted line break, as in a big export."""
    from curtool.io import csvfile, formats

    rows = ["Номер;Дата поступления;Текст сообщения;Муниципальное образование"]
    for i in range(3000):
        text = (
            f'"Сообщение {i}: яма ""глубокая""; ' + ("\nвторая строка" if i % 7 == 0 else "") + ' ул. Ленина"'
        )
        rows.append(f'{i:05d};{1 + i % 28:02d}.09.2026 10:{i % 60:02d};{text};МО "Город Майкоп"')
    path = tmp_path / "big.csv"
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode(encoding))
    monkeypatch.setattr(csvfile, "_STREAM_CHUNK", 997)
    monkeypatch.setattr(csvfile, "_HEAD_BYTES", 5000)
    fast = csvfile.read_csv_arrow(path, encoding=None, separator=None)
    assert fast is not None and len(fast.frame) == 3000
    monkeypatch.setattr(csvfile, "read_csv_arrow", lambda *a, **k: None)
    exact = formats.read_table(path)
    assert fast.frame.astype(str).equals(exact.frame.astype(str))
    assert fast.lines.tolist() == exact.lines.tolist()
    assert fast.frame["Номер"].iloc[7] == "00007" and fast.lines[8] == fast.lines[7] + 2


def test_coordinates_with_commas_are_read_and_nonsense_is_flagged(tmp_path):
    path = tmp_path / "coords.csv"
    path.write_text(
        "id;Текст;Широта;Долгота\n"
        '1;а;"44,6012";"40,1003"\n'
        "2;б; 44.5 ;40\n"
        "3;в;;\n"
        "4;г;север;40.1\n"
        "5;д;95;40.1\n",
        encoding="utf-8",
    )
    frame = load([path]).frame
    assert frame[C.LAT].tolist()[:2] == [44.6012, 44.5]
    assert frame[C.LON].tolist()[:2] == [40.1003, 40.0]
    assert frame[C.LAT].iloc[2:].isna().all()
    flagged = frame[C.ISSUES].str.contains(C.ISSUE_BAD_COORDINATES).tolist()
    assert flagged == [False, False, False, True, True]


def test_a_separator_at_the_end_of_every_line_is_not_a_ragged_row(monkeypatch):
    from curtool.io import csvfile, formats

    fast = csvfile.read_csv_arrow(HOSTILE / "trailing_separator.csv", encoding=None, separator=None)
    assert fast is not None  # the common habit keeps the fast reader
    monkeypatch.setattr(csvfile, "read_csv_arrow", lambda *a, **k: None)
    exact = formats.read_table(HOSTILE / "trailing_separator.csv")
    for table in (fast, exact):
        assert list(table.frame.columns) == [
            "Номер",
            "Дата создания",
            "Муниципалитет",
            "Текст сообщения",
            "Итог",
        ]
        assert not table.ragged.any()
        assert table.lines.tolist() == list(range(2, 2 + len(table.frame)))
    assert fast.frame.astype(str).equals(exact.frame.astype(str))
    monkeypatch.undo()
    data = load([HOSTILE / "trailing_separator.csv"])
    assert C.ISSUE_RAGGED_ROW not in ";".join(data.frame[C.ISSUES])


def test_text_after_a_line_ending_separator_is_still_ragged(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text(
        "id;Текст;Итог\n1;яма;Решено;\n2;свет;;\n3;вода;;ещё текст\n4;газ\n5;снег;;;\n",
        encoding="utf-8",
    )
    table = __import__("curtool.io.formats", fromlist=["read_table"]).read_table(path)
    # 1, 2: an empty field after the last separator; 4: one field short; 5: two extra
    assert table.ragged.tolist() == [False, False, True, True, True]
    assert table.frame.loc[2, "extra_1"] == "ещё текст"
    assert table.frame["id"].tolist() == ["1", "2", "3", "4", "5"]


def test_text_in_the_field_after_every_line_ending_separator_leaves_the_fast_reader(tmp_path):
    from curtool.io import csvfile, formats

    path = tmp_path / "extra_text.csv"
    path.write_text("id;Текст;Итог\n1;яма;Решено;\n2;свет;;примечание\n3;вода;;\n", encoding="utf-8")
    assert csvfile.read_csv_arrow(path, encoding=None, separator=None) is None
    table = formats.read_table(path)
    assert table.ragged.tolist() == [False, True, False]
    assert table.frame["extra_1"].fillna("").tolist() == ["", "примечание", ""]


def test_spaces_after_a_line_ending_separator_are_nothing(tmp_path, monkeypatch):
    from curtool.io import csvfile, formats

    path = tmp_path / "spaces.csv"
    path.write_bytes("id;Текст;Итог\r\n1;яма;Решено; \r\n2;свет;;\t\r\n3;вода;;\r\n".encode("cp1251"))
    fast = csvfile.read_csv_arrow(path, encoding=None, separator=None)
    assert fast is not None
    monkeypatch.setattr(csvfile, "read_csv_arrow", lambda *a, **k: None)
    structure = formats.read_table(path)
    monkeypatch.setattr(csvfile, "parse_csv", lambda *args, **kwargs: pd.DataFrame())  # → exact
    exact = formats.read_table(path)
    for table in (fast, structure, exact):
        assert list(table.frame.columns) == ["id", "Текст", "Итог"]
        assert not table.ragged.any()
        assert table.frame["Текст"].tolist() == ["яма", "свет", "вода"]


def test_a_row_without_an_id_never_makes_a_real_message_a_duplicate(tmp_path):
    """Rows without an id are numbered by their row: «2» here, the next message's real id."""
    path = tmp_path / "ids.csv"
    path.write_text(
        "Номер;Дата создания;Текст сообщения\n"
        "1;14.09.2026;Яма на дороге у школы\n"
        ";14.09.2026;Нет света во дворе\n"
        "2;15.09.2026;Не вывозят мусор\n"
        "2;15.09.2026;Не вывозят мусор, повторно\n",
        encoding="utf-8",
    )
    frame = load([path]).frame
    assert frame[C.ID].tolist() == ["1", "2", "2", "2"]
    assert frame[C.DUPLICATE].tolist() == [False, False, False, True]  # only the real repeat


@pytest.mark.parametrize(
    ("header_end", "row_end", "columns"),
    [
        ("", ";", ["id", "Текст", "Итог"]),  # only the data lines end with the separator
        (";", "", ["id", "Текст", "Итог"]),  # only the header does
        (";", ";", ["id", "Текст", "Итог"]),  # both
        (";", ";;", ["id", "Текст", "Итог"]),  # the data lines with two
        (";", ";примечание", ["id", "Текст", "Итог", "column_4"]),  # an unnamed column in use
    ],
)
def test_every_way_a_separator_ends_the_lines_reads_alike(
    tmp_path, monkeypatch, header_end, row_end, columns
):
    from curtool.io import csvfile, formats

    path = tmp_path / "ends.csv"
    rows = [f"{i};текст {i};Решено{row_end}" for i in range(1, 5)]
    path.write_text("\n".join([f"id;Текст;Итог{header_end}", *rows]) + "\n", encoding="utf-8")
    tables = [csvfile.read_csv_arrow(path, encoding=None, separator=None)]
    monkeypatch.setattr(csvfile, "read_csv_arrow", lambda *a, **k: None)
    tables.append(formats.read_table(path))
    monkeypatch.setattr(csvfile, "parse_csv", lambda *args, **kwargs: pd.DataFrame())  # → exact
    tables.append(formats.read_table(path))
    assert all(t is not None for t in tables)  # every habit keeps the fast reader
    for table in tables:
        assert list(table.frame.columns) == columns
        assert not table.ragged.any()
        assert table.frame["Текст"].tolist() == [f"текст {i}" for i in range(1, 5)]
        assert table.lines.tolist() == [2, 3, 4, 5]


# --- duplicates: the same message seen twice, never two messages at two places -------------------
def _csv(tmp_path, name: str, *lines: str) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_same_words_at_two_addresses_are_two_messages(tmp_path):
    path = _csv(
        tmp_path,
        "no_ids.csv",
        "Дата создания;Муниципалитет;Адрес;Текст сообщения",
        "14.09.2026 10:00;г. Майкоп;г. Майкоп, ул. Пушкина, д. 5;Не убран снег",
        "14.09.2026 11:00;г. Майкоп;г. Майкоп, ул. Пушкина, д. 7;Не убран снег",
        "14.09.2026 12:00;г. Майкоп;г. Майкоп, ул. Пушкина, д. 5, корп. 2;Не убран снег",
        "14.09.2026 13:00;г. Майкоп;Г. Майкоп,  ул. Пушкина, д.5;Не убран снег",
    )
    frame = load([path]).frame
    # the last row is the first one's address (case, spacing and punctuation aside): a re-send;
    # between two exports an address written another way is read (see the two-exports test)
    assert frame[C.DUPLICATE].tolist() == [False, False, False, True]
    assert frame[C.DUPLICATE_OF].tolist()[3] == "no_ids.csv, строка 1"


def test_points_apart_are_two_messages_and_points_a_few_metres_apart_one(tmp_path):
    # 0.0009° of latitude is 100 m; 0.0001° is 11 m
    path = _csv(
        tmp_path,
        "points.csv",
        "Номер;Дата создания;Муниципалитет;Широта;Долгота;Текст сообщения",
        "11;14.09.2026 08:00;г. Майкоп;44.6000;40.1000;Яма на дороге",
        "12;14.09.2026 08:05;г. Майкоп;44.6009;40.1000;Яма на дороге",
        "13;14.09.2026 08:10;г. Майкоп;44.6000;40.1020;Яма на дороге",
        "14;14.09.2026 18:00;г. Майкоп;44.6001;40.1000;Яма на дороге",
        "15;15.09.2026 08:00;г. Майкоп;44.6000;40.1000;Яма на дороге",
    )
    frame = load([path]).frame
    # 100 m and 160 m away: other places; 11 m away the same day: a re-send; the next day: new
    assert frame[C.DUPLICATE].tolist() == [False, False, False, True, False]
    assert frame[C.DUPLICATE_OF].tolist() == ["", "", "", "points.csv, строка 1, id 11", ""]
    assert frame[C.COPIES].tolist() == [2, 1, 1, 0, 1]


def test_the_same_id_twice_in_one_file_names_its_first_row(tmp_path):
    path = _csv(
        tmp_path,
        "ids.csv",
        "Номер;Дата создания;Муниципалитет;Текст сообщения",
        "7;14.09.2026;г. Майкоп;Нет воды",
        "8;14.09.2026;г. Майкоп;Нет света",
        "7;14.09.2026;г. Майкоп;Нет воды с утра",
    )
    data = load([path])
    assert data.frame[C.DUPLICATE].tolist() == [False, False, True]
    assert data.frame[C.DUPLICATE_OF].tolist()[2] == "ids.csv, строка 1, id 7"
    rejected = data.rejected()
    assert rejected[C.DUPLICATE_OF_COLUMN].tolist() == ["ids.csv, строка 1, id 7"]


def test_a_message_resent_with_a_new_id_at_the_same_place_is_one_message(tmp_path):
    path = _csv(
        tmp_path,
        "portal.csv",
        "Номер;Дата создания;Муниципалитет;Адрес;Текст сообщения",
        "501;14.09.2026 09:00;г. Майкоп;ул. Ленина, д. 3;Течёт крыша над подъездом",
        "502;14.09.2026 09:01;г. Майкоп;ул. Ленина, д. 3;Течёт крыша над подъездом",
        "503;14.09.2026 09:02;г. Майкоп;;Течёт крыша над подъездом",
        "504;14.09.2026 09:03;г. Майкоп;;Течёт крыша над подъездом",
    )
    frame = load([path]).frame
    # without an address, point or link, two ids are two registered messages
    assert frame[C.DUPLICATE].tolist() == [False, True, False, False]
    assert frame[C.DUPLICATE_OF].tolist()[1] == "portal.csv, строка 1, id 501"


def test_rows_without_ids_and_places_fall_back_to_text_day_and_district(tmp_path):
    path = _csv(
        tmp_path,
        "plain.csv",
        "Дата создания;Муниципалитет;Текст сообщения",
        "14.09.2026;г. Майкоп;Нет отопления",
        "14.09.2026;г. Майкоп;Нет отопления",
        "14.09.2026;Гиагинский район;Нет отопления",
    )
    frame = load([path]).frame
    assert frame[C.DUPLICATE].tolist() == [False, True, False]


def test_different_post_links_or_topics_are_different_messages(tmp_path):
    path = _csv(
        tmp_path,
        "social.csv",
        "ID;Дата создания;Муниципалитет;Тема;Урл поста;Текст инцидента",
        "1;14.09.2026;г. Майкоп;Дороги;https://vk.example/p1;Когда починят?",
        "2;14.09.2026;г. Майкоп;Дороги;https://vk.example/p2;Когда починят?",
        "3;14.09.2026;г. Майкоп;Дороги;https://vk.example/p1;Когда починят?",
        "4;14.09.2026;г. Майкоп;Освещение;https://vk.example/p1;Когда починят?",
    )
    frame = load([path]).frame
    assert frame[C.DUPLICATE].tolist() == [False, False, True, False]


def test_one_message_in_two_exports_is_found_whatever_the_ids_and_address_columns(tmp_path):
    im = _csv(
        tmp_path,
        "im.csv",
        "ID;Дата создания;Муниципалитет;Населенный пункт;Улица;Дом;Текст инцидента",
        "9001;2026-09-14 10:15:00;г. Майкоп;г. Майкоп;ул. Пушкина;5;Во дворе нет света",
        "9002;2026-09-14 11:00:00;г. Майкоп;;;;Когда уберут листья?",
        "9003;2026-09-14 11:30:00;г. Майкоп;;;;Когда уберут листья?",
    )
    pos = _csv(
        tmp_path,
        "pos.csv",
        "Номер сообщения;Дата поступления;Муниципальное образование;Адрес;Текст сообщения",
        "77;14.09.2026 10:20;г. Майкоп;Республика Адыгея, г. Майкоп, улица Пушкина, дом 5;Во дворе нет света",
        "78;14.09.2026 10:30;г. Майкоп;Республика Адыгея, г. Майкоп, улица Пушкина, дом 9;Во дворе нет света",
        "79;14.09.2026 12:00;г. Майкоп;Республика Адыгея, г. Майкоп, ул. Мира, д. 1;Когда уберут листья?",
    )
    frame = load([im, pos]).frame
    # im 9003 has an id of its own in the same export as 9002: two messages; pos 77 is im 9001
    # at the same address; pos 79 is placed where im 9002 says nothing: the same message
    assert frame[C.DUPLICATE].tolist() == [False, False, False, True, False, True]
    assert frame[C.DUPLICATE_OF].tolist()[3] == "im.csv, строка 1, id 9001"
    assert frame[C.DUPLICATE_OF].tolist()[5] == "im.csv, строка 2, id 9002"


def test_one_id_on_two_platforms_of_one_export_is_two_messages(tmp_path):
    path = _csv(
        tmp_path,
        "platforms.csv",
        "Номер;Источник;Дата создания;Муниципалитет;Текст сообщения",
        "5;ВКонтакте;14.09.2026;г. Майкоп;Нет воды",
        "5;Одноклассники;14.09.2026;г. Майкоп;Нет света",
        "5;ВКонтакте;14.09.2026;г. Майкоп;Нет воды",
    )
    frame = load([path]).frame
    assert frame[C.DUPLICATE].tolist() == [False, False, True]
    assert frame[C.DUPLICATE_OF].tolist()[2] == "platforms.csv, строка 1, id 5"


def test_a_field_is_read_without_the_spaces_around_it(tmp_path: Path) -> None:
    """« г. Майкоп » and «г. Майкоп» are one spelling, whichever reader read the cells (an
    older fastexcel trimmed them, a newer one keeps them)."""
    path = tmp_path / "e.csv"
    path.write_text(
        'Номер;Текст;Район;Статус\n 17 ;нет света;" г. Майкоп ";  Решено \n18;нет воды;г. Майкоп;Решено\n',
        encoding="utf-8",
    )
    frame = load([path]).frame
    assert frame[C.ID].tolist() == ["17", "18"]  # an id too: duplicates compare ids
    assert frame[C.DISTRICT_RAW].tolist() == ["г. Майкоп", "г. Майкоп"]
    assert frame[C.STATUS].tolist() == ["Решено", "Решено"]


def test_iso_stamps_keep_their_wall_time_unless_they_name_a_zone():
    # a portal export writes «…T21:10:48.123456» in its own local time: a Sunday-evening
    # message must stay on Sunday, not move three hours into Monday
    stamps = pd.Series(
        [
            "2021-03-21T21:10:48.123456",
            "2021-03-21T21:10:48",
            "2021-03-21T21:10:48Z",
            "2021-03-21T21:10:48+03:00",
            "2021-03-21 21:10:48.5 +0000",
            "2021-03-21T21:10:48.123456+05:00",
        ],
        dtype=object,
    )
    parsed, bad = parse_dates(stamps)
    assert parsed.tolist() == [
        pd.Timestamp("2021-03-21 21:10:48.123456"),
        pd.Timestamp("2021-03-21 21:10:48"),
        pd.Timestamp("2021-03-22 00:10:48"),
        pd.Timestamp("2021-03-21 21:10:48"),
        pd.Timestamp("2021-03-22 00:10:48.5"),
        pd.Timestamp("2021-03-21 19:10:48.123456"),
    ]
    assert not bad.any()
