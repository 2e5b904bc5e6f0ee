"""The console's language (Russian by default, English with --lang en) and its width.

The sweep runs every command on the bundled sample in the default language and finds any
English word left on stdout or stderr; the width tests read the same commands at 80 and 200
columns.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import SAMPLE_FILES
from rich.cells import cell_len
from typer.testing import CliRunner

from curtool.app import lang
from curtool.app.cli import app

runner = CliRunner()
SAMPLES = [str(p) for p in SAMPLE_FILES]


def _run(*args: str):
    return runner.invoke(app, list(args))


# --- the setting ------------------------------------------------------------------------------


def test_default_is_russian(russian_console, tmp_path) -> None:
    result = _run("sample", "--rows", "20", "-o", str(tmp_path / "b.csv"))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Записано: {tmp_path / 'b.csv'}\n"


def test_lang_en_before_or_after_the_command(russian_console, tmp_path) -> None:
    result = _run("--lang", "en", "sample", "--rows", "20", "-o", str(tmp_path / "b.csv"))
    assert result.stdout == f"Written: {tmp_path / 'b.csv'}\n"
    result = _run("inspect", SAMPLES[1], "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "Total: " in result.stdout and "Всего: " not in result.stdout


def test_environment_and_config(russian_console, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("CURTOOL_LANG", "en")
    assert "Written: " in _run("sample", "--rows", "20", "-o", str(tmp_path / "a.csv")).stdout
    monkeypatch.delenv("CURTOOL_LANG")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "curtool.toml").write_text('[console]\nlang = "en"\n', encoding="utf-8")
    result = _run("inspect", str(tmp_path / "missing.csv"))
    assert result.stderr.startswith("error: missing.csv: file not found"), result.stderr
    # the flag wins over the config, the environment too
    result = _run("--lang", "ru", "inspect", str(tmp_path / "missing.csv"))
    assert result.stderr.startswith("ошибка: missing.csv: файл не найден"), result.stderr
    monkeypatch.setenv("CURTOOL_LANG", "ru")
    assert _run("inspect", str(tmp_path / "missing.csv")).stderr.startswith("ошибка: ")


def test_a_config_language_that_is_none_is_a_config_error(russian_console, monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "curtool.toml").write_text('[console]\nlang = "de"\n', encoding="utf-8")
    result = _run("inspect", SAMPLES[1])
    assert result.exit_code == 1
    assert result.stderr == (
        "ошибка: curtool.toml: [console] lang должен быть ru или en, а не 'de'. "
        'Подсказка: например: lang = "en" [bad-config]\n'
    )


@pytest.mark.parametrize("args", [["--lang", "de", "sample"], ["inspect", "x.csv", "--lang", "de"]])
def test_an_unknown_language_is_one_line(russian_console, args) -> None:
    result = _run(*args)
    assert result.exit_code == 1
    assert result.stderr == (
        "ошибка: --lang 'de' — нет такого языка. Подсказка: укажите ru (русский) или en (английский) [bad-option]\n"
    )
    assert result.stdout == ""


def test_unknown_environment_language(monkeypatch) -> None:
    monkeypatch.setenv("CURTOOL_LANG", "fr")
    result = _run("sample", "--rows", "1")
    assert result.exit_code == 1
    assert result.stderr.startswith("ошибка: CURTOOL_LANG 'fr' — нет такого языка")


def test_tr_follows_the_setting(monkeypatch) -> None:
    lang.reset()
    assert lang.tr("да", "yes") == "yes"  # the tests' environment says en
    monkeypatch.delenv("CURTOOL_LANG")
    assert lang.tr("да", "yes") == "да"
    lang.start("en")
    assert lang.tr("да", "yes") == "yes"
    lang.reset()


# --- the sweep: no English left in the Russian console -----------------------------------------

# what may stay Latin in a Russian line: file names and paths, option and column names, codes in
# brackets, units, ids, TOML and the config value «text», and the names of formats and tools
ALLOWED = re.compile(
    r"«[^»]*»"  # names from the data and the config, quoted
    r"|\[[a-z0-9_.-]+\]"  # [groups], [file-not-found]
    r"|--?[a-z][a-z0-9-]*"  # --text-column, -o
    r"|[\w./-]*\.(?:xlsx|csv|json|toml|parquet|jsonl|log|xls|ods|txt)\b"  # files
    r"|(?:/[\w.-]+)+/?"  # paths
    r"|\bP[0-9a-f]{10}\b"  # problem ids
    r"|\b\d{4}-W\d{2}\b"  # ISO weeks
    r"|\bneeds_review\b|\b[A-Z]{2,}\b|\bmacro-F1\b|\bF1\b|\bcurtool\b|\bn\b|\bid\b|\btext\b|\bTrue\b"
    r"|\bcp1251\b|\bxlsx\b|\bcsv\b|\bTAB\b"
)
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def english_left(output: str) -> list[str]:
    return [line for line in output.splitlines() if LATIN_WORD.search(ALLOWED.sub(" ", line))]


@pytest.mark.slow
def test_every_command_speaks_russian_by_default(russian_console, tmp_path) -> None:
    out = tmp_path
    classified = out / "c.csv"
    commands = [
        ["inspect", *SAMPLES],
        ["classify", *SAMPLES, "-o", str(classified)],
        ["report", *SAMPLES, "--week", "2026-W47", "-o", str(out / "r-{week}.xlsx"), "--today", "2026-11-30"],
        ["recurring", *SAMPLES, "--top", "3", "--json", str(out / "p.json"), "-o", str(out / "p.xlsx")],
        ["archive", SAMPLES[1], "-o", str(out / "archive")],
        ["archive", SAMPLES[1], "-o", str(out / "archive")],  # nothing new: the skipped warning
        ["report", str(out / "archive"), "--week", "2026-W47", "-o", str(out / "a.xlsx")],
        ["evaluate", str(classified), "--label-column", "sector"],
        ["train", str(classified), "--label-column", "sector", "--cv", "2", "-o", str(out / "m.npz")],
        ["report", *SAMPLES, "--week", "2026-W52", "-o", str(out / "late.xlsx")],  # a week without messages
        ["report", *SAMPLES, "--month", "2026-10", "-o", str(out / "m.xlsx")],
        ["sample", str(out / "s")],
        ["report", str(out / "none.csv")],  # an error line
    ]
    said = []
    for args in commands:
        result = _run(*args)
        assert "Traceback" not in result.output
        said.append(result.stdout + result.stderr)
        left = english_left(result.stdout + result.stderr)
        assert left == [], f"{args[0]}: English left:\n" + "\n".join(left)
    assert any("предупреждение: " in s for s in said)
    assert any("ошибка: " in s for s in said)


# --- 80 columns ---------------------------------------------------------------------------------


def _widest(text: str) -> int:
    return max((cell_len(line) for line in text.splitlines()), default=0)


@pytest.mark.slow
def test_the_report_fits_80_columns_and_keeps_its_key_columns(russian_console, monkeypatch, tmp_path) -> None:
    args = ["report", *SAMPLES, "--week", "2026-W47", "-o", str(tmp_path / "r.xlsx")]
    monkeypatch.setenv("COLUMNS", "80")
    narrow = _run(*args).stdout
    monkeypatch.setenv("COLUMNS", "200")
    wide = _run(*args).stdout
    assert _widest(narrow) <= 80
    assert _widest(wide) > 80  # the width is used when there is room
    # the heat map keeps its districts, sectors and counts whole at 80 columns
    heat = narrow.split("Тепловая карта")[1].split("Всплески")[0]
    assert "| Энергетика и промышленность |" in heat or "| Дорожное хозяйство" in heat
    assert "…" not in "".join(line.split("|")[0] for line in heat.splitlines()[3:])
    # summary bullets wrap under their text, not past the edge
    bullets = [line for line in narrow.splitlines() if line.startswith("• ")]
    assert bullets and any(
        line.startswith("  ") and not line.startswith("   ") for line in narrow.splitlines()
    )


@pytest.mark.slow
def test_classify_drops_the_least_important_columns_first(russian_console, monkeypatch, tmp_path) -> None:
    args = ["classify", *SAMPLES, "-o", str(tmp_path / "c.csv"), "--force"]
    monkeypatch.setenv("COLUMNS", "80")
    narrow = _run(*args).stdout
    monkeypatch.setenv("COLUMNS", "200")
    wide = _run(*args).stdout
    assert _widest(narrow) <= 80
    for header in ("признаки", "следующий"):
        assert header in wide and header not in narrow
    for header in ("категория", "сообщений", "решение", "сектор", "увер.", "текст"):
        assert header in narrow
    # the ids of the least confident messages stay whole
    ids = re.findall(r"^ (\d{8}) \|", narrow, re.M)
    assert len(ids) == 10


def test_table_cuts_text_and_keeps_short_columns(monkeypatch) -> None:
    from rich.console import Console

    from curtool.app.console import table

    console = Console(width=80, no_color=True, markup=False, file=open("/dev/null", "w"))
    rows = [("Тахтамукайский район", "Энергетика и промышленность", 1234, "очень длинный текст " * 10)]
    t = table(console, "t", ["район", "сектор", "сообщений", "текст"], rows)
    with console.capture() as cap:
        console.print(t)
    lines = cap.get().splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    assert "Тахтамукайский район" in lines[-1] and "Энергетика и промышленность" in lines[-1]
    assert "1234" in lines[-1] and lines[-1].rstrip().endswith("…")
    # a column in drop= goes before the text is cut below a readable width
    t = table(console, "t", ["район", "сектор", "сообщений", "текст"], rows, drop=(1,))
    with console.capture() as cap:
        console.print(t)
    assert "сектор" not in cap.get()


def test_sentences_wrap_with_a_hanging_indent() -> None:
    from rich.console import Console

    from curtool.app.console import say_wrapped

    console = Console(width=40, no_color=True, markup=False)
    with console.capture() as cap:
        say_wrapped(console, "слово " * 20, bullet="• ")
    lines = cap.get().splitlines()
    assert len(lines) > 2 and lines[0].startswith("• ") and all(line.startswith("  ") for line in lines[1:])
    assert max(len(line) for line in lines) <= 40


def test_errorsites_reads_this_package() -> None:
    assert Path(__file__).resolve().parent.joinpath("errorsites.py").exists()
