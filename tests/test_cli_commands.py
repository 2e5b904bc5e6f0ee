"""classify, recurring and report through the CLI, on the bundled samples and hostile files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from curtool.app.cli import app

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
XLSX = SAMPLES / "incidents_adygea.xlsx"
CSV = SAMPLES / "pos_adygea.csv"
HOSTILE = Path(__file__).parent / "data" / "hostile"
runner = CliRunner()


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def truth() -> dict:
    return json.loads((SAMPLES / "truth.json").read_text(encoding="utf-8"))


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet", ".jsonl"])
def test_classify_writes_every_row_in_the_format_of_the_extension(tmp_path, suffix):
    target = tmp_path / f"out{suffix}"
    result = run("classify", HOSTILE / "formula.csv", HOSTILE / "duplicates.csv", "-o", target)
    assert result.exit_code == 0, result.output
    readers = {
        ".csv": lambda p: pd.read_csv(p, sep=";", dtype=str, keep_default_na=False),
        ".xlsx": lambda p: pd.read_excel(p, dtype=str, engine="calamine").fillna(""),
        ".parquet": pd.read_parquet,
        ".jsonl": lambda p: pd.read_json(p, lines=True, dtype=False),
    }
    table = readers[suffix](target)
    assert len(table) == 4 + 6  # every input row, duplicates included
    for col in (
        "Текст сообщения",
        "sector",
        "sector_confidence",
        "sector_evidence",
        "sector_source",
        "source_file",
        "row_issues",
    ):
        assert col in table.columns
    assert table["row_issues"].astype(str).str.contains("duplicate").sum() == 2
    assert "Messages by sector" in result.output


@pytest.mark.slow
def test_classify_keeps_formula_like_text_as_text(tmp_path):
    xlsx = tmp_path / "out.xlsx"
    csv = tmp_path / "out.csv"
    assert run("classify", HOSTILE / "formula.csv", "-o", xlsx).exit_code == 0
    assert run("classify", HOSTILE / "formula.csv", "-o", csv).exit_code == 0
    sheet = openpyxl.load_workbook(xlsx).active
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("Текст сообщения") + 1)
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://x","y")'
    texts = pd.read_csv(csv, sep=";", dtype=str)["Текст сообщения"].tolist()
    assert texts[0] == '\'=HYPERLINK("http://x","y")'
    assert [t[0] for t in texts] == ["'", "'", "'", "'"]


def test_classify_refuses_to_overwrite_without_force(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("keep me", encoding="utf-8")
    result = run("classify", HOSTILE / "formula.csv", "-o", target)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: out.csv: output file already exists. Hint: pass --force")
    assert target.read_text(encoding="utf-8") == "keep me"
    assert run("classify", HOSTILE / "formula.csv", "-o", target, "--force").exit_code == 0
    assert "sector" in target.read_text(encoding="utf-8-sig")


def test_classify_default_output_stands_beside_the_input(tmp_path):
    source = tmp_path / "export.csv"
    shutil.copy(HOSTILE / "cp1251_no_bom.csv", source)
    assert run("classify", source).exit_code == 0
    assert (tmp_path / "export.classified.csv").exists()


@pytest.mark.slow
def test_recurring_json_has_the_documented_shape_and_finds_planted_problems(tmp_path, truth):
    out_json = tmp_path / "problems.json"
    out_xlsx = tmp_path / "problems.xlsx"
    result = run(
        "recurring", XLSX, CSV, "--district", "тахтамукайский р-н", "--json", out_json, "-o", out_xlsx
    )
    assert result.exit_code == 0, result.output
    problems = json.loads(out_json.read_text(encoding="utf-8"))["problems"]
    keys = {
        "id",
        "district",
        "sector",
        "kind",
        "label",
        "place",
        "count",
        "weeks",
        "first_seen",
        "last_seen",
        "trend",
        "returned_after_resolved",
        "systemic",
        "message_ids",
        "audience",
        "engagement",
    }
    assert problems and all(set(p) == keys for p in problems)
    assert {p["district"] for p in problems} == {"Тахтамукайский район"}
    planted = [p for p in truth["problems"] if p["district"] == "Тахтамукайский район" and not p["systemic"]]
    found_ids = [set(p["message_ids"]) for p in problems]
    for plant in planted:
        ids = {m["id"] for m in plant["message_ids"]}
        best = max(len(ids & f) / len(ids) for f in found_ids)
        assert best >= 0.8, plant["key"]
    book = openpyxl.load_workbook(out_xlsx, read_only=True)
    assert book.sheetnames == ["Проблемы", "Сообщения"]


@pytest.mark.slow
def test_recurring_unknown_district_is_a_clear_error():
    result = run("recurring", CSV, "--district", "Нью-Васюки")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert "[unknown-district]" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_report_writes_the_workbook_and_a_log_line(tmp_path):
    template = tmp_path / "reports" / "curtool-{week}.xlsx"
    result = run("report", XLSX, CSV, "--week", "2026-W47", "-o", template)
    assert result.exit_code == 0, result.output
    target = tmp_path / "reports" / "curtool-2026-W47.xlsx"
    book = openpyxl.load_workbook(target, read_only=True)
    assert book.sheetnames == [
        "Сводка",
        "Тепловая карта",
        "Динамика",
        "Сравнение",
        "Всплески",
        "Повторяющиеся проблемы",
        "Динамика проблем",  # the problem state is kept beside the reports by default
        "Карта",
        "Источники",
        "Сроки ответа",
        "Исполнители",
        "Сообщения",
        "Отклонено",
    ]
    assert "Week 2026-W47" in result.output
    assert (tmp_path / "reports" / "curtool-state.json").exists()
    log = (tmp_path / "reports" / "curtool.log").read_text(encoding="utf-8").splitlines()
    assert len(log) == 1 and "\tok\tweek=2026-W47\t" in log[0]


@pytest.mark.slow
def test_report_quiet_prints_nothing_and_last_week_is_relative_to_today(tmp_path):
    template = tmp_path / "r-{week}.xlsx"
    result = run("report", XLSX, CSV, "--week", "last", "--today", "2026-11-25", "-o", template, "--quiet")
    assert result.exit_code == 0
    assert result.output == ""
    assert (tmp_path / "r-2026-W47.xlsx").exists()


def test_failed_report_leaves_the_last_good_one_intact(tmp_path):
    target = tmp_path / "r-2026-W47.xlsx"
    target.write_bytes(b"last good report")
    result = run("report", HOSTILE / "corrupt.xlsx", "--week", "2026-W47", "-o", tmp_path / "r-{week}.xlsx")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: corrupt.xlsx: ")
    assert target.read_bytes() == b"last good report"
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []
    assert "\terror\t" in (tmp_path / "curtool.log").read_text(encoding="utf-8")


def test_bad_week_option_is_a_one_line_error(tmp_path):
    result = run("report", CSV, "--week", "2026-W99", "-o", tmp_path / "r.xlsx")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "[bad-option]" in result.stderr


@pytest.fixture(scope="module")
def labelled(tmp_path_factory) -> Path:
    """A labelled export of generated messages (our own generator), with its own label column."""
    from curtool.synthetic import generate_messages

    frame = generate_messages(1200, seed=5, truth=True)
    path = tmp_path_factory.mktemp("labelled") / "labelled.csv"
    frame.to_csv(path, sep=";", index=False, encoding="utf-8")
    return path


@pytest.mark.slow
def test_train_then_classify_and_evaluate_with_the_saved_model(tmp_path, labelled):
    model = tmp_path / "region.npz"
    result = run("train", labelled, "--label-column", "true_sector", "-o", model)
    assert result.exit_code == 0, result.output
    assert model.exists() and "Model saved" in result.output
    out = tmp_path / "classified.csv"
    assert run("classify", labelled, "--model", model, "--ignore-given", "-o", out).exit_code == 0
    classified = pd.read_csv(out, dtype=str, sep=";", encoding="utf-8-sig")
    agreement = (classified["sector"] == classified["true_sector"]).mean()
    assert agreement > 0.8
    result = run("evaluate", labelled, "--label-column", "true_sector", "--model", model, "--json")
    assert result.exit_code == 0
    metrics = json.loads(result.output)
    assert metrics["n"] == (~classified["row_issues"].fillna("").str.contains("duplicate")).sum()
    assert 0.8 < metrics["accuracy"] <= 1.0
    assert set(metrics["per_class"]) >= {"ЖКХ", "Транспорт"}


@pytest.mark.slow
def test_evaluate_writes_a_workbook(tmp_path, labelled):
    target = tmp_path / "metrics.xlsx"
    result = run("evaluate", labelled, "--label-column", "true_sector", "-o", target)
    assert result.exit_code == 0
    assert "macro-F1" in result.output
    assert openpyxl.load_workbook(target, read_only=True).sheetnames == ["Метрики", "Матрица ошибок"]


@pytest.mark.slow
def test_alt_label_column_adds_lenient_accuracy(tmp_path, labelled):
    """With the model's own answer as the alternative, every message counts as right leniently."""
    classified = tmp_path / "c.csv"
    assert run("classify", labelled, "--ignore-given", "-o", classified).exit_code == 0
    answers = pd.read_csv(classified, sep=";", dtype=str, encoding="utf-8-sig")["sector"]
    frame = pd.read_csv(labelled, sep=";", dtype=str)
    frame["also_right"] = answers.to_numpy()
    frame.loc[::7, "also_right"] = ""  # an empty alternative is simply no alternative
    with_alt = tmp_path / "with_alt.csv"
    frame.to_csv(with_alt, sep=";", index=False)
    args = ("--label-column", "true_sector", "--alt-label-column", "also_right")
    result = run("evaluate", with_alt, *args, "--json")
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output)
    assert metrics["accuracy"] < 0.99
    blank = frame["also_right"].fillna("") == ""
    both = frame["true_sector"] == answers
    written = pd.read_csv(classified, sep=";", dtype=str, encoding="utf-8-sig")
    kept = ~written["row_issues"].fillna("").str.contains("duplicate")
    expected = ((~blank | both) & kept).sum() / kept.sum()
    assert metrics["lenient_accuracy"] == pytest.approx(expected, abs=1e-4)
    result = run("train", with_alt, *args, "--cv", "3", "-o", tmp_path / "m.npz")
    assert result.exit_code == 0, result.output
    assert "lenient accuracy" in result.output


def test_an_empty_label_cell_in_a_workbook_is_no_label(tmp_path):
    rows = [
        ("Третий день нет отопления, батареи холодные", "ЖКХ"),
        ("Огромная яма на дороге, разбил колесо", "Дорожное хозяйство"),
        ("Автобус не пришел, ждали час на остановке", "Транспорт"),
        ("Не вывозят мусор с контейнерной площадки", None),
        ("В поликлинике нет записи к терапевту", "Здравоохранение"),
    ]
    path = tmp_path / "labelled.xlsx"
    pd.DataFrame(rows, columns=["Текст", "Сектор"]).to_excel(path, index=False)
    result = run("evaluate", path, "--label-column", "Сектор", "--json")
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output)
    assert metrics["n"] == 4
    assert "nan" not in metrics["per_class"]


@pytest.mark.slow
def test_unknown_alt_label_column_is_a_one_line_error(tmp_path, labelled):
    result = run("evaluate", labelled, "--label-column", "true_sector", "--alt-label-column", "нет")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "there is no column «нет» for --alt-label-column" in result.stderr


@pytest.mark.parametrize(
    "content", [b"\x00\x01not a model at all", b"\x80\x04\x95\x00\x00\x00\x00\x00\x00\x00\x00."]
)
def test_a_file_that_is_not_a_curtool_model_is_refused(tmp_path, content):
    fake = tmp_path / "model.npz"
    fake.write_bytes(content)
    target = tmp_path / "out.csv"
    result = run("classify", HOSTILE / "formula.csv", "--model", fake, "-o", target)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: model.npz: ")
    assert "[not-a-model]" in result.stderr
    assert not target.exists()


@pytest.mark.slow
def test_train_with_an_unknown_label_column_names_the_columns(labelled, tmp_path):
    result = run("train", labelled, "--label-column", "нет", "-o", tmp_path / "m.npz")
    assert result.exit_code == 1
    assert "there is no column «нет» for --label-column" in result.stderr


def test_csv_output_is_the_same_across_write_batches(tmp_path, monkeypatch):
    """Columns keep one type through every batch: empty in one batch, text in the next."""
    from curtool.io import output

    monkeypatch.setattr(output, "_CSV_BATCH", 2)
    frame = pd.DataFrame(
        {
            "Текст": pd.Series(["=A1", None, "ok", "-5", "+7 дом"], dtype="str"),
            "sector": [None, None, "ЖКХ", 3.0, ["a", "b"]],
            "when": pd.to_datetime(["2026-01-02 10:00:00", None, None, "2026-01-03 00:00:00", None]),
        }
    )
    written = output.write_table(frame, tmp_path / "out.csv")
    target = written.path
    assert written.protected == 2  # «=A1», «+7 дом»; «-5» is a number
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(target, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert back["Текст"].tolist() == ["'=A1", "", "ok", "-5", "'+7 дом"]
    assert back["sector"].tolist() == ["", "", "ЖКХ", "3", "a; b"]
    assert back["when"].tolist() == ["2026-01-02 10:00:00", "", "", "2026-01-03 00:00:00", ""]
