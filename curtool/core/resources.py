"""The package's own bundled, read-only data: the one place in ``curtool.core`` that opens files.

What curtool ships and never writes: the taxonomy (``data/taxonomy.toml``), the seed
texts the default model is composed from (``data/seed/``), the shipped model
(``data/default_model.npz``) and the navec word vectors inside the installed ``natasha``
wheel.  Everything else core works on arrives as frames, texts or parsed documents;
files a user names are read by :mod:`curtool.io`.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING

from curtool.core import errors

if TYPE_CHECKING:
    import numpy as np

DATA = Path(__file__).resolve().parents[1] / "data"
TAXONOMY_PATH = DATA / "taxonomy.toml"
SEED_DIR = DATA / "seed"
DEFAULT_MODEL_PATH = DATA / "default_model.npz"
NAVEC_NAME = "navec_news_v1_1B_250K_300d_100q"


def taxonomy_text() -> str:
    """The shipped taxonomy file's text (``curtool.core.taxonomy`` parses and checks it)."""
    if not TAXONOMY_PATH.exists():
        raise errors.CurtoolError(
            errors.FILE_NOT_FOUND, "taxonomy file not found", "check the path", path=str(TAXONOMY_PATH)
        )
    return TAXONOMY_PATH.read_text(encoding="utf-8")


def seed_text(name: str, missing_ok: bool = False) -> str | None:
    """A seed file (``common.txt``, ``<block seed>.txt``, ``kinds/<block seed>.txt``) as text;
    None for a file the package lacks when ``missing_ok``, else FileNotFoundError."""
    path = SEED_DIR / name
    if missing_ok and not path.exists():
        return None
    return path.read_text(encoding="utf-8")


def default_model_arrays() -> dict[str, np.ndarray]:
    """The shipped model's named arrays (``curtool.core.modelformat`` builds the model)."""
    import numpy as np

    if not DEFAULT_MODEL_PATH.exists():
        raise errors.CurtoolError(
            errors.FILE_NOT_FOUND,
            "the built-in sector model is missing",
            "run `python scripts/build_model.py` in the source tree",
            path=str(DEFAULT_MODEL_PATH),
        )
    with np.load(DEFAULT_MODEL_PATH, allow_pickle=False) as archive:
        return {name: archive[name] for name in archive.files}


def navec_path() -> Path | None:
    """Where the installed ``natasha`` wheel keeps the navec archive (None: not installed)."""
    spec = importlib.util.find_spec("natasha")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "emb" / f"{NAVEC_NAME}.tar"
    return path if path.is_file() else None


def navec_members(path: Path, names: tuple[str, ...]) -> dict[str, bytes]:
    """The named members of the navec tar archive, as bytes (KeyError for a missing one)."""
    import tarfile

    out: dict[str, bytes] = {}
    with tarfile.open(path) as tar:
        for name in names:
            handle = tar.extractfile(tar.getmember(name))
            if handle is None:
                raise KeyError(name)
            out[name] = handle.read()
    return out


def navec_fingerprint() -> str:
    """A short content hash of the navec archive ("" when it is not installed)."""
    import hashlib

    path = navec_path()
    if path is None:
        return ""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
