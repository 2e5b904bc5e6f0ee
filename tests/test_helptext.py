"""``--help`` speaks the console's language: every help text has its Russian form."""

from __future__ import annotations

import click
import typer.main
from typer.testing import CliRunner

from curtool.app.cli import app
from curtool.app.helptext import HELP

runner = CliRunner()


def _help_texts() -> dict[str, str]:
    """Every help text of the app, its commands and their options, with where it is."""
    group = typer.main.get_command(app)
    found: dict[str, str] = {}

    def walk(command: click.Command, where: str) -> None:
        for item in [command, *command.params]:
            text = item.__dict__.get("_curtool_help", getattr(item, "help", None))
            if text:
                found[text] = f"{where} {getattr(item, 'name', '')}"
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, name)

    walk(group, "curtool")
    return found


def test_every_help_text_has_a_russian_form() -> None:
    texts = _help_texts()
    assert len(texts) > 50
    # the CSV dialects' help is built from their table: its head is what is checked
    missing = sorted(
        f"{where}: {text!r}" for text, where in texts.items() if text not in HELP and "csv" not in where
    )
    assert missing == [], "add these to curtool/app/helptext.py HELP:\n" + "\n".join(missing)


def test_help_in_russian_by_default_and_english_with_lang_en(russian_console) -> None:
    result = runner.invoke(app, ["recurring", "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0
    assert "Проблемы, которые возвращаются в районе" in result.stdout
    assert "Параметры" in result.stdout and "Только этот район" in result.stdout
    for args in (["--lang", "en", "recurring", "--help"], ["recurring", "--lang", "en", "--help"]):
        result = runner.invoke(app, args, env={"COLUMNS": "120"})
        assert "The problems that keep coming back in a district" in result.stdout, args
        assert "Options" in result.stdout and "Параметры" not in result.stdout
    result = runner.invoke(app, ["--help"], env={"COLUMNS": "120"})
    assert "Команды" in result.stdout and "Обучить модель секторов" in result.stdout
