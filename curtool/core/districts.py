"""District names: spelling variants of one municipality become one canonical name.

«г. Майкоп», «Майкоп г», «МО "Город Майкоп"» and «муниципальное образование
"Город Майкоп"» all become «Город Майкоп»; «Тахтамукайский р-н» becomes
«Тахтамукайский район».  With a gazetteer (a CSV of canonical names, optional
aliases and population) names are matched to it fuzzily and the rest reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

FUZZY_CUTOFF = 88  # field notes: near 88 WRatio keeps variants and rejects neighbours
_QUOTES = re.compile(r"[«»\"'“”„`]")
_PUNCT = re.compile(r"[^\w\s-]")
_SPACE = re.compile(r"\s+")
# «… район РА», «… Республики Адыгея», «… Курской области»: the region, not the district
_REGION_TAIL = re.compile(
    r"\s+(?:(?:республик\w*)(?:\s+\w+)?|ра|рф|кбр|кчр|рт|рб|\w+(?:ской|цкой)\s+(?:област\w*|кра[йя]))$"
)
# Order matters: longer phrases first.
_PREFIXES = (
    "муниципальное образование",
    "муниципальный район",
    "муниципальный округ",
    "городской округ",
    "городское поселение",
    "сельское поселение",
    "администрация",
    "мо",
    "го",
    "г о",
    "гп",
    "сп",
)
_CITY_WORDS = ("город", "гор", "г")
_DISTRICT_WORDS = ("район", "р-н", "р н", "рн", "муниципальный район", "мр", "м р")
_OKRUG_WORDS = ("округ", "муниципальный округ", "городской округ", "мо")


@dataclass(frozen=True)
class DistrictKey:
    kind: str  # "город", "район", "округ" or "" when the name says nothing
    core: str  # lower-case name without type words


def parse_name(raw: object) -> DistrictKey | None:
    """The type and the core of a district name; None for an empty cell."""
    if raw is None or (isinstance(raw, float) and raw != raw):
        return None
    text = str(raw).lower().replace("ё", "е")
    text = _QUOTES.sub(" ", text)
    text = text.replace("г.о.", " го ").replace("р-н", " рн ").replace("м.р.", " мр ")
    text = _PUNCT.sub(" ", text)
    text = _SPACE.sub(" ", text).strip()
    text = _REGION_TAIL.sub("", text)
    if not text:
        return None
    kind = ""
    changed = True
    while changed:
        changed = False
        for prefix in _PREFIXES:
            if text.startswith(prefix + " "):
                if prefix in ("городской округ", "го", "г о") and not kind:
                    kind = "город"
                elif prefix in ("муниципальный район",) and not kind:
                    kind = "район"
                elif prefix == "муниципальный округ" and not kind:
                    kind = "округ"
                text = text[len(prefix) + 1 :]
                changed = True
    words = text.split()
    core_words = []
    for word in words:
        if word in _CITY_WORDS:
            kind = kind or "город"
        elif word in ("район", "рн", "мр"):
            kind = "район"
        elif word == "округ":
            kind = kind or "округ"
        elif word in ("муниципальный", "городской", "сельское", "поселение"):
            continue
        else:
            core_words.append(word)
    core = " ".join(core_words)
    if not core:
        return None
    if not kind and core.endswith(("ский", "цкий", "ской")):
        kind = "район"
    return DistrictKey(kind, core)


def display_name(key: DistrictKey) -> str:
    core = (
        " ".join(w.capitalize() if w.isalpha() else w for w in key.core.split("-"))
        if "-" in key.core
        else " ".join(w.capitalize() for w in key.core.split())
    )
    if key.kind == "город":
        return f"Город {core}"
    if key.kind == "округ":
        return f"{core} округ"
    if key.kind == "район":
        return f"{core} район"
    return core


@dataclass
class Gazetteer:
    """Canonical district names, their aliases and (optionally) their population."""

    names: list[str]
    aliases: dict[str, str] = field(default_factory=dict)  # normalised alias -> canonical
    population: dict[str, float] = field(default_factory=dict)


def normal_form(raw: object) -> str:
    key = parse_name(raw)
    return "" if key is None else f"{key.kind}:{key.core}"


def normalise_districts(
    values: pd.Series,
    gazetteer: Gazetteer | None = None,
    aliases: dict[str, str] | None = None,
) -> tuple[pd.Series, pd.Series]:
    """Canonical names for a column; returns (names, unknown mask). Distinct values only."""
    # codes of the distinct spellings: a million rows hold a few hundred of them
    codes, distinct = pd.factorize(
        values.astype(object).where(values.notna(), "") if values.dtype != "str" else values.fillna("")
    )
    spellings = [str(v) for v in distinct]
    mapping, unknown = canonical_names(spellings, gazetteer, aliases)
    names = np.asarray([mapping.get(v, "") for v in spellings] + [""], dtype=object)[codes]
    is_unknown = np.asarray([v in unknown for v in spellings] + [False], dtype=bool)[codes]
    return pd.Series(names, index=values.index, dtype=object), pd.Series(is_unknown, index=values.index)


def canonical_names(
    distinct: list[str],
    gazetteer: Gazetteer | None = None,
    aliases: dict[str, str] | None = None,
) -> tuple[dict[str, str], set[str]]:
    """Map each distinct raw name to a canonical name; also return the raw names not matched."""
    alias_map = {normal_form(k): v for k, v in (aliases or {}).items()}
    mapping: dict[str, str] = {}
    unknown: set[str] = set()
    if gazetteer is not None:
        targets = {normal_form(n): n for n in gazetteer.names}
        targets.update(gazetteer.aliases)
        targets.update(alias_map)
        choices = list(targets)
        cores = [c.split(":", 1)[1] for c in choices]
        for raw in distinct:
            form = normal_form(raw)
            if not form:
                mapping[raw] = ""
                continue
            if form in targets:
                mapping[raw] = targets[form]
                continue
            core = form.split(":", 1)[1]
            best = process.extractOne(core, cores, scorer=fuzz.WRatio, score_cutoff=FUZZY_CUTOFF)
            if best is not None:
                mapping[raw] = targets[choices[best[2]]]
            else:
                mapping[raw] = display_name(parse_name(raw))  # type: ignore[arg-type]
                unknown.add(raw)
        return mapping, unknown
    # Without a gazetteer: variants of one name merge; typos merge into the first spelling seen.
    forms: dict[str, DistrictKey] = {}
    for raw in distinct:
        key = parse_name(raw)
        if key is None:
            mapping[raw] = ""
            continue
        form = f"{key.kind}:{key.core}"
        if form in alias_map:
            mapping[raw] = alias_map[form]
            continue
        forms[raw] = key
    canon: dict[str, str] = {}
    seen_cores: list[str] = []
    typed = {key.core: key for key in forms.values() if key.kind}
    # a bare «Майкоп» is the «г. Майкоп» written elsewhere in the same export
    forms = {raw: typed.get(key.core, key) if not key.kind else key for raw, key in forms.items()}
    for raw, key in sorted(forms.items(), key=lambda item: not item[1].kind):
        form = f"{key.kind}:{key.core}"
        if form not in canon:
            match = process.extractOne(form, seen_cores, scorer=fuzz.ratio, score_cutoff=92)
            canon[form] = canon[match[0]] if match else display_name(key)
            seen_cores.append(form)
        mapping[raw] = canon[form]
    return mapping, unknown


def match_district(query: str, known: list[str]) -> str | None:
    """The known district a user typed, tolerant of type words, case and small typos."""
    form = normal_form(query)
    if not form:
        return None
    by_form = {normal_form(k): k for k in known}
    if form in by_form:
        return by_form[form]
    core = form.split(":", 1)[1]
    cores = {normal_form(k).split(":", 1)[1]: k for k in known}
    starting = [k for c, k in cores.items() if len(core) >= 4 and c.startswith(core)]
    if len(starting) == 1:  # «Тахтамукай» for «Тахтамукайский район»
        return starting[0]
    best = process.extractOne(core, list(cores), scorer=fuzz.WRatio, score_cutoff=FUZZY_CUTOFF)
    return cores[best[0]] if best else None
