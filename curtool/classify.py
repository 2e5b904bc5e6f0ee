"""Sector per message: the export's own «Группа тем» where it maps, the model otherwise.

Output columns (``columns.OUTPUT_COLUMNS``): ``sector``, ``sector_confidence``
(0–1), ``sector_evidence`` (the cues that decided, readable) and
``sector_source`` (``given`` or ``model``).
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from curtool import columns
from curtool.model import Prediction, SectorModel, load_model
from curtool.taxonomy import Taxonomy, load_taxonomy
from curtool.text import blank, text_codes

SOURCE_GIVEN = "given"
SOURCE_MODEL = "model"
EMPTY_EVIDENCE = "пустой текст"
# Below this many distinct texts a second process costs more than it saves.
PARALLEL_MIN_ROWS = 60_000
_CHUNK = 50_000

_default_model: SectorModel | None = None


def default_model() -> SectorModel:
    """The shipped model, loaded once per process."""
    global _default_model
    if _default_model is None:
        _default_model = load_model()
    return _default_model


def classify(
    frame: pd.DataFrame,
    model: SectorModel | None = None,
    *,
    use_given: bool = True,
    taxonomy: Taxonomy | None = None,
    n_jobs: int | None = None,
) -> pd.DataFrame:
    """Sector, confidence, evidence and source for every row of ``frame``.

    ``frame`` needs ``columns.CLEAN`` (analysis text); ``columns.GROUP`` (the
    export's «Группа тем») is used when present and ``use_given``.  Rows whose
    group maps to a block through the taxonomy take that block with confidence
    1 and source ``given``; every other row is predicted by ``model`` (the
    shipped one when None).  The result is indexed like ``frame``.
    """
    taxonomy = taxonomy or load_taxonomy()
    n = len(frame)
    sector = np.full(n, columns.OTHER_SECTOR, dtype=object)
    confidence = np.zeros(n, dtype=float)
    evidence = np.full(n, EMPTY_EVIDENCE, dtype=object)
    source = np.full(n, SOURCE_MODEL, dtype=object)

    given = np.zeros(n, dtype=bool)
    if use_given and columns.GROUP in frame.columns:
        # per distinct group, not per row: a million rows share a few dozen groups
        group_codes, groups = pd.factorize(frame[columns.GROUP])
        blocks = [taxonomy.map_group(g) for g in groups]
        block_of = np.asarray([b or "" for b in blocks] + [""], dtype=object)
        said = np.asarray(["группа: " + " ".join(str(g).split()) for g in groups] + [""], dtype=object)
        given = block_of[group_codes] != ""  # code -1 (no group) takes the trailing ""
        if given.any():
            sector[given] = block_of[group_codes[given]]
            confidence[given] = 1.0
            source[given] = SOURCE_GIVEN
            evidence[given] = said[group_codes[given]]

    rest = ~given
    if rest.any():
        codes, texts = _texts_and_codes(frame, None if rest.all() else rest)
        valid = np.flatnonzero(codes >= 0)
        if len(valid):
            model = model or default_model()
            # identical texts (reposts, templates) are classified once, by their first row
            _, first, inverse = np.unique(codes[valid], return_index=True, return_inverse=True)
            firsts = valid[first]
            order = np.argsort(firsts)
            pred = _predict(model, texts, firsts[order], n_jobs)
            rank = np.empty_like(order)
            rank[order] = np.arange(len(order))
            answer = rank[inverse]  # each valid row's place in the predictions
            todo = np.flatnonzero(rest)[valid]
            sector[todo] = np.asarray(pred.labels, dtype=object)[answer]
            confidence[todo] = np.round(pred.confidence[answer], 4)
            evidence[todo] = np.asarray(pred.evidence, dtype=object)[answer]
    return pd.DataFrame(
        {
            columns.SECTOR: sector,
            columns.SECTOR_CONFIDENCE: confidence,
            columns.SECTOR_EVIDENCE: evidence,
            columns.SECTOR_SOURCE: source,
        },
        index=frame.index,
    )


def classify_texts(texts: list[str], model: SectorModel | None = None) -> pd.DataFrame:
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
        from curtool.text import clean_series

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
    return Prediction(
        labels=[lab for p in parts for lab in p.labels],
        confidence=np.concatenate([p.confidence for p in parts]),
        evidence=[e for p in parts for e in p.evidence],
        best=np.concatenate([p.best for p in parts]),
    )


def _predict_chunk(model: SectorModel, texts: list[str]) -> Prediction:
    return model.predict(texts)
