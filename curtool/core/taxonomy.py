"""The taxonomy: blocks and the problem kinds under them, their cues, «не путать с»
rules, and the export vocabularies («Группа тем», topics) that name them.

The taxonomy is data (``data/taxonomy.toml``), the one place blocks and kinds are
named, so an analyst can adapt it to a region without touching code;
:func:`read_taxonomy` checks a file's text and says precisely what is wrong with it
(:func:`load_taxonomy` gives the shipped one; ``curtool.io.taxonomyfile`` reads a user's).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from curtool.core import columns, errors, resources

DEFAULT_PATH = resources.TAXONOMY_PATH
_SPACES = re.compile(r"\s+")


def group_key(value: object) -> str:
    """How a «Группа тем» value is compared: case, ё/е, quotes and extra spaces ignored."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = str(value).lower().replace("ё", "е").replace("«", "").replace("»", "").replace('"', "")
    return _SPACES.sub(" ", text).strip(" .;,")


@dataclass(frozen=True)
class Confusion:
    """A «не путать с» rule: the neighbour block and how to tell them apart."""

    neighbour: str
    rule: str


@dataclass(frozen=True)
class Block:
    name: str
    description: str
    body: str
    cues: tuple[str, ...]
    not_confused: tuple[Confusion, ...] = ()
    share: float = 0.0  # typical share of a region's messages (0: unknown); a prior
    seed: str = ""  # the seed corpus file (data/seed/<seed>.txt, data/seed/kinds/<seed>.txt)


@dataclass(frozen=True)
class Kind:
    """A kind of problem under a block: what a ЦУР would assign and fix as one thing."""

    name: str
    block: str
    description: str
    cues: tuple[str, ...]
    not_confused: tuple[Confusion, ...] = ()
    topics: tuple[str, ...] = ()  # how export systems name it («Тема», subcategory, reason)


@dataclass(frozen=True)
class Taxonomy:
    blocks: tuple[Block, ...]
    groups: dict[str, str]  # group_key(«Группа тем») -> block name
    other: str = columns.OTHER_SECTOR
    path: str = ""
    kinds: tuple[Kind, ...] = ()
    _by_name: dict[str, Block] = field(default_factory=dict, compare=False, repr=False)
    _topics: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def kind_names(self) -> tuple[str, ...]:
        return tuple(k.name for k in self.kinds)

    def kinds_of(self, block: str) -> tuple[Kind, ...]:
        return tuple(k for k in self.kinds if k.block == block)

    def map_topic(self, value: object) -> str | None:
        """The kind an export's topic names (matched as «Группа тем» values are), or None."""
        key = group_key(value)
        return self._topics.get(key) if key else None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(b.name for b in self.blocks)

    def block(self, name: str) -> Block:
        return self._by_name[name]

    def map_group(self, value: object) -> str | None:
        """The block for an export's «Группа тем» value, or None when unknown or empty."""
        key = group_key(value)
        return self.groups.get(key) if key else None


def _fail(path: Path | str, problem: str) -> errors.CurtoolError:
    return errors.CurtoolError(
        errors.BAD_TAXONOMY,
        f"taxonomy file is not valid: {problem}",
        "compare it with curtool/data/taxonomy.toml (blocks need name, description, body, "
        "cues; kinds need name, block and cues; [groups] maps «Группа тем» values to block names)",
        path=str(path),
    )


def _strings(value: object, what: str, path: Path | str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _fail(path, f"{what} must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def parse_taxonomy(data: dict, path: Path | str = "<taxonomy>") -> Taxonomy:
    """Check a parsed TOML document and build a :class:`Taxonomy` from it."""
    raw_blocks = data.get("block")
    if not isinstance(raw_blocks, list) or not raw_blocks:
        raise _fail(path, "no [[block]] entries")
    blocks: list[Block] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_blocks, start=1):
        name = _entry_name(raw, "block", i, seen, path)
        for key in ("description", "body"):
            if not isinstance(raw.get(key, ""), str):
                raise _fail(path, f"block «{name}»: {key} must be text")
        cues = _strings(raw.get("cues", []), f"block «{name}»: cues", path)
        rules = []
        for rule in raw.get("not_confused", []):
            if not isinstance(rule, dict) or not isinstance(rule.get("with"), str):
                raise _fail(path, f"block «{name}»: each not_confused entry needs «with» and «rule»")
            rules.append(Confusion(rule["with"].strip(), str(rule.get("rule", "")).strip()))
        share = raw.get("share", 0.0)
        if not isinstance(share, (int, float)) or not 0 <= share <= 1:
            raise _fail(path, f"block «{name}»: share must be a number between 0 and 1")
        seed = raw.get("seed", "")
        if not isinstance(seed, str) or not re.fullmatch(r"[a-z0-9_]*", seed):
            raise _fail(path, f"block «{name}»: seed must be a file name of latin letters and digits")
        blocks.append(
            Block(
                name,
                raw.get("description", ""),
                raw.get("body", ""),
                cues,
                tuple(rules),
                float(share),
                seed,
            )
        )
    other = data.get("other", columns.OTHER_SECTOR)
    if not isinstance(other, str) or other not in seen:
        raise _fail(path, f"«other» names block «{other}», which is not defined")
    for block in blocks:
        for rule in block.not_confused:
            if rule.neighbour not in seen:
                raise _fail(
                    path,
                    f"block «{block.name}»: not_confused names unknown block «{rule.neighbour}»",
                )
    raw_groups = data.get("groups", {})
    if not isinstance(raw_groups, dict):
        raise _fail(path, "[groups] must be a table of «Группа тем» = block")
    groups: dict[str, str] = {}
    for group, target in raw_groups.items():
        if not isinstance(target, str) or target not in seen:
            raise _fail(path, f"group «{group}» maps to unknown block «{target}»")
        groups[group_key(group)] = target
    kinds = _parse_kinds(data.get("kind", []), seen, path)
    topics: dict[str, str] = {}
    for kind in kinds:
        for topic in (kind.name, *kind.topics):
            key = group_key(topic)
            if topics.get(key, kind.name) != kind.name:
                raise _fail(path, f"topic «{topic}» is named by kinds «{topics[key]}» and «{kind.name}»")
            topics[key] = kind.name
    taxonomy = Taxonomy(tuple(blocks), groups, other, str(path), kinds)
    taxonomy._by_name.update({b.name: b for b in blocks})
    taxonomy._topics.update(topics)
    return taxonomy


def _entry_name(raw: object, what: str, number: int, seen: set[str], path: Path | str) -> str:
    """The name of the ``number``-th [[block]] or [[kind]] table, checked and recorded."""
    if not isinstance(raw, dict):
        raise _fail(path, f"{what} {number} is not a table")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _fail(path, f"{what} {number} has no name")
    name = name.strip()
    if name in seen:
        raise _fail(path, f"{what} «{name}» is defined twice")
    seen.add(name)
    return name


def _parse_kinds(raw_kinds: object, blocks: set[str], path: Path | str) -> tuple[Kind, ...]:
    if not isinstance(raw_kinds, list):
        raise _fail(path, "[[kind]] entries must be tables")
    kinds: list[Kind] = []
    names: set[str] = set()
    for i, raw in enumerate(raw_kinds, start=1):
        name = _entry_name(raw, "kind", i, names, path)
        block = raw.get("block")
        if block not in blocks:
            raise _fail(path, f"kind «{name}»: block «{block}» is not defined")
        if not isinstance(raw.get("description", ""), str):
            raise _fail(path, f"kind «{name}»: description must be text")
        rules = []
        for rule in raw.get("not_confused", []):
            if not isinstance(rule, dict) or not isinstance(rule.get("with"), str):
                raise _fail(path, f"kind «{name}»: each not_confused entry needs «with» and «rule»")
            rules.append(Confusion(rule["with"].strip(), str(rule.get("rule", "")).strip()))
        kinds.append(
            Kind(
                name,
                str(block),
                raw.get("description", ""),
                _strings(raw.get("cues", []), f"kind «{name}»: cues", path),
                tuple(rules),
                _strings(raw.get("topics", []), f"kind «{name}»: topics", path),
            )
        )
    for kind in kinds:
        for rule in kind.not_confused:
            if rule.neighbour not in names and rule.neighbour not in blocks:
                raise _fail(path, f"kind «{kind.name}»: not_confused names unknown kind «{rule.neighbour}»")
    return tuple(kinds)


def load_taxonomy() -> Taxonomy:
    """The shipped taxonomy (``data/taxonomy.toml``), read and checked once per process."""
    return _default()


@lru_cache(maxsize=1)
def _default() -> Taxonomy:
    return read_taxonomy(resources.taxonomy_text(), DEFAULT_PATH)


def read_taxonomy(data: str | bytes, path: Path | str = "<taxonomy>") -> Taxonomy:
    """The taxonomy in a TOML document (text, or bytes that must be UTF-8), checked;
    ``path`` names it in errors."""
    if isinstance(data, bytes):
        try:
            # as a file opened in text mode reads it: universal newlines
            data = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
        except UnicodeDecodeError as exc:
            raise _fail(path, "not UTF-8 text") from exc
    try:
        document = tomllib.loads(data)
    except tomllib.TOMLDecodeError as exc:
        raise _fail(path, f"TOML syntax error ({exc})") from exc
    return parse_taxonomy(document, path)
