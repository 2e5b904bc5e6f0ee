"""The project config file (``curtool.toml``), read and checked: columns, districts, deadlines, thresholds.

Looked up as ``curtool.toml`` in the working directory, or named with ``--config``.
Paths inside it are relative to the config file.  Unknown keys are refused so a
typo is not silently ignored.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from curtool.core import errors
from curtool.core.categories import TEXT
from curtool.core.columns import FIELD_ALIASES
from curtool.core.taxonomy import Taxonomy, group_key

CONFIG_NAME = "curtool.toml"


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
    output: str = "reports/curtool-{period}.xlsx"
    deadlines: dict[str, Any] = field(default_factory=dict)
    recurring: dict[str, Any] = field(default_factory=dict)
    model: Path | None = None
    taxonomy: Path | None = None
    # [groups]: an export category -> a taxonomy block, or "text" (each message by its text)
    groups: dict[str, str] = field(default_factory=dict)
    # [engine]: where the work runs (memory or dask), a Dask scheduler, local workers
    engine: str | None = None
    scheduler: str | None = None
    workers: int | None = None
    # [output]: how CSV outputs are written (curtool.io.csvdialects); None: the default
    csv_dialect: str | None = None
    # [console]: the language of what the CLI prints (ru or en); None: the default
    lang: str | None = None


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
    _check(raw, path)
    base = path.parent
    cfg = Config(path=path)
    cfg.columns = {k: str(v) for k, v in raw.get("columns", {}).items()}
    inp = raw.get("input", {})
    cfg.sheet = str(inp["sheet"]) if "sheet" in inp else None
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
    cfg.groups = _groups(raw.get("groups", {}), path)
    eng = raw.get("engine", {})
    cfg.engine = eng.get("engine")
    cfg.scheduler = eng.get("scheduler")
    cfg.workers = eng.get("workers")
    cfg.csv_dialect = raw.get("output", {}).get("csv_dialect")
    cfg.lang = raw.get("console", {}).get("lang")
    return cfg


# --- validation ------------------------------------------------------------------------------
# Every key the config may hold, with its type; a section marked FREE holds names the user
# chooses (district aliases, sectors), checked by the part that reads them.
FREE = "free"
_KEYS: dict[str, dict[str, tuple[type, ...]] | str] = {
    "columns": {name: (str,) for name in FIELD_ALIASES},
    "input": {"sheet": (str, int), "encoding": (str,), "separator": (str,)},
    "districts": {"gazetteer": (str,), "aliases": (dict,)},
    "report": {"weeks_back": (int,), "output": (str,), "population": (str,)},
    "deadlines": FREE,
    "recurring": FREE,
    "classify": {"model": (str,), "taxonomy": (str,)},
    "groups": FREE,  # export categories, checked by _groups and check_groups
    "engine": {"engine": (str,), "scheduler": (str,), "workers": (int,)},
    "output": {"csv_dialect": (str,)},
    "console": {"lang": (str,)},
}
LANGUAGES = ("ru", "en")  # the languages the console speaks (curtool.app.lang)
_TYPE_WORDS = {
    str: "text in quotes",
    int: "a whole number",
    float: "a number",
    dict: "a table",
    bool: "true or false",
}
# the fields an output name may use; anything else in braces would stay in the name as written
OUTPUT_FIELDS = ("period", "week")  # {week}: the period's label too, as before periods


def _bad(path: Path, message: str, hint: str) -> errors.CurtoolError:
    return errors.CurtoolError(errors.BAD_CONFIG, message, hint, path=path)


def _check(raw: dict[str, Any], path: Path) -> None:
    """Refuse unknown sections and keys and values of the wrong type, naming the key."""
    for section, body in raw.items():
        if section not in _KEYS:
            raise _bad(path, f"unknown section [{section}]", "known sections: " + ", ".join(_KEYS))
        if not isinstance(body, dict):
            raise _bad(path, f"[{section}] must be a section", f"write it as [{section}] with keys below it")
        keys = _KEYS[section]
        if keys == FREE:
            continue
        assert isinstance(keys, dict)
        for key, value in body.items():
            if key not in keys:
                raise _bad(path, f"unknown key «{key}» in [{section}]", "known keys: " + ", ".join(keys))
            types = keys[key]
            if (isinstance(value, bool) and bool not in types) or not isinstance(value, types):
                words = " or ".join(_TYPE_WORDS[t] for t in types)
                raise _bad(
                    path,
                    f"[{section}] {key} must be {words}, not {value!r}",
                    f"for example: {_example(section, key)}",
                )
    report = raw.get("report", {})
    if "weeks_back" in report and not 1 <= report["weeks_back"] <= 104:
        raise _bad(
            path,
            f"[report] weeks_back must be between 1 and 104, not {report['weeks_back']}",
            "for example: weeks_back = 8",
        )
    if "output" in report:
        check_output_template(report["output"], lambda m, h: _bad(path, f"[report] output: {m}", h))
    for key, value in raw.get("districts", {}).get("aliases", {}).items():
        if not isinstance(value, str):
            raise _bad(
                path,
                f"[districts.aliases] «{key}» must name a district in quotes",
                f'for example: "{key}" = "…"',
            )
    engine = raw.get("engine", {})
    if engine.get("engine", "memory") not in ("memory", "dask"):
        raise _bad(path, f"[engine] engine must be \"memory\" or \"dask\", not {engine['engine']!r}",
                   'for example: engine = "dask"')  # fmt: skip
    if "workers" in engine and engine["workers"] < 1:
        raise _bad(
            path, f"[engine] workers must be at least 1, not {engine['workers']}", "for example: workers = 2"
        )
    if "csv_dialect" in raw.get("output", {}):
        from curtool.io.csvdialects import csv_dialect

        csv_dialect(raw["output"]["csv_dialect"], lambda m, h: _bad(path, f"[output] csv_dialect: {m}", h))
    lang = raw.get("console", {}).get("lang", "ru")
    if lang not in LANGUAGES:
        raise _bad(path, f"[console] lang must be ru or en, not {lang!r}", 'for example: lang = "en"')
    _check_recurring(raw.get("recurring", {}), path)
    if "deadlines" in raw:
        from curtool.core.response import deadlines_from

        try:
            deadlines_from(raw["deadlines"])
        except errors.CurtoolError as exc:
            raise _bad(path, f"[deadlines] {exc.message}", exc.hint) from None


def _example(section: str, key: str) -> str:
    return {
        ("report", "weeks_back"): "weeks_back = 8",
        ("report", "output"): 'output = "reports/curtool-{period}.xlsx"',
        ("input", "sheet"): 'sheet = "Лист1"',
        ("districts", "aliases"): '[districts.aliases] "Абинский р-н" = "Абинский район"',
        ("output", "csv_dialect"): 'csv_dialect = "excel-ru"',
    }.get((section, key), f'{key} = "…"')


def _check_recurring(body: dict[str, Any], path: Path) -> None:
    from dataclasses import fields

    from curtool.core.recurring import RecurringSettings

    known = {f.name: f for f in fields(RecurringSettings)}
    for key, value in body.items():
        if key not in known:
            raise _bad(path, f"unknown key «{key}» in [recurring]", "known keys: " + ", ".join(known))
        whole = known[key].type in ("int", int)
        ok = isinstance(value, int) if whole else isinstance(value, (int, float))
        if isinstance(value, bool) or not ok:
            kind = "a whole number" if whole else "a number"
            raise _bad(
                path,
                f"[recurring] {key} must be {kind}, not {value!r}",
                f"for example: {key} = {getattr(RecurringSettings(), key)}",
            )
        if value < (1 if whole else 0):
            raise _bad(
                path,
                f"[recurring] {key} must be {'at least 1' if whole else 'at least 0'}, not {value}",
                f"for example: {key} = {getattr(RecurringSettings(), key)}",
            )


def check_output_template(template: str, fail) -> None:
    """An output name may use only ``{period}`` (``{week}`` alike): ``{date}`` would stay as written."""
    import string

    try:
        names = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError:
        raise fail(
            f"«{template}» has an unmatched brace", "write it like reports/curtool-{period}.xlsx"
        ) from None
    for name in names:
        if name not in OUTPUT_FIELDS:
            raise fail(
                f"«{{{name}}}» in «{template}» is not a field an output name can use",
                "the only field is {period} (or {week}), e.g. reports/curtool-{period}.xlsx",
            )


def _groups(raw: object, path: Path) -> dict[str, str]:
    """``[groups]`` as read: every value a non-empty string (the blocks are checked by
    :func:`check_groups`, once the taxonomy in use is known)."""
    if not isinstance(raw, dict):
        raise errors.CurtoolError(
            errors.BAD_CONFIG, "[groups] must be a table", 'write «"category" = "block"» lines', path=path
        )
    groups: dict[str, str] = {}
    for key, value in raw.items():
        if not isinstance(value, str) or not value.strip():
            raise errors.CurtoolError(
                errors.BAD_CONFIG,
                f'[groups] «{key}» must be a block name or "{TEXT}"',
                f'e.g. «"{key}" = "{TEXT}"»',
                path=path,
            )
        groups[str(key)] = value.strip()
    return groups


def check_groups(groups: dict[str, str], taxonomy: Taxonomy, path: Path | str | None = None) -> None:
    """Refuse a ``[groups]`` entry that names no block of ``taxonomy`` (the one source of
    block names), or two spellings of one category mapped differently."""
    seen: dict[str, tuple[str, str]] = {}
    for key, value in groups.items():
        if value != TEXT and value not in taxonomy.names:
            raise errors.CurtoolError(
                errors.BAD_CONFIG,
                f"[groups] «{key}» = «{value}»: not a block of the taxonomy",
                "use one of " + ", ".join(f"«{b}»" for b in taxonomy.names) + f', or "{TEXT}"',
                path=path,
            )
        norm = group_key(key)
        if norm in seen and seen[norm][1] != value:
            raise errors.CurtoolError(
                errors.BAD_CONFIG,
                f"[groups] «{key}» and «{seen[norm][0]}» are one category mapped two ways",
                "keep one of them",
                path=path,
            )
        seen[norm] = (key, value)
