"""Acceptance on the real development exports (../shared/dev), skipped when they are absent.

Nothing of these files is copied here: the tests only run the tool on them and check
that every week is reported, that the counts add up, that a past week does not see
later messages, and that no figure is claimed the export cannot support.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from curtool.app.cli import app
from curtool.app.pipeline import run_report
from curtool.core import columns as C
from curtool.core import response as rtimes
from curtool.core import weeks as wk
from curtool.io.loader import load

DEV = Path(__file__).resolve().parents[1].parent / "shared" / "dev"
SPB = DEV / "spb_dev.csv"
KURSK = DEV / "kursk_train_sectors.csv"
TODAY = date(2026, 12, 2)
runner = CliRunner()

pytestmark = [
    pytest.mark.skipif(not SPB.exists() or not KURSK.exists(), reason="../shared/dev is absent"),
    pytest.mark.slow,  # whole real files: not in the quick loop
]


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def spb(spb_loaded):
    """load([SPB]), once per session (tests/conftest.py)."""
    return spb_loaded


def _weeks(data) -> list[str]:
    created = data.frame.loc[~data.frame[C.DUPLICATE], C.CREATED].dropna()
    return sorted(set(wk.week_labels(created)))


def test_every_week_is_reported_and_every_row_is_counted_or_rejected(spb) -> None:
    weeks = _weeks(spb)
    assert len(weeks) >= 20
    counted = 0
    for week in weeks:
        report = run_report(spb, week=week, today=TODAY).report
        counted += report.totals.count
        assert report.totals.count == len(report.messages)
        # the portal export has no answer or closing dates: no deadline figure may be claimed
        key = dict(zip(report.key_figures["label"], report.key_figures["value"], strict=True))
        for label in ("Доля с нарушением срока ответа", "Открыто с истёкшим сроком", "Закрыто за неделю"):
            assert key[label] == rtimes.NO_DATA, (week, label)
    frame = spb.frame
    undated = int((~frame[C.DUPLICATE] & frame[C.CREATED].isna()).sum())
    assert counted + int(frame[C.DUPLICATE].sum()) + undated == len(frame)


@pytest.mark.parametrize("position", [0.3, 0.6, 0.9])
def test_a_past_week_equals_the_report_on_the_file_cut_at_its_end(spb, tmp_path, position) -> None:
    weeks = _weeks(spb)
    week = weeks[int(position * (len(weeks) - 1))]
    _, end = wk.week_bounds(week)
    raw = pd.read_csv(SPB, dtype=str, keep_default_na=False)
    created = pd.to_datetime(raw["created"], errors="coerce")
    (tmp_path / "cut").mkdir()
    cut_path = tmp_path / "cut" / SPB.name
    raw[created < end].to_csv(cut_path, index=False)
    whole = run_report(spb, week=week, today=TODAY).report
    cut = run_report(load([cut_path]), week=week, today=TODAY).report
    pd.testing.assert_frame_equal(whole.key_figures, cut.key_figures)
    pd.testing.assert_frame_equal(whole.heat.counts, cut.heat.counts)
    assert whole.summary_lines == cut.summary_lines
    left, right = whole.recurring, cut.recurring
    assert left is not None and right is not None
    pd.testing.assert_frame_equal(left.reset_index(drop=True), right.reset_index(drop=True))
    assert list(whole.messages[C.ID]) == list(cut.messages[C.ID])


@pytest.mark.parametrize("week", [[], ["--week", "last"]])
def test_the_cli_reports_the_whole_file_and_last_week_without_an_internal_error(tmp_path, week) -> None:
    result = run("report", SPB, *week, "-o", tmp_path / "r-{week}.xlsx", "--quiet")
    assert result.exit_code == 0, result.output
    assert "internal" not in result.output
    assert list(tmp_path.glob("r-*.xlsx"))


def test_kursk_without_dates_is_a_clear_no_data_for_report_and_classifies(tmp_path) -> None:
    result = run("report", KURSK, "-o", tmp_path / "r.xlsx")
    assert result.exit_code == 1
    line = result.stderr.strip()
    assert line.startswith("error: kursk_train_sectors.csv: no column of creation dates")
    assert "--date-column" in line and line.endswith("[no-data]")
    assert "\n" not in line and not list(tmp_path.glob("*.xlsx"))
    target = tmp_path / "k.csv"
    result = run("classify", KURSK, "-o", target)
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(target, sep=";", dtype=str)) == 1999


def test_classifier_figures_on_both_dev_files_do_not_fall_back(shipped, kursk_rows) -> None:
    """Floors a little under the figures of docs/classifier.md (scripts/measure_classifier.py):
    a change that loses real-data accuracy, kinds or calibration fails here, not in a note."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    import measure_classifier as mc

    m = shipped  # model.load_model(), once per session (tests/conftest.py)
    spb_rows = pd.read_csv(SPB)
    spb_rows = spb_rows[~spb_rows["repeat"].astype(bool)].reset_index(drop=True)
    kursk = mc.measure("kursk", kursk_rows.copy(), m, topic="topic")  # pd.read_csv(KURSK)
    city = mc.measure("spb", spb_rows, m, topic="reason")
    by_reason = mc.measure("spb", spb_rows, m, group="reason", topic="reason")
    by_category = mc.measure("spb", spb_rows, m, group="category", topic="reason")
    assert city["lenient"] >= 0.885
    assert by_reason["lenient"] >= 0.93 and by_category["lenient"] >= 0.915
    assert kursk["lenient"] >= 0.82 and kursk["macro_f1"] >= 0.70
    assert city["no_known_words"] <= 0.002
    assert city["kind_agreement"] >= 0.53 and kursk["kind_agreement"] >= 0.52
    assert kursk["ece_lenient"] <= 0.05 and city["ece_lenient"] <= 0.05
