"""CSV outputs in every dialect: what Excel (Russian or English) and scripts open, read back whole."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from curtool.app.cli import app
from curtool.app.options import Options
from curtool.core import columns as C
from curtool.core import errors
from curtool.io import output
from curtool.io.configfile import load_config
from curtool.io.csvdialects import DEFAULT_DIALECT, DIALECTS, csv_dialect
from curtool.io.loader import load

HOSTILE = Path(__file__).parent / "data" / "hostile"
runner = CliRunner()


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Номер": ["7", "8", "9"],
            "Текст": ['Яма; у дома "5", опять', "=1+2 и строка\nвторая", "-вода, холодная"],
            "sector_confidence": [0.96, 1.0, float("nan")],
            "line": [2, 3, 4],
            "needs_review": [False, True, False],
            "created": pd.to_datetime(["2026-09-14 10:00:00", "2026-03-04 08:30:00", None]),
        }
    )


def _rows(path: Path, name: str) -> list[list[str]]:
    d = DIALECTS[name]
    with open(path, encoding=d.encoding, newline="") as handle:
        return list(csv.reader(handle, delimiter=d.delimiter))


@pytest.mark.parametrize("name", list(DIALECTS))
def test_each_dialect_writes_its_bytes_and_reads_back_with_python_csv(tmp_path, name):
    d = DIALECTS[name]
    target = tmp_path / "out.csv"
    written = output.write_table(_frame(), target, dialect=name)
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == d.bom
    # the line ends are the dialect's; the line break inside a quoted text stays as written
    assert raw.count(b"\r\n") == (4 if d.eol == "\r\n" else 0)
    rows = _rows(target, name)
    assert rows[0] == ["Номер", "Текст", "sector_confidence", "line", "needs_review", "created"]
    assert [r[1] for r in rows[1:]] == [
        'Яма; у дома "5", опять',
        "'=1+2 и строка\nвторая",
        "'-вода, холодная",
    ]
    assert written.protected == 2  # formula-like public text is defused in every dialect
    fraction = "0,96" if d.decimal_comma else "0.96"
    assert [r[2] for r in rows[1:]] == [fraction, "1", ""]
    # dates stay ISO in every dialect: Excel reads them as dates whatever its regional settings
    assert [r[5] for r in rows[1:]] == ["2026-09-14 10:00:00", "2026-03-04 08:30:00", ""]


def test_the_default_is_what_a_russian_excel_opens(tmp_path):
    target = tmp_path / "out.csv"
    output.write_csv(_frame(), target)
    raw = target.read_bytes()
    assert DEFAULT_DIALECT == "excel-ru"
    assert raw.startswith(b'\xef\xbb\xbf"') and b'";"' in raw.split(b"\r\n")[0]


@pytest.mark.parametrize("name", list(DIALECTS))
def test_the_stream_obeys_the_dialect_across_parts(tmp_path, name):
    target = tmp_path / "out.csv"
    frame = _frame()
    with output.TableStream(target, name) as stream:
        stream.write(frame.iloc[:2])
        stream.write(frame.iloc[2:])
    rows = _rows(target, name)
    assert len(rows) == 4 and rows[1][0] == "7" and rows[3][0] == "9"
    assert target.read_bytes().startswith(b"\xef\xbb\xbf") == DIALECTS[name].bom
    assert stream.protected == 2


@pytest.mark.slow
@pytest.mark.parametrize("name", list(DIALECTS))
def test_curtool_reads_its_own_classify_output_back_in_every_dialect(tmp_path, name):
    target = tmp_path / "out.csv"
    result = run(
        "classify", HOSTILE / "formula.csv", HOSTILE / "duplicates.csv", "-o", target, "--csv-dialect", name
    )
    assert result.exit_code == 0, result.output
    back = load([target])
    assert back.files[0].separator == DIALECTS[name].delimiter
    assert len(back.frame) == 4 + 6  # every row of the two inputs, duplicates included
    again = load([HOSTILE / "formula.csv", HOSTILE / "duplicates.csv"])
    # the texts come back as written, a formula-like one with the ' that keeps it text
    assert back.frame[C.TEXT].tolist() == [output.defuse_csv(t) for t in again.frame[C.TEXT]]
    assert {"sector", "row_issues", "source_file"} <= set(back.original_columns())


def test_an_unknown_dialect_is_a_bad_option_line(tmp_path):
    result = run("classify", HOSTILE / "formula.csv", "-o", tmp_path / "o.csv", "--csv-dialect", "excel-de")
    assert result.exit_code == 1
    assert result.output.strip().startswith("error: --csv-dialect: CSV dialect «excel-de» is not known")
    assert "[bad-option]" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o.csv").exists()


def test_the_config_sets_the_dialect_and_the_flag_wins(tmp_path):
    config = tmp_path / "curtool.toml"
    config.write_text('[output]\ncsv_dialect = "unix"\n', encoding="utf-8")
    assert Options.build(config).csv_dialect == "unix"
    assert Options.build(config, csv_dialect="excel").csv_dialect == "excel"
    assert Options.build(cwd=tmp_path / "none").csv_dialect == DEFAULT_DIALECT
    target = tmp_path / "o.csv"
    assert run("classify", HOSTILE / "formula.csv", "-o", target, "--config", config).exit_code == 0
    assert not target.read_bytes().startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize(
    "body, words",
    [
        (
            '[output]\ncsv_dialect = "semicolon"\n',
            "[output] csv_dialect: CSV dialect «semicolon» is not known",
        ),
        ("[output]\ncsv_dialect = 1\n", "[output] csv_dialect must be text in quotes"),
        ('[output]\ndialect = "unix"\n', "unknown key «dialect» in [output]"),
    ],
)
def test_the_config_key_is_checked(tmp_path, body, words):
    config = tmp_path / "curtool.toml"
    config.write_text(body, encoding="utf-8")
    with pytest.raises(errors.CurtoolError) as caught:
        load_config(config)
    assert caught.value.code == errors.BAD_CONFIG and words in caught.value.message


def test_dialect_names_are_tolerant_of_case_and_spaces():
    assert csv_dialect(" Excel-RU ").name == "excel-ru"
    assert csv_dialect(None).name == DEFAULT_DIALECT
