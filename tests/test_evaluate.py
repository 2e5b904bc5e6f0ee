"""Evaluation metrics, the Excel report, cross-validation, and the Kursk targets (skipped without data)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from curtool.core import classify, columns, errors, evaluate
from curtool.core.text import clean_text
from curtool.io import evalbook
from curtool.io.modelfile import default_model


def test_metrics_on_a_hand_checked_example() -> None:
    # a: tp 1 of 2 predicted, 2 true -> P .5 R .5 F1 .5
    # b: tp 2 of 3 predicted, 2 true -> P 2/3 R 1 F1 .8
    # c: never predicted, 1 true     -> 0
    truth = ["a", "a", "b", "b", "c"]
    pred = ["a", "b", "b", "b", "a"]
    ev = evaluate.evaluate(truth, pred)
    assert ev.accuracy == pytest.approx(0.6)
    assert ev.per_class.loc["a", "f1"] == pytest.approx(0.5)
    assert ev.per_class.loc["b", "precision"] == pytest.approx(2 / 3)
    assert ev.per_class.loc["b", "f1"] == pytest.approx(0.8)
    assert ev.per_class.loc["c", "f1"] == 0
    assert ev.macro_f1 == pytest.approx((0.5 + 0.8 + 0) / 3)
    assert ev.confusion.loc["c", "a"] == 1
    assert ev.confusion.loc["a", "b"] == 1
    assert int(ev.confusion.to_numpy().sum()) == 5
    assert ev.weakest[0] == "c"


def test_lenient_accuracy_counts_the_alternative() -> None:
    ev = evaluate.evaluate(["x", "y", "z"], ["x", "q", "w"], alt_labels=["", "q", None])
    assert ev.accuracy == pytest.approx(1 / 3)
    assert ev.lenient_accuracy == pytest.approx(2 / 3)


def test_as_dict_is_json() -> None:
    ev = evaluate.evaluate(["ЖКХ", "Прочее"], ["ЖКХ", "ЖКХ"])
    data = json.loads(json.dumps(ev.as_dict(), ensure_ascii=False))
    assert data["accuracy"] == 0.5
    assert data["per_class"]["ЖКХ"]["precision"] == 0.5
    assert data["confusion"]["Прочее"]["ЖКХ"] == 1


def test_length_mismatch_and_empty_are_refused() -> None:
    with pytest.raises(errors.CurtoolError) as info:
        evaluate.evaluate(["a"], ["a", "b"])
    assert info.value.code == errors.BAD_OPTION
    with pytest.raises(errors.CurtoolError) as info:
        evaluate.evaluate([], [])
    assert info.value.code == errors.NO_LABELS


def test_write_evaluation_has_both_sheets(tmp_path: Path) -> None:
    import openpyxl

    ev = evaluate.evaluate(["a", "b", "=cmd"], ["a", "a", "=cmd"])
    path = evalbook.write_evaluation(ev, tmp_path / "eval.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [evalbook.METRICS_SHEET, evalbook.CONFUSION_SHEET]
    cells = [c.value for row in book[evalbook.CONFUSION_SHEET].iter_rows() for c in row]
    assert "=cmd" in cells  # a label that looks like a formula stays text
    assert [p.name for p in tmp_path.iterdir()] == ["eval.xlsx"]


def test_cross_validate_on_own_written_set() -> None:
    texts = [f"нет воды в доме номер {i}" for i in range(10)] + [
        f"отключили свет на улице {i}" for i in range(10)
    ]
    labels = ["вода"] * 10 + ["свет"] * 10
    ev = evaluate.cross_validate(texts, labels, folds=5, seed=0, base="none")
    assert ev.n == 20
    assert ev.accuracy == 1.0
    assert ev.extra["folds"] == 5


@pytest.fixture(scope="module")
def kursk(kursk_rows) -> pd.DataFrame:
    data = kursk_rows.copy()  # pd.read_csv(KURSK), read once per session (tests/conftest.py)
    data["clean"] = [clean_text(t) for t in data["text"]]
    return data


@pytest.mark.slow
def test_kursk_default_model(kursk: pd.DataFrame) -> None:
    """The shipped model, trained on none of this file (the `topic` column is never used)."""
    frame = pd.DataFrame({columns.CLEAN: kursk["clean"]})
    result = classify.classify(frame, default_model(), use_given=False)
    ev = evaluate.evaluate(kursk["sector"], result[columns.SECTOR], alt_labels=kursk["alt_sector"].fillna(""))
    # measured 2026-11-24: see docs/classifier.md; floors a little under the measurement
    assert ev.macro_f1 >= 0.70, ev.as_dict()
    assert ev.accuracy >= 0.765, ev.as_dict()
    assert ev.lenient_accuracy >= 0.81, ev.as_dict()


@pytest.mark.slow
def test_kursk_train_cross_validated(kursk: pd.DataFrame) -> None:
    ev = evaluate.cross_validate(
        kursk["clean"].tolist(),
        kursk["sector"].tolist(),
        folds=5,
        seed=0,
        alt_labels=kursk["alt_sector"].fillna("").tolist(),
    )
    # measured 2026-11-24 (third session): macro-F1 0.749, accuracy 0.802; 2026-12-02 with
    # vectors, kinds and prior weight 0.7: 0.748, 0.802 (lenient 0.846)
    assert ev.macro_f1 >= 0.73, ev.as_dict()
    assert ev.accuracy >= 0.785, ev.as_dict()
