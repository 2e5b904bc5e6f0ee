"""Executors: the per-executor response table, its ranking, «нет данных» where the export
is silent, spelling variants merged, the «Исполнители» sheet and the CLI's column option."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from frames import W47, message_frame
from openpyxl import load_workbook
from typer.testing import CliRunner

from curtool.app.cli import app
from curtool.core import aggregate as agg
from curtool.core import columns as C
from curtool.core import executors as ex
from curtool.core import response as rt
from curtool.core.mapping import map_columns
from curtool.core.report import build_report
from curtool.io.reportbook import SHEET_EXECUTORS, write_report

WEEK = "2026-W47"
END = W47 + pd.Timedelta(days=7)  # the deadlines are judged here
runner = CliRunner()


def _frame(rows: list[dict]) -> pd.DataFrame:
    frame = message_frame(rows)
    frame[C.EXECUTOR] = [r.get("who", "") for r in rows]
    return frame


def _table(frame: pd.DataFrame, **known) -> pd.DataFrame:
    sector = pd.Series("ЖКХ", index=frame.index)
    prepared = agg.prepare(frame, sector)
    return ex.executor_times(prepared, frame[C.EXECUTOR], WEEK, rt.Deadlines(), as_of=END, **known)


def _row(table: pd.DataFrame, name: str) -> pd.Series:
    return table.set_index(C.EXECUTOR).loc[name]


def h(hours: float, base: pd.Timestamp = W47) -> pd.Timestamp:
    return base + pd.Timedelta(hours=hours)


# A: late answer, answer in time, no answer with the deadline long passed → 2 overdue of 3.
# B: one message on Sunday night, unanswered, its day not over at the week's end → not overdue.
# C: one message, answered late → 1 overdue of 1 (100 %), but fewer overdue than A.
ROWS = [
    {"who": "Администрация района", "created": h(1), "answer": h(31)},
    {"who": "Администрация района", "created": h(2), "answer": h(5), "closed": h(20)},
    {"who": "Администрация района", "created": h(3)},
    {"who": "Управление ЖКХ", "created": h(167)},
    {"who": "Минприроды", "created": h(10), "answer": h(60)},
]


def test_overdue_only_when_the_deadline_passed_and_ranked_by_count_not_share() -> None:
    table = _table(_frame(ROWS))
    assert list(table[C.EXECUTOR]) == ["Администрация района", "Минприроды", "Управление ЖКХ", rt.TOTAL]
    a = _row(table, "Администрация района")
    assert (a[rt.RT_MESSAGES], a[rt.RT_ANSWERED], a[rt.RT_FIRST_OVERDUE_N]) == (3, 2, 2)
    assert a[rt.RT_FIRST_OVERDUE] == pytest.approx(2 / 3)
    assert a[rt.RT_FIRST_MEDIAN] == pytest.approx((30 + 3) / 2)
    assert a[rt.RT_CLOSED] == 1 and a[rt.RT_CLOSE_OVERDUE_N] == 0
    assert a[rt.RT_OPEN_OVERDUE] == 0  # ten days have not passed for the open ones
    b = _row(table, "Управление ЖКХ")
    assert b[rt.RT_FIRST_OVERDUE_N] == 0 and np.isnan(b[rt.RT_FIRST_OVERDUE])  # still waiting
    c = _row(table, "Минприроды")
    assert c[rt.RT_FIRST_OVERDUE] == 1.0 and c[rt.RT_FIRST_OVERDUE_N] == 1
    total = table.iloc[-1]
    assert total[rt.RT_MESSAGES] == 5 and total[rt.RT_FIRST_OVERDUE_N] == 3
    assert rt.RT_FIRST_DEADLINE not in table  # an executor's messages mix sectors


def test_missing_date_columns_are_no_data_never_overdue() -> None:
    rows = [{"who": "Администрация района", "created": h(1)}, {"who": "Минприроды", "created": h(2)}]
    table = _table(_frame(rows), first_answer_known=False, closed_known=False)
    for col in (
        rt.RT_ANSWERED,
        rt.RT_FIRST_MEDIAN,
        rt.RT_FIRST_P90,
        rt.RT_FIRST_OVERDUE_N,
        rt.RT_FIRST_OVERDUE,
    ):
        assert set(table[col]) == {rt.NO_DATA}, col
    for col in (rt.RT_CLOSED, rt.RT_CLOSE_MEDIAN, rt.RT_CLOSE_OVERDUE_N, rt.RT_OPEN_OVERDUE):
        assert set(table[col]) == {rt.NO_DATA}, col
    assert list(table[rt.RT_MESSAGES]) == [1, 1, 2]
    assert ex.worst(table) is None  # nothing is known to be overdue


def test_a_file_without_a_date_column_adds_no_overdue_to_a_mixed_export() -> None:
    """One file with answer and closing dates, one without: the second file's unanswered,
    unclosed messages are unknown, not late (an export once «invented overdue answers»)."""
    old = W47 - pd.Timedelta(days=30)
    rows = [
        {"who": "Администрация района", "created": h(1), "answer": h(2)},
        {"who": "Администрация района", "created": h(3)},
        {"who": "Администрация района", "created": old},
    ]
    frame = _frame(rows)
    frame[C.HAS_FIRST_ANSWER] = [True, False, False]
    frame[C.HAS_CLOSED] = [True, False, False]
    a = _row(_table(frame), "Администрация района")
    assert a[rt.RT_FIRST_OVERDUE_N] == 0 and a[rt.RT_OPEN_OVERDUE] == 0
    frame[C.HAS_FIRST_ANSWER] = frame[C.HAS_CLOSED] = True  # the same rows from a file with the columns
    a = _row(_table(frame), "Администрация района")
    assert a[rt.RT_FIRST_OVERDUE_N] == 1 and a[rt.RT_OPEN_OVERDUE] == 1


def test_spelling_variants_of_one_executor_are_one_row() -> None:
    names = pd.Series(
        [
            "Министерство природных ресурсов",
            "министерство  природных ресурсов",
            " Министерство природных ресурсов. ",
            "Администрация МО «Город»",
            'администрация мо "город"',
            "Объединённая служба",
            "Объединенная служба",
            "Объединённая служба",
            "",
        ]
    )
    shown = ex.executor_names(names)
    assert shown.tolist() == [
        "Министерство природных ресурсов",
        "Министерство природных ресурсов",
        "Министерство природных ресурсов",
        "Администрация МО «Город»",  # ties: the alphabetically first spelling
        "Администрация МО «Город»",
        "Объединённая служба",  # the spelling used most
        "Объединённая служба",
        "Объединённая служба",
        ex.NO_EXECUTOR,
    ]


def test_messages_without_an_executor_come_after_every_executor() -> None:
    rows = [{"who": "", "created": h(i)} for i in range(3)] + [{"who": "Минприроды", "created": h(5)}]
    table = _table(_frame(rows))
    assert list(table[C.EXECUTOR]) == ["Минприроды", ex.NO_EXECUTOR, rt.TOTAL]


@pytest.mark.parametrize(
    "header",
    ["Исполнитель", "Ответственное лицо", "Ответственный", "Орган власти", "Ответственный исполнитель"],
)
def test_the_loader_finds_the_executor_under_its_usual_names(header: str) -> None:
    mapping = map_columns(["Текст сообщения", "Время назначения последнего исполнителя", header])
    assert mapping["executor"] == header


def test_a_time_of_assigning_the_executor_is_no_executor() -> None:
    mapping = map_columns(
        ["Текст сообщения", "Время назначения последнего исполнителя", "Комментарий исполнителя"]
    )
    assert "executor" not in mapping


# --- the report ------------------------------------------------------------------------------------
def _report(frame: pd.DataFrame, known: set[str]):
    classified = pd.DataFrame({C.SECTOR: "ЖКХ", C.SECTOR_CONFIDENCE: 1.0}, index=frame.index)
    return build_report(frame, classified, week=WEEK, today=date(2026, 12, 1), known_fields=known)


def _sheet(report, tmp_path: Path) -> list[tuple]:
    path = write_report(report, tmp_path / "r.xlsx")
    return list(load_workbook(path)[SHEET_EXECUTORS].iter_rows(values_only=True))


def test_the_sheet_lists_every_executor_with_russian_headers(tmp_path) -> None:
    report = _report(_frame(ROWS), {"created", "first_answer", "closed", "executor"})
    rows = _sheet(report, tmp_path)
    assert rows[3][:7] == (
        "Исполнитель",
        "Сообщений за неделю",
        "С первым ответом",
        "Ответ: медиана, ч",
        "Ответ: 90-й процентиль, ч",
        "Ответ позже срока, сообщений",
        "Ответ позже срока, доля",
    )
    assert [r[0] for r in rows[4:]] == ["Администрация района", "Минприроды", "Управление ЖКХ", rt.TOTAL]
    assert rows[4][1:3] == (3, 2) and rows[4][5] == 2
    line = next(s for s in report.summary_lines if s.startswith("Больше всего просрочек"))
    assert "«Администрация района»" in line and "2 из 3 сообщений" in line


def test_no_executor_column_says_so_on_the_sheet_and_in_the_letter(tmp_path) -> None:
    frame = message_frame(ROWS)
    report = _report(frame, {"created", "first_answer", "closed"})
    assert report.executors is None
    rows = _sheet(report, tmp_path)
    assert rows[3][0] == ex.NO_COLUMN == "нет данных: в выгрузке нет столбца исполнителя"
    assert "Сроки по исполнителям: нет данных — в выгрузке нет столбца исполнителя." in report.summary_lines


def test_no_answer_dates_leave_the_executor_sheet_without_invented_figures(tmp_path) -> None:
    report = _report(_frame(ROWS), {"created", "executor"})
    rows = _sheet(report, tmp_path)
    header = rows[3]
    for row in rows[4:]:
        for name in ("С первым ответом", "Ответ позже срока, сообщений", "Открыто с истёкшим сроком"):
            assert row[header.index(name)] == rt.NO_DATA
    assert not any(s.startswith("Больше всего просрочек") for s in report.summary_lines)


@pytest.mark.slow
def test_executor_column_option_reaches_the_report(tmp_path) -> None:
    export = tmp_path / "export.csv"
    export.write_text(
        "Текст;Дата;Дата ответа;Кто отвечает\n"
        "Нет воды;16.11.2026 10:00;18.11.2026 10:00;Водоканал\n"
        "Яма на дороге;17.11.2026 10:00;17.11.2026 12:00;Дорожная служба\n",
        encoding="utf-8",
    )
    out = tmp_path / "r.xlsx"
    result = runner.invoke(
        app,
        [
            "--lang",
            "ru",
            "report",
            str(export),
            "-o",
            str(out),
            "--executor-column",
            "Кто отвечает",
            "--week",
            WEEK,
        ],
    )
    assert result.exit_code == 0, result.output
    rows = list(load_workbook(out)[SHEET_EXECUTORS].iter_rows(values_only=True))
    assert [r[0] for r in rows[4:]] == ["Водоканал", "Дорожная служба", rt.TOTAL]
    assert "Исполнители: больше всего просрочек" in result.output
