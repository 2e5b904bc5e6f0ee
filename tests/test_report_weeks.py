"""The weekly report on the weeks cron really meets: quiet, partial, stale, cut, header-only.

Every export here is written by the test itself (``_export``): a small ПОС-style CSV
(``;``, dd.mm.yyyy) with messages spread over several ISO weeks.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from curtool.app.cli import EXIT_WARNING, app
from curtool.core import sources as src
from curtool.core import weeks as wk

runner = CliRunner()
# Monday of 2026-W40; the export runs W40 … W45 and stops on Friday 6 November (W45)
START = date(2026, 9, 28)
LAST = date(2026, 11, 6)
TEXTS = (
    "Во дворе дома не убирают мусор уже неделю",
    "На остановке сломан навес, течёт вода",
    "В подъезде не горит свет третий день",
    "Яма на дороге у перекрёстка, машины бьют колёса",
    "В поликлинике нет записи к терапевту",
)
DISTRICTS = ("Северный район", "Южный район")


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def _rows(answers: bool = True) -> list[dict]:
    rows, k = [], 0
    day = START
    while day <= LAST:
        for j in range(3 + day.weekday() % 3):
            k += 1
            created = pd.Timestamp(day) + pd.Timedelta(hours=8 + 3 * j)
            row = {
                "ID": f"M{k:04d}",
                "Текст инцидента": f"{TEXTS[k % len(TEXTS)]} (обращение {k})",
                "Дата создания": created.strftime("%d.%m.%Y %H:%M"),
                "Муниципалитет": DISTRICTS[k % 2],
            }
            if answers:
                # every third message is answered late, every fifth closed eight days later,
                # every seventh never closed (its deadline passes while the export runs on)
                answer = created + pd.Timedelta(hours=30 if k % 3 == 0 else 5)
                closed = created + pd.Timedelta(days=8 if k % 5 == 0 else 2)
                row["Дата первого ответа"] = answer.strftime("%d.%m.%Y %H:%M")
                row["Дата закрытия"] = "" if k % 7 == 0 else closed.strftime("%d.%m.%Y %H:%M")
                row["Итог"] = "" if k % 7 == 0 else ("Решено" if k % 2 else "Разъяснено")
            rows.append(row)
        if day >= START + timedelta(weeks=3) and day.weekday() in (1, 3):
            # a problem that starts in W43 and keeps coming back: no report of W41 may know it
            k += 1
            rows.append(
                {
                    "ID": f"M{k:04d}",
                    "Текст инцидента": "Нет горячей воды в доме, ул. Садовая, д. 5, уже который день",
                    "Дата создания": (pd.Timestamp(day) + pd.Timedelta(hours=20)).strftime("%d.%m.%Y %H:%M"),
                    "Муниципалитет": DISTRICTS[0],
                }
            )
        day += timedelta(days=1)
    return rows


def _export(path: Path, rows: list[dict]) -> Path:
    pd.DataFrame(rows).to_csv(path, sep=";", index=False, encoding="cp1251")
    return path


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    return _export(tmp_path_factory.mktemp("weeks") / "pos.csv", _rows())


def _book_values(path: Path) -> dict[str, list[tuple]]:
    """Every sheet's cell values; the generation time is left out (it is the only thing that differs)."""
    book = openpyxl.load_workbook(path)
    out = {}
    for sheet in book.worksheets:
        values = []
        for row in sheet.iter_rows(values_only=True):
            values.append(tuple(v for v in row if not (isinstance(v, str) and v.startswith("Сформирован"))))
        out[sheet.title] = values
    return out


def _summary_text(path: Path) -> str:
    sheet = openpyxl.load_workbook(path).worksheets[0]
    return "\n".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)


# --- 1: a week without messages -------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize(
    "week",
    [
        "2026-W48",  # after the export: the cron case on a stale file
        "2026-W30",  # before the data: no baseline either
        "2026-W40",  # the first week: messages, but an empty baseline
    ],
)
def test_a_quiet_or_uncovered_week_writes_the_workbook(tmp_path, export, week) -> None:
    target = tmp_path / "r.xlsx"
    result = run("report", export, "--week", week, "-o", target, "--quiet")
    assert result.exit_code == 0, result.output
    assert "internal" not in result.output
    text = _summary_text(target)
    if week != "2026-W40":
        assert "сообщений не поступило" in text
        assert "06.11.2026" in text  # the export's last day is named
        assert f"warning: week {week} has no messages" in result.stderr
        assert "last message is from 2026-11-06" in result.stderr
        key = {
            row[0]: row[1]
            for row in openpyxl.load_workbook(target).worksheets[0].iter_rows(values_only=True)
            if row[0]
        }
        # the week before lies outside the export: unknown, not zero
        assert key["Неделей ранее"] == "нет данных"
        if week == "2026-W48":  # the baseline is the export's weeks W40–W45 only, not zeros after it
            assert "В среднем за 6 пред. нед." in key


# --- 2: a header-only export ----------------------------------------------------------------
def test_a_header_only_export_is_an_empty_report_not_a_crash(tmp_path) -> None:
    source = tmp_path / "h.csv"
    source.write_text("id;text;date;district\n", encoding="utf-8")
    target = tmp_path / "h.xlsx"
    result = run("report", source, "--week", "2026-W47", "-o", target, "--quiet")
    assert result.exit_code == 0, result.output
    assert "сообщений не поступило" in _summary_text(target)


# --- 5: figures the export cannot support ---------------------------------------------------
@pytest.mark.slow
def test_without_answer_dates_response_figures_are_no_data(tmp_path) -> None:
    source = _export(tmp_path / "plain.csv", _rows(answers=False))
    target = tmp_path / "r.xlsx"
    assert run("report", source, "--week", "2026-W44", "-o", target, "--quiet").exit_code == 0
    book = openpyxl.load_workbook(target)
    key = {row[0]: row[1] for row in book.worksheets[0].iter_rows(values_only=True) if row[0]}
    for label in ("Доля с нарушением срока ответа", "Открыто с истёкшим сроком", "Закрыто за неделю"):
        assert key[label] == "нет данных", label
    response = "\n".join(
        str(v) for row in book["Сроки ответа"].iter_rows(values_only=True) for v in row if v is not None
    )
    assert "дата первого ответа" in response and "дата закрытия" in response
    assert "100%" not in _summary_text(target)


@pytest.mark.slow
def test_with_answer_dates_response_figures_are_numbers(tmp_path, export) -> None:
    target = tmp_path / "r.xlsx"
    assert run("report", export, "--week", "2026-W44", "-o", target, "--quiet").exit_code == 0
    key = {row[0]: row[1] for row in openpyxl.load_workbook(target).worksheets[0].iter_rows(values_only=True)}
    # late: answered after 30 h against a 24 h deadline, or not answered by a deadline that
    # passed within the week; a message whose deadline runs past the week's end is not judged yet
    start, end = wk.week_bounds("2026-W44")
    judged = late = 0
    for r in _rows():
        created = pd.to_datetime(r["Дата создания"], dayfirst=True)
        if not start <= created < end:
            continue
        deadline = created + pd.Timedelta(hours=24)
        answer = pd.to_datetime(r.get("Дата первого ответа"), dayfirst=True)
        answered = pd.notna(answer) and answer < end
        if not answered and deadline > end:
            continue
        judged += 1
        late += (not answered) or answer > deadline
    assert judged and key["Доля с нарушением срока ответа"] == pytest.approx(late / judged)
    assert isinstance(key["Закрыто за неделю"], int)


# --- 6: no future data in a past week -------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("week", ["2026-W41", "2026-W43"])
def test_a_past_week_is_the_same_on_the_whole_file_and_on_the_file_cut_at_its_end(
    tmp_path, export, week
) -> None:
    rows = _rows()
    _, end = wk.week_bounds(week)
    cut_rows = [r for r in rows if pd.Timestamp(pd.to_datetime(r["Дата создания"], dayfirst=True)) < end]
    assert 0 < len(cut_rows) < len(rows)
    (tmp_path / "cut").mkdir()
    cut = _export(tmp_path / "cut" / export.name, cut_rows)  # the file's name is on every message
    whole_book, cut_book = tmp_path / "whole.xlsx", tmp_path / "cut.xlsx"
    assert run("report", export, "--week", week, "-o", whole_book, "--quiet").exit_code == 0
    assert run("report", cut, "--week", week, "-o", cut_book, "--quiet").exit_code == 0
    assert _book_values(whole_book) == _book_values(cut_book)


# --- 7: the default week is complete; a partial one says so ---------------------------------
@pytest.mark.slow
def test_the_default_week_is_the_latest_complete_one(tmp_path, export) -> None:
    result = run("report", export, "-o", tmp_path / "r-{week}.xlsx", "--quiet")
    assert result.exit_code == 0, result.output
    # the export stops on Friday of W45: W44 is the latest week it covers to the Sunday
    assert (tmp_path / "r-2026-W44.xlsx").exists()
    assert not (tmp_path / "r-2026-W45.xlsx").exists()
    assert "неполная" not in _summary_text(tmp_path / "r-2026-W44.xlsx")


@pytest.mark.slow
def test_a_partial_week_on_request_is_marked_everywhere(tmp_path, export) -> None:
    target = tmp_path / "r.xlsx"
    result = run("report", export, "--week", "2026-W45", "-o", target)
    assert result.exit_code == 0, result.output
    assert "warning: week 2026-W45 is incomplete: the export's last message is from 2026-11-06" in (
        result.stderr
    )
    assert "неполная неделя" in result.stdout.lower()
    book = openpyxl.load_workbook(target)
    for sheet in book.worksheets[:4]:
        assert "неполная неделя" in str(sheet["A1"].value), sheet.title
    text = _summary_text(target)
    # no comparison with full weeks, in words or in per cent
    assert "меньше, чем" not in text and "больше, чем" not in text and "% к среднему" not in text


# --- 9: cron can tell a stale export ----------------------------------------------------------
@pytest.mark.slow
def test_strict_gives_its_own_exit_code_and_still_writes(tmp_path, export) -> None:
    target = tmp_path / "r.xlsx"
    log = tmp_path / "run.log"
    result = run("report", export, "--week", "2026-W48", "-o", target, "--quiet", "--strict", "--log", log)
    assert result.exit_code == EXIT_WARNING == 3
    assert target.exists()
    line = log.read_text(encoding="utf-8")
    assert "\twarning\t" in line and "2026-11-06" in line


@pytest.mark.slow
def test_a_pattern_matching_nothing_is_a_warning_beside_other_inputs(tmp_path, export) -> None:
    target = tmp_path / "r.xlsx"
    pattern = tmp_path / "none" / "*.xlsx"
    result = run("report", export, pattern, "--week", "2026-W44", "-o", target, "--quiet")
    assert result.exit_code == 0, result.output
    said = f"warning: {pattern}: no files match this pattern; the other inputs are read"
    assert result.stderr.count(said) == 1  # said once, though the report also logs it
    alone = run("report", pattern, "--week", "2026-W44", "-o", target, "--quiet")
    assert alone.exit_code == 1
    assert "no files match this pattern" in alone.stderr


# --- 11: sources --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "source",
    ["Виджет ПОС", "виджет на сайте администрации", "Мобильное приложение", "Госуслуги. Решаем вместе"],
)
def test_pos_widget_and_mobile_app_are_pos(source: str) -> None:
    assert src.platform_of("", source) == src.PLATFORM_POS
