"""The command line in-process: exit codes, the exact error line, no traceback, no partial output."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from curtool import __version__
from curtool.app.cli import app

HOSTILE = Path(__file__).parent / "data" / "hostile"
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.mark.slow
def test_version_and_help_on_every_command():
    assert run("--version").output.strip() == f"curtool {__version__}"
    for command in ("inspect", "classify", "train", "evaluate", "recurring", "report", "sample"):
        result = run(command, "--help")
        assert result.exit_code == 0, command
        assert "Usage" in result.output


def test_inspect_shows_how_the_file_was_read():
    result = run("inspect", HOSTILE / "title_rows.xlsx")
    assert result.exit_code == 0
    assert "format: xlsx, sheet: «Инциденты» (of 2), header on line 3" in result.output
    assert "title row skipped: Выгрузка из «Инцидент Менеджмент»" in result.output
    assert "Текст сообщения" in result.output
    assert "Город Майкоп" in result.output


def test_inspect_counts_rows_set_aside_by_reason():
    result = run("inspect", HOSTILE / "ragged.csv", HOSTILE / "duplicates.csv")
    assert result.exit_code == 0
    assert "ragged rows on lines: 4, 5" in result.output
    assert "ragged_row" in result.output and "duplicate" in result.output
    assert "Total: 12 rows" in result.output


ERRORS = [
    ("empty.csv", "error: empty.csv: the file is empty (0 bytes). Hint: export it again [empty-file]"),
    (
        "missing.csv",
        "error: missing.csv: file not found. Hint: check the path; quote names with spaces [file-not-found]",
    ),
    (
        "encrypted.xlsx",
        "error: encrypted.xlsx: the workbook is password-protected. Hint: open it in Excel, remove the password (File → Info → Protect) and save again [encrypted-file]",
    ),
    (
        "report.pdf",
        "error: report.pdf: cannot read «.pdf» files. Hint: curtool reads .csv, .tsv, .txt, .xlsx, .xlsm, .xls and .ods [unknown-format]",
    ),
    (
        "bad_bytes.csv",
        "error: bad_bytes.csv: undecodable bytes at byte 121: the file is UTF-8 with damaged bytes. "
        "Hint: save the file as UTF-8 again, or name its encoding with --encoding [encoding]",
    ),
    (
        "no_text_column.csv",
        'error: no_text_column.csv: no message text column found among «Номер», «Дата создания», «Муниципалитет», «Итог». Hint: name it with --text-column "<column>" or in curtool.toml [columns] text = … [no-text-column]',
    ),
]


@pytest.mark.parametrize("name, line", ERRORS)
def test_bad_input_gives_one_line_exit_1_and_no_traceback(name, line):
    result = run("inspect", HOSTILE / name)
    assert result.exit_code == 1
    assert result.stderr.strip() == line
    assert "Traceback" not in result.output + result.stderr


@pytest.mark.parametrize("name", ["corrupt.xlsx", "empty.csv", "no_text_column.csv", "encrypted.xlsx"])
def test_classify_failure_leaves_no_output_file(tmp_path, name):
    source = tmp_path / name
    shutil.copy(HOSTILE / name, source)
    target = tmp_path / "out.xlsx"
    result = run("classify", source, "-o", target)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {name}: ")
    assert not target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_unknown_option_is_a_usage_error():
    result = runner.invoke(app, ["inspect", "--no-such-option", str(HOSTILE / "utf8_bom.csv")])
    assert result.exit_code == 2


@pytest.mark.slow
def test_sample_rows_writes_benchmark_data_the_loader_reads(tmp_path):
    target = tmp_path / "bench.csv"
    result = run("sample", "--rows", "500", "-o", target)
    assert result.exit_code == 0
    assert result.output.strip() == f"Written: {target}"
    inspected = run("inspect", target)
    assert "encoding: cp1251, separator: ';', header on line 1" in inspected.output
    assert "rows: 500" in inspected.output


def test_column_options_reach_the_loader():
    result = run("inspect", HOSTILE / "no_text_column.csv", "--text-column", "Итог", "--date-column", "Номер")
    assert result.exit_code == 0
    assert " text     | Итог " in result.output
    assert " created  | Номер " in result.output
    assert "unreadable date on line 2, column «Номер»: '101'" in result.output
