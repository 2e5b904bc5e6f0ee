"""The project config file (``curtool.toml``): column overrides, districts, deadlines, thresholds.

Looked up as ``curtool.toml`` in the working directory, or named with ``--config``.
Paths inside it are relative to the config file.  Unknown keys are refused so a
typo is not silently ignored.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from curtool import errors
from curtool.columns import FIELD_ALIASES

CONFIG_NAME = "curtool.toml"
_SECTIONS = {"columns", "input", "districts", "report", "deadlines", "recurring", "classify"}


@dataclass
class Config:
    path: Path | None = None
    columns: dict[str, str] = field(default_factory=dict)
    sheet: str | None = None
    encoding: str | None = None
    separator: str | None = None
    gazetteer: Path | None = None
    district_aliases: dict[str, str] = field(default_factory=dict)
    population: Path | None = None
    weeks_back: int = 8
    output: str = "reports/curtool-{week}.xlsx"
    deadlines: dict[str, Any] = field(default_factory=dict)
    recurring: dict[str, Any] = field(default_factory=dict)
    model: Path | None = None
    taxonomy: Path | None = None


def load_config(path: str | Path | None = None, cwd: Path | None = None) -> Config:
    """Read the named config, or ``curtool.toml`` in ``cwd`` if present, else defaults."""
    if path is None:
        candidate = (cwd or Path.cwd()) / CONFIG_NAME
        if not candidate.exists():
            return Config()
        path = candidate
    path = Path(path)
    if not path.exists():
        raise errors.CurtoolError(
            errors.BAD_CONFIG, "config file not found", "check the --config path", path=path
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise errors.CurtoolError(
            errors.BAD_CONFIG,
            f"not valid TOML ({exc})",
            "see the README section «Config file» for an example",
            path=path,
        ) from None
    unknown = set(raw) - _SECTIONS
    if unknown:
        raise errors.CurtoolError(
            errors.BAD_CONFIG,
            f"unknown section [{sorted(unknown)[0]}]",
            "known sections: " + ", ".join(sorted(_SECTIONS)),
            path=path,
        )
    base = path.parent
    cfg = Config(path=path)
    columns = raw.get("columns", {})
    bad = set(columns) - set(FIELD_ALIASES)
    if bad:
        raise errors.CurtoolError(
            errors.BAD_CONFIG,
            f"unknown field «{sorted(bad)[0]}» in [columns]",
            "fields: " + ", ".join(FIELD_ALIASES),
            path=path,
        )
    cfg.columns = {k: str(v) for k, v in columns.items()}
    inp = raw.get("input", {})
    cfg.sheet = inp.get("sheet")
    cfg.encoding = inp.get("encoding")
    cfg.separator = inp.get("separator")
    dist = raw.get("districts", {})
    if "gazetteer" in dist:
        cfg.gazetteer = base / dist["gazetteer"]
    cfg.district_aliases = {str(k): str(v) for k, v in dist.get("aliases", {}).items()}
    rep = raw.get("report", {})
    cfg.weeks_back = int(rep.get("weeks_back", cfg.weeks_back))
    cfg.output = str(rep.get("output", cfg.output))
    if "population" in rep:
        cfg.population = base / rep["population"]
    cfg.deadlines = dict(raw.get("deadlines", {}))
    cfg.recurring = dict(raw.get("recurring", {}))
    cls = raw.get("classify", {})
    if "model" in cls:
        cfg.model = base / cls["model"]
    if "taxonomy" in cls:
        cfg.taxonomy = base / cls["taxonomy"]
    return cfg
