"""Options every command shares, and the config file: one definition, strict checking."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from curtool.app.cli import app
from curtool.app.options import MODEL_OPTION_NAMES, READ_OPTION_NAMES
from curtool.core import columns as C

runner = CliRunner()
SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
CSV = SAMPLES / "pos_adygea.csv"

# every command that reads messages, with what else it needs to run
READERS = {
    "inspect": [],
    "classify": ["-o", "{tmp}/out.csv"],
    "train": ["--label-column", "Статус", "-o", "{tmp}/m.npz"],
    "evaluate": ["--label-column", "Статус"],
    "recurring": [],
    "report": ["-o", "{tmp}/r-{{week}}.xlsx", "--week", "2026-W47"],
}
CLASSIFIERS = ("classify", "evaluate", "recurring", "report")


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def _options(command: str) -> set[str]:
    click_app = typer.main.get_command(app)
    params = click_app.commands[command].params  # type: ignore[attr-defined]
    return {p.name for p in params}


@pytest.mark.parametrize("command", sorted(READERS))
def test_every_reading_command_takes_every_reading_option(command: str) -> None:
    assert set(READ_OPTION_NAMES) <= _options(command)
    if command in CLASSIFIERS:
        assert set(MODEL_OPTION_NAMES) <= _options(command)


@pytest.mark.parametrize("command", sorted(READERS))
@pytest.mark.parametrize("field", sorted(C.COLUMN_OPTIONS))
def test_a_missing_column_names_the_option_as_typed(tmp_path, command: str, field: str) -> None:
    option = C.COLUMN_OPTIONS[field]
    extra = [a.format(tmp=tmp_path) for a in READERS[command]]
    result = run(command, CSV, option, "Нет такой колонки", *extra)
    assert result.exit_code == 1, result.output
    assert result.stderr.strip() == (
        f"error: pos_adygea.csv: there is no column «Нет такой колонки» for {option}. "
        f"Hint: columns seen: " + result.stderr.split("columns seen: ", 1)[1].strip()
    )
    assert f"for {option}." in result.stderr and "Traceback" not in result.output
    # nothing written after a failure but the report's run log, which records it
    assert {p.name for p in tmp_path.iterdir()} <= {"curtool.log"}


def test_a_config_column_error_names_the_config_key(tmp_path) -> None:
    config = tmp_path / "curtool.toml"
    config.write_text('[columns]\ncreated = "Когда"\n', encoding="utf-8")
    result = run("inspect", CSV, "--config", config)
    assert result.exit_code == 1
    assert "there is no column «Когда» for [columns] created in curtool.toml" in result.stderr


@pytest.mark.parametrize("command", CLASSIFIERS)
def test_the_model_option_is_used_by_every_classifying_command(tmp_path, command: str) -> None:
    extra = [a.format(tmp=tmp_path) for a in READERS[command]]
    bogus = tmp_path / "not-a-model.npz"
    bogus.write_bytes(b"nothing here")
    result = run(command, CSV, "--model", bogus, *extra)
    assert result.exit_code == 1, result.output
    assert result.stderr.strip().endswith("[not-a-model]")


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("[report]\nfoo = 1\n", "unknown key «foo» in [report]"),
        ('[input]\nencodng = "cp1251"\n', "unknown key «encodng» in [input]"),
        ("[report]\nweeks_bak = 8\n", "unknown key «weeks_bak» in [report]"),
        ("[recurring]\nmin_cont = 3\n", "unknown key «min_cont» in [recurring]"),
        ("[reports]\nweeks_back = 8\n", "unknown section [reports]"),
        ('[report]\nweeks_back = "8"\n', "[report] weeks_back must be a whole number, not '8'"),
        ("[report]\nweeks_back = 0\n", "[report] weeks_back must be between 1 and 104, not 0"),
        ("[recurring]\nmin_count = 0\n", "[recurring] min_count must be at least 1, not 0"),
        ('[recurring]\nsimilarity = "high"\n', "[recurring] similarity must be a number, not 'high'"),
        ('[report]\noutput = "r-{date}.xlsx"\n', "«{date}» in «r-{date}.xlsx» is not a field"),
        ('[columns]\nwhen = "Дата"\n', "unknown key «when» in [columns]"),
        ('[deadlines]\n"ЖКХ" = -5\n', "[deadlines] deadline «ЖКХ» for the first answer must be a positive"),
        ("input = 3\n", "[input] must be a section"),
    ],
)
def test_the_config_is_strict_and_names_the_key(tmp_path, toml: str, expected: str) -> None:
    config = tmp_path / "curtool.toml"
    config.write_text(toml, encoding="utf-8")
    result = run("inspect", CSV, "--config", config)
    assert result.exit_code == 1, result.output
    line = result.stderr.strip()
    assert line.startswith("error: curtool.toml: ") and expected in line and line.endswith("[bad-config]")


def test_an_output_name_with_an_unknown_field_is_refused(tmp_path) -> None:
    result = run("report", CSV, "--week", "2026-W47", "-o", tmp_path / "r-{date}.xlsx")
    assert result.exit_code == 1
    assert "--output: «{date}»" in result.stderr and result.stderr.strip().endswith("[bad-option]")
    assert not list(tmp_path.glob("*.xlsx"))


@pytest.mark.parametrize(
    "args",
    [
        ["report", "--weeks-back", "0"],
        ["report", "--weeks-back", "100000"],
        ["recurring", "--min-count", "0"],
        ["recurring", "--top", "0"],
        ["train", "--label-column", "Статус", "--cv", "-1"],
    ],
)
def test_counts_out_of_range_are_refused(args: list[str]) -> None:
    result = run(args[0], CSV, *args[1:])
    assert result.exit_code == 2
    assert args[-2] in result.output and "Invalid value" in result.output
