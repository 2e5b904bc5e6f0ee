"""Property: whatever a real export looks like, every row it holds is loaded, or loaded and flagged.

Hypothesis writes random CSV exports the way real systems write them — a header of known column
names («ID», «Текст», «Дата создания», «Район», …), optionally a title line above it, then rows —
in every supported encoding (UTF-8 with and without BOM, cp1251, UTF-16 with BOM), with ``;``,
``,``, tab or ``|`` between fields, three quoting styles, ``\\n`` or ``\\r\\n`` line ends, blank
lines, lines of separators only, ragged rows, a separator ending the lines, and odd cells (empty,
spaces only, quotes, separators and line breaks inside quoted cells, formulas, very long texts,
emoji, HTML). Each file is loaded with :func:`curtool.io.loader.load`, and a sample of them is also
classified in-process (``curtool classify … -o out.csv``). The checks:

* the loader returns exactly the data rows written (blank lines are not rows), in order, each
  at the line where it starts in the file;
* each row's id and text are those written (outer spaces aside), and every cell of a whole row
  is under its column; a row whose text is blank carries ``empty_text``, a row whose date
  cannot be read carries ``bad_date``, and a row with more or fewer fields than the header
  carries ``ragged_row`` (unless a separator ending the line stands for its one missing cell,
  or its one extra cell stands under the unnamed column a separator ending the header makes);
* every reason code is a documented one;
* ``classify`` exits 0 and its CSV holds the same rows, ids, texts (formulas defused) and codes.

The run of ``pytest`` tries a few hundred files, derandomised so CI always sees the same
ones (marked slow: not in the quick loop ``pytest -m "not slow"``); the soak, ``pytest -m soak``,
tries 10,000 new ones on each run. Shapes found and not fixed yet are
kept out of the generator by :func:`dodge_known_bugs` and pinned as xfail tests at the end.
"""

from __future__ import annotations

import atexit
import codecs
import csv
import io
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from curtool.app.cli import app
from curtool.core import columns as C
from curtool.io.loader import load
from curtool.io.output import defuse_csv

# --- profiles ----------------------------------------------------------------------------
# deadline=None: the first example pays for importing and warming pandas/Arrow (~0.5 s), and a
# classify run loads the model; timing is not what is tested here.
_COMMON = dict(
    deadline=None,
    database=None,  # nothing written to .hypothesis/; a failure prints its reproduce blob
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
settings.register_profile("quick", max_examples=250, derandomize=True, **_COMMON)
settings.register_profile("slow", max_examples=10_000, **_COMMON)

# --- what a real export holds --------------------------------------------------------------

HEADERS = {
    "id": ("ID", "№", "Номер обращения", "Номер инцидента"),
    "text": ("Текст", "Текст обращения", "Текст сообщения", "Текст инцидента"),
    "created": ("Дата создания", "Дата поступления", "Дата обращения"),
    "district": ("Район", "Муниципалитет", "Муниципальное образование"),
    "address": ("Адрес", "Адрес проблемы"),
    "topic": ("Тема",),
}
OPTIONAL_FIELDS = ("created", "district", "address", "topic")
ENCODINGS = ("utf-8", "utf-8-sig", "cp1251", "utf-16", "utf-16-be-bom")
SEPARATORS = (";", ",", "\t", "|")
LINE_ENDS = ("\n", "\r\n")
QUOTING = ("minimal", "all", "lazy")  # lazy: quotes only around separators and line breaks

WORDS = (
    "яма",
    "на",
    "дороге",
    "нет",
    "воды",
    "второй",
    "день",
    "улица",
    "Ленина",
    "мусор",
    "не",
    "вывозят",
    "свет",
    "во",
    "дворе",
    "остановка",
    "автобус",
    "детский",
    "сад",
    "ремонт",
    "крыши",
    "отопление",
    "спасибо",
    "пожалуйста",
    "МО",
    "«Город Майкоп»",
    "д.",
    "5",
    "кв.",
    "12",
    "ул.",
    "Пушкина,",
    "2026",
)
ODD_PIECES = (
    'МО "Город Майкоп"',
    '"в кавычках"',
    '""',
    '"',
    "a;b",
    "1,5",
    "x|y",
    "\t",
    "=1+1",
    '=HYPERLINK("http://example.org","нажми")',
    "+7 (900) 000-00-00",
    "-5 градусов",
    "@глава ответьте",
    "😡",
    "💡 нет света",
    "👩‍👩‍👧",
    "🇷🇺",
    "<p>Яма</p>",
    "<br/>",
    "&nbsp;&amp;&quot;",
    "<a href='x'>ссылка</a>",
    "[/url]",
    "[b]жирный[/b]",
    "https://vk.com/wall-1_2",
    "\u00a0",
    "\u200b",
    "ё Ё",
    "№ 5",
    "…",
    "–",
    "\\",
    "'",
    "  ",
)
DATES_GOOD = ("01.02.2026 10:00", "2026-11-05 08:30:00", "15.11.2026", "2026-11-05", "5 марта 2026 г.")
DATES_ODD = ("", "  ", "-", "вчера", "31.12.9999", "01.01.0001", "32.13.2026", "45321", "0", "-5", "2026")
DISTRICTS = ("Майкоп", "Гиагинский район", "г. Адыгейск", "Тахтамукайский р-н", "", " ")
# past csv's field limit (131,072 characters), which a cell in the first 30 lines once hit
LONG_TEXT = 150_000
TITLE = "Выгрузка обращений за период 01.11.2026 – 07.11.2026"


def _word_text(draw) -> str:
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=12))
    return " ".join(words)


@st.composite
def texts(draw, line_end: str) -> str:
    """A message cell: plain words, or words mixed with odd pieces, newlines, unicode."""
    kind = draw(st.integers(0, 19))  # 1 in 20 very long: the slowest to read and write
    if kind in (0, 10):
        return draw(st.sampled_from(("", " ", "   ", "\u00a0")))
    if kind == 1:  # very long: pasted letters and logs
        # varied words, as in a real letter: a page of one repeated word is no message (and
        # misleads the code-page guess, see the xfail test at the end)
        phrase = _word_text(draw) + " " + " ".join(WORDS) + " "
        return (phrase * draw(st.integers(20, 600)))[:LONG_TEXT]
    if kind == 2:  # anything printable a social network passes on
        return draw(
            st.text(
                st.characters(
                    categories=("L", "M", "N", "P", "S", "Zs"),
                    exclude_characters="\x85",
                ),
                min_size=1,
                max_size=40,
            )
        )
    pieces = []
    for _ in range(draw(st.integers(1, 4))):
        choice = draw(st.integers(0, 3))
        if choice == 0:
            pieces.append(draw(st.sampled_from(ODD_PIECES)))
        elif choice == 1:  # a line break typed inside the message: Excel writes \n, some \r\n
            pieces.append(draw(st.sampled_from(("\n", line_end, "\n\n"))))
        else:
            pieces.append(_word_text(draw))
    return draw(st.sampled_from(("", " "))).join(pieces)


@dataclass
class Row:
    cells: list[str]  # as written, one per header column (fewer or more when ragged)
    kind: str  # "whole", "short", "long", "empty"
    id: str
    text: str
    date: str | None
    line: int = 0  # 1-based line where the record starts in the file


@dataclass
class Export:
    encoding: str
    separator: str
    line_end: str
    quoting: str
    headers: list[str]
    fields: list[str]
    rows: list[Row]
    title: bool
    trailing: str  # where a separator ends the lines: "", "all", "data", "header"
    blank_lines: list[int] = field(default_factory=list)  # positions (before row i) of blank lines
    final_newline: bool = True
    classify: bool = False

    def describe(self) -> str:
        return (
            f"{self.encoding} sep={self.separator!r} end={self.line_end!r} quoting={self.quoting} "
            f"title={self.title} trailing={self.trailing!r} blanks={self.blank_lines} "
            f"rows={[r.kind for r in self.rows]}"
        )


@st.composite
def exports(draw) -> Export:
    encoding = draw(st.sampled_from(ENCODINGS))
    separator = draw(st.sampled_from(SEPARATORS))
    line_end = draw(st.sampled_from(LINE_ENDS))
    fields = ["id", "text"] + [f for f in OPTIONAL_FIELDS if draw(st.booleans())]
    fields = draw(st.permutations(fields))
    headers = [draw(st.sampled_from(HEADERS[f])) for f in fields]
    id_style = draw(st.sampled_from(("plain", "zeros", "prefixed", "none", "some")))
    n = draw(st.integers(1, 12))
    rows: list[Row] = []
    for i in range(n):
        if id_style == "none" or (id_style == "some" and draw(st.booleans())):
            row_id = ""
        else:
            row_id = {"plain": str(1000 + i), "zeros": f"{i:06d}", "prefixed": f"INC-{i}", "some": str(i)}[
                id_style
            ]
        text = draw(texts(line_end))
        date = draw(st.sampled_from(DATES_GOOD + DATES_ODD)) if "created" in fields else None
        values = {
            "id": row_id,
            "text": text,
            "created": date or "",
            "district": draw(st.sampled_from(DISTRICTS)),
            "address": draw(st.sampled_from(("", "ул. Ленина, д. 5", "пер. Тихий, 3; кв. 1", "x, y"))),
            "topic": draw(st.sampled_from(("", "Дороги", "ЖКХ", "Прочее"))),
        }
        cells = [values[f] for f in fields]
        kind = draw(st.sampled_from(("whole",) * 6 + ("short", "long", "empty")))
        if kind == "short":
            cells = cells[: draw(st.integers(1, len(cells) - 1))]
        elif kind == "long":
            cells = cells + [draw(st.sampled_from(("лишнее", "1", "x y", "=2")))] * draw(st.integers(1, 2))
        elif kind == "empty":  # a line of separators only
            cells = [""] * len(cells)
            row_id, text, date = "", "", "" if date is not None else None
        rows.append(Row(cells, kind, row_id, text, date))
    blank_lines = draw(st.lists(st.integers(1, n), max_size=3))
    return Export(
        encoding=encoding,
        separator=separator,
        line_end=line_end,
        quoting=draw(st.sampled_from(QUOTING)),
        headers=headers,
        fields=fields,
        rows=rows,
        title=draw(st.booleans()),
        trailing=draw(st.sampled_from(("",) * 5 + ("all", "data", "header"))),
        blank_lines=sorted(blank_lines),
        final_newline=draw(st.booleans()),
        classify=draw(st.integers(0, 7)) == 0,
    )


def _field(value: str, sep: str, quoting: str) -> str:
    special = sep in value or "\n" in value or "\r" in value
    if quoting == "all" or (quoting == "minimal" and (special or '"' in value)):
        return '"' + value.replace('"', '""') + '"'
    if quoting == "lazy" and (special or value.startswith('"')):
        return '"' + value.replace('"', '""') + '"'
    return value


def render(export: Export) -> str:
    """The file's text; sets each row's ``line``."""
    sep, end = export.separator, export.line_end
    out: list[str] = []
    line = 1

    def emit(record: str) -> None:
        nonlocal line
        out.append(record + end)
        line += record.count("\n") + 1

    if export.title:
        emit(_field(TITLE, sep, export.quoting))
        emit("")
    header = sep.join(_field(h, sep, export.quoting) for h in export.headers)
    emit(header + (sep if export.trailing in ("all", "header") else ""))
    for i, row in enumerate(export.rows):
        for _ in range(export.blank_lines.count(i)):
            emit("")
        row.line = line
        record = sep.join(_field(c, sep, export.quoting) for c in row.cells)
        if len(row.cells) == 1 and not row.cells[0]:
            record = '""'
        emit(record + (sep if export.trailing in ("all", "data") else ""))
    for _ in range(export.blank_lines.count(len(export.rows))):
        emit("")
    text = "".join(out)
    if not export.final_newline:
        text = text[: -len(end)]
    return text


def encode(export: Export, text: str) -> bytes:
    if export.encoding == "utf-16-be-bom":
        return codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    return text.encode(export.encoding)


def dodge_known_bugs(export: Export) -> None:
    """Keep out the shapes curtool is known to mishandle, each with an xfail test below, so the
    property keeps testing everything else. To be removed as they are fixed. (None at present:
    every shape found so far is fixed and pinned by a plain test below.)"""


def fit_encoding(export: Export) -> None:
    """cp1251 cannot hold emoji: the exporting system writes «?» for them, as Windows does."""
    if export.encoding != "cp1251":
        return
    for row in export.rows:
        row.cells = [c.encode("cp1251", "replace").decode("cp1251") for c in row.cells]
        row.text = row.text.encode("cp1251", "replace").decode("cp1251")
        row.id = row.id.encode("cp1251", "replace").decode("cp1251")


# --- the property ---------------------------------------------------------------------------

_runner = CliRunner()
_WORK = Path(tempfile.mkdtemp(prefix="curtool-properties-"))  # one file rewritten per example
atexit.register(shutil.rmtree, _WORK, ignore_errors=True)


def _blank(value: str) -> bool:
    return not value.strip()


def check_export(export: Export) -> None:
    fit_encoding(export)
    dodge_known_bugs(export)
    text = render(export)
    path = _WORK / "export.csv"
    path.write_bytes(encode(export, text))
    data = load([path])
    frame = data.frame
    rows = export.rows
    where = export.describe()
    assert len(frame) == len(rows), f"{len(frame)} rows loaded of {len(rows)} written: {where}"
    issues = frame[C.ISSUES].tolist()
    for code in {c for value in issues if value for c in value.split(";")}:
        assert code in C.ISSUE_DESCRIPTIONS, f"undocumented reason code {code!r}"
    texts = frame[C.TEXT].tolist()
    ids = frame[C.ID].tolist()
    lines = frame[C.LINE].tolist()
    created = frame[C.CREATED].tolist()
    text_at = export.fields.index("text")
    id_at = export.fields.index("id")
    for i, row in enumerate(rows):
        codes = set(issues[i].split(";")) if issues[i] else set()
        at = f"row {i + 1} ({row.kind}, line {row.line}) of {where}"
        assert lines[i] == row.line, f"line {lines[i]} for {at}"
        written_text = row.cells[text_at] if text_at < len(row.cells) else ""
        written_id = row.cells[id_at] if id_at < len(row.cells) else ""
        # outer spaces and line breaks may be trimmed (one reader path does): nothing is lost
        assert texts[i].strip() == written_text.strip(), f"text {texts[i]!r} != {written_text!r} in {at}"
        assert ids[i] == (written_id or str(i + 1)), f"id {ids[i]!r} != {written_id!r} in {at}"
        if _blank(written_text):
            assert C.ISSUE_EMPTY_TEXT in codes, at
        if row.date is not None and len(row.cells) > export.fields.index("created"):
            date = row.cells[export.fields.index("created")]
            if date.strip() not in ("", "-") and pd.isna(created[i]):
                assert C.ISSUE_BAD_DATE in codes, f"date {date!r} unread, not flagged: {at}"
        if row.kind == "long":
            if export.trailing in ("all", "header") and len(row.cells) == len(export.headers) + 1:
                # the header's unnamed last column holds the value: kept, nothing lost
                assert frame.iloc[i, len(export.headers)] == row.cells[-1], at
            else:
                assert C.ISSUE_RAGGED_ROW in codes, at
        if row.kind == "short":
            # the cells a short row lacks are empty, not taken from elsewhere; it is flagged
            # unless the separator ending the line stands for its one missing (empty) cell
            lacking = [export.headers[j] for j in range(len(row.cells), len(export.headers))]
            lost = [h for h in lacking if h in frame.columns and frame[h].iloc[i] not in ("", None)]
            assert not lost, f"{lost} filled in {at}"
            if C.ISSUE_RAGGED_ROW not in codes:
                assert export.trailing in ("all", "data") and len(row.cells) == len(export.headers) - 1, at
        if row.kind == "whole":
            assert C.ISSUE_RAGGED_ROW not in codes, at
            # every other cell of the row is kept too, under its own column
            kept = [str(frame[h].iloc[i]).strip() for h in export.headers]
            assert kept == [c.strip() for c in row.cells], f"cells changed in {at}"
    if export.classify:
        check_classify(path, export, frame)


def check_classify(path: Path, export: Export, frame: pd.DataFrame) -> None:
    target = _WORK / "out.csv"
    result = _runner.invoke(app, ["classify", str(path), "-o", str(target), "--force"])
    assert result.exit_code == 0, (result.exit_code, result.stderr, export.describe())
    assert "Traceback" not in result.output + result.stderr
    with target.open(encoding="utf-8-sig", newline="") as handle:
        written = list(csv.DictReader(handle, delimiter=";"))  # the default dialect: Russian Excel
    assert len(written) == len(export.rows)
    id_header = export.headers[export.fields.index("id")]
    text_header = export.headers[export.fields.index("text")]
    for i, out in enumerate(written):
        assert out[text_header] == defuse_csv(frame[text_header].iloc[i] or ""), (i, export.describe())
        assert out[id_header] == defuse_csv(frame[id_header].iloc[i] or ""), (i, export.describe())
        assert out[C.ROW_ISSUES] == frame[C.ISSUES].iloc[i]


@pytest.mark.slow
@settings(settings.get_profile("quick"))
@given(exports())
def test_every_row_of_a_random_export_is_loaded_or_flagged(export: Export) -> None:
    check_export(export)


@pytest.mark.slow
@pytest.mark.soak  # ~7 min: not in plain `pytest`; `pytest -m soak`
@settings(settings.get_profile("slow"))
@given(exports())
def test_every_row_of_10000_random_exports_is_loaded_or_flagged(export: Export) -> None:
    check_export(export)


def test_the_generator_writes_what_it_says() -> None:
    """The generator itself: a file read back with Python's csv module gives the rows written."""
    export = Export(
        encoding="utf-8",
        separator=";",
        line_end="\r\n",
        quoting="lazy",
        headers=["ID", "Текст"],
        fields=["id", "text"],
        rows=[
            Row(["1", 'МО "Город"; яма\nвторая строка'], "whole", "1", "", None),
            Row(["2", ""], "whole", "2", "", None),
        ],
        title=True,
        trailing="",
        blank_lines=[1],
    )
    text = render(export)
    records = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=";") if r]
    assert records == [[TITLE], ["ID", "Текст"], ["1", 'МО "Город"; яма\nвторая строка'], ["2", ""]]
    assert [r.line for r in export.rows] == [4, 7]


# --- shapes the property found, as minimal files ---------------------------------------------
# Fixed ones stay as plain tests (the comment says what they did). Those not fixed yet are xfail
# and kept out of the property by dodge_known_bugs; strict=False so a fix in the CSV readers does not
# break CI before the dodge and the xfail are removed together.


def _load_one(tmp_path: Path, data: bytes) -> pd.DataFrame:
    path = tmp_path / "export.csv"
    path.write_bytes(data)
    return load([path]).frame


def test_a_quote_then_the_separator_at_the_end_of_a_quoted_cell(tmp_path: Path) -> None:
    # the text is «МО "Город";»: `_csv.Error: new-line character seen in unquoted field` ([internal])
    frame = _load_one(tmp_path, 'ID;Текст;Дата создания\n1;"МО ""Город"";";01.02.2026\n;;\n'.encode())
    assert frame[C.TEXT].tolist() == ['МО "Город";', ""]
    assert frame[C.ISSUES].tolist() == ["", "empty_text"]


def test_a_quote_then_a_line_break_at_the_end_of_a_quoted_cell(tmp_path: Path) -> None:
    # the text is «a"⏎»: both rows were flagged ragged_row and the second said to be on line 3
    frame = _load_one(tmp_path, 'ID;Текст;Дата создания\n1;"a""\n";01.02.2026\n;;\n'.encode())
    assert frame[C.ISSUES].tolist() == ["", "empty_text"]
    assert frame[C.LINE].tolist() == [2, 4]


def test_a_ragged_row_after_a_quote_then_a_line_break(tmp_path: Path) -> None:
    # `the CSV cannot be parsed: … Expected 3 fields in line 3, saw 4 [corrupt-file]`
    text = 'ID;Текст;Дата создания\n1;;01.02.2026\n2;"МО ""Город""\n";01.02.2026;лишнее\n'
    frame = _load_one(tmp_path, text.encode())
    assert frame[C.ISSUES].tolist() == ["empty_text", "ragged_row"]


def test_a_bom_before_a_quoted_first_header_cell(tmp_path: Path) -> None:
    # the exact reader's path (here: a row of empty cells) names the column «"ID"», quotes and all
    frame = _load_one(tmp_path, codecs.BOM_UTF8 + '"ID";"Текст"\r\n"1";"яма"\r\n"";""\r\n'.encode())
    assert list(frame.columns[:2]) == ["ID", "Текст"]


def test_a_first_row_with_text_only_past_the_header(tmp_path: Path) -> None:
    # the row vanishes (no flag) and «лишнее» becomes a column name: a two-line header
    frame = _load_one(tmp_path, "ID;Текст;Дата создания\n;;;лишнее\n1;яма;01.02.2026\n".encode())
    assert len(frame) == 2
    assert frame[C.ISSUES].tolist() == ["empty_text;ragged_row", ""]


def test_a_first_row_with_only_a_dash(tmp_path: Path) -> None:
    # the row vanishes (no flag) and «Дата создания» is renamed «-»
    frame = _load_one(tmp_path, "ID;Текст;Дата создания\n;;-\n".encode())
    assert frame.columns[2] == "Дата создания"
    assert frame[C.ISSUES].tolist() == ["empty_text"]


def test_a_cp1251_export_whose_one_text_repeats_a_word(tmp_path: Path) -> None:
    # was read as another Cyrillic code page («Текст» became «рЕЙЯР», refused as no-text-column);
    # the header's known names read in cp1251 and in no other page
    frame = _load_one(tmp_path, ("ID;Текст\n1000;" + "ул. " * 100 + "\n").encode("cp1251"))
    assert frame[C.TEXT].str.strip().str.len().tolist() == [399]


def test_a_first_row_whose_text_reads_as_a_column_name(tmp_path: Path) -> None:
    # «[/url]» is the name «url»: the row becomes the header's second line, «Текст» is replaced
    # and the file is refused: `no message text column found among «ID», «[/url]»`
    frame = _load_one(tmp_path, "ID;Текст\n;[/url]\n".encode())
    assert frame[C.TEXT].tolist() == ["[/url]"]


def test_a_first_row_with_a_cell_under_the_headers_trailing_separator(tmp_path: Path) -> None:
    # the header ends with «;»: the first row is lost (no flag) and the column named «Текст яма»
    frame = _load_one(tmp_path, "ID;Текст;\n;яма;лишнее\n2;свет;\n".encode())
    assert frame[C.TEXT].tolist() == ["яма", "свет"]


def test_a_ragged_row_whose_text_is_a_line_break(tmp_path: Path) -> None:
    # the quote is closed: one record (it was read as two rows, both flagged swallowed_rows)
    frame = _load_one(tmp_path, 'Адрес;ID;Текст\n;1008;"\n";1;1\n'.encode())
    assert len(frame) == 1
    assert frame[C.ISSUES].tolist() == ["empty_text;ragged_row"]
