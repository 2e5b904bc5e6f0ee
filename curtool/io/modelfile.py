"""Sector model files: written atomically, read with every check a stranger's file needs.

The layout (named arrays, a JSON header) and the model's own consistency checks are
:mod:`curtool.core.modelformat`; here are the file's: a NumPy ``.npz`` archive read with
``allow_pickle=False`` after its zip directory and each array's header were checked
against what the file really holds (:mod:`curtool.io.archive`).
"""

from __future__ import annotations

import math
import time
import zipfile
from pathlib import Path

import numpy as np

from curtool.core import errors, modelformat, resources
from curtool.core.model import SectorModel
from curtool.core.modelformat import not_a_model
from curtool.io import output

DEFAULT_PATH = resources.DEFAULT_MODEL_PATH


def default_model() -> SectorModel:
    """The shipped model, read once per process and shared (do not change it)."""
    return modelformat.shipped_model()


def save_model(model: SectorModel, path: str | Path) -> Path:
    """Write ``model`` atomically as a pickle-free ``.npz`` archive."""
    path = Path(path)
    arrays = modelformat.to_arrays(model)
    with output.atomic_path(path) as tmp, open(tmp, "wb") as fh:
        np.savez_compressed(fh, **arrays)
    return path


def load_model(path: str | Path | None = None) -> SectorModel:
    """Read a model written by :func:`save_model`; None means the shipped default."""
    path = Path(path) if path is not None else DEFAULT_PATH
    if not path.exists():
        if path == DEFAULT_PATH:
            raise errors.CurtoolError(
                errors.FILE_NOT_FOUND,
                "the built-in sector model is missing",
                "run `python scripts/build_model.py` in the source tree",
                path=str(path),
            )
        raise errors.CurtoolError(
            errors.FILE_NOT_FOUND, "model file not found", "check the path", path=str(path)
        )
    started = time.perf_counter()
    _check_arrays(path)
    try:
        with np.load(path, allow_pickle=False) as archive:
            names = set(archive.files)
            missing = set(modelformat.REQUIRED) - names
            if missing:
                raise not_a_model(path, f"missing {', '.join(sorted(missing))}")
            arrays = {
                name: archive[name]
                for name in (*modelformat.REQUIRED, *modelformat.OPTIONAL)
                if name in names
            }
    except errors.CurtoolError:
        raise
    except (ValueError, OSError, zipfile.BadZipFile, KeyError, EOFError) as exc:
        raise not_a_model(path, type(exc).__name__) from exc
    model = modelformat.from_arrays(arrays, path)
    model.meta["load_seconds"] = round(time.perf_counter() - started, 4)
    return model


def _check_arrays(path: Path) -> None:
    """Refuse a model file that unpacks to far more than it holds, before numpy reads it.

    A 2 MB file of zeros unpacked to 2.4 GB; the zip directory gives each array's packed and
    unpacked size (see :mod:`curtool.io.archive`), and each array's own header its shape, which
    must account for exactly the bytes the part holds: numpy allocates by the header.
    """
    from curtool.io import archive

    book = archive.check_zip(path, "model file", ratio_scale=4)
    if book is None:
        return  # not a zip: np.load says what it is
    with book:
        archive.verify_parts(book, path)
        for info in book.infolist():
            if not info.filename.endswith(".npy"):
                continue
            try:
                with book.open(info) as handle:
                    version = np.lib.format.read_magic(handle)
                    read_header = (
                        np.lib.format.read_array_header_1_0
                        if version == (1, 0)
                        else np.lib.format.read_array_header_2_0
                    )
                    shape, _, dtype = read_header(handle, max_header_size=10_000)
                    header = handle.tell()
            except (ValueError, OSError, zipfile.BadZipFile, EOFError) as exc:
                raise not_a_model(path, f"{info.filename}: {type(exc).__name__}") from None
            if dtype.hasobject:
                raise not_a_model(path, f"{info.filename} holds Python objects")
            size = math.prod(shape) * dtype.itemsize
            if header + size != info.file_size:
                raise not_a_model(
                    path,
                    f"{info.filename} declares {size:,} bytes of data but holds {info.file_size - header:,}",
                )
