"""Problem kinds under the blocks, word vectors, the review mark: behaviour, not figures."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from curtool.app.cli import app
from curtool.core import (
    classify,
    columns,
    errors,
    model,
    morph,
    resources,
    seedcorpus,
    taxonomy,
    training,
    vectors,
)
from curtool.io import modelfile

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "samples" / "pos_adygea.csv"
runner = CliRunner()


# `shipped`: the shipped model, loaded once per session (tests/conftest.py)


def frame(texts: list[str], **extra: list[str]) -> pd.DataFrame:
    return pd.DataFrame({columns.CLEAN: texts, **extra})


# --------------------------------------------------------------------------- taxonomy
def test_the_taxonomy_file_is_the_one_list_of_blocks_and_kinds(shipped) -> None:
    tax = taxonomy.load_taxonomy()
    assert columns.SECTORS == tax.names
    assert columns.OTHER_SECTOR == tax.other
    assert 60 <= len(tax.kinds) <= 120
    assert {k.block for k in tax.kinds} == set(tax.names)  # every block has kinds
    assert shipped.kinds == tax.kind_names
    assert [shipped.labels[i] for i in shipped.kind_block] == [k.block for k in tax.kinds]
    # every kind has seed clauses of its own, not only cues
    material = seedcorpus.kind_material(tax)
    assert all(len(material.get(k.name, [])) >= 10 for k in tax.kinds)


def _taxonomy_text(extra: str) -> dict:
    text = taxonomy.DEFAULT_PATH.read_text(encoding="utf-8")
    return tomllib.loads(text.replace("\n[groups]\n", "\n" + extra + "\n[groups]\n", 1))


def test_a_new_kind_needs_no_code_only_the_file() -> None:
    data = _taxonomy_text(
        '[[kind]]\nname = "Бездомные кошки в подвале"\nblock = "ЖКХ"\n'
        'cues = ["кошки в подвале", "кошачий запах"]\ntopics = ["Кошки в подвале МКД"]\n'
    )
    tax = taxonomy.parse_taxonomy(data)
    assert tax.kind_names[-1] == "Бездомные кошки в подвале"
    assert tax.map_topic("  кошки в ПОДВАЛЕ мкд ") == "Бездомные кошки в подвале"
    _, labels = seedcorpus.cue_documents(tax, kinds=True)
    assert labels.count("Бездомные кошки в подвале") == 2 * 6


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('[[kind]]\nname = "Х"\nblock = "Космос"\ncues = ["х"]\n', "kind «Х»: block «Космос» is not defined"),
        ('[[kind]]\nname = "Лифт"\nblock = "ЖКХ"\ncues = ["х"]\n', "kind «Лифт» is defined twice"),
        (
            '[[kind]]\nname = "Х"\nblock = "ЖКХ"\ncues = ["х"]\ntopics = ["Застревание в лифте"]\n',
            "topic «Застревание в лифте» is named by kinds «Лифт» and «Х»",
        ),
        (
            '[[kind]]\nname = "Х"\nblock = "ЖКХ"\ncues = ["х"]\nnot_confused = [{ with = "Нечто", rule = "" }]\n',
            "kind «Х»: not_confused names unknown kind «Нечто»",
        ),
    ],
)
def test_a_broken_kind_is_a_clear_taxonomy_error(extra: str, message: str) -> None:
    with pytest.raises(errors.CurtoolError) as caught:
        taxonomy.parse_taxonomy(_taxonomy_text(extra))
    assert caught.value.code == errors.BAD_TAXONOMY
    assert message in str(caught.value)


# --------------------------------------------------------------------------- classify
@pytest.mark.slow
def test_every_message_gets_a_kind_of_its_own_sector(shipped) -> None:
    from curtool.io.loader import load

    data = load([SAMPLE])
    out = classify.classify(data.frame, shipped)
    block_of = {k.name: k.block for k in taxonomy.load_taxonomy().kinds}
    has_text = out[columns.SECTOR_EVIDENCE] != classify.EMPTY_EVIDENCE
    kinds = out.loc[has_text, columns.PROBLEM_KIND]
    assert (kinds != "").all()
    # the sector stays consistent with the kind, whoever decided the sector
    assert (kinds.map(block_of) == out.loc[has_text, columns.SECTOR]).all()
    assert set(out.loc[has_text, columns.SECTOR_SOURCE]) >= {"given", "model"}
    conf = out[columns.PROBLEM_KIND_CONFIDENCE]
    assert ((conf >= 0) & (conf <= out[columns.SECTOR_CONFIDENCE] + 1e-9)).all()
    # the sample's «Подкатегория» names kinds the taxonomy knows: those are the export's own
    by_topic = out[columns.SECTOR_EVIDENCE].str.startswith("тема: ")
    assert by_topic.any()
    assert (out.loc[by_topic, columns.PROBLEM_KIND_CONFIDENCE] == 1.0).all()


def test_a_given_group_still_gets_the_kind_its_text_names(shipped) -> None:
    out = classify.classify(
        frame(["лифт не работает вторую неделю, застревает между этажами"], **{columns.GROUP: ["ЖКХ"]}),
        shipped,
    )
    assert out[columns.SECTOR_SOURCE].tolist() == ["given"]
    assert out[columns.PROBLEM_KIND].tolist() == ["Лифт"]


def test_an_export_topic_the_taxonomy_names_is_the_kind_as_given(shipped) -> None:
    texts = ["прошу разобраться, третий раз пишу", "прошу разобраться, третий раз пишу"]
    out = classify.classify(frame(texts, **{columns.TOPIC: ["Застревание в лифте", "что-то своё"]}), shipped)
    assert out[columns.PROBLEM_KIND].iloc[0] == "Лифт"
    assert out[columns.SECTOR].iloc[0] == "ЖКХ"
    assert out[columns.SECTOR_SOURCE].iloc[0] == "given"
    assert out[columns.PROBLEM_KIND_CONFIDENCE].iloc[0] == 1.0
    assert out[columns.SECTOR_SOURCE].iloc[1] == "model"
    # without use_given the topic is ignored
    plain = classify.classify(
        frame(texts, **{columns.TOPIC: ["Застревание в лифте"] * 2}), shipped, use_given=False
    )
    assert (plain[columns.SECTOR_SOURCE] == "model").all()


def test_kinds_are_told_apart_within_a_block(shipped) -> None:
    probe = {
        "батареи холодные, в квартире плюс пятнадцать": "Отопление",
        "горячей воды нет неделю, из крана только холодная": "Горячая вода",
        "лифт застрял, люди сидели в кабине час": "Лифт",
        "на дороге огромная яма, пробил колесо": "Ямы на дорогах",
        "автобус ходит раз в час, интервалы огромные": "Нехватка транспорта и интервалы",
        "в поликлинике не записаться к терапевту, талонов нет": "Запись к врачу",
    }
    got = modelfile.load_model().predict(list(probe)).kinds
    assert got == list(probe.values())


def test_review_marks_what_the_model_was_unsure_of_and_nothing_the_export_said(shipped) -> None:
    texts = ["на дороге огромная яма, пробил колесо", "ну вот опять", "ну вот опять"]
    out = classify.classify(frame(texts, **{columns.GROUP: ["", "", "Дороги"]}), shipped)
    conf, review = out[columns.SECTOR_CONFIDENCE], out[columns.NEEDS_REVIEW]
    assert review.tolist() == [False, True, False]
    assert conf.iloc[1] < shipped.review_below <= conf.iloc[0]


# --------------------------------------------------------------------------- vectors
def test_a_word_the_vocabulary_never_had_counts_through_its_vector(shipped) -> None:
    vec = vectors.load()
    norm = morph.normaliser("lemma")
    vocab = set(shipped.vocabulary)
    # a word outside the vocabulary: its vector alone must move the answer off «no known words»
    word = next(
        w
        for w in ("крыжовник", "крушение", "теплотрассовый", "колдобистый", "бордюрчик", "трамвайщик")
        if norm.word(w) not in vocab and vec.get(norm.word(w)) >= 0
    )
    pred = shipped.predict([word])
    assert pred.evidence[0] != "нет знакомых слов"
    assert pred.confidence[0] > 0
    assert "≈" + norm.word(word) in pred.evidence[0]
    # a vocabulary-only copy of the model knows nothing of it
    bare = model.SectorModel(shipped.labels, shipped.vocabulary, shipped.coef, shipped.intercept)
    assert bare.predict([word]).evidence[0] == "нет знакомых слов"


def test_missing_word_vectors_are_a_clear_error(monkeypatch) -> None:
    monkeypatch.setattr(resources, "navec_path", lambda: None)
    monkeypatch.setattr(vectors, "_LOADED", {})
    with pytest.raises(errors.CurtoolError) as caught:
        vectors.load()
    assert caught.value.code == errors.FILE_NOT_FOUND
    assert "natasha" in str(caught.value)


# --------------------------------------------------------------------------- file
@pytest.mark.slow
def test_kinds_and_vectors_survive_the_model_file(shipped, tmp_path) -> None:
    path = modelfile.save_model(shipped, tmp_path / "m.npz")
    loaded = modelfile.load_model(path)
    probe = ["лифт не работает", "яма на дороге", "роллеты на фасаде без разрешения", "врач хамит"]
    a, b = shipped.predict(probe), loaded.predict(probe)
    assert a.labels == b.labels and a.kinds == b.kinds
    np.testing.assert_allclose(a.kind_confidence, b.kind_confidence, atol=1e-6)
    assert loaded.word_vectors == vectors.NAVEC_NAME and loaded.review_below == shipped.review_below


@pytest.mark.slow
def test_a_model_whose_kind_arrays_do_not_fit_is_refused(shipped, tmp_path) -> None:
    broken = model.SectorModel(
        shipped.labels, shipped.vocabulary, shipped.coef, shipped.intercept,
        word_vectors=shipped.word_vectors, vec_coef=shipped.vec_coef, kinds=shipped.kinds,
        kind_block=shipped.kind_block, kind_coef=shipped.kind_coef[:, :-1],
        kind_vec_coef=shipped.kind_vec_coef, kind_intercept=shipped.kind_intercept,
    )  # fmt: skip
    path = modelfile.save_model(broken, tmp_path / "broken.npz")
    with pytest.raises(errors.CurtoolError) as caught:
        modelfile.load_model(path)
    assert caught.value.code == errors.NOT_A_MODEL
    assert "kind_coef" in str(caught.value)


# --------------------------------------------------------------------------- CLI
@pytest.mark.slow
def test_classify_writes_the_kind_and_review_columns_and_counts_them(tmp_path) -> None:
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["classify", str(SAMPLE), "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, sep=";", dtype=str, keep_default_na=False)
    for name in (columns.PROBLEM_KIND, columns.PROBLEM_KIND_CONFIDENCE, columns.NEEDS_REVIEW):
        assert name in table.columns
    flagged = int((table[columns.NEEDS_REVIEW] == "true").sum())
    assert flagged > 0
    assert f"For a person to check: {flagged:,} messages" in result.output
    assert "Top problem kinds" in result.output


# --------------------------------------------------------------------------- train / evaluate on kinds
def _region_with_its_own_words() -> tuple[list[str], list[str]]:
    """A region whose residents call the lift «гыдыщ» and the entry phone «бряцалка»."""
    lift = [f"гыдыщ опять стоит {x}" for x in ("неделю", "с утра", "третий день", "после ремонта")]
    door = [f"бряцалка не пускает {x}" for x in ("гостей", "врачей", "курьеров", "детей")]
    pits = [f"на улице яма {x}" for x in ("у школы", "у рынка", "на повороте", "у моста")]
    texts = (lift + door + pits) * 3
    labels = (["Лифт"] * 4 + ["Домофон и входная дверь"] * 4 + ["Ямы на дорогах"] * 4) * 3
    return texts, labels


@pytest.mark.slow
def test_a_region_history_labelled_with_kinds_trains_its_words_into_both_heads() -> None:
    texts, labels = _region_with_its_own_words()
    assert training.label_level(labels) == "kind"
    before = modelfile.load_model().predict(["гыдыщ стоит", "бряцалка не пускает"])
    trained = training.train(texts, labels)
    after = trained.predict(["гыдыщ стоит", "бряцалка не пускает", "батареи холодные всю зиму"])
    assert before.kinds[:2] != ["Лифт", "Домофон и входная дверь"]
    assert after.kinds[:2] == ["Лифт", "Домофон и входная дверь"]
    assert after.labels[:2] == ["ЖКХ", "ЖКХ"]
    # kinds the region never labelled still come from the default model
    assert after.kinds[2] == "Отопление"
    # every kind of the blocks the region trained stays known
    default = modelfile.load_model()
    kept = [
        k
        for k, b in zip(default.kinds, default.kind_block, strict=True)
        if default.labels[b] in trained.labels
    ]
    assert list(trained.kinds) == kept


def test_evaluate_on_kind_labels_measures_the_kind(tmp_path) -> None:
    texts, labels = _region_with_its_own_words()
    path = tmp_path / "labelled.csv"
    pd.DataFrame({"Текст сообщения": texts, "Вид": labels, "ID": range(len(texts))}).to_csv(path, index=False)
    result = runner.invoke(
        app, ["evaluate", str(path), "--label-column", "Вид", "--json"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    import json

    metrics = json.loads(result.output[result.output.index("{") :])
    got = classify.classify_texts(texts, modelfile.default_model())[columns.PROBLEM_KIND]
    distinct = {t: k for t, k in zip(texts, labels, strict=True)}
    want = np.mean([got[i] == labels[i] for i in range(len(texts))])
    assert len(distinct) == len(set(texts))
    assert metrics["accuracy"] == pytest.approx(want, abs=1e-4)
    assert set(metrics["per_class"]) >= {"Лифт", "Ямы на дорогах"}
