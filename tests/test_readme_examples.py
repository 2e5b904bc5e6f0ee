"""The README's train/evaluate examples on the labelled sample run as written, and print the
figures pasted under them: the README cannot rot."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from curtool.app.cli import app

ROOT = Path(__file__).resolve().parent.parent
LABELLED = "data/samples/labelled/"
_BLOCK = re.compile(r"```(\w*)\n(.*?)```", re.S)
_FIGURE = re.compile(r"\b\d+\.\d+\b")  # precision, recall, F1, macro-F1, accuracy


def readme_examples() -> list[tuple[list[str], str | None]]:
    """Each README command on the labelled sample (`curtool train|evaluate|classify … data/samples/
    labelled/…` or `--model model.npz`), with the text block pasted right under its block, if any."""
    blocks = [
        (m.group(1), m.group(2), m.end())
        for m in _BLOCK.finditer(ROOT.joinpath("README.md").read_text("utf-8"))
    ]
    examples: list[tuple[list[str], str | None]] = []
    for i, (lang, body, _) in enumerate(blocks):
        if lang != "bash":
            continue
        commands = [
            shlex.split(line)[1:]
            for line in body.splitlines()
            if line.startswith("curtool ") and (LABELLED in line or "--model model.npz" in line)
        ]
        shown = blocks[i + 1][1] if i + 1 < len(blocks) and blocks[i + 1][0] == "text" else None
        examples.extend((args, shown if len(commands) == 1 else None) for args in commands)
    return examples


def test_the_readme_has_the_labelled_examples():
    commands = [args[0] for args, _ in readme_examples()]
    assert commands[:2] == ["train", "evaluate"] and commands.count("evaluate") >= 2
    assert sum(shown is not None for _, shown in readme_examples()) >= 2


@pytest.mark.slow
def test_the_readme_examples_run_and_print_what_the_readme_shows(tmp_path, monkeypatch):
    (tmp_path / "data").symlink_to(ROOT / "data", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    for args, shown in readme_examples():
        result = runner.invoke(app, args, catch_exceptions=False)
        assert result.exit_code == 0, (args, result.output)
        if shown is not None:
            # the figures, in order: wording may be translated, the numbers must stay true
            assert _FIGURE.findall(result.stdout) == _FIGURE.findall(shown), args
    assert (tmp_path / "model.npz").exists()
