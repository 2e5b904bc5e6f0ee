"""Hostile inputs and situations around the commands (issue 11): markup in public text, dates
out of range, a full disk, SIGTERM, undated rows, an output named like an input, a formula
in a header.  Every file is written by the test itself."""

from __future__ import annotations

import csv
import errno
import tempfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from curtool.app.cli import app
from curtool.app.failures import Terminated, install_signal_handlers
from curtool.core import columns as C
from curtool.io import output
from curtool.io.loader import load

runner = CliRunner()
HEADER = "ID;Дата создания;Муниципалитет;Адрес;Текст сообщения"


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def _write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def _week_rows(text: str = "Во дворе не вывозят мусор, контейнеры переполнены", n: int = 6) -> list[str]:
    days = ["16.11.2026", "17.11.2026", "18.11.2026", "19.11.2026", "21.11.2026", "22.11.2026"]
    return [
        f"{k + 1};{days[k % len(days)]} 10:00;Северный район;ул. Садовая, д. 5;{text} {k + 1}"
        for k in range(n)
    ]


# --- 3: console markup in public text -----------------------------------------------------------
@pytest.fixture
def markup(tmp_path) -> Path:
    lines = [
        "Выгрузка [/url] за ноябрь;;;;",
        HEADER,
        *_week_rows("Сломан [/url] фонарь [b]у дома[/b], [red]темно"),
        "7;22.11.2026 12:00;Северный район;ул. [/b] Садовая, д. 5;Яма [/i] на дороге у дома",
    ]
    return _write(tmp_path / "markup.csv", lines)


@pytest.mark.slow
@pytest.mark.parametrize("command", ["inspect", "classify", "recurring", "report"])
def test_markup_in_public_text_is_printed_as_written(tmp_path, markup, command) -> None:
    extra = {
        "classify": ["-o", tmp_path / "out.csv"],
        "report": ["-o", tmp_path / "r.xlsx", "--week", "2026-W47"],
        "recurring": ["--min-count", "2"],
    }.get(command, [])
    result = run(command, markup, *extra)
    assert result.exit_code == 0, result.output
    assert "internal" not in result.output and "MarkupError" not in result.output
    if command == "classify":
        assert "[/url]" in result.stdout  # the least confident texts are shown as written
    if command == "inspect":
        assert "Выгрузка [/url] за ноябрь" in result.stdout


# --- 4: dates outside what a timestamp holds -----------------------------------------------------
def test_dates_outside_1677_2262_are_bad_dates_not_a_stopped_file(tmp_path) -> None:
    rows = [
        "1;31.12.9999;Северный район;;Нет света в подъезде",
        "2;01.01.0001;Северный район;;Яма на дороге",
        "3;-5;Южный район;;Мусор во дворе",
        "4;17.11.2026 10:00;Южный район;;Не ходит автобус",
    ]
    path = _write(tmp_path / "dates.csv", [HEADER, *rows])
    frame = load([path]).frame
    assert len(frame) == 4
    assert frame[C.ISSUES].tolist()[:3] == [C.ISSUE_BAD_DATE] * 3
    assert frame[C.CREATED].iloc[3] == pd.Timestamp("2026-11-17 10:00")
    result = run("classify", path, "-o", tmp_path / "out.csv")
    assert result.exit_code == 0 and "bad_date 3" in result.stdout


# --- 5: a full disk, SIGTERM, leftovers -------------------------------------------------------------
@pytest.fixture
def week_export(tmp_path) -> Path:
    return _write(tmp_path / "week.csv", [HEADER, *_week_rows()])


@pytest.fixture
def private_tmpdir(tmp_path, monkeypatch) -> Path:
    """TMPDIR of this test alone, to see that nothing is left in it."""
    folder = tmp_path / "system-tmp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _no_space(self) -> None:
    # what a full disk does half-way through: scratch written, then the write fails
    Path(self.tmpdir or tempfile.gettempdir(), "part.xml").write_bytes(b"x" * 1000)
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.slow
def test_a_full_disk_is_one_disk_full_line_and_leaves_nothing(
    tmp_path, week_export, private_tmpdir, monkeypatch
) -> None:
    import xlsxwriter.workbook

    monkeypatch.setattr(xlsxwriter.workbook.Workbook, "_store_workbook", _no_space)
    out = tmp_path / "out"
    out.mkdir()
    result = run("report", week_export, "--week", "2026-W47", "-o", out / "r.xlsx")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: r.xlsx: no space left on the device while writing; nothing was written. "
        "Hint: free some space or write the output to another disk with -o [disk-full]"
    )
    assert "Traceback" not in result.output
    assert [p.name for p in out.iterdir()] == ["curtool.log"]  # the run's log line, nothing else
    assert not list(private_tmpdir.iterdir())


@pytest.mark.slow
def test_sigterm_unwinds_cleans_up_and_logs(tmp_path, week_export, private_tmpdir, monkeypatch) -> None:
    import curtool.io.reportbook

    def killed(report, path):
        with output.atomic_path(path) as tmp:
            tmp.write_bytes(b"half a workbook")
            raise Terminated()

    monkeypatch.setattr(curtool.io.reportbook, "write_report", killed)
    out = tmp_path / "out"
    out.mkdir()
    result = run("report", week_export, "--week", "2026-W47", "-o", out / "r.xlsx")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: terminated; nothing was written"
    assert [p.name for p in out.iterdir()] == ["curtool.log"]
    assert "\terror\t" in (out / "curtool.log").read_text(encoding="utf-8")


def test_the_cli_turns_sigterm_into_an_unwinding_exception() -> None:
    import signal

    before = signal.getsignal(signal.SIGTERM)
    try:
        install_signal_handlers()
        handler = signal.getsignal(signal.SIGTERM)
        with pytest.raises(Terminated):
            handler(signal.SIGTERM, None)  # type: ignore[operator,misc]
    finally:
        signal.signal(signal.SIGTERM, before)


@pytest.mark.slow
def test_a_killed_runs_work_folder_is_swept_by_the_next_run(tmp_path, week_export) -> None:
    out = tmp_path / "out"
    out.mkdir()
    # a folder as a SIGKILLed run leaves it: its process (pid 2**22 + 1 is above pid_max) is gone
    stale = out / f"{output._WORK_PREFIX}{2**22 + 1}-abc"
    stale.mkdir()
    (stale / "r.xlsx.tmp").write_bytes(b"")
    result = run("report", week_export, "--week", "2026-W47", "-o", out / "r.xlsx", "--quiet")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["curtool-state.json", "curtool.log", "r.xlsx"]


# --- 10: rows with an empty date --------------------------------------------------------------------
@pytest.mark.slow
def test_an_undated_row_is_listed_as_rejected(tmp_path) -> None:
    rows = [*_week_rows(), "9;;Южный район;;Сообщение без даты"]
    path = _write(tmp_path / "undated.csv", [HEADER, *rows])
    target = tmp_path / "r.xlsx"
    assert run("report", path, "--week", "2026-W47", "-o", target, "--quiet").exit_code == 0
    book = openpyxl.load_workbook(target)
    rejected = [row for row in book["Отклонено"].iter_rows(values_only=True)]
    texts = [str(cell) for row in rejected for cell in row if cell is not None]
    assert "Сообщение без даты" in texts
    assert any("нет даты создания" in t for t in texts)
    messages = [row[0] for row in book["Сообщения"].iter_rows(min_row=2, values_only=True)]
    assert len(messages) + 1 == len(rows)  # every row: counted, or rejected with its reason


# --- 13: an output named like an input ------------------------------------------------------------
@pytest.mark.parametrize(
    "command",
    [
        ["classify", "{input}", "-o", "{input}", "--force"],
        ["report", "{input}", "--week", "2026-W47", "-o", "{input}"],
        ["recurring", "{input}", "--json", "{input}", "--force"],
    ],
)
def test_an_input_is_never_an_output(tmp_path, command) -> None:
    source = _write(tmp_path / "export.csv", [HEADER, *_week_rows()])
    before = source.read_bytes()
    args = [str(a).replace("{input}", str(source)) for a in command]
    result = run(*args)
    assert result.exit_code == 1
    assert "the output would overwrite an input file" in result.stderr
    assert result.stderr.strip().endswith("[bad-option]")
    assert source.read_bytes() == before
    if command[0] == "report":  # its run log records the refusal, and no output
        assert "\terror\t" in (tmp_path / "curtool.log").read_text(encoding="utf-8")
        assert "\tout=-\t" in (tmp_path / "curtool.log").read_text(encoding="utf-8")


def test_a_glob_input_is_protected_too(tmp_path, monkeypatch) -> None:
    _write(tmp_path / "a.csv", [HEADER, *_week_rows()])
    monkeypatch.chdir(tmp_path)
    result = run("classify", "*.csv", "-o", "a.csv", "--force")
    assert result.exit_code == 1 and "overwrite an input" in result.stderr


# --- 14: a formula in a header cell -------------------------------------------------------------------
def test_a_formula_in_a_header_is_defused_and_said_once(tmp_path) -> None:
    header = 'ID;Дата создания;Муниципалитет;=HYPERLINK("http://x","y");Текст сообщения'
    rows = [*_week_rows()[:2], "3;18.11.2026 10:00;Южный район;=1+1;@SUM(A1)"]
    source = _write(tmp_path / "f.csv", [header, *rows])
    target = tmp_path / "out.csv"
    result = run("classify", source, "-o", target)
    assert result.exit_code == 0, result.output
    written = list(csv.reader(target.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    assert written[0][3] == '\'=HYPERLINK("http://x","y")'
    assert written[3][3:5] == ["'=1+1", "'@SUM(A1)"]
    assert result.stdout.count("Protected 3 cells starting with = + - @") == 1
