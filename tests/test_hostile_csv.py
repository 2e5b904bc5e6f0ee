"""Hostile CSV/TSV files (issue 11, items 6, 7, 8 and 11): every one is read with every row
present or flagged, or refused with one coded line; never an internal error."""

from __future__ import annotations

import codecs
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from curtool.app.cli import app
from curtool.core import columns as C
from curtool.core import errors
from curtool.io.encoding import check_separator, detect_encoding
from curtool.io.loader import load

HOSTILE = Path(__file__).parent / "data" / "hostile"
TEXTS = [
    "Во дворе дома 5 по ул. Пушкина нет света третий день",
    "Яма на дороге у школы, машины бьют колёса",
    "Автобус 12 не ходит по расписанию, ждём по часу",
    "Нет отопления в квартире, батареи холодные",
]
HEADER = "Номер;Дата создания;Муниципалитет;Текст сообщения;Итог"
runner = CliRunner()


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def texts(path: Path, **options) -> list[str]:
    return load([path], **options).frame[C.TEXT].tolist()


def issues(path: Path, **options) -> list[str]:
    return load([path], **options).frame[C.ISSUES].tolist()


# --- item 6: valid files once refused as internal errors ------------------------------------------


def test_lines_ended_by_a_lone_cr_are_read():
    data = load([HOSTILE / "cr_only.csv"])
    assert data.frame[C.TEXT].tolist() == TEXTS
    assert data.frame[C.LINE].tolist() == [2, 3, 4, 5]
    assert data.files[0].encoding == "cp1251"


@pytest.mark.parametrize("line", [2, 47])
def test_a_cell_over_the_csv_module_field_limit_is_read(tmp_path, line):
    big = "я" * 140_000  # over Python's csv limit of 131,072 characters
    rows = [f"{i};14.09.2026;г. Майкоп;Текст жалобы номер {i};" for i in range(1, 60)]
    rows[line - 2] = f"{line - 1};14.09.2026;г. Майкоп;{big};"
    path = tmp_path / "big.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    frame = load([path]).frame
    assert len(frame) == 59
    assert frame[C.TEXT].iloc[line - 2] == big
    assert (frame[C.ISSUES] == "").all()


@pytest.mark.parametrize(
    "name, encoding",
    [
        ("wide_utf16le.csv", "utf-16-le"),
        ("wide_utf16be.csv", "utf-16-be"),
        ("wide_utf32_bom.csv", "utf-32"),
        ("wide_utf32le.csv", "utf-32-le"),
    ],
)
def test_utf16_without_bom_and_utf32_are_read(name, encoding):
    data = load([HOSTILE / name])
    assert data.files[0].encoding == encoding
    assert data.frame[C.TEXT].tolist() == TEXTS
    assert (data.frame[C.ISSUES] == "").all()


def test_a_utf16_file_of_cyrillic_only_lines_is_still_found(tmp_path):
    # Cyrillic letters have no NUL byte in UTF-16: only separators and line breaks do
    text = "Номер;Текст\n" + "".join(f"{i};{TEXTS[i % 4]}\n" for i in range(30))
    assert detect_encoding(text.encode("utf-16-le"), tmp_path / "x.csv") == "utf-16-le"
    assert detect_encoding(text.encode("utf-16-be"), tmp_path / "x.csv") == "utf-16-be"


def test_a_separator_of_several_characters_is_refused_with_a_coded_line():
    result = run("inspect", "--separator", ";;", HOSTILE / "cp1251_no_bom.csv")
    assert result.exit_code == 1
    assert result.output.strip() == (
        "error: cp1251_no_bom.csv: the separator must be one ASCII character other than a quote "
        "or a line break, not «;;». Hint: give one character: --separator ';' (or ',', '|', tab); "
        "curtool cannot split on a longer string — replace it in a text editor first [bad-option]"
    )
    assert "Traceback" not in result.output


def test_tab_can_be_named_as_a_separator():
    assert check_separator("\\t") == "\t"
    assert check_separator("tab") == "\t"
    assert check_separator(";") == ";"
    for bad in (";;", '"', "\n", "¦"):
        with pytest.raises(errors.CurtoolError) as exc:
            check_separator(bad)
        assert exc.value.code == errors.BAD_OPTION
    assert texts(HOSTILE / "utf16.tsv", separator="\\t") == TEXTS


# --- item 8: the Russian 8-bit code pages ---------------------------------------------------------


@pytest.mark.parametrize("encoding", ["koi8-r", "cp866", "mac-cyrillic"])
def test_old_code_pages_under_a_latin_header_are_told_apart(encoding):
    data = load([HOSTILE / f"{encoding}.csv"])
    assert data.files[0].encoding == encoding
    assert data.frame[C.TEXT].tolist() == TEXTS
    assert data.frame[C.DISTRICT_RAW].tolist()[0] == "г. Майкоп"


def test_cp1251_is_still_cp1251_and_a_damaged_utf8_file_is_refused():
    assert load([HOSTILE / "cp1251_no_bom.csv"]).files[0].encoding == "cp1251"
    assert load([HOSTILE / "trailing_separator.csv"]).files[0].encoding == "cp1251"
    result = run("inspect", HOSTILE / "bad_bytes.csv")
    assert result.exit_code == 1
    assert result.output.strip().endswith("[encoding]")
    assert "at byte 121: the file is UTF-8 with damaged bytes" in result.output


@pytest.mark.parametrize("encoding", ["cp1251", "koi8-r", "cp866", "mac-cyrillic"])
def test_a_line_of_text_in_each_code_page_is_enough(encoding, tmp_path):
    # mac-cyrillic differs from cp1251 in the capitals only, so its line needs a few
    for text in ("Во дворе дома 5 по ул. Пушкина нет света", "Нет Света В Доме По Улице Ленина"):
        assert detect_encoding(text.encode(encoding), tmp_path / "x.csv") == encoding, text


def test_an_all_capitals_cp1251_export_stays_cp1251(tmp_path):
    data = "\n".join(t.upper() for t in TEXTS * 50).encode("cp1251")
    assert detect_encoding(data, tmp_path / "x.csv") == "cp1251"


def test_text_that_is_russian_in_no_code_page_is_refused_naming_encoding(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes(
        ("编号;文本\n" + "".join(f"{i};城市有很多问题，道路坏了，没有电。\n" for i in range(40))).encode(
            "gbk"
        )
    )
    result = run("inspect", path)
    assert result.exit_code == 1
    assert result.output.strip() == (
        "error: gbk.csv: the text is neither UTF-8 nor Russian in cp1251, koi8-r, cp866 or mac-cyrillic: "
        "read so, it would be nonsense. Hint: name its encoding with --encoding (as Python names it: "
        "gbk, latin-1 …), or save the file as UTF-8 [encoding]"
    )
    assert (
        load([path], encoding="gbk", columns={"text": "B"}).frame[C.TEXT].iloc[0]
        == "城市有很多问题，道路坏了，没有电。"
    )


def test_the_code_page_is_chosen_from_the_head_quickly(tmp_path):
    """A sample of the head, not the whole file: the 9 MB after the first megabyte do not
    change the choice. (The time, under 0.5 s for 10 MB, is a benchmark figure:
    benchmarks/bench_checks.py, detect_encoding.)"""
    lines = [f"{i};{TEXTS[i % 4]}" for i in range(200_000)]
    data = "\n".join(lines).encode("koi8-r")
    assert detect_encoding(data, tmp_path / "x.csv") == "koi8-r"
    head = "\n".join(lines[:20_000]).encode("koi8-r")  # about the first megabyte
    rest = ("\n" + "\n".join(lines[20_000:])).encode("cp1251")
    assert detect_encoding(rest, tmp_path / "x.csv") == "cp1251"
    assert detect_encoding(head + rest, tmp_path / "x.csv") == "koi8-r"


# --- item 7: a quote opened mid-file ---------------------------------------------------------------


def test_rows_a_stray_quote_swallowed_are_split_back_and_flagged():
    frame = load([HOSTILE / "stray_quote.csv"]).frame
    assert len(frame) == 4
    assert frame[C.TEXT].tolist() == ['"' + TEXTS[1] if i == 1 else t for i, t in enumerate(TEXTS)]
    assert frame[C.LINE].tolist() == [2, 3, 4, 5]
    assert frame[C.ISSUES].tolist() == [
        "",
        C.ISSUE_SWALLOWED_ROWS,
        C.ISSUE_SWALLOWED_ROWS,
        C.ISSUE_SWALLOWED_ROWS,
    ]
    assert C.ISSUE_SWALLOWED_ROWS in C.ISSUE_DESCRIPTIONS


def _thirty_rows(tmp_path: Path, same_column: bool, ragged: bool) -> Path:
    rows = [f"{i};14.09.2026;г. Майкоп;Текст жалобы номер {i} про дорогу;" for i in range(1, 31)]
    if same_column:  # opened and closed in the text column: a record of the right width (Arrow reads it)
        rows[9] = '10;14.09.2026;г. Майкоп;"Текст жалобы номер 10 про дорогу;'
        rows[16] = '17;14.09.2026;г. Майкоп;Текст жалобы номер 17 про дорогу";'
    else:  # opened in the district, closed in a later text: a ragged record
        rows[9] = '10;14.09.2026;"г. Майкоп;Текст жалобы номер 10 про дорогу;'
        rows[16] = '17;14.09.2026;г. Майкоп;Текст жалобы номер 17 про "дорогу";'
    if ragged:  # one ragged row elsewhere sends the file through the pandas and exact readers
        rows[25] += "лишнее;"
    path = tmp_path / "thirty.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("same_column", [True, False])
@pytest.mark.parametrize("ragged", [False, True])
def test_a_stray_quote_closed_rows_later_loses_no_row(tmp_path, same_column, ragged):
    frame = load([_thirty_rows(tmp_path, same_column, ragged)]).frame
    assert len(frame) == 30
    assert frame[C.ID].tolist() == [str(i) for i in range(1, 31)]
    swallowed = frame[C.ISSUES].str.contains(C.ISSUE_SWALLOWED_ROWS).to_numpy()
    assert np.flatnonzero(swallowed).tolist() == list(range(9, 17))
    assert frame[C.LINE].tolist() == list(range(2, 32))


@pytest.mark.parametrize("end", ["\n", "\r\n"])
def test_a_quoted_cell_beginning_with_a_line_break_is_not_split_as_swallowed_rows(tmp_path, end):
    # found by the property test: the line «;1005;"» ends with the quote that opens the text
    # cell; it and the cell's next line («МО ""Город Майкоп""";1;») each read as a row of
    # the header's width, so the record was split in two and the file had 7 rows, not 6
    rows = [f";100{n};;" for n in range(5)] + [';1005;"' + end + 'МО ""Город Майкоп""";1;']
    path = tmp_path / "export.csv"
    path.write_bytes(end.join(["Адрес;ID;Текст", *rows]).encode("utf-8"))  # no final newline
    frame = load([path]).frame
    assert len(frame) == 6
    assert frame[C.ID].tolist() == [f"100{n}" for n in range(6)]
    last = frame.iloc[5]
    assert last[C.TEXT].strip() == 'МО "Город Майкоп"'
    assert last[C.LINE] == 7
    assert C.ISSUE_SWALLOWED_ROWS not in frame[C.ISSUES].str.cat(sep=";")


def test_inspect_counts_the_swallowed_rows():
    result = run("inspect", HOSTILE / "stray_quote.csv")
    assert result.exit_code == 0
    assert "swallowed_rows |    3" in result.output
    assert "rows: 4" in result.output


def test_real_multiline_messages_are_neither_split_nor_flagged(tmp_path):
    frame = load([HOSTILE / "multiline.csv"]).frame
    assert len(frame) == 2
    assert (frame[C.ISSUES] == "").all()
    # two columns: a message line with a comma has a row's width, so nothing is split
    path = tmp_path / "two.csv"
    path.write_text('Номер,Текст\n1,"Нет света\nАдрес: Ленина, 5"\n2,Яма на дороге\n', encoding="utf-8")
    frame = load([path]).frame
    assert frame[C.TEXT].tolist() == ["Нет света\nАдрес: Ленина, 5", "Яма на дороге"]
    assert (frame[C.ISSUES] == "").all()


def test_a_message_line_with_a_rows_commas_is_not_a_row(tmp_path):
    # the line has the row's five commas, but no id where the ids are: a line of the message
    text = "Добрый день!\nСоставляющей около 4 метров, яма, лужа, грязь, темно, страшно"
    path = tmp_path / "six.csv"
    path.write_text(
        f'id,text,topic,body,sector,alt\n1,"{text}",ЖКХ,,ЖКХ,\n2,Яма на дороге,Дороги,,Дороги,\n',
        encoding="utf-8",
    )
    frame = load([path]).frame
    assert frame[C.TEXT].tolist() == [text, "Яма на дороге"]
    assert (frame[C.ISSUES] == "").all()


def test_a_two_column_record_of_several_whole_rows_is_flagged_not_split(tmp_path):
    path = tmp_path / "two.csv"
    path.write_text('Номер;Текст\n1;"Нет света\n2;Яма\n3;Шум\n4;Мусор\n', encoding="utf-8")
    frame = load([path]).frame
    assert len(frame) == 1
    assert frame[C.ISSUES].tolist() == [C.ISSUE_SWALLOWED_ROWS]


# --- item 11: the header guessed from the data ------------------------------------------------------


def test_a_blank_header_line_does_not_make_the_first_message_the_header():
    result = run("inspect", HOSTILE / "blank_header.csv")
    assert result.exit_code == 1
    assert result.output.strip() == (
        "error: blank_header.csv, row 2: the first line looks like a message, not column names "
        "(its dates or numbers are data). Hint: if the file has no header line, add --no-header and "
        "name the columns by position or letter, e.g. --text-column 2 or --text-column B [no-header]"
    )
    frame = load([HOSTILE / "blank_header.csv"], no_header=True, columns={"text": "D"}).frame
    assert frame[C.TEXT].tolist() == TEXTS


def test_a_one_column_file_keeps_its_separators_in_the_texts():
    data = load([HOSTILE / "one_column.csv"])
    assert data.files[0].header_row == 1
    assert data.frame[C.TEXT].tolist() == [
        "Нет света; третий день, никто не чинит",
        "Обращение; яма на дороге у школы",
        "Шум ночью",
    ]


@pytest.mark.slow
def test_every_new_fixture_reads_without_an_internal_error():
    for path in sorted(HOSTILE.glob("*.csv")):
        result = run("inspect", path)
        assert "[internal]" not in result.output, path.name
        assert "Traceback" not in result.output, path.name
    assert codecs.lookup("mac-cyrillic")


def test_a_header_over_two_lines_is_one_header_not_a_message():
    data = load([HOSTILE / "two_line_header.csv"])
    assert data.frame[C.TEXT].tolist() == TEXTS
    assert data.files[0].mapping["text"] == "Текст"
    assert data.files[0].header_row == 1
    assert data.frame[C.LINE].tolist() == [3, 4, 5, 6]
    assert list(data.frame.columns[:4]) == ["Номер", "Дата создания", "Текст", "Ответ"]


# --- shapes the property test found (tests/test_properties.py) ----------------------------------------
def _frame_of(tmp_path, data: bytes):
    from curtool.io.loader import load

    path = tmp_path / "export.csv"
    path.write_bytes(data)
    return load([path])


def test_a_doubled_quote_before_the_separator_stays_inside_the_quoted_cell(tmp_path) -> None:
    data = _frame_of(tmp_path, 'ID;Текст;Дата создания\n1;"МО ""Город"";";01.02.2026\n;;\n'.encode())
    assert data.frame["_text"].tolist() == ['МО "Город";', ""]
    assert data.frame["_issues"].tolist() == ["", "empty_text"]


def test_a_doubled_quote_before_a_line_break_stays_inside_the_quoted_cell(tmp_path) -> None:
    text = 'ID;Текст;Дата создания\n1;;01.02.2026\n2;"МО ""Город""\n";01.02.2026;лишнее\n'
    data = _frame_of(tmp_path, text.encode())
    assert data.frame["_text"].tolist() == ["", 'МО "Город"']
    assert data.frame["_issues"].tolist() == ["empty_text", "ragged_row"]


@pytest.mark.parametrize(
    "text",
    [
        "ID;Текст;Дата создания\n;;;лишнее\n1;яма;01.02.2026\n",  # a cell past the header
        "ID;Текст;Дата создания\n;;-\n1;яма;01.02.2026\n",  # punctuation only
    ],
)
def test_a_first_row_without_figures_is_not_a_second_header_line(tmp_path, text) -> None:
    data = _frame_of(tmp_path, text.encode())
    assert len(data.frame) == 2
    assert data.original_columns()[:3] == ["ID", "Текст", "Дата создания"]
    assert data.frame["_text"].tolist() == ["", "яма"]


def test_a_bom_before_a_quoted_first_header_cell(tmp_path) -> None:
    data = _frame_of(tmp_path, codecs.BOM_UTF8 + '"ID";"Текст"\r\n"1";"яма"\r\n"";""\r\n'.encode())
    assert data.original_columns() == ["ID", "Текст"]
    assert data.frame["_text"].tolist() == ["яма", ""]


@pytest.mark.parametrize(
    ("text", "messages"),
    [
        ("ID;Текст\n;[/url]\n", ["[/url]"]),  # a cell that reads as a column name («url»)
        ("ID;Текст;\n;яма;лишнее\n2;свет;\n", ["яма", "свет"]),  # under the header's trailing «;»
    ],
)
def test_a_first_row_is_a_second_header_line_only_under_a_merged_group_of_names(tmp_path, text, messages):
    data = _frame_of(tmp_path, text.encode())
    assert data.frame["_text"].tolist() == messages
    assert data.original_columns()[:2] == ["ID", "Текст"]
