"""The sector model as named arrays: the layout of a model file, and its checks.

A model is stored as numbers and strings only (a NumPy ``.npz`` archive read with
``allow_pickle=False``), so nothing in a model file can run code when it is loaded.
:func:`to_arrays` and :func:`from_arrays` are that layout both ways; from arrays, every
shape is checked against the labels, vocabulary and kinds the header names.  The file
itself is written and read by :mod:`curtool.io.modelfile`; :func:`shipped_model` builds
the shipped model from the package's own copy (:mod:`curtool.core.resources`).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np

from curtool import __version__
from curtool.core import errors, morph, resources, vectors
from curtool.core.model import DEFAULT_REVIEW_BELOW, DEFAULT_THRESHOLD, SectorModel

FORMAT = "curtool-sector-model"
# 2: word-vector weights and the kind head (optional arrays); version 1 files still load
FORMAT_VERSION = 2
REQUIRED = ("meta", "vocabulary", "coef", "intercept")
OPTIONAL = ("vec_coef", "kind_block", "kind_coef", "kind_vec_coef", "kind_intercept", "calibration")
# header keys that are the model's own fields, not its free-form ``meta``
_FIELDS = {
    "format",
    "format_version",
    "labels",
    "normaliser",
    "threshold",
    "temperature",
    "other",
    "word_vectors",
    "kinds",
    "kind_temperature",
}


def to_arrays(model: SectorModel) -> dict[str, np.ndarray]:
    """The model as the named arrays of its file: a JSON header, the vocabulary, weights."""
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "curtool_version": __version__,
        "labels": list(model.labels),
        "normaliser": model.normaliser,
        "threshold": model.threshold,
        "temperature": model.temperature,
        "other": model.other,
        "word_vectors": model.word_vectors,
        "kinds": list(model.kinds),
        "kind_temperature": model.kind_temperature,
        "review_below": model.review_below,
        **model.meta,
    }
    arrays = {
        "meta": np.array(json.dumps(meta, ensure_ascii=False, sort_keys=True)),
        "vocabulary": np.array(model.vocabulary, dtype=str),
        "coef": model.coef.astype(np.float32),
        "intercept": model.intercept.astype(np.float32),
    }
    optional = {
        "calibration": None if model.calibration is None else np.vstack(model.calibration),
        "vec_coef": model.vec_coef,
        "kind_block": model.kind_block,
        "kind_coef": model.kind_coef,
        "kind_vec_coef": model.kind_vec_coef,
        "kind_intercept": model.kind_intercept,
    }
    for name, value in optional.items():
        if value is not None:
            arrays[name] = value.astype(np.int32 if name == "kind_block" else np.float32)
    return arrays


def not_a_model(path: Path | str, why: str) -> errors.CurtoolError:
    """The error for a file that is no curtool sector model, saying ``why``."""
    return errors.CurtoolError(
        errors.NOT_A_MODEL,
        f"not a curtool sector model ({why})",
        "pass a file written by `curtool train` or scripts/build_model.py, or omit the option "
        "to use the built-in model",
        path=str(path),
    )


def from_arrays(arrays: dict[str, np.ndarray], path: Path | str) -> SectorModel:
    """The model the named arrays hold (those of :data:`REQUIRED` and :data:`OPTIONAL`),
    refused with :func:`not_a_model` when the header or a shape does not fit."""
    missing = set(REQUIRED) - set(arrays)
    if missing:
        raise not_a_model(path, f"missing {', '.join(sorted(missing))}")
    try:
        meta = json.loads(str(arrays["meta"][()]))
        vocabulary = arrays["vocabulary"].tolist()
    except (ValueError, OSError, KeyError, EOFError, json.JSONDecodeError) as exc:
        raise not_a_model(path, type(exc).__name__) from exc
    coef = arrays["coef"]
    intercept = arrays["intercept"]
    extra = {name: arrays[name] for name in OPTIONAL if name in arrays}
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise not_a_model(path, "no curtool model header")
    if meta.get("format_version", 0) > FORMAT_VERSION:
        raise not_a_model(path, "written by a newer curtool")
    labels = tuple(meta.get("labels", ()))
    if (
        coef.ndim != 2
        or coef.shape != (len(labels), len(vocabulary))
        or intercept.shape != (len(labels),)
        or meta.get("normaliser") not in morph.NORMALISERS
    ):
        raise not_a_model(path, "inconsistent shapes")
    word_vectors = str(meta.get("word_vectors", "") or "")
    kinds = tuple(str(k) for k in meta.get("kinds", ()) or ())
    _check_heads(path, extra, len(labels), len(vocabulary), len(kinds), bool(word_vectors))
    return SectorModel(
        labels=labels,
        vocabulary=vocabulary,
        coef=np.ascontiguousarray(coef, dtype=np.float32),
        intercept=np.asarray(intercept, dtype=np.float32),
        normaliser=meta["normaliser"],
        threshold=float(meta.get("threshold", DEFAULT_THRESHOLD)),
        other=str(meta.get("other", "")),
        meta={k: v for k, v in meta.items() if k not in _FIELDS},
        temperature=float(meta.get("temperature", 1.0)),
        word_vectors=word_vectors,
        vec_coef=_floats(extra.get("vec_coef")),
        kinds=kinds,
        kind_block=None if "kind_block" not in extra else np.asarray(extra["kind_block"], dtype=np.int32),
        kind_coef=_floats(extra.get("kind_coef")),
        kind_vec_coef=_floats(extra.get("kind_vec_coef")),
        kind_intercept=_floats(extra.get("kind_intercept")),
        kind_temperature=float(meta.get("kind_temperature", 1.0)),
        review_below=float(meta.get("review_below", DEFAULT_REVIEW_BELOW)),
        calibration=_calibration(path, extra.get("calibration")),
    )


@functools.cache
def shipped_model() -> SectorModel:
    """The model curtool ships (``data/default_model.npz``), read from the package's own copy
    once per process and shared (do not change it): training's prior in every fold of a
    cross-validation, and :func:`curtool.io.modelfile.default_model`, are this one object."""
    return from_arrays(resources.default_model_arrays(), resources.DEFAULT_MODEL_PATH)


def _floats(a: np.ndarray | None) -> np.ndarray | None:
    return None if a is None else np.ascontiguousarray(a, dtype=np.float32)


def _calibration(path: Path | str, table: np.ndarray | None) -> tuple[np.ndarray, np.ndarray] | None:
    if table is None:
        return None
    ok = table.ndim == 2 and table.shape[0] == 2 and table.shape[1] >= 2
    if ok:
        x, y = (np.asarray(v, dtype=np.float32) for v in table)
        ok = bool(np.all(np.diff(x) >= 0) and np.all(np.diff(y) >= 0) and y.min() >= 0 and y.max() <= 1)
    if not ok:
        raise not_a_model(path, "the calibration table is not a monotone map into 0–1")
    return x, y


def _check_heads(
    path: Path | str, extra: dict[str, np.ndarray], n_labels: int, n_features: int, n_kinds: int, vec: bool
) -> None:
    """The optional arrays must fit the labels, vocabulary and kinds the header names."""
    dim = vectors.DIM
    want = {
        "vec_coef": (n_labels, dim) if vec else None,
        "kind_block": (n_kinds,) if n_kinds else None,
        "kind_coef": (n_kinds, n_features) if n_kinds else None,
        "kind_vec_coef": (n_kinds, dim) if n_kinds and vec else None,
        "kind_intercept": (n_kinds,) if n_kinds else None,
    }
    for name, shape in want.items():
        got = extra.get(name)
        if (got is None) != (shape is None) or (got is not None and got.shape != shape):
            raise not_a_model(path, f"inconsistent shapes ({name})")
    block = extra.get("kind_block")
    if block is not None and (block.dtype.kind not in "iu" or block.min() < 0 or block.max() >= n_labels):
        raise not_a_model(path, "inconsistent shapes (kind_block)")
