"""Every error a user can meet has its Russian form, and the error line reads in Russian.

The catalogue (:mod:`curtool.app.messages`) is keyed by message template; the templates are
read from the source itself (tests/errorsites.py, an AST walk over every ``CurtoolError``
raise site), so a new error without a Russian form fails here, not in front of a user.
"""

from __future__ import annotations

import string

import pytest
from errorsites import sites
from typer.testing import CliRunner

from curtool.app.cli import app
from curtool.app.messages import CATALOGUE, FRAGMENTS, error_line, russian
from curtool.core import errors

runner = CliRunner()


def _holes(template: str) -> int:
    return sum(1 for _, field, _, _ in string.Formatter().parse(template) if field is not None)


def _literal(template: str) -> str:
    return "".join(text for text, _, _, _ in string.Formatter().parse(template)).strip()


def test_every_error_message_and_hint_has_a_russian_form() -> None:
    found = list(sites())
    assert len(found) > 150  # the walk really reads the package
    unreadable = [f"{s.file}:{s.line} ({s.role})" for s in found if s.template is None]
    assert unreadable == [], "write these as a literal or an f-string so they can be translated"
    # a template that is only a hole passes on another error's text, translated where it is raised
    missing = sorted(
        {
            f"{s.file}:{s.line}: {s.template!r}"
            for s in found
            if _literal(s.template) and s.template not in CATALOGUE
        }
    )
    assert missing == [], "add these to curtool/app/messages.py CATALOGUE:\n" + "\n".join(missing)


def test_every_russian_form_keeps_the_values() -> None:
    for english, russian_text in {**CATALOGUE, **FRAGMENTS}.items():
        assert _holes(english) == _holes(russian_text), english


@pytest.mark.parametrize(
    ("english", "expected"),
    [
        ("file not found", "файл не найден"),
        ("«2026-W99» is not a week", "«2026-W99» — не неделя"),
        ("[recurring] min_count must be a whole number, not 1.5", "[recurring] min_count должен быть целым числом, а не 1.5"),
        ("[input] sheet must be text in quotes or a whole number, not 1.5",
         "[input] sheet должен быть текстом в кавычках или целым числом, а не 1.5"),
        ("[deadlines] deadlines for ЖКХ must be a table sector = hours",
         "[deadlines] сроки для ЖКХ должны быть таблицей сектор = часы"),
        ("the only field is {period} (or {week}), e.g. reports/curtool-{period}.xlsx",
         "поле только одно — {period} (или {week}), например reports/curtool-{period}.xlsx"),
        ("something nobody wrote", "something nobody wrote"),
    ],
)  # fmt: skip
def test_russian_fills_the_template_and_translates_the_values_too(english: str, expected: str) -> None:
    assert russian(english) == expected


def test_error_line_in_russian_names_the_place_and_keeps_the_code(russian_console) -> None:
    exc = errors.CurtoolError(
        errors.NO_SUCH_COLUMN, "there is no column «X» for --text-column", "columns seen: «A», «B»",
        path="/tmp/some dir/export.csv", row=12, column="Текст",
    )  # fmt: skip
    assert error_line(exc) == (
        "ошибка: export.csv, строка 12, столбец «Текст»: нет столбца «X» для --text-column. "
        "Подсказка: найдены столбцы: «A», «B» [no-such-column]"
    )


def test_error_line_in_english_is_the_errors_own_line() -> None:
    exc = errors.CurtoolError(errors.FILE_NOT_FOUND, "file not found", "check the path", path="a.csv")
    assert error_line(exc) == "error: a.csv: file not found. Hint: check the path [file-not-found]"


def test_cli_error_in_russian_by_default(russian_console, tmp_path) -> None:
    result = runner.invoke(app, ["report", str(tmp_path / "нет.csv")])
    assert result.exit_code == 1
    assert result.stderr == (
        "ошибка: нет.csv: файл не найден. Подсказка: проверьте путь; имена с пробелами берите в кавычки "
        "[file-not-found]\n"
    )
    assert result.stdout == ""


def test_cli_error_in_english_with_lang_en(russian_console, tmp_path) -> None:
    for args in (
        ["--lang", "en", "report", str(tmp_path / "x.csv")],
        ["report", str(tmp_path / "x.csv"), "--lang", "en"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 1
        assert result.stderr.startswith("error: x.csv: file not found. Hint: check the path"), args


def test_every_stage_of_the_progress_bar_has_an_english_name() -> None:
    from curtool.app import pipeline
    from curtool.app.messages import ENGLISH_STAGES, say

    stages = [v for k, v in vars(pipeline).items() if k.isupper() and isinstance(v, str) and v[:1].isupper()]
    assert stages and all(stage in ENGLISH_STAGES for stage in stages), stages
    assert say("Сборка отчёта") == "Building the report"  # the tests' console is English
