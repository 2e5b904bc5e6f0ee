"""`curtool sample`: never over existing files without --force, and -o only with --rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from curtool.app.cli import app
from curtool.synthetic import sample_paths
from curtool.synthetic.labelled import LABELLED_NAME, labelled_frame

runner = CliRunner()
SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.mark.parametrize("existing", ["truth.json", "labelled/labelled_adygea.csv"])
def test_sample_refuses_to_overwrite_and_writes_nothing(tmp_path, existing):
    folder = tmp_path / "s"
    kept = folder / existing
    kept.parent.mkdir(parents=True)
    kept.write_text("mine", encoding="utf-8")
    result = run("sample", folder)
    assert result.exit_code == 1
    line = result.stderr.strip()
    assert line == (
        f"error: {kept.name}: file already exists; nothing was written. "
        "Hint: add --force to write over it [output-exists]"
    )
    assert result.stdout == "" and "Traceback" not in result.output
    # every target is checked before the first is written: nothing else appeared
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == [existing]
    assert kept.read_text(encoding="utf-8") == "mine"


def test_benchmark_output_is_not_overwritten_without_force(tmp_path):
    target = tmp_path / "b.csv"
    target.write_text("mine", encoding="utf-8")
    result = run("sample", "--rows", "20", "-o", target)
    assert result.exit_code == 1 and result.stderr.strip().endswith("[output-exists]")
    assert "b.csv" in result.stderr and target.read_text(encoding="utf-8") == "mine"
    assert run("sample", "--rows", "20", "-o", target, "--force").exit_code == 0
    assert target.read_text(encoding="cp1251").startswith("Номер сообщения;")


def test_o_without_rows_is_a_bad_option_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("sample", "-o", "s")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: -o names the benchmark file of --rows, and --rows is not given. Hint: write the samples "
        "into a folder with `curtool sample s`, or add --rows N [bad-option]"
    )
    assert list(tmp_path.iterdir()) == []


def test_sample_paths_name_every_committed_sample():
    paths = sample_paths(SAMPLES)
    assert all(p.exists() for p in paths.values())
    committed = {p for p in SAMPLES.rglob("*") if p.is_file()}
    assert committed == set(paths.values())
    assert paths[LABELLED_NAME].parent.name == "labelled"  # out of a glob over data/samples/*.csv


@pytest.mark.slow
def test_sample_with_force_writes_every_file_again(tmp_path):
    folder = tmp_path / "s"
    assert run("sample", folder).exit_code == 0
    again = run("sample", folder, "--force")
    assert again.exit_code == 0, again.output
    assert again.stdout.count("Written: ") == 4


def test_the_labelled_sample_is_deterministic_and_labelled_by_block():
    a, b = labelled_frame(rows=30), labelled_frame(rows=30)
    assert a.equals(b) and list(a.columns) == ["id", "text", "sector"]
    assert (a["text"] != "").all() and a["sector"].nunique() > 5
