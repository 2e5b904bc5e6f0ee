"""A CSV whose first line is already a message: detected, and read with --no-header."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from curtool.app.cli import app
from curtool.core.mapping import column_index, column_letter
from curtool.io.loader import load

runner = CliRunner()
LINES = (
    "101;Яма на дороге возле дома 5 по улице Садовой, машины бьют колёса;12.11.2026;Северный район;Дороги",
    "102;Во дворе не вывозят мусор уже неделю, контейнеры переполнены;13.11.2026;Южный район;ЖКХ",
    "103;В подъезде не горит свет третий день подряд, темно и опасно;14.11.2026;Северный район;ЖКХ",
)


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def headerless(tmp_path) -> Path:
    path = tmp_path / "noheader.csv"
    path.write_text("\n".join(LINES) + "\n", encoding="cp1251")
    return path


def test_a_first_line_of_data_is_refused_with_a_hint(headerless) -> None:
    result = run("classify", headerless, "-o", headerless.with_suffix(".out.csv"))
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: noheader.csv, row 1: the first line looks like a message, not column names "
        "(no known name in it). Hint: if the file has no header line, add --no-header and name "
        "the columns by position or letter, e.g. --text-column 2 or --text-column B [no-header]"
    )
    assert not headerless.with_suffix(".out.csv").exists()


@pytest.mark.parametrize(("text", "district", "date"), [("2", "4", "3"), ("B", "D", "C"), ("b", "d", "c")])
def test_no_header_reads_every_line_by_position_or_letter(headerless, text, district, date) -> None:
    data = load([headerless], no_header=True, columns={"text": text, "district": district, "created": date})
    frame = data.frame
    assert len(frame) == 3  # the first line is a message, not lost as a header
    assert frame["_text"].tolist()[0].startswith("Яма на дороге")
    assert frame["_district"].tolist() == ["Северный район", "Южный район", "Северный район"]
    assert frame["_created"].dt.day.tolist() == [12, 13, 14]
    assert frame["_line"].tolist() == [1, 2, 3]
    assert data.original_columns() == ["A", "B", "C", "D", "E"]


def test_no_header_through_the_cli_keeps_every_row(headerless, tmp_path) -> None:
    target = tmp_path / "out.csv"
    result = run(
        "classify", headerless, "--no-header", "--text-column", "B", "--id-column", "1", "-o", target
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(target, sep=";", dtype=str)
    assert table["A"].tolist() == ["101", "102", "103"]
    assert table["sector"].notna().all()


@pytest.mark.parametrize(
    "header",
    [
        "Номер;Описание проблемы своими словами подробно и понятно;Когда;Где;Раздел",  # long names, no prose
        "ID;Текст инцидента;Дата создания;Муниципалитет;Группа тем",  # known names
    ],
)
def test_a_real_header_is_not_taken_for_data(tmp_path, header) -> None:
    path = tmp_path / "with_header.csv"
    path.write_text(header + "\n" + "\n".join(LINES) + "\n", encoding="utf-8")
    data = load([path], columns={"text": "2"})
    assert len(data.frame) == 3


def test_positions_and_letters() -> None:
    assert [column_index(x) for x in ("1", "2", "A", "b", "Z", "AA", "ab", "0", "Текст", "")] == [
        0,
        1,
        0,
        1,
        25,
        26,
        27,
        None,
        None,
        None,
    ]
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]
