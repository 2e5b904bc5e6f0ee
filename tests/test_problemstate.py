"""Problem state between reports: new, continuing, quiet and returned problems.

The comparison (``core.problemstate``) on hand-built problems, the state file
(``io.statefile``), and a cron-like sequence of weekly ``report`` runs through the CLI on an
export the test writes itself.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from curtool.app.cli import app
from curtool.core import errors
from curtool.core import problemstate as PS
from curtool.core.problemstate import Current, ProblemState, StatePeriod, compare
from curtool.io import statefile

runner = CliRunner()


def week(n: int) -> StatePeriod:
    """The n-th week from Monday 2026-08-03 (2026-W32)."""
    start = date(2026, 8, 3) + timedelta(weeks=n)
    iso = start.isocalendar()
    return StatePeriod(f"{iso.year}-W{iso.week:02d}", start, start + timedelta(days=6))


def problem(pid: str, msgs: range | list, n: int, last: int | None = None, **kw) -> Current:
    """A problem with messages m<k> for k in ``msgs``, ``n`` of them in the period, its last
    message on the Wednesday of week ``last``."""
    seen = week(last).start + timedelta(days=2) if last is not None else None
    return Current(
        id=pid,
        district=kw.get("district", "Северный район"),
        sector=kw.get("sector", "ЖКХ"),
        kind=kw.get("kind", "Протечка кровли"),
        place=kw.get("place", PS.place_hash("Северный район", pid)),
        systemic=kw.get("systemic", False),
        messages=frozenset(f"m{k}" for k in msgs),
        in_period=n,
        count=len(msgs),
        last_seen=seen,
    )


# --- the comparison --------------------------------------------------------------------------
def test_first_run_starts_the_state_without_calling_anything_new():
    dyn = compare(
        None, [problem("P1", range(3), 2, last=0), problem("P2", range(10, 13), 0, last=-6)], week(0)
    )
    assert dyn.first
    assert dyn.statuses == {"P1": PS.OPEN, "P2": PS.QUIET}  # P2: silent for six weeks already
    assert (
        dyn.sentence() == "Состояние проблем начато: сравнивать не с чем — следующий отчёт покажет динамику."
    )
    assert dyn.gone_quiet == []
    assert [s.period for s in dyn.state.snapshots] == [week(0)]


def run_weeks(plan: dict[int, list[Current]], state: ProblemState | None = None):
    out = {}
    for n, problems in plan.items():
        dyn = compare(state, problems, week(n))
        state = dyn.state
        out[n] = dyn
    return out, state


def test_new_continuing_quiet_and_back_over_weeks():
    plan = {
        0: [problem("A", range(3), 1, last=0), problem("B", range(10, 13), 1, last=0), problem("D", [20, 21, 22], 0, last=-9)],
        1: [problem("A", range(4), 1, last=1), problem("B", range(10, 13), 0, last=0), problem("D", [20, 21, 22], 0, last=-9)],
        2: [
            problem("A", range(5), 1, last=2),
            problem("B", range(10, 13), 0, last=0),
            problem("C", range(30, 33), 2, last=2),
            problem("D", [20, 21, 22, 23], 1, last=2),
        ],
        3: [problem("A", range(5), 0, last=2), problem("B", range(10, 13), 0, last=0), problem("C", range(30, 33), 0, last=2),
            problem("D", [20, 21, 22, 23], 0, last=2)],
    }  # fmt: skip
    out, _ = run_weeks(plan)
    assert out[0].statuses == {"A": PS.OPEN, "B": PS.OPEN, "D": PS.QUIET}
    assert out[1].statuses == {"A": PS.CONTINUING, "B": PS.CONTINUING, "D": PS.QUIET}
    assert out[2].statuses == {"A": PS.CONTINUING, "B": PS.CONTINUING, "C": PS.NEW, "D": PS.BACK}
    # B's last message was in week 0: weeks 0..3 hold one, so B is quiet only in week 4
    assert out[3].statuses == {"A": PS.CONTINUING, "B": PS.CONTINUING, "C": PS.CONTINUING, "D": PS.CONTINUING}
    assert out[2].sentence() == (
        f"Динамика проблем с отчёта {week(1).label}: новых — 1, продолжаются — 2, затихли — 0, вернулись — 1."
    )
    later = compare(out[3].state, plan[3], week(4))
    assert later.statuses["B"] == PS.QUIET
    assert [g.id for g in later.gone_quiet] == ["B"]
    assert later.counts()[PS.QUIET] == 1
    # already quiet: not counted again the week after
    after = compare(later.state, plan[3], week(5))
    assert after.statuses["B"] == PS.QUIET and after.gone_quiet == []
    assert after.history("B").endswith(f"{week(4).label} затихла → {week(5).label} затихла")


def test_a_problem_whose_id_changed_is_found_by_its_messages():
    first = compare(None, [problem("P-old", range(6), 2, last=0)], week(0))
    second = compare(first.state, [problem("P-new", range(8), 2, last=1)], week(1))
    assert second.statuses == {"P-new": PS.CONTINUING}
    assert second.keys["P-new"] == "P-old"
    assert second.gone_quiet == []


def test_a_problem_without_shared_messages_is_found_by_district_kind_and_place():
    place = PS.place_hash("Северный район", "ул. Лесная, д. 5")
    first = compare(None, [problem("P1", range(3), 1, last=0, place=place)], week(0))
    second = compare(first.state, [problem("P2", range(50, 53), 1, last=1, place=place)], week(1))
    assert second.statuses == {"P2": PS.CONTINUING}
    other_kind = compare(
        first.state, [problem("P2", range(50, 53), 1, last=1, place=place, kind="Яма")], week(1)
    )
    assert other_kind.statuses == {"P2": PS.NEW}


def test_a_split_keeps_both_parts_continuing():
    first = compare(None, [problem("P1", range(10), 2, last=0)], week(0))
    split = compare(
        first.state, [problem("P1", range(6), 1, last=1), problem("P2", range(6, 11), 1, last=1)], week(1)
    )
    assert split.statuses == {"P1": PS.CONTINUING, "P2": PS.CONTINUING}
    assert split.keys == {"P1": "P1", "P2": "P2"}
    assert split.state.problems["P2"].parent == "P1"
    # and the next week nothing flips
    again = compare(
        split.state, [problem("P1", range(6), 1, last=2), problem("P2", range(6, 11), 1, last=2)], week(2)
    )
    assert again.statuses == {"P1": PS.CONTINUING, "P2": PS.CONTINUING}


def test_a_merge_is_no_problem_gone_quiet():
    first = compare(
        None, [problem("P1", range(5), 1, last=0), problem("P2", range(5, 9), 1, last=0)], week(0)
    )
    merged = compare(first.state, [problem("P1", range(10), 2, last=1)], week(1))
    assert merged.statuses == {"P1": PS.CONTINUING}
    assert merged.gone_quiet == []
    entry = merged.state.snapshots[-1].entries["P2"]
    assert (entry.status, entry.into) == (PS.MERGED, "P1")
    # weeks later the merged problem is still not reported quiet
    later = compare(merged.state, [problem("P1", range(10), 0, last=1)], week(3))
    assert later.gone_quiet == []


def test_a_known_problem_missing_from_the_run_goes_quiet_and_is_listed():
    first = compare(None, [problem("P1", range(3), 1, last=0)], week(0))
    second = compare(first.state, [], week(1))
    assert second.gone_quiet == []  # silent one week: not yet
    fourth = compare(second.state, [], week(4))
    assert [g.id for g in fourth.gone_quiet] == ["P1"]
    assert fourth.sentence().endswith("новых — 0, продолжаются — 0, затихли — 1, вернулись — 0.")


def test_rerunning_a_period_is_idempotent_and_an_older_period_leaves_newer_history():
    plan = {
        0: [problem("A", range(3), 1, last=0)],
        1: [problem("A", range(4), 1, last=1), problem("C", range(30, 33), 2, last=1)],
        2: [problem("A", range(5), 1, last=2), problem("C", range(30, 34), 1, last=2)],
    }
    out, state = run_weeks(plan)
    again = compare(state, plan[1], week(1))
    assert again.statuses == out[1].statuses == {"A": PS.CONTINUING, "C": PS.NEW}
    assert [s.period for s in again.state.snapshots] == [week(0), week(1), week(2)]
    assert again.state.snapshots[2] == state.snapshots[2]  # the newer week untouched
    twice = compare(again.state, plan[1], week(1))
    assert twice.statuses == again.statuses
    assert twice.state.snapshots == again.state.snapshots
    # week 0 run after week 2: compared with nothing before it, week 1 and 2 kept
    old = compare(state, plan[0], week(0))
    assert old.first and [s.period for s in old.state.snapshots] == [week(0), week(1), week(2)]


def test_weekly_and_monthly_runs_share_a_state_file_without_mixing():
    # weekly runs of August, then the month: the month compares with months only (none yet),
    # and a later week still compares with the latest week, not with the month
    _, state = run_weeks({0: [problem("A", range(3), 1, last=0)], 1: [problem("A", range(4), 1, last=1)]})
    september = StatePeriod("2026-09", date(2026, 9, 1), date(2026, 9, 30))
    monthly = compare(state, [problem("A", range(4), 2, last=1)], september)
    assert monthly.first and monthly.previous is None
    weekly = compare(monthly.state, [problem("A", range(5), 1, last=5)], week(5))
    assert weekly.previous == week(1)
    # a quarter and its first month begin on the same day and are two snapshots
    quarter = StatePeriod("2026-Q3", date(2026, 7, 1), date(2026, 9, 30))
    july = StatePeriod("2026-07", date(2026, 7, 1), date(2026, 7, 31))
    both = compare(compare(weekly.state, [], july).state, [], quarter).state
    assert {s.period.label for s in both.snapshots} >= {"2026-07", "2026-Q3", "2026-09"}


def test_an_uncovered_period_leaves_the_state_as_it_was():
    first = compare(None, [problem("P1", range(3), 1, last=0)], week(0))
    stale = compare(first.state, [problem("P1", range(3), 0, last=0)], week(9), covered=False)
    assert not stale.updated and stale.state is first.state
    assert stale.sentence() == "Состояние проблем не обновлено: выгрузка не охватывает этот период."


def test_systemic_and_place_problems_are_never_matched_to_each_other():
    first = compare(None, [problem("S1", range(10), 3, last=0, systemic=True)], week(0))
    second = compare(first.state, [problem("P1", range(5), 3, last=1)], week(1))
    assert second.statuses == {"P1": PS.NEW}


# --- the state file --------------------------------------------------------------------------
def test_state_file_round_trip_holds_no_text(tmp_path):
    _, state = run_weeks(
        {0: [problem("A", range(3), 1, last=0, place=PS.place_hash("Северный район", "ул. Лесная, д. 5"))],
         1: [problem("A", range(4), 1, last=1)]}
    )  # fmt: skip
    path = statefile.write_state(state, tmp_path / "curtool-state.json")
    assert statefile.read_state(path) == state
    raw = path.read_text(encoding="utf-8")
    assert "Лесная" not in raw
    doc = json.loads(raw)
    assert doc["format"] == statefile.FORMAT and doc["version"] == statefile.VERSION
    assert statefile.read_state(tmp_path / "absent.json") == ProblemState()


@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json", "is not a JSON problem-state file"),
        ('{"rows": []}', "is not a curtool problem-state file"),
        ('{"format": "curtool-problem-state", "version": 1, "problems": [], "periods": []}',
         "is a damaged problem-state file"),
        ('{"format": "curtool-problem-state", "version": 1, "problems": {}, '
         '"periods": [{"label": "x", "start": "2026-13-01", "end": "2026-01-01", "problems": {}}]}',
         "is a damaged problem-state file"),
        ('{"format": "curtool-problem-state", "version": 99, "problems": {}, "periods": []}',
         "has version 99"),
    ],
)  # fmt: skip
def test_a_damaged_or_foreign_state_file_is_one_coded_error(tmp_path, content, message):
    path = tmp_path / "state.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(errors.CurtoolError) as caught:
        statefile.read_state(path)
    assert caught.value.code == errors.BAD_STATE
    assert message in caught.value.line() and "state.json" in caught.value.line()


# --- a cron-like sequence through the CLI -------------------------------------------------------
MONDAY = date(2026, 7, 20)  # 2026-W30: week index 0 (D begins a week earlier)
# (problem, text, address, week indexes with two messages each)
PLAN = (
    ("A", "Протекает крыша, вода течёт с потолка в квартиру на пятом этаже", "ул. Лесная, д. 5", range(2, 9)),
    (
        "B",
        "Яма на дороге во дворе, машины бьют колёса, нужен ремонт асфальта",
        "ул. Полевая, д. 12",
        (2, 3, 4),
    ),
    ("C", "Не вывозят мусор с контейнерной площадки, баки переполнены", "ул. Речная, д. 7", (6, 7)),
    ("D", "Не горит уличный фонарь у подъезда, вечером темно", "ул. Садовая, д. 3", (-1, 0, 7)),
)


def _export(path: Path, until: int) -> Path:
    rows, k = [], 0
    for name, text, street, weeks in PLAN:
        for w in weeks:
            if w > until:
                continue
            for day in (1, 3):
                k += 1
                created = pd.Timestamp(MONDAY + timedelta(weeks=w, days=day)) + pd.Timedelta(hours=9 + k % 5)
                rows.append(
                    {
                        "ID": f"{name}{w:02d}{day}",
                        "Текст инцидента": f"{text} ({street})",
                        "Дата создания": created.strftime("%d.%m.%Y %H:%M"),
                        "Муниципалитет": "Северный район",
                        "Адрес": f"г. Тестовск, {street}",
                    }
                )
    pd.DataFrame(rows).to_csv(path, sep=";", index=False, encoding="cp1251")
    return path


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def _states(book: Path) -> dict[str, str]:
    """Problem label's street → «Состояние» on «Повторяющиеся проблемы»."""
    sheet = openpyxl.load_workbook(book)["Повторяющиеся проблемы"]
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    header = list(rows[0])
    state, label = header.index("Состояние"), header.index("Проблема")
    out = {}
    for row in rows[1:]:
        if row[label] is None:
            continue
        street = next(s for _, _, s, _ in PLAN if s.split(",")[0] in str(row[label]))
        out[street.split(",")[0]] = row[state] or ""
    return out


def _weekly(folder: Path, n: int, *extra: object):
    export = _export(folder / f"export-{n}.csv", n)
    monday_after = MONDAY + timedelta(weeks=n + 1)
    return run(
        "report", export, "--week", "last", "--today", monday_after.isoformat(),
        "-o", folder / "reports" / "curtool-{week}.xlsx", *extra,
    )  # fmt: skip


@pytest.mark.slow
def test_cron_sequence_gives_each_problem_its_status(tmp_path):
    said = {}
    for n in (4, 5, 6, 7, 8):
        result = _weekly(tmp_path, n)
        assert result.exit_code == 0, result.output
        said[n] = next(line for line in result.output.splitlines() if "Состояние проблем" in line
                       or "Динамика проблем" in line)  # fmt: skip
    books = {n: tmp_path / "reports" / f"curtool-2026-W{30 + n}.xlsx" for n in said}
    assert "Состояние проблем начато: сравнивать не с чем" in said[4]
    assert _states(books[4]) == {"ул. Лесная": "", "ул. Полевая": "", "ул. Садовая": "затихла"}
    assert _states(books[5]) == {
        "ул. Лесная": "продолжается",
        "ул. Полевая": "продолжается",
        "ул. Садовая": "затихла",
    }
    assert _states(books[7]) == {
        "ул. Лесная": "продолжается", "ул. Полевая": "продолжается", "ул. Речная": "новая", "ул. Садовая": "вернулась",
    }  # fmt: skip
    assert "новых — 1, продолжаются — 2, затихли — 0, вернулись — 1" in said[7]
    # B's last messages were in week 4: weeks 5-8 without one
    assert _states(books[8])["ул. Полевая"] == "затихла"
    assert "затихли — 1" in said[8]
    dynamics = openpyxl.load_workbook(books[8])["Динамика проблем"]
    cells = [v for row in dynamics.iter_rows(values_only=True) for v in row if v is not None]
    assert any("ул. Полевая" in str(v) for v in cells)
    state = json.loads((tmp_path / "reports" / "curtool-state.json").read_text(encoding="utf-8"))
    assert [p["label"] for p in state["periods"]] == [f"2026-W{30 + n}" for n in (4, 5, 6, 7, 8)]
    assert "Протекает" not in json.dumps(state, ensure_ascii=False)

    # the same week again: the same statuses, the history not stepped twice
    before = (tmp_path / "reports" / "curtool-state.json").read_text(encoding="utf-8")
    again = _weekly(tmp_path, 7)
    assert again.exit_code == 0
    assert "новых — 1, продолжаются — 2, затихли — 0, вернулись — 1" in again.output
    after = json.loads((tmp_path / "reports" / "curtool-state.json").read_text(encoding="utf-8"))
    assert [p["label"] for p in after["periods"]] == [p["label"] for p in state["periods"]]
    assert after["periods"][-1] == json.loads(before)["periods"][-1]


@pytest.mark.slow
def test_a_damaged_state_file_stops_the_report_before_anything_is_written(tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "curtool-state.json").write_text("{broken", encoding="utf-8")
    result = _weekly(tmp_path, 5)
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        "error: curtool-state.json: is not a JSON problem-state file. Hint: move it aside to start the "
        "state afresh, name another file with --state, or run with --no-state [bad-state]"
    )
    assert "Traceback" not in result.output
    assert not list(reports.glob("*.xlsx"))
    # --no-state: the report is written and the damaged file left alone
    result = _weekly(tmp_path, 5, "--no-state")
    assert result.exit_code == 0
    assert (reports / "curtool-state.json").read_text(encoding="utf-8") == "{broken"
    assert "Динамика проблем" not in openpyxl.load_workbook(reports / "curtool-2026-W35.xlsx").sheetnames


@pytest.mark.slow
def test_a_failed_report_writes_no_state(tmp_path):
    export = tmp_path / "nodates.csv"
    pd.DataFrame({"ID": ["1", "2"], "Текст инцидента": ["Яма на дороге", "Нет света"]}).to_csv(
        export, sep=";", index=False, encoding="cp1251"
    )
    state = tmp_path / "state.json"
    result = run("report", export, "-o", tmp_path / "r.xlsx", "--state", state)
    assert result.exit_code == 1 and "[no-data]" in result.output
    assert not state.exists()
    # an output that cannot be written: the state stays as the last good run left it
    ok = _weekly(tmp_path, 4, "--state", state)
    assert ok.exit_code == 0
    kept = state.read_bytes()
    (tmp_path / "blocked").write_text("a file where the folder should be", encoding="utf-8")
    export5 = _export(tmp_path / "export-5.csv", 5)
    failed = run(
        "report", export5, "--week", "2026-W35", "-o", tmp_path / "blocked" / "r.xlsx", "--state", state
    )
    assert failed.exit_code == 1
    assert state.read_bytes() == kept


def test_state_and_no_state_together_are_refused(tmp_path):
    result = run("report", tmp_path / "x.csv", "--state", tmp_path / "s.json", "--no-state")
    assert result.exit_code == 1
    assert "--state and --no-state contradict each other" in result.output
