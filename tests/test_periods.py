"""Reports of any period: a month, a quarter, --since/--until, and their comparisons.

Metamorphic checks: a Monday–Sunday range is its ISO week; a month reported from the whole
export is the month reported from the export cut at the month's end.  Year-ago figures
appear only when the export covers that period whole (generated exports spanning more than
a year, or hand-built frames); otherwise they are «нет данных», never 0 or a percentage.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from frames import message_frame
from typer.testing import CliRunner

from curtool.app.cli import app
from curtool.core import columns as C
from curtool.core import errors
from curtool.core import periods as P
from curtool.core.report import build_report
from curtool.core.summary import NO_DATA
from curtool.synthetic.bulk import generate_messages

runner = CliRunner()
TODAY = date(2026, 12, 3)


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


# --- the periods themselves -----------------------------------------------------------------
def test_labels_bounds_and_neighbours() -> None:
    month = P.parse_month("2026-11", TODAY)
    assert (month.label, month.days, month.title) == ("2026-11", 30, "Ноябрь 2026")
    assert (month.shifted(-1).label, month.year_ago().label) == ("2026-10", "2025-11")
    assert P.parse_month("2026-1", TODAY).shifted(-1).label == "2025-12"
    quarter = P.parse_quarter("2026-Q4", TODAY)
    assert (quarter.label, quarter.days, quarter.title) == ("2026-Q4", 92, "IV квартал 2026 г.")
    assert (quarter.shifted(-1).label, quarter.shifted(-4).label) == ("2026-Q3", "2025-Q4")
    days = P.day_range(date(2026, 11, 1), date(2026, 11, 30))
    assert days.title == "Период 1–30 ноября 2026 г."
    assert days.shifted(-1).label == "2026-10-02..2026-10-31"  # the same 30 days right before
    assert days.year_ago().label == "2025-11-01..2025-11-30"
    week = P.week_period("2026-W47")
    assert week.title == "Неделя 2026-W47 (16–22 ноября 2026 г.)"
    assert week.year_ago().label == "2025-W47"  # the same week number, not the same dates
    assert P.week_period("2026-W53").year_ago() is None  # 2025 has 52 ISO weeks
    leap = P.day_range(date(2028, 2, 29), date(2028, 2, 29))
    assert leap.year_ago().label == "2027-02-28..2027-02-28"


@pytest.mark.parametrize(
    ("today", "month", "quarter"),
    [
        (date(2026, 12, 3), "2026-11", "2026-Q3"),
        (date(2026, 12, 1), "2026-11", "2026-Q3"),
        (date(2027, 1, 1), "2026-12", "2026-Q4"),
        (date(2026, 3, 31), "2026-02", "2025-Q4"),
    ],
)
def test_last_month_and_quarter_are_complete_before_today(today, month, quarter) -> None:
    assert P.parse_month("last", today).label == month
    assert P.parse_quarter("LAST", today).label == quarter


def test_open_bounds_run_to_the_data() -> None:
    span = P.wk.DataSpan(pd.Timestamp("2026-09-14 08:00"), pd.Timestamp("2026-11-22 19:00"))
    assert P.resolve_period(span, TODAY, since="2026-11-01").label == "2026-11-01..2026-11-22"
    assert P.resolve_period(span, TODAY, until="30.09.2026").label == "2026-09-14..2026-09-30"


def test_an_open_bound_is_not_checked_against_today() -> None:
    # before reading, --until alone must not be compared with today (as if --since were today)
    P.check_choice(TODAY, until="2020-11-15")
    P.check_choice(TODAY, since="2030-01-01")
    with pytest.raises(errors.CurtoolError):
        P.check_choice(TODAY, since="2026-11-20", until="2026-11-01")


# --- the CLI's one-line errors ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["--month", "2026-13"],
            "error: --month «2026-13» is not a month. Hint: write it as YYYY-MM (for example 2026-11), "
            "or «last» for the last complete month [bad-option]",
        ),
        (
            ["--quarter", "4 кв"],
            "error: --quarter «4 кв» is not a quarter. Hint: write it as YYYY-Qn (for example 2026-Q4), "
            "or «last» for the last complete quarter [bad-option]",
        ),
        (
            ["--since", "2026-11-31"],
            "error: --since «2026-11-31» is not a date. Hint: write it as YYYY-MM-DD or DD.MM.YYYY "
            "(for example 2026-11-01) [bad-option]",
        ),
        (
            ["--month", "2026-11", "--week", "2026-W47"],
            "error: --week and --month name different periods. Hint: give one of --week, --month, "
            "--quarter or --since/--until [bad-option]",
        ),
        (
            ["--quarter", "last", "--until", "2026-11-01"],
            "error: --quarter and --since/--until name different periods. Hint: give one of --week, "
            "--month, --quarter or --since/--until [bad-option]",
        ),
        (
            ["--since", "2026-11-20", "--until", "2026-11-01"],
            "error: --until 2026-11-01 is before --since 2026-11-20. Hint: the period runs from --since "
            "to --until, both days included [bad-option]",
        ),
    ],
)
def test_bad_period_options_are_one_line_before_reading(tmp_path, args, line) -> None:
    # the export does not exist: the option is refused before any file is opened
    result = run("report", tmp_path / "absent.csv", *args, "-o", tmp_path / "r.xlsx")
    assert result.exit_code == 1
    assert result.stderr == line + "\n"
    assert result.stdout == ""
    assert not (tmp_path / "r.xlsx").exists()


def test_bad_period_option_in_russian(tmp_path, russian_console) -> None:
    result = run("report", tmp_path / "absent.csv", "--month", "2026-13", "-o", tmp_path / "r.xlsx")
    assert result.exit_code == 1
    assert result.stderr == (
        "ошибка: --month «2026-13» — не месяц. Подсказка: пишите месяц как ГГГГ-ММ (например, 2026-11) "
        "или «last» — последний полный месяц [bad-option]\n"
    )


# --- hand-built frames ---------------------------------------------------------------------------
def _frame(first: str, last: str, per_day: int = 2, seed: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Messages every day from ``first`` to ``last`` (two districts, two sectors), classified."""
    rng = np.random.default_rng(seed)
    rows = []
    for day in pd.date_range(first, last, freq="D"):
        for k in range(per_day + int(rng.integers(0, 3))):
            created = day + pd.Timedelta(hours=8 + k)
            rows.append(
                {
                    "created": created,
                    "district": ("Северный", "Южный")[k % 2],
                    "answer": created + pd.Timedelta(hours=6 + k),
                    "closed": created + pd.Timedelta(days=3) if k % 3 else None,
                    "status": "Решено",
                }
            )
    frame = message_frame(rows)
    sectors = np.where(np.arange(len(frame)) % 3 == 0, "Дорожное хозяйство", "ЖКХ")
    classified = pd.DataFrame({C.SECTOR: sectors, C.SECTOR_CONFIDENCE: 0.9}, index=frame.index)
    return frame, classified


def _figures(report) -> dict[str, object]:
    return dict(zip(report.key_figures["label"], report.key_figures["value"], strict=True))


@pytest.mark.slow
def test_a_monday_to_sunday_range_is_its_week() -> None:
    frame, classified = _frame("2026-08-03", "2026-11-29")  # from a Monday: every week whole
    week = build_report(frame, classified, period=P.week_period("2026-W47"), today=TODAY)
    days = build_report(
        frame, classified, period=P.resolve_period(frame, TODAY, since="2026-11-16", until="2026-11-22")
    )
    assert days.term.kind == "range" and week.term.kind == "week"
    assert days.totals.count == week.totals.count
    assert days.totals.baseline == week.totals.baseline
    assert days.totals.baseline_weeks == week.totals.baseline_weeks == 8
    pd.testing.assert_frame_equal(days.heat.counts, week.heat.counts)
    pd.testing.assert_frame_equal(days.heat.change, week.heat.change)
    pd.testing.assert_frame_equal(days.surges, week.surges)
    pd.testing.assert_frame_equal(days.response_by_sector, week.response_by_sector)
    assert days.weekly_by_sector.equals(week.weekly_by_sector)
    assert days.comparison.by_district.equals(week.comparison.by_district)
    # the same figures, named for a period: «Сообщений за период», «За столько же дней до того»
    assert list(_figures(days).values()) == list(_figures(week).values())


def test_a_month_is_the_same_from_a_file_cut_at_its_end() -> None:
    frame, classified = _frame("2026-06-01", "2026-12-02")
    month = P.parse_month("2026-10", TODAY)
    whole = build_report(frame, classified, period=month, today=TODAY)
    keep = frame[C.CREATED] < month.end
    cut = frame.loc[keep].copy()
    for col in (C.FIRST_ANSWER, C.CLOSED):  # what the export said on 31 October
        cut[col] = cut[col].where(cut[col] < month.end)
    alone = build_report(cut, classified.loc[keep], period=month, today=TODAY)
    assert whole.summary_lines == alone.summary_lines
    assert _figures(whole) == _figures(alone)
    pd.testing.assert_frame_equal(whole.heat.counts, alone.heat.counts)
    pd.testing.assert_frame_equal(whole.response_by_district, alone.response_by_district)
    assert whole.weekly_by_district.equals(alone.weekly_by_district)
    # nothing from November leaks in: the dynamics end with October
    assert whole.weekly_by_sector.index[-1] == "2026-10"
    assert whole.totals.count == int(month.contains(frame[C.CREATED]).sum())


@pytest.mark.slow
def test_year_ago_only_when_the_export_covers_it_whole() -> None:
    frame, classified = _frame("2025-11-01", "2026-11-30")
    month = P.parse_month("2026-11", TODAY)
    report = build_report(frame, classified, period=month, today=TODAY)
    figures = _figures(report)
    then = int(P.parse_month("2025-11", TODAY).contains(frame[C.CREATED]).sum())
    assert figures["Годом ранее"] == then
    assert figures["Изменение к году ранее"] == pytest.approx((report.totals.count - then) / then)
    assert any(
        line.startswith("Годом ранее (1–30 ноября 2025 г.) поступило") for line in report.summary_lines
    )
    by_sector = report.comparison.by_sector.set_index(C.SECTOR)
    assert by_sector.loc["Всего", "year_ago"] == then

    # the export begins on 2 November 2025: a year back is a fragment, not a count
    later = frame[C.CREATED] >= pd.Timestamp("2025-11-02")
    report = build_report(frame.loc[later], classified.loc[later], period=month, today=TODAY)
    figures = _figures(report)
    assert figures["Годом ранее"] == NO_DATA and figures["Изменение к году ранее"] == NO_DATA
    assert "Годом ранее (1–30 ноября 2025 г.): нет данных — выгрузка начинается 02.11.2025." in (
        report.summary_lines
    )
    assert set(report.comparison.by_district["year_ago"]) == {NO_DATA}
    assert figures["Месяцем ранее"] == int(month.shifted(-1).contains(frame[C.CREATED]).sum())


def test_a_partial_month_is_marked_and_not_compared() -> None:
    frame, classified = _frame("2025-09-01", "2026-11-20")
    report = build_report(frame, classified, period=P.parse_month("2026-11", TODAY), today=TODAY)
    assert report.partial and report.marker == "неполный месяц"
    assert report.summary_lines[0].startswith("Неполный месяц: выгрузка заканчивается 20.11.2026")
    figures = _figures(report)
    assert figures["Сообщений за месяц (неполный месяц)"] == report.totals.count
    for label in ("Месяцем ранее", "Изменение к предыдущему месяцу", "Годом ранее", "Изменение к году ранее"):
        assert figures[label] == NO_DATA
    assert report.reported.heading(report.marker) == "Ноябрь 2026 (неполный месяц)"


def test_a_baseline_month_the_export_begins_inside_is_left_out() -> None:
    frame, classified = _frame("2026-07-15", "2026-11-30")
    report = build_report(frame, classified, period=P.parse_month("2026-11", TODAY), today=TODAY)
    assert report.totals.baseline_weeks == 3  # August, September, October; not half of July
    months = [P.parse_month(m, TODAY) for m in ("2026-08", "2026-09", "2026-10")]
    per_day = sum(int(m.contains(frame[C.CREATED]).sum()) for m in months) / sum(m.days for m in months)
    # the heat map's baseline is per month of the report's length (30 days)
    assert report.heat.baseline.to_numpy().sum() == pytest.approx(per_day * 30)


def test_a_quarter_shows_its_dynamics_by_month_and_judges_surges_per_quarter() -> None:
    frame, classified = _frame("2024-10-01", "2026-12-31", per_day=1)
    # a surge: twenty extra road messages a week in one district all through 2026-Q4
    extra = []
    for day in pd.date_range("2026-10-01", "2026-12-31", freq="D"):
        extra += [{"created": day + pd.Timedelta(hours=h), "district": "Южный"} for h in (9, 12, 15)]
    more = message_frame(extra)
    more.index = more.index + len(frame)
    frame = pd.concat([frame, more])
    classified = pd.concat(
        [
            classified,
            pd.DataFrame({C.SECTOR: "Дорожное хозяйство", C.SECTOR_CONFIDENCE: 0.9}, index=more.index),
        ]
    )
    report = build_report(frame, classified, period=P.parse_quarter("2026-Q4", TODAY), today=date(2027, 1, 5))
    assert report.weekly_by_sector.index[0] == "2024-10" and report.weekly_by_sector.index[-1] == "2026-12"
    assert report.totals.baseline_weeks == 8
    surge = report.surges.set_index([C.DISTRICT, C.SECTOR])
    assert ("Южный", "Дорожное хозяйство") in surge.index
    assert "в квартал" in next(line for line in report.summary_lines if line.startswith("Всплески"))


# --- the CLI on a generated export spanning more than a year ------------------------------------
@pytest.fixture(scope="module")
def long_export(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("long") / "pos.csv"
    # 70 weeks to 2026-W47: from August 2025 on
    generate_messages(1500, seed=5, weeks=70, end_week="2026-W47").to_csv(
        path, sep=";", index=False, encoding="cp1251"
    )
    return path


@pytest.mark.slow
def test_month_report_from_the_cli(tmp_path, long_export, russian_console) -> None:
    template = tmp_path / "reports" / "r-{period}.xlsx"
    result = run("report", long_export, "--month", "last", "--today", "2026-11-05", "-o", template)
    assert result.exit_code == 0, result.output
    assert "Октябрь 2026\n" in result.stdout
    out = tmp_path / "reports" / "r-2026-10.xlsx"
    book = openpyxl.load_workbook(out)
    assert "Сравнение" in book.sheetnames
    figures = {r[0]: r[1] for r in book["Сводка"].iter_rows(values_only=True) if r[0]}
    assert figures["Сообщений за месяц"] > 0
    assert isinstance(figures["Годом ранее"], int) and isinstance(figures["Месяцем ранее"], int)
    assert book["Сводка"]["A1"].value.startswith("Ежемесячный отчёт: 1–31 октября 2026 г. (2026-10)")
    # the sheets speak of the month: headers, notes and empty-table lines
    for name in ("Сводка", "Тепловая карта", "Всплески", "Сроки ответа", "Исполнители", "Сравнение"):
        cells = [v for row in book[name].iter_rows(values_only=True) for v in row if isinstance(v, str)]
        assert not [c for c in cells if "за неделю" in c or "в неделю" in c], name
    assert book["Всплески"]["C4"].value == "Сообщений за месяц"
    log = (tmp_path / "reports" / "curtool.log").read_text(encoding="utf-8")
    assert "\tweek=2026-10\tperiod=Октябрь 2026\t" in log

    # --week still names the file through {week}
    result = run("report", long_export, "--quarter", "2026-Q3", "-o", tmp_path / "q-{week}.xlsx")
    assert result.exit_code == 0, result.output
    assert "III квартал 2026 г." in result.stdout
    assert (tmp_path / "q-2026-Q3.xlsx").exists()
