"""The progress bar: stages named by every job, a bar only on a terminal, only after a while."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from curtool.app import pipeline
from curtool.app.cli import app
from curtool.app.options import Options
from curtool.app.progress import progress_bar

HOSTILE = Path(__file__).parent / "data" / "hostile"
DATED = [HOSTILE / "duplicates.csv", HOSTILE / "formula.csv"]
LABELLED = Path(__file__).resolve().parent.parent / "data" / "samples" / "labelled" / "labelled_adygea.csv"


class Stages:
    """A progress callback that keeps what it was told."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int, int]] = []

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.calls.append((stage, done, total))

    @property
    def names(self) -> list[str]:
        return list(dict.fromkeys(stage for stage, _, _ in self.calls))


def _terminal() -> tuple[Console, io.StringIO]:
    sink = io.StringIO()
    return Console(file=sink, force_terminal=True, width=100), sink


@pytest.mark.slow
def test_classify_names_its_stages():
    stages = Stages()
    run = pipeline.classify_files(DATED, Options(), stages)
    assert len(run.table) == 10
    assert stages.names == [pipeline.READING, pipeline.CLASSIFYING]
    assert all(total == 0 for _, _, total in stages.calls)  # stages of a job in memory are not counted


@pytest.mark.slow
def test_recurring_and_report_name_their_stages():
    stages = Stages()
    pipeline.find_problems(DATED, Options(), progress=stages)
    assert stages.names == [pipeline.READING, pipeline.CLASSIFYING, pipeline.FINDING]
    stages = Stages()
    pipeline.run_report(DATED, Options(), week="2026-W38", progress=stages)
    assert stages.names == [pipeline.READING, pipeline.CLASSIFYING, pipeline.FINDING, pipeline.BUILDING]


@pytest.mark.slow
def test_evaluate_and_archive_name_their_stages(tmp_path):
    stages = Stages()
    pipeline.evaluate_files(DATED, "Итог", Options(), progress=stages)
    assert stages.names == [pipeline.READING, pipeline.CLASSIFYING]
    stages = Stages()
    pipeline.archive_files(DATED, tmp_path / "archive", Options(), stages)
    assert stages.names == [pipeline.READING, pipeline.ARCHIVING]


@pytest.mark.slow
def test_train_names_its_stages():
    stages = Stages()
    pipeline.train_from_files([LABELLED], "sector", cv=2, progress=stages)
    assert stages.names == [pipeline.READING, pipeline.CROSS_VALIDATING, pipeline.TRAINING]


def test_no_bar_off_a_terminal_or_when_quiet():
    plain = Console(file=io.StringIO(), force_terminal=False)
    with progress_bar(console=plain, delay=0) as progress:
        progress("Чтение выгрузок", 0, 0)
    assert plain.file.getvalue() == ""
    console, sink = _terminal()
    with progress_bar(True, console=console, delay=0) as progress:
        progress("Чтение выгрузок", 0, 0)
    assert sink.getvalue() == ""


def test_no_bar_for_a_run_shorter_than_the_delay():
    console, sink = _terminal()
    with progress_bar(console=console, delay=3600) as progress:
        for done in range(5):
            progress("Классификация сообщений", done, 5)
    assert sink.getvalue() == ""


def test_the_bar_says_the_stage_once_shown_and_leaves_the_screen():
    console, sink = _terminal()
    with progress_bar(console=console, delay=0) as progress:
        progress("Чтение выгрузок", 0, 0)
        progress("classifying by part", 3, 7)
    shown = sink.getvalue()
    assert "classifying by part" in shown and "3/7" in shown
    assert shown.endswith("\x1b[2K")  # transient: the bar's line is erased when the run ends


@pytest.mark.slow
def test_a_command_off_a_terminal_prints_no_bar(tmp_path):
    result = CliRunner().invoke(app, ["classify", *map(str, DATED), "-o", str(tmp_path / "o.csv")])
    assert result.exit_code == 0
    assert pipeline.READING not in result.output and pipeline.CLASSIFYING not in result.output
