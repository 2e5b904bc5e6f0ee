"""The Python API: the pipeline functions give what the CLI writes, and Options merges the
config with flags (flags win) into one typed object."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from curtool.app import pipeline
from curtool.app.cli import app
from curtool.app.options import ModelOptions, Options, ReadOptions
from curtool.core import columns as C
from curtool.core import errors

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
INPUTS = [SAMPLES / "incidents_adygea.xlsx", SAMPLES / "pos_adygea.csv"]
runner = CliRunner()
pytestmark = pytest.mark.slow


def test_options_take_the_config_and_flags_win(tmp_path: Path) -> None:
    toml = tmp_path / "curtool.toml"
    toml.write_text(
        '[report]\nweeks_back = 4\noutput = "out/r-{week}.xlsx"\n[recurring]\nmin_count = 5\n'
        '[groups]\n"Дороги" = "text"\n',
        encoding="utf-8",
    )
    from_file = Options.build(toml)
    assert (from_file.weeks_back, from_file.output, from_file.recurring.min_count) == (
        4,
        "out/r-{week}.xlsx",
        5,
    )
    assert from_file.groups == {"Дороги": "text"} and from_file.groups_source == toml
    flags = Options.build(toml, weeks_back=2, min_count=3, models=ModelOptions(ignore_given=True))
    assert (flags.weeks_back, flags.recurring.min_count, flags.use_given()) == (2, 3, False)
    # the config found in the working directory, as the CLI finds it
    assert Options.build(cwd=tmp_path).weeks_back == 4
    assert Options.build(read=ReadOptions(config=toml)).weeks_back == 4
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert Options.build(cwd=elsewhere).weeks_back == 8  # no config: the defaults


def test_a_typo_in_the_config_is_bad_config(tmp_path: Path) -> None:
    toml = tmp_path / "c.toml"
    toml.write_text("[report]\nweeks_bak = 4\n", encoding="utf-8")
    with pytest.raises(errors.CurtoolError) as caught:
        Options.build(toml)
    assert caught.value.code == errors.BAD_CONFIG and "weeks_bak" in caught.value.message


def test_a_bad_output_template_flag_is_bad_option() -> None:
    with pytest.raises(errors.CurtoolError) as caught:
        Options.build(output="r-{date}.xlsx", cwd=Path("/nonexistent-dir-for-config"))
    assert caught.value.code == errors.BAD_OPTION


def test_classify_files_is_what_classify_writes(tmp_path: Path) -> None:
    run = pipeline.classify_files(INPUTS)
    assert len(run.table) == len(run.data.frame) and set(C.OUTPUT_COLUMNS) <= set(run.table.columns)
    out = tmp_path / "c.csv"
    assert runner.invoke(app, ["classify", *map(str, INPUTS), "-o", str(out)]).exit_code == 0
    import pandas as pd

    written = pd.read_csv(
        out, dtype=str, keep_default_na=False, encoding="utf-8-sig", sep=None, engine="python"
    )
    assert written[C.SECTOR].tolist() == run.table[C.SECTOR].tolist()


def test_find_problems_is_what_recurring_writes(tmp_path: Path) -> None:
    district = "тахтамукайский р-н"
    run = pipeline.find_problems(INPUTS, district=district)
    out = tmp_path / "p.json"
    assert (
        runner.invoke(
            app, ["recurring", *map(str, INPUTS), "--district", district, "--json", str(out)]
        ).exit_code
        == 0
    )
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written == json.loads(json.dumps(run.result.to_json_dict(), ensure_ascii=False))
    assert run.result.problems is not None and len(run.result.problems) > 0


def test_run_report_from_paths_equals_the_report_of_a_loaded_dataset() -> None:
    opts = Options.build(cwd=SAMPLES)
    from_paths = pipeline.run_report(INPUTS, opts, week="2026-W47", today=date(2026, 12, 1)).report
    data = pipeline.load_files(INPUTS, opts)
    from_data = pipeline.run_report(data, opts, week="2026-W47", today=date(2026, 12, 1)).report
    assert from_paths.week == "2026-W47" and from_paths.totals.count > 0
    assert from_paths.summary_lines == from_data.summary_lines
    # no --week: the latest complete week of the data (the samples end in 2026-W47)
    assert pipeline.report_week(data, None, date(2026, 12, 1)) == "2026-W47"
    assert pipeline.report_week(data, "last", date(2026, 11, 25)) == "2026-W47"


def test_train_then_evaluate_from_files() -> None:
    trained = pipeline.train_from_files([INPUTS[1]], "Статус", cv=0)
    assert trained.messages > 100 and trained.labels >= 2 and trained.cross_validation is None
    measured = pipeline.evaluate_files([INPUTS[1]], "Статус")
    assert measured.messages == trained.messages and 0 <= measured.evaluation.accuracy <= 1
    with pytest.raises(errors.CurtoolError) as caught:
        pipeline.train_from_files([INPUTS[1]], "Статус", cv=1)
    assert caught.value.code == errors.BAD_OPTION


def test_report_refuses_an_existing_output_before_any_work(tmp_path: Path, monkeypatch) -> None:
    """The output is named from the week and checked before classifying: nothing is computed
    for a report that cannot be written."""
    target = tmp_path / "r-2026-W47.xlsx"
    target.write_bytes(b"keep me")

    def no_work(*args, **kwargs):
        raise AssertionError("the report was computed before its output was checked")

    monkeypatch.setattr(pipeline, "run_report", no_work)
    result = runner.invoke(
        app,
        [
            "report",
            *map(str, INPUTS),
            "--week",
            "2026-W47",
            "--no-force",
            "-o",
            str(tmp_path / "r-{week}.xlsx"),
        ],
    )
    assert result.exit_code == 1, result.output
    assert "[output-exists]" in result.output and "Traceback" not in result.output
    assert target.read_bytes() == b"keep me"


def test_the_readme_python_example_runs(tmp_path: Path, monkeypatch) -> None:
    """README «From Python» is run as written on the samples (the lines that need a labelled
    history of the reader's own are given the sample's «Статус» column instead)."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## From Python") :]
    start = section.index("```python") + len("```python")
    code = section[start : section.index("```", start)]
    code = code.replace('["history.xlsx"], "Сектор"', '[inputs[1]], "Статус"')
    code = code.replace('["labelled.csv"], "sector"', '[inputs[1]], "Статус"')
    samples = Path(__file__).resolve().parent.parent
    monkeypatch.chdir(tmp_path)
    code = code.replace('"data/samples/', f'"{samples}/data/samples/')
    scope: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), scope)
    assert (tmp_path / "reports" / "curtool-2026-W47.xlsx").exists()
    assert len(scope["run"].table) > 0 and scope["weekly"].report.week == "2026-W47"
