"""Recurring problems as one kind of problem at one place, told in any words."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from test_recurring import _rows

from curtool.core import classify
from curtool.core import columns as C
from curtool.core.recurring import RecurringSettings, find_recurring, grouping
from curtool.io.modelfile import default_model

# one problem in three residents' words: no content word is shared by all three
STAIRS = (
    "В парадной грязь, полы не моют месяцами",
    "Подъезд не убирают, на лестнице мусор и окурки",
    "Уборщица не приходит, на площадке второго этажа грязно",
    "Уборки в подъезде нет, на ступеньках грязь",
)
LIFT = (
    "Лифт не работает, застреваем между этажами",
    "Опять сломался лифт, пожилые не могут спуститься",
    "Кабина лифта стоит, кнопки не отвечают",
)


def _place_frame() -> pd.DataFrame:
    specs = []
    for w in range(4):  # four weeks at one house: stairs dirty every week, lift broken thrice
        specs.append({"text": STAIRS[w], "day": 7 * w, "street": "Садовая", "house": "7", "id": f"s{w}"})
        if w < 3:
            specs.append(
                {"text": LIFT[w], "day": 7 * w + 2, "street": "Садовая", "house": "7", "id": f"l{w}"}
            )
    return _rows(specs)


def _classified(frame: pd.DataFrame):
    return classify.classify_detailed(frame, default_model(), use_given=False)


def test_one_kind_at_one_place_in_other_words_is_one_problem_and_kinds_stay_apart() -> None:
    frame = _place_frame()
    done = _classified(frame)
    result = find_recurring(
        frame, done.table[C.SECTOR], kinds=done.table[C.PROBLEM_KIND], kind_vectors=done.kind_vectors
    )
    place = result.problems[~result.problems["systemic"]]
    groups = {frozenset(ids) for ids in place["message_ids"]}
    assert frozenset({"s0", "s1", "s2", "s3"}) in groups
    assert frozenset({"l0", "l1", "l2"}) in groups
    kinds = dict(zip(place["kind"], place["label"], strict=True))
    assert set(kinds) == {"Уборка подъезда", "Лифт"}
    # the label a head of ЦУР reads: the kind, the place and the district
    assert kinds["Лифт"].startswith("Лифт — ")
    assert "Садовая" in kinds["Лифт"] and "(Гиагинский район)" in kinds["Лифт"]


def test_without_kinds_the_words_alone_split_the_stairs() -> None:
    """What the kinds add: word similarity alone does not hold the four stair messages together."""
    frame = _place_frame()
    result = find_recurring(frame, pd.Series("ЖКХ", index=frame.index))
    groups = {frozenset(ids) for ids in result.problems["message_ids"]}
    assert frozenset({"s0", "s1", "s2", "s3"}) not in groups


def test_an_export_topic_is_the_kind_where_it_has_one() -> None:
    frame = _place_frame()
    # the export files all seven under one topic: they are one problem, named by the topic
    frame[C.TOPIC] = "Подъезд в плохом состоянии"
    done = _classified(frame)
    result = find_recurring(
        frame, done.table[C.SECTOR], kinds=done.table[C.PROBLEM_KIND], kind_vectors=done.kind_vectors
    )
    place = result.problems[~result.problems["systemic"]]
    assert len(place) == 1
    assert set(place["message_ids"].iloc[0]) == {"s0", "s1", "s2", "s3", "l0", "l1", "l2"}
    assert place["kind"].iloc[0] == "Подъезд в плохом состоянии"


def test_the_json_carries_the_kind() -> None:
    frame = _place_frame()
    done = _classified(frame)
    result = find_recurring(
        frame, done.table[C.SECTOR], kinds=done.table[C.PROBLEM_KIND], kind_vectors=done.kind_vectors
    )
    payload = json.loads(json.dumps(result.to_json_dict(), default=str, ensure_ascii=False))
    assert all("kind" in p for p in payload["problems"])
    assert {p["kind"] for p in payload["problems"]} >= {"Лифт", "Уборка подъезда"}


def test_average_linkage_does_not_chain_two_problems_through_one_message() -> None:
    # two tight pairs of kinds and one message half-way: single link would join all five
    kinds = sp.csr_matrix(
        np.array([[1, 0], [1, 0], [1, 0], [0.6, 0.8], [0, 1], [0, 1], [0, 1]], dtype=np.float32)
    )
    words = sp.csr_matrix((7, 3), dtype=np.float32)
    labels = grouping.group_places(
        np.zeros(7, dtype=np.int64), words, kinds, kind_weight=1.0, similarity=0.55, min_count=3
    )
    assert labels[0] == labels[1] == labels[2]
    assert labels[4] == labels[5] == labels[6]
    assert labels[0] != labels[4]


def test_groups_never_cross_places() -> None:
    kinds = sp.csr_matrix(np.ones((6, 1), dtype=np.float32))
    words = sp.csr_matrix((6, 1), dtype=np.float32)
    labels = grouping.group_places(
        np.array([0, 0, 0, 1, 1, 1]), words, kinds, kind_weight=1.0, similarity=0.3, min_count=3
    )
    assert labels[0] == labels[1] == labels[2] != labels[3] == labels[4] == labels[5]
    none = grouping.group_places(
        np.array([-1, -1, -1, 2, 2, 5]), words, kinds, kind_weight=1.0, similarity=0.3, min_count=3
    )
    assert (none == -1).all()  # no place, or fewer than min_count at one


def test_settings_name_the_kind_knobs() -> None:
    st = RecurringSettings()
    assert 0 <= st.kind_weight <= 1 and 0 < st.kind_similarity < 1


def _partition(labels: np.ndarray) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for i, g in enumerate(labels.tolist()):
        if g >= 0:
            groups.setdefault(g, set()).add(i)
    return {frozenset(v) for v in groups.values()}


@pytest.mark.slow
def test_small_places_grouped_in_batches_equal_scipy_place_by_place(monkeypatch) -> None:
    """fast = exact: the vectorised average linkage gives scipy's partition."""
    rng = np.random.default_rng(7)
    n = 3_000
    places = rng.integers(0, 700, size=n)  # sizes 1–12: both roads are taken
    words = sp.csr_matrix(rng.random((n, 12)) * (rng.random((n, 12)) < 0.3))
    kinds = sp.csr_matrix(rng.random((n, 5)) ** 4)
    for m in (words, kinds):  # unit rows, as the callers give them
        norm = np.sqrt(np.asarray(m.multiply(m).sum(axis=1))).ravel()
        m.data /= np.repeat(np.maximum(norm, 1e-12), np.diff(m.indptr))
    for similarity in (0.2, 0.35, 0.5):
        fast = grouping.group_places(
            places, words, kinds, kind_weight=0.5, similarity=similarity, min_count=3
        )
        monkeypatch.setattr(grouping, "SMALL", 0)
        exact = grouping.group_places(
            places, words, kinds, kind_weight=0.5, similarity=similarity, min_count=3
        )
        monkeypatch.undo()
        assert _partition(fast) == _partition(exact)
        assert (fast >= 0).sum() == (exact >= 0).sum()
