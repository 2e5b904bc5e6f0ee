"""Reach: «Аудитория» and «Вовлеченность» read as numbers, summed per problem («нет данных»
where no message has them, never 0), the ranking by reach, and the CLI's --rank-by."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from curtool.app.cli import app
from curtool.core import columns as C
from curtool.core import reach
from curtool.core.mapping import map_columns
from curtool.core.recurring import RecurringSettings, find_recurring

runner = CliRunner()


@pytest.mark.parametrize(
    ("cell", "number"),
    [
        ("1234", 1234.0),
        ("1 234", 1234.0),
        ("1\u00a0234\u00a0567", 1234567.0),
        ("1,2K", 1200.0),
        ("1.5k", 1500.0),
        ("3 тыс.", 3000.0),
        ("2,5 млн", 2_500_000.0),
        ("1,234,567", 1234567.0),
        ("12,5", 12.5),
        ("", np.nan),
        ("много", np.nan),
        ("-5", np.nan),
        ("12 штук", np.nan),
    ],
)
def test_counts_are_read_as_people_write_them(cell: str, number: float) -> None:
    got = reach.parse_counts(pd.Series([cell], dtype=object)).iloc[0]
    assert (np.isnan(got) and np.isnan(number)) or got == number


def test_numeric_cells_stay_numbers() -> None:
    got = reach.parse_counts(pd.Series([10, None, 3.5], dtype=object))
    assert got.iloc[0] == 10 and np.isnan(got.iloc[1]) and got.iloc[2] == 3.5
    assert reach.parse_counts(pd.Series([7, 8])).tolist() == [7.0, 8.0]


def test_the_loader_maps_the_im_reach_columns() -> None:
    mapping = map_columns(["Текст инцидента", "Аудитория", "Вовлеченность", "URL автора"])
    assert mapping["audience"] == "Аудитория" and mapping["engagement"] == "Вовлеченность"


def test_problem_reach_sums_known_figures_and_says_no_data_otherwise() -> None:
    frame = pd.DataFrame(
        {C.AUDIENCE: [100.0, np.nan, 50.0, np.nan], C.ENGAGEMENT: [1.0, 2.0, np.nan, np.nan]}
    )
    got = reach.problem_reach(frame, {"P1": np.array([0, 1]), "P2": np.array([2]), "P3": np.array([3])})
    assert got.loc["P1"].tolist() == [100.0, 3.0]
    assert got.loc["P2"].tolist() == [50.0, reach.NO_DATA]
    assert got.loc["P3"].tolist() == [reach.NO_DATA, reach.NO_DATA]
    no_columns = reach.problem_reach(pd.DataFrame(index=range(2)), {"P1": np.array([0, 1])})
    assert no_columns.loc["P1"].tolist() == [reach.NO_DATA, reach.NO_DATA]


def test_ranking_by_reach_is_engagement_then_audience_and_unknown_last() -> None:
    problems = pd.DataFrame(
        {
            "id": ["a", "b", "c", "d", "e"],
            "count": [9, 8, 7, 6, 5],
            "engagement": [reach.NO_DATA, 10.0, 10.0, 0.0, 30.0],
            "audience": [10**6, 100.0, 500.0, 0.0, reach.NO_DATA],
        }
    )
    assert reach.rank_by(problems, "count")["id"].tolist() == ["a", "b", "c", "d", "e"]
    assert reach.rank_by(problems, "reach")["id"].tolist() == ["e", "c", "b", "d", "a"]
    assert reach.top_reach(problems)["id"] == "e"
    unknown = problems.assign(engagement=reach.NO_DATA, audience=reach.NO_DATA)
    assert reach.top_reach(unknown) is None


def _messages(audience: list[object] | None) -> pd.DataFrame:
    """Four weeks of the same complaint at one house: one recurring problem."""
    n = 4
    frame = pd.DataFrame(
        {
            C.ID: [str(i + 1) for i in range(n)],
            C.TEXT: ["Во дворе дома на улице Лесной 5 не горят фонари уже неделю"] * n,
            C.DISTRICT: ["Абинский"] * n,
            C.ADDRESS: ["ул. Лесная, д. 5"] * n,
            C.CREATED: pd.to_datetime(["2026-10-05", "2026-10-13", "2026-10-20", "2026-10-28"]),
            C.DUPLICATE: [False] * n,
        }
    )
    if audience is not None:
        frame[C.AUDIENCE] = reach.parse_counts(pd.Series(audience, dtype=object))
        frame[C.ENGAGEMENT] = [1.0, 2.0, np.nan, 4.0]
    return frame


def test_find_recurring_sums_the_reach_of_each_problem() -> None:
    found = find_recurring(_messages(["1 000", "2K", None, "500"]), settings=RecurringSettings())
    assert len(found.problems) == 1
    problem = found.problems.iloc[0]
    assert (problem["audience"], problem["engagement"]) == (3500.0, 7.0)
    record = found.to_json_dict()["problems"][0]
    assert (record["audience"], record["engagement"]) == (3500, 7)


def test_an_export_without_reach_columns_has_no_data_not_zero() -> None:
    found = find_recurring(_messages(None), settings=RecurringSettings())
    problem = found.problems.iloc[0]
    assert problem["audience"] == problem["engagement"] == reach.NO_DATA
    record = found.to_json_dict()["problems"][0]
    assert record["audience"] is None and record["engagement"] is None


def test_an_unknown_ranking_is_one_line_before_any_work(tmp_path: Path) -> None:
    out = tmp_path / "p.json"
    result = runner.invoke(
        app, ["recurring", str(tmp_path / "missing.csv"), "--rank-by", "likes", "--json", str(out)]
    )
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: --rank-by 'likes' is not a ranking. Hint: use --rank-by count (messages) "
        "or --rank-by reach (engagement, then audience) [bad-option]"
    )
    assert "Traceback" not in result.output and not out.exists()


@pytest.mark.slow
def test_recurring_ranked_by_reach_on_the_sample(tmp_path: Path) -> None:
    sample = Path(__file__).resolve().parent.parent / "data" / "samples" / "incidents_adygea.xlsx"
    out = tmp_path / "p.json"
    result = runner.invoke(
        app, ["--lang", "ru", "recurring", str(sample), "--rank-by", "reach", "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    problems = json.loads(out.read_text(encoding="utf-8"))["problems"]
    keys = [(p["engagement"], p["audience"]) for p in problems]
    assert keys == sorted(keys, reverse=True) and all(p["engagement"] is not None for p in problems)
    assert "вовлечённость" in result.output


@pytest.mark.slow
def test_reach_asked_of_an_export_without_it_says_no_data(tmp_path: Path) -> None:
    # the portal CSV has no «Аудитория»/«Вовлеченность»: the order is by messages, and says so
    sample = Path(__file__).resolve().parent.parent / "data" / "samples" / "pos_adygea.csv"
    out = tmp_path / "p.json"
    result = runner.invoke(
        app, ["--lang", "ru", "recurring", str(sample), "--rank-by", "reach", "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Охват: нет данных" in result.output
    assert "Порядок: по вовлечённости" not in result.output
