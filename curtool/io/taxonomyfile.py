"""A taxonomy file the user names (``--taxonomy``): read here, checked by ``curtool.core.taxonomy``."""

from __future__ import annotations

from pathlib import Path

from curtool.core import errors
from curtool.core.taxonomy import Taxonomy, read_taxonomy
from curtool.core.taxonomy import load_taxonomy as shipped_taxonomy


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """The taxonomy in ``path`` (a TOML file), or the shipped one when ``path`` is None."""
    if path is None:
        return shipped_taxonomy()
    path = Path(path)
    if not path.exists():
        raise errors.CurtoolError(
            errors.FILE_NOT_FOUND, "taxonomy file not found", "check the path", path=str(path)
        )
    return read_taxonomy(path.read_bytes(), path)
