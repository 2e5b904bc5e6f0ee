"""Sector per message: the export's own categories where they tell it, the model otherwise.

Output columns (``columns.OUTPUT_COLUMNS``): ``sector``, ``sector_confidence``
(0–1), ``sector_evidence`` (the cues that decided, readable) and
``sector_source`` (``given``, ``config``, ``category`` or ``model``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypedDict, Unpack

import numpy as np
import pandas as pd
import scipy.sparse as sp

from curtool.core import categories, columns
from curtool.core.categories import CategoryMap, CategoryVotes
from curtool.core.model import Prediction, SectorModel
from curtool.core.taxonomy import Taxonomy, group_key, load_taxonomy
from curtool.core.text import blank, text_codes

SOURCE_GIVEN = "given"  # a «Группа тем» the taxonomy knows
SOURCE_CONFIG = "config"  # a category mapped by the analyst in curtool.toml [groups]
SOURCE_CATEGORY = "category"  # the clear majority block of its category's messages
SOURCE_MODEL = "model"  # the message's own text
EMPTY_EVIDENCE = "пустой текст"
# Below this many distinct texts a second process costs more than it saves.
PARALLEL_MIN_ROWS = 60_000
_CHUNK = 50_000


class ClassifyOptions(TypedDict, total=False):
    """The keyword options of :func:`classify` and :func:`classify_detailed`."""

    use_given: bool
    taxonomy: Taxonomy | None
    n_jobs: int | None
    groups: Mapping[str, str] | None
    categories_seen: Sequence[str] | None
    votes: CategoryVotes | None


def classify(frame: pd.DataFrame, model: SectorModel, **options: Unpack[ClassifyOptions]) -> pd.DataFrame:
    """Sector, confidence, evidence and source for every row of ``frame``.

    ``frame`` needs ``columns.CLEAN`` (analysis text); ``columns.GROUP`` (the export's own
    category) is used when present and ``use_given``, as :func:`classify_detailed`
    says.  The result is indexed like ``frame``.
    """
    return classify_detailed(frame, model, **options).table


@dataclass
class Classification:
    """What :func:`classify_detailed` found: the output columns, how the export's
    categories were used, and each row's likeliest kinds as a unit vector (rows ×
    kinds, sparse; zero rows without text), which recurring problems compare."""

    table: pd.DataFrame
    categories: CategoryMap | None
    kind_vectors: sp.csr_matrix | None
    votes: CategoryVotes | None = None  # this frame's own votes on its categories (None without any)


def classify_detailed(
    frame: pd.DataFrame,
    model: SectorModel,
    *,
    use_given: bool = True,
    taxonomy: Taxonomy | None = None,
    n_jobs: int | None = None,
    groups: Mapping[str, str] | None = None,
    categories_seen: Sequence[str] | None = None,
    votes: CategoryVotes | None = None,
) -> Classification:
    """:func:`classify`, and how the export's categories were used (None without any).

    A category the analyst mapped in ``groups`` (``[groups]`` of ``curtool.toml``:
    category -> block, or ``text``) takes that block (source ``config``).  Otherwise, when
    the column is the taxonomy's «Группа тем» vocabulary, a value the taxonomy knows sets
    its block (source ``given``).  Every other category is mapped by its messages
    (``curtool.core.categories``): a clear majority block of the model's predictions is given
    to all of them (source ``category``, confidence the majority's share); a mixed one
    leaves each message to its own text (source ``model``), as do rows without a category.

    A part of a larger export (one district of an archive) is classified as the whole would
    be when given the whole's ``categories_seen`` (:func:`category_values` of all its rows)
    and ``votes`` (the sum of every part's ``Classification.votes`` counted with those
    categories): then every category is decided by all its messages, not the part's.
    """
    taxonomy = taxonomy or load_taxonomy()
    n = len(frame)
    sector = np.full(n, columns.OTHER_SECTOR, dtype=object)
    confidence = np.zeros(n, dtype=float)
    evidence = np.full(n, EMPTY_EVIDENCE, dtype=object)
    source = np.full(n, SOURCE_MODEL, dtype=object)

    category = np.full(n, -1, dtype=np.int64)
    values: list[str] = []
    if use_given and columns.GROUP in frame.columns:
        category, values = _category_codes(frame[columns.GROUP], categories_seen)
    block, why, known, distinct = categories.fix_categories(values, taxonomy, groups)
    # per category first, then one fancy index per row: a million rows share a few hundred
    # categories; code -1 (no category) takes the trailing entry of each per-category array
    fixed = np.append(block != "", False)[category]
    if fixed.any():
        by_config = why == categories.BY_CONFIG
        said = np.asarray(
            [("curtool.toml: " if c else "группа: ") + v for v, c in zip(values, by_config, strict=True)],
            dtype=object,
        )
        rows = category[fixed]
        sector[fixed] = block[rows]
        confidence[fixed] = 1.0
        source[fixed] = np.where(by_config, SOURCE_CONFIG, SOURCE_GIVEN).astype(object)[rows]
        evidence[fixed] = said[rows]

    # a topic the taxonomy names gives its kind, and the kind's block where nothing fixed one
    topic_kind = _topic_kinds(frame, taxonomy) if use_given else np.full(n, "", dtype=object)
    by_topic = (topic_kind != "") & ~fixed
    if by_topic.any():
        block_of = {k.name: k.block for k in taxonomy.kinds}
        sector[by_topic] = [block_of[k] for k in topic_kind[by_topic]]
        confidence[by_topic] = 1.0
        source[by_topic] = SOURCE_GIVEN
        evidence[by_topic] = ["тема: " + k for k in topic_kind[by_topic]]
        fixed = fixed | by_topic

    rest = ~fixed
    voter_category = np.zeros(0, dtype=np.int64)
    voter_label = np.zeros(0, dtype=np.int64)
    # blocks numbered as the model lists them, so the votes of two parts add up
    label_names: list[str] = [str(b) for b in model.labels]
    predicted_total = np.zeros(len(label_names), dtype=np.int64)
    kind_rows = np.zeros(0, dtype=np.int64)  # rows with text, and their place in the predictions
    kind_answer = np.zeros(0, dtype=np.int64)
    pred = None
    # fixed rows are predicted too when the model knows kinds: their kind comes from the text
    predict = rest if not model.kinds else np.ones(n, dtype=bool)
    if predict.any():
        codes, texts = _texts_and_codes(frame, None if predict.all() else predict)
        valid = np.flatnonzero(codes >= 0)
        if len(valid):
            # identical texts (reposts, templates) are classified once, by their first row
            _, first, inverse = np.unique(codes[valid], return_index=True, return_inverse=True)
            firsts = valid[first]
            order = np.argsort(firsts)
            pred = _predict(model, texts, firsts[order], n_jobs)
            rank = np.empty_like(order)
            rank[order] = np.arange(len(order))
            all_answer = rank[inverse]  # each valid row's place in the predictions
            all_rows = np.flatnonzero(predict)[valid]
            kind_rows, kind_answer = all_rows, all_answer
            mine = rest[all_rows]
            todo, answer = all_rows[mine], all_answer[mine]
            labels = np.asarray(pred.labels, dtype=object)
            sector[todo] = labels[answer]
            confidence[todo] = np.round(pred.confidence[answer], 4)
            evidence[todo] = np.asarray(pred.evidence, dtype=object)[answer]
            if values and len(todo):
                # the vote: each message with text, by its category and predicted block
                label_codes = _label_codes(labels[answer], label_names)
                voting = category[todo] >= 0
                voter_category = category[todo][voting]
                voter_label = label_codes[voting]
                predicted_total = np.bincount(label_codes, minlength=len(label_names))
    table = own_votes = None
    if values:
        own_votes = CategoryVotes(
            values=list(values),
            labels=list(label_names),
            counts=categories.tally_votes(voter_category, voter_label, len(values), len(label_names)),
            predicted=predicted_total,
            messages=np.bincount(category[category >= 0], minlength=len(values)),
        )
        decided = own_votes if votes is None else votes.aligned(own_votes).first(len(values))
        vote = categories.vote_counts(
            decided.counts,
            decided.labels,
            _block_totals(decided.labels, decided.predicted, block, decided.messages),
        )
        share, clear = vote.share, vote.clear
        voted = why == ""  # neither the config nor the taxonomy decided it
        block = np.where(voted & clear, vote.majority, block)
        why = np.where(voted, vote.why, why)
        mapped = np.append(voted & clear, False)[category]
        if mapped.any():
            rows = category[mapped]
            note = np.asarray(
                [
                    f"категория «{v}»: {s:.0%} её сообщений — {b}"
                    for v, s, b in zip(values, np.nan_to_num(share), block, strict=True)
                ],
                dtype=object,
            )
            sector[mapped] = block[rows]
            confidence[mapped] = np.round(share[rows], 4)
            evidence[mapped] = note[rows]
            source[mapped] = SOURCE_CATEGORY
        table = categories.build_map(values, decided.messages, block, why, vote, known, distinct)
    kind, kind_confidence, agrees = _final_kinds(
        model, pred, kind_rows, kind_answer, sector, confidence, topic_kind, taxonomy
    )
    # the export's topic names a kind of the block chosen otherwise: the export says so too
    confirm = agrees & (source != SOURCE_CONFIG) & (source != SOURCE_GIVEN)
    if confirm.any():
        confidence[confirm] = 1.0
        source[confirm] = SOURCE_GIVEN
        evidence[confirm] = ["тема: " + k for k in topic_kind[confirm]]
    # a person looks at what the model was unsure of; what the export or the analyst said is not
    review = (source == SOURCE_MODEL) & (confidence < model.review_below) & (evidence != EMPTY_EVIDENCE)
    kind_vectors = None
    if pred is not None and pred.kind_top is not None:
        # each row with text takes its text's row; the others stay empty
        pick = np.full(n, -1, dtype=np.int64)
        pick[kind_rows] = kind_answer
        has = pick >= 0
        base = pred.kind_top[np.where(has, pick, 0)]
        kind_vectors = sp.csr_matrix(sp.diags(has.astype(np.float32)) @ base)
        kind_vectors.eliminate_zeros()
    result = pd.DataFrame(
        {
            columns.SECTOR: sector,
            columns.SECTOR_CONFIDENCE: confidence,
            columns.SECTOR_EVIDENCE: evidence,
            columns.SECTOR_SOURCE: source,
            columns.PROBLEM_KIND: kind,
            columns.PROBLEM_KIND_CONFIDENCE: kind_confidence,
            columns.NEEDS_REVIEW: review,
        },
        index=frame.index,
    )
    return Classification(result, table, kind_vectors, own_votes)


def _topic_kinds(frame: pd.DataFrame, taxonomy: Taxonomy) -> np.ndarray:
    """The kind each row's export topic names («» where none or unknown), per distinct topic."""
    n = len(frame)
    if columns.TOPIC not in frame.columns or not taxonomy.kinds:
        return np.full(n, "", dtype=object)
    codes, uniques = pd.factorize(frame[columns.TOPIC])
    named = np.asarray([taxonomy.map_topic(v) or "" for v in uniques] + [""], dtype=object)
    return named[codes]


def _final_kinds(
    model: SectorModel,
    pred: Prediction | None,
    rows: np.ndarray,
    answer: np.ndarray,
    sector: np.ndarray,
    confidence: np.ndarray,
    topic_kind: np.ndarray,
    taxonomy: Taxonomy,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's kind under its final sector: the export's topic where it names a kind of
    that sector, else the model's likeliest kind of that sector for the row's text.  The
    third array marks the rows whose topic named the kind."""
    n = len(sector)
    kind = np.full(n, "", dtype=object)
    kind_confidence = np.zeros(n, dtype=float)
    if pred is not None and model.kinds and len(rows):
        block_index = {b: i for i, b in enumerate(model.labels)}
        col = np.asarray([block_index.get(b, -1) for b in sector[rows]], dtype=np.int64)
        ok = col >= 0
        r, a, c = rows[ok], answer[ok], col[ok]
        pick = pred.kind_by_block[a, c]
        has = pick >= 0
        names = np.asarray(model.kinds, dtype=object)
        kind[r[has]] = names[pick[has]]
        kind_confidence[r[has]] = np.round(pred.kind_share[a, c][has] * confidence[r[has]], 4)
    given = topic_kind != ""
    same = np.zeros(n, dtype=bool)
    if given.any():
        block_of = {k.name: k.block for k in taxonomy.kinds}
        same = given & (np.asarray([block_of.get(k, "") for k in topic_kind], dtype=object) == sector)
        kind[same] = topic_kind[same]
        kind_confidence[same] = 1.0
    return kind, kind_confidence, same


def _block_totals(
    names: list[str], predicted: np.ndarray, block: np.ndarray, messages: np.ndarray
) -> np.ndarray:
    """Messages of each block in the export before any category is mapped: predicted ones
    plus those a «Группа тем» or the config fixed (all of a fixed category's messages)."""
    totals = np.zeros(len(names), dtype=np.int64)
    totals[: len(predicted)] = predicted
    index = {name: i for i, name in enumerate(names)}
    for b, n in zip(block, messages, strict=True):
        if n and b in index:
            totals[index[b]] += n
    return totals


def _label_codes(labels: np.ndarray, names: list[str]) -> np.ndarray:
    """Each predicted block's index in ``names`` (a block the list lacks is added to it)."""
    uniques, inverse = np.unique(labels.astype(str), return_inverse=True)
    for u in uniques:
        if u not in names:
            names.append(str(u))
    index = {name: i for i, name in enumerate(names)}
    return np.asarray([index[u] for u in uniques], dtype=np.int64)[inverse]


def category_values(groups: pd.Series | Sequence[object]) -> list[str]:
    """The categories of a column (or of its distinct values in order), each as first written:
    what :func:`classify_detailed`'s ``categories_seen`` takes."""
    series = groups if isinstance(groups, pd.Series) else pd.Series(list(groups), dtype=object)
    return _category_codes(series)[1]


def _category_codes(groups: pd.Series, seen: Sequence[str] | None = None) -> tuple[np.ndarray, list[str]]:
    """A code per row for its category (-1 where empty), and each category as first written.

    Spellings that compare equal (case, ё/е, quotes, spaces: ``taxonomy.group_key``) are
    one category.  The keys are computed per distinct value, never per row.  ``seen`` (the
    categories of a whole export this frame is part of) numbers them as the whole does.
    """
    codes, uniques = pd.factorize(groups)
    key_codes = np.full(len(uniques) + 1, -1, dtype=np.int64)  # the last: missing values
    shown: list[str] = list(seen or [])
    index: dict[str, int] = {group_key(v): i for i, v in enumerate(shown)}
    for i, value in enumerate(uniques):
        key = group_key(value)
        if key:
            if key not in index:
                index[key] = len(shown)
                shown.append(" ".join(str(value).split()))
            key_codes[i] = index[key]
    return key_codes[codes], shown


def classify_texts(texts: list[str], model: SectorModel) -> pd.DataFrame:
    """Convenience: classify plain texts (already cleaned) without a loaded frame."""
    frame = pd.DataFrame({columns.CLEAN: texts})
    return classify(frame, model, use_given=False)


def _texts_and_codes(frame: pd.DataFrame, rows: np.ndarray | None = None) -> tuple[np.ndarray, pd.Series]:
    """The analysis text of each row (of the ``rows`` mask, or all) and a code equal texts
    share, -1 where the text is empty or missing.

    Equal texts are found without copying them (``text.text_codes``), and only the texts
    the model reads become Python strings, a chunk at a time: for every row at once they
    would cost about 0.6 GB at a million rows.
    """
    if columns.CLEAN in frame.columns:
        values = frame[columns.CLEAN]
    elif columns.TEXT in frame.columns:
        from curtool.core.text import clean_series

        values = clean_series(frame[columns.TEXT])
    else:
        n = len(frame) if rows is None else int(rows.sum())
        return np.full(n, -1, dtype=np.int64), pd.Series([""] * n, dtype="str")
    if rows is not None:
        values = values[rows]  # by mask: rows of a chunked text column are never picked by position
    if values.dtype != "str":
        values = values.astype(object).where(values.notna(), "").astype("str")
    elif values.hasnans:
        values = values.fillna("")
    codes = text_codes(values)
    codes[blank(values)] = -1
    return codes, values


def _chunks(texts: pd.Series, which: np.ndarray, size: int):
    """Python strings of ``texts`` at the ascending positions ``which``, ``size`` at a time."""
    for start in range(0, len(which), size):
        batch = which[start : start + size]
        # a contiguous slice is free; picking by position copies only that slice
        piece = texts.iloc[int(batch[0]) : int(batch[-1]) + 1]
        yield [str(t).strip() for t in piece.iloc[batch - batch[0]].tolist()]


def _predict(model: SectorModel, texts: pd.Series, which: np.ndarray, n_jobs: int | None) -> Prediction:
    """Predictions for ``texts`` at the ascending positions ``which``, in that order."""
    jobs = n_jobs if n_jobs is not None else (os.cpu_count() or 1)
    if jobs <= 1 or len(which) < PARALLEL_MIN_ROWS:
        parts = [model.predict(chunk) for chunk in _chunks(texts, which, _CHUNK)]
    else:
        from joblib import Parallel, delayed

        # a generator: joblib takes a few chunks ahead, so few texts exist as Python strings
        parts = Parallel(n_jobs=jobs, backend="loky")(
            delayed(_predict_chunk)(model, chunk) for chunk in _chunks(texts, which, _CHUNK)
        )
    return Prediction.concat(parts)


def _predict_chunk(model: SectorModel, texts: list[str]) -> Prediction:
    return model.predict(texts)
