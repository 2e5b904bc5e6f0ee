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
    texts = _text_column(frame)
    sector = np.full(n, columns.OTHER_SECTOR, dtype=object)
    confidence = np.zeros(n, dtype=float)
    evidence = np.full(n, EMPTY_EVIDENCE, dtype=object)
    source = np.full(n, SOURCE_MODEL, dtype=object)

    given = np.zeros(n, dtype=bool)
    if use_given and columns.GROUP in frame.columns:
        groups = frame[columns.GROUP].astype(object).where(frame[columns.GROUP].notna(), "")
        distinct = {g: taxonomy.map_group(g) for g in pd.unique(groups)}
        mapped = groups.map(distinct)
        given = mapped.notna().to_numpy()
        if given.any():
            sector[given] = mapped[given].to_numpy()
            confidence[given] = 1.0
            source[given] = SOURCE_GIVEN
            evidence[given] = ["группа: " + " ".join(str(g).split()) for g in groups[given].to_numpy()]

    todo = ~given & (texts != "")
    if todo.any():
        model = model or default_model()
        todo_texts = texts[todo]
        # identical texts (reposts, templates) are classified once
        uniques, inverse = np.unique(todo_texts, return_inverse=True)
        pred = _predict(model, list(uniques), n_jobs)
        sector[todo] = np.asarray(pred.labels, dtype=object)[inverse]
        confidence[todo] = np.round(pred.confidence[inverse], 4)
        evidence[todo] = np.asarray(pred.evidence, dtype=object)[inverse]
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


def _text_column(frame: pd.DataFrame) -> np.ndarray:
    if columns.CLEAN in frame.columns:
        values = frame[columns.CLEAN]
    elif columns.TEXT in frame.columns:
        from curtool.text import clean_series

        values = clean_series(frame[columns.TEXT])
    else:
        return np.full(len(frame), "", dtype=object)
    values = values.astype(object).where(values.notna(), "")
    return np.asarray([v.strip() if isinstance(v, str) else str(v) for v in values], dtype=object)


def _predict(model: SectorModel, texts: list[str], n_jobs: int | None) -> Prediction:
    jobs = n_jobs if n_jobs is not None else (os.cpu_count() or 1)
    if jobs <= 1 or len(texts) < PARALLEL_MIN_ROWS:
        return model.predict(texts)
    from joblib import Parallel, delayed

    chunks = [texts[i : i + _CHUNK] for i in range(0, len(texts), _CHUNK)]
    parts = Parallel(n_jobs=jobs, backend="loky")(delayed(_predict_chunk)(model, c) for c in chunks)
    return Prediction(
        labels=[lab for p in parts for lab in p.labels],
        confidence=np.concatenate([p.confidence for p in parts]),
        evidence=[e for p in parts for e in p.evidence],
        best=np.concatenate([p.best for p in parts]),
    )


def _predict_chunk(model: SectorModel, texts: list[str]) -> Prediction:
    return model.predict(texts)
