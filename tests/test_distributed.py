"""The distributed engine on a real Dask cluster of two worker processes: ``--engine dask``
gives the same workbook and the same problems as the in-memory engine, and a cluster that
cannot be reached is one clear line.

The cluster is started once for the module (about 3 s) and reached by ``--scheduler``, as
a cluster on other machines would be; one test lets curtool start its own local cluster.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from curtool.app import pipeline
from curtool.app.cli import app
from curtool.app.options import Options

distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.slow
runner = CliRunner()
SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
XLSX, CSV = SAMPLES / "incidents_adygea.xlsx", SAMPLES / "pos_adygea.csv"
TODAY = ["--today", "2026-12-01"]


@pytest.fixture(scope="module")
def scheduler():
    """The address of a local cluster of two single-threaded worker processes."""
    import logging

    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        silence_logs=logging.CRITICAL,
    )
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("dask") / "archive"
    # two loads, as weekly exports arrive: the engine must see them as one load would
    pipeline.archive_files([XLSX], target, Options())
    pipeline.archive_files([CSV], target, Options())
    return target


def _cells(path: Path) -> list[tuple[str, list[list[str]]]]:
    """Every sheet's cell values, the generation time aside."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    sheets = []
    for sheet in book.worksheets:
        rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        sheets.append((sheet.title, [r for r in rows if not any("Сформирован" in c for c in r)]))
    return sheets


def _run(*args: str):
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


def test_report_on_dask_is_the_in_memory_report(tmp_path, archive, scheduler):
    memory, dask = tmp_path / "memory.xlsx", tmp_path / "dask.xlsx"
    _run("report", str(XLSX), str(CSV), "--week", "2026-W47", "-o", str(memory), *TODAY)
    shown = _run(
        "report", str(archive), "--week", "2026-W47", "-o", str(dask), "--scheduler", scheduler, *TODAY
    )
    assert _cells(dask) == _cells(memory)
    assert "Written:" in shown.output


def test_dask_gives_the_in_memory_problem_statuses(tmp_path, archive, scheduler):
    """Two weekly runs with one state file each: the state is applied once, in the path both
    engines share, so the second week's statuses and sheets are the same."""
    for name, inputs, extra in (
        ("memory", [str(XLSX), str(CSV)], []),
        ("dask", [str(archive)], ["--scheduler", scheduler]),
    ):
        for week in ("2026-W46", "2026-W47"):
            out = tmp_path / name / f"r-{week}.xlsx"
            _run("report", *inputs, "--week", week, "-o", str(out), *extra, *TODAY)
    memory = _cells(tmp_path / "memory" / "r-2026-W47.xlsx")
    assert _cells(tmp_path / "dask" / "r-2026-W47.xlsx") == memory
    dynamics = dict(memory)["Динамика проблем"]
    assert any(c.startswith("Динамика проблем с отчёта 2026-W46") for row in dynamics for c in row)


@pytest.mark.parametrize(
    "period",
    [["--month", "2026-10"], ["--since", "2026-10-05", "--until", "2026-11-08"]],
    ids=["month", "days"],
)
def test_a_period_on_dask_is_the_in_memory_period(tmp_path, archive, scheduler, period):
    """fast = exact for any period: the rows a district sends back cover the period's baseline
    window and the same period a year back, as the in-memory frame does."""
    memory, dask = tmp_path / "memory.xlsx", tmp_path / "dask.xlsx"
    _run("report", str(XLSX), str(CSV), *period, "-o", str(memory), "--no-state", *TODAY)
    _run("report", str(archive), *period, "-o", str(dask), "--scheduler", scheduler, "--no-state", *TODAY)
    assert _cells(dask) == _cells(memory)
    assert any(sheet == "Сравнение" for sheet, _ in _cells(memory))


def test_recurring_on_dask_is_the_in_memory_list(tmp_path, archive, scheduler):
    for district in (None, "тахтамукайский р-н"):
        pick = ["--district", district] if district else []
        memory, dask = tmp_path / "memory.json", tmp_path / "dask.json"
        book_m, book_d = tmp_path / "memory.xlsx", tmp_path / "dask.xlsx"
        _run("recurring", str(XLSX), str(CSV), *pick, "--json", str(memory), "-o", str(book_m), "--force")
        _run(
            "recurring", str(archive), *pick, "--json", str(dask), "-o", str(book_d), "--force",
            "--scheduler", scheduler,
        )  # fmt: skip
        got, want = json.loads(dask.read_text("utf-8")), json.loads(memory.read_text("utf-8"))
        assert got == want and len(want["problems"]) > 3
        assert _cells(book_d) == _cells(book_m)


def test_dask_on_exports_starts_its_own_cluster(tmp_path):
    memory, dask = tmp_path / "memory.json", tmp_path / "dask.json"
    _run("recurring", str(CSV), "--json", str(memory))
    _run("recurring", str(CSV), "--json", str(dask), "--engine", "dask", "--workers", "2")
    assert json.loads(dask.read_text("utf-8")) == json.loads(memory.read_text("utf-8"))


def test_a_scheduler_that_does_not_answer_is_one_line(tmp_path, archive):
    out = tmp_path / "r.xlsx"
    result = runner.invoke(
        app, ["report", str(archive), "-o", str(out), "--scheduler", "tcp://127.0.0.1:9", *TODAY]
    )
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines[-1].startswith("error: no Dask scheduler answers at tcp://127.0.0.1:9")
    assert "[engine-failed]" in lines[-1] and "Traceback" not in result.output
    assert not out.exists()


def test_classify_on_dask_writes_the_in_memory_rows(tmp_path, archive, scheduler):
    import pandas as pd

    memory, dask = tmp_path / "memory.csv", tmp_path / "dask.csv"
    _run("classify", str(archive), "-o", str(memory))
    shown = _run("classify", str(archive), "-o", str(dask), "--scheduler", scheduler)
    assert "rows, grouped by month" in shown.output
    read = {"dtype": str, "keep_default_na": False, "sep": ";"}
    key = ["source_file", "line"]
    got = pd.read_csv(dask, **read).sort_values(key).reset_index(drop=True)
    want = pd.read_csv(memory, **read).sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want)
    assert len(want) == 6496 and set(want["sector"]) > {"ЖКХ", "Транспорт"}


def test_classify_on_dask_refuses_a_sheet(tmp_path, archive, scheduler):
    result = runner.invoke(
        app, ["classify", str(archive), "-o", str(tmp_path / "x.xlsx"), "--scheduler", scheduler]
    )
    assert result.exit_code == 1
    assert "cannot write «.xlsx» in parts" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "x.xlsx").exists()
