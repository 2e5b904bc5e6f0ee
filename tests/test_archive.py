"""The Parquet message archive (``curtool archive``; curtool.io.parquetarchive): what goes in
comes out as a single load of the same exports would give it, loads append without rewriting,
and a broken archive or a wrong folder is one clear line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from curtool.app import pipeline
from curtool.app.cli import app
from curtool.app.options import Options
from curtool.core import columns as C
from curtool.core import errors
from curtool.io import parquetarchive as pqa
from curtool.io.loader import load

runner = CliRunner()
SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
XLSX, CSV = SAMPLES / "incidents_adygea.xlsx", SAMPLES / "pos_adygea.csv"


def _same_columns(a: pd.DataFrame, b: pd.DataFrame, columns) -> list[str]:
    differ = []
    for c in columns:
        x, y = a[c], b[c]
        if pd.api.types.is_float_dtype(x):
            same = np.array_equal(x.to_numpy(), y.to_numpy(), equal_nan=True)
        elif pd.api.types.is_datetime64_any_dtype(x):
            same = x.equals(y)
        else:
            same = (x.astype(str).fillna("") == y.astype(str).fillna("")).all()
        if not same:
            differ.append(c)
    return differ


@pytest.fixture(scope="module")
def both_loaded():
    return load([XLSX, CSV], keep_keys=True)


@pytest.mark.slow
def test_archive_read_back_is_the_single_load(tmp_path, both_loaded):
    target = tmp_path / "arc"
    pipeline.archive_files([XLSX, CSV], target, Options())
    back = pqa.read_dataset(target)
    frame = both_loaded.frame
    assert len(back.frame) == len(frame)
    columns = [c for c in pqa.COLUMNS if c != pqa.SEQ]
    assert _same_columns(frame, back.frame, columns) == []
    # the dtypes the analysis relies on survive the round trip
    for c in (C.CREATED, C.CLOSED, C.LAT, C.DUPLICATE, C.ROW):
        assert back.frame[c].dtype == frame[c].dtype, c
    assert {f.path.name for f in back.files} == {XLSX.name, CSV.name}
    assert "created" in back.known_fields()


@pytest.mark.slow
def test_two_loads_mark_copies_and_name_districts_as_one_load(tmp_path, both_loaded):
    target = tmp_path / "arc"
    first = pipeline.archive_files([XLSX], target, Options())
    parts_before = {p: p.read_bytes() for p in target.rglob("*.parquet")}
    second = pipeline.archive_files([CSV], target, Options())
    assert first.appended.rows + second.appended.rows == len(both_loaded.frame)
    # the CSV repeats messages of the workbook: marked against the archived rows
    assert second.appended.against_archive > 0
    back = pqa.read_dataset(target).frame
    cols = [C.DUPLICATE, C.DUPLICATE_OF, C.ISSUES, C.DISTRICT, C.ID, C.CREATED]
    assert _same_columns(both_loaded.frame, back, cols) == []
    # appending never rewrote a part
    assert all(p.read_bytes() == data for p, data in parts_before.items())


@pytest.mark.slow
def test_a_file_already_archived_is_skipped(tmp_path):
    target = tmp_path / "arc"
    pipeline.archive_files([CSV], target, Options())
    rows = pqa.open_archive(target).rows
    copy = tmp_path / "renamed.csv"
    shutil.copy(CSV, copy)
    run = pipeline.archive_files([copy], target, Options())
    assert run.appended.rows == 0 and run.appended.skipped == ["renamed.csv"]
    assert any("already in the archive" in w for w in run.warnings)
    assert pqa.open_archive(target).rows == rows


@pytest.mark.slow
def test_an_append_that_fails_leaves_the_archive_as_it_was(tmp_path, monkeypatch):
    target = tmp_path / "arc"
    pipeline.archive_files([XLSX], target, Options())
    manifest = (target / pqa.MANIFEST).read_bytes()
    files = sorted(target.rglob("*.parquet"))

    def broken(_archive):
        raise OSError("disk full")

    monkeypatch.setattr(pqa, "_write_manifest", broken)
    with pytest.raises(OSError):
        pipeline.archive_files([CSV], target, Options())
    assert (target / pqa.MANIFEST).read_bytes() == manifest
    assert sorted(target.rglob("*.parquet")) == files


def test_not_an_archive_is_one_clear_error(tmp_path):
    with pytest.raises(errors.CurtoolError) as caught:
        pqa.open_archive(tmp_path)
    assert caught.value.code == errors.NOT_AN_ARCHIVE
    (tmp_path / pqa.MANIFEST).write_text("{not json", encoding="utf-8")
    with pytest.raises(errors.CurtoolError) as caught:
        pqa.open_archive(tmp_path)
    assert caught.value.code == errors.NOT_AN_ARCHIVE and "damaged" in caught.value.message


def test_a_newer_archive_format_is_refused(tmp_path):
    (tmp_path / pqa.MANIFEST).write_text(json.dumps({"format": pqa.FORMAT, "version": 99}), encoding="utf-8")
    with pytest.raises(errors.CurtoolError) as caught:
        pqa.open_archive(tmp_path)
    assert "newer format" in caught.value.message and "upgrade" in caught.value.hint


def test_archive_refuses_a_folder_of_other_files(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = runner.invoke(app, ["archive", str(CSV), "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert "is a folder with other files in it, not a curtool archive" in result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


@pytest.mark.slow
def test_cli_archive_then_report_from_it_in_memory(tmp_path):
    target = tmp_path / "arc"
    first = runner.invoke(app, ["archive", str(XLSX), "-o", str(target)])
    assert first.exit_code == 0, first.output
    assert "Added 4,999 rows" in first.output
    again = runner.invoke(app, ["archive", str(XLSX), str(CSV), "-o", str(target)])
    assert again.exit_code == 0, again.output
    assert "already in the archive (the same content), skipped: incidents_adygea.xlsx" in again.output
    assert "Archive" in again.output and "6,496 messages" in again.output
    out = tmp_path / "r.xlsx"
    report = runner.invoke(
        app, ["report", str(target), "--week", "2026-W47", "-o", str(out), "--today", "2026-12-01"]
    )
    assert report.exit_code == 0, report.output
    assert out.exists()


def test_an_archive_is_read_alone(tmp_path):
    target = tmp_path / "arc"
    target.mkdir()
    (target / pqa.MANIFEST).write_text(json.dumps(pqa.Archive(path=target).manifest()), encoding="utf-8")
    result = runner.invoke(app, ["recurring", str(target), str(CSV)])
    assert result.exit_code == 1
    assert "an archive is read alone, not together with other exports or archives" in result.output
    assert "Traceback" not in result.output


def test_an_archive_is_not_an_export_to_archive(tmp_path):
    target = tmp_path / "arc"
    target.mkdir()
    (target / pqa.MANIFEST).write_text(json.dumps(pqa.Archive(path=target).manifest()), encoding="utf-8")
    result = runner.invoke(app, ["archive", str(target), "-o", str(tmp_path / "other")])
    assert result.exit_code == 1
    assert "is an archive, not an export" in result.output
    assert not (tmp_path / "other").exists()


def test_engine_options_are_checked(tmp_path):
    result = runner.invoke(app, ["recurring", str(CSV), "--engine", "spark"])
    assert result.exit_code == 1
    assert "--engine 'spark' is not an engine" in result.output
    config = tmp_path / "curtool.toml"
    config.write_text('[engine]\nengine = "ray"\n', encoding="utf-8")
    result = runner.invoke(app, ["recurring", str(CSV), "--config", str(config)])
    assert result.exit_code == 1 and '[engine] engine must be "memory" or "dask"' in result.output


def test_a_remote_scheduler_needs_an_archive():
    result = runner.invoke(app, ["recurring", str(CSV), "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 1
    assert "a remote Dask cluster reads an archive, not exports on this machine" in result.output


def test_part_spans_give_the_data_span(tmp_path, samples_loaded):
    from curtool.core import weeks as wk

    target = tmp_path / "arc"
    frame = load([CSV], keep_keys=True).frame
    pqa.append(frame, [{"name": CSV.name, "sha256": "x", "rows": len(frame), "mapping": {}}], target)
    span = wk.data_span(frame)
    assert pqa.open_archive(target).span() == (span.start, span.end)


def test_row_groups_follow_districts(tmp_path):
    import pyarrow.parquet as pq

    frame = load([CSV], keep_keys=True).frame
    target = tmp_path / "arc"
    pqa.append(frame, [{"name": CSV.name, "sha256": "x", "rows": len(frame), "mapping": {}}], target)
    archive = pqa.open_archive(target)
    for path in archive.files():
        meta = pq.ParquetFile(path).metadata
        column = meta.schema.names.index(C.DISTRICT_RAW)
        for g in range(meta.num_row_groups):
            stats = meta.row_group(g).column(column).statistics
            assert stats.min == stats.max  # one spelling a group: a district's reader skips the rest
    name = next(n for n in archive.districts.values() if n)
    one = pqa.read_rows(archive, [C.DISTRICT], district=name)
    assert len(one) and (one[C.DISTRICT] == name).all()
    assert len(one) == int((pqa.read_rows(archive, [C.DISTRICT])[C.DISTRICT] == name).sum())


def test_inputs_of_archive_must_exist(tmp_path):
    result = runner.invoke(app, ["archive", str(tmp_path / "missing.csv"), "-o", str(tmp_path / "arc")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert not (tmp_path / "arc").exists()


def test_archive_output_that_is_a_file_is_refused(tmp_path):
    target = tmp_path / "arc"
    target.write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["archive", str(CSV), "-o", str(target)])
    assert result.exit_code == 1
    assert "exists and is not a folder" in result.output
    assert target.read_text(encoding="utf-8") == "x"


def test_paths_in_help():
    result = runner.invoke(app, ["archive", "--help"])
    assert result.exit_code == 0 and "--output" in result.output
    assert Path(XLSX).exists()


def test_an_archive_without_dates_says_to_archive_again(tmp_path):
    export = tmp_path / "nodates.csv"
    export.write_text("Текст;Район\nЯма на дороге;Город Майкоп\nНет света;Город Майкоп\n", encoding="utf-8")
    target = tmp_path / "arc"
    assert runner.invoke(app, ["archive", str(export), "-o", str(target)]).exit_code == 0
    result = runner.invoke(app, ["report", str(target), "-o", str(tmp_path / "r.xlsx")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "Hint: archive the exports again naming the date column with --date-column" in result.output
    assert not (tmp_path / "r.xlsx").exists()
