"""The seed corpus: curtool's own phrase material (``data/seed/``) composed into messages.

The default model is trained only on these composed messages and the taxonomy's cues
(:func:`cue_documents`): each block's clauses and whole messages, the clauses of its
kinds, and common openers, places, complaints and requests, mixed with typing slips and
careless style.  Composition is deterministic for a given seed.
"""

from __future__ import annotations

import random
import re

from curtool.core import resources
from curtool.core.taxonomy import Taxonomy, load_taxonomy

# How much the kinds' material teaches the block head: the share of composed clauses drawn
# from the block's kinds (the rest from the block's own clauses) and the copies of each kind
# cue (block cues: 6).
# Measured on both development files (shares 0.15–0.5 × copies 0–4, after the second batch
# of kind clauses): kind cues lift the city portal most (copies 0 → 3: lenient 0.868 → 0.898,
# with its categories 0.903 → 0.922) and leave the regional file within 0.005; shares above
# 0.3 cost the region (0.5: lenient 0.819, macro-F1 0.692), below it the portal.
KIND_CLAUSE_SHARE = 0.3
KIND_CUE_REPEAT = 3
# Composed messages per kind for the kind head.
KIND_MESSAGES = 150


_SECTION = re.compile(r"^#\s*(\w+)\s*$")


def _read_sections(text: str | None) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = None
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        m = _SECTION.match(line)
        if m:
            current = m.group(1)
            sections.setdefault(current, [])
        elif current is not None:
            sections[current].append(line)
    return sections


_TYPO_SWAPS = {"е": "и", "и": "е", "а": "о", "о": "а", "ь": "", "т": "д", "с": "з", "ш": "щ"}


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.random()
    if kind < 0.3:
        return word[:i] + word[i + 1 :]  # dropped letter
    if kind < 0.55:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # swapped letters
    if kind < 0.7:
        return word[:i] + word[i] + word[i:]  # doubled letter
    ch = word[i].lower()
    return word[:i] + _TYPO_SWAPS.get(ch, ch) + word[i + 1 :]


def _style(text: str, rng: random.Random) -> str:
    """People write without capitals, punctuation or care; imitate that sometimes."""
    if rng.random() < 0.35:
        words = text.split(" ")
        for _ in range(rng.randint(1, 3)):
            j = rng.randrange(len(words))
            words[j] = _typo(words[j], rng)
        text = " ".join(words)
    r = rng.random()
    if r < 0.3:
        text = text.lower()
    elif r < 0.33:
        text = text.upper()
    if rng.random() < 0.25:
        text = re.sub(r"[.,!?;:]+", "", text)
    if rng.random() < 0.1:
        text = text.replace("е", "е").rstrip(".") + rng.choice(["!!!", "!!", "...", " ((", "?!"])
    return text


def _sentence(clause: str) -> str:
    clause = clause.strip()
    if not clause:
        return clause
    clause = clause[0].upper() + clause[1:]
    return clause if clause[-1] in ".!?" else clause + "."


def seed_material() -> tuple[dict[str, list[str]], dict[str, dict[str, list[str]]]]:
    """The common phrase material and each block's own material, as written."""
    common = _read_sections(resources.seed_text("common.txt"))
    blocks = {
        b.name: _read_sections(resources.seed_text(f"{b.seed}.txt")) for b in load_taxonomy().blocks if b.seed
    }
    return common, blocks


_KIND_SECTION = re.compile(r"^#\s*kind:\s*(.+?)\s*$")


def kind_material(taxonomy: Taxonomy | None = None) -> dict[str, list[str]]:
    """Each kind's clauses (``data/seed/kinds/<block seed>.txt``, sections «# kind: name»)."""
    taxonomy = taxonomy or load_taxonomy()
    known = set(taxonomy.kind_names)
    clauses: dict[str, list[str]] = {}
    for block in taxonomy.blocks:
        text = resources.seed_text(f"kinds/{block.seed}.txt", missing_ok=True) if block.seed else None
        if text is None:
            continue
        current = None
        for line in text.splitlines():
            line = line.strip()
            if not line:
                continue
            m = _KIND_SECTION.match(line)
            if m:
                current = m.group(1) if m.group(1) in known else None
                if current is not None:
                    clauses.setdefault(current, [])
            elif current is not None and not line.startswith("#"):
                clauses[current].append(line)
    return clauses


def seed_corpus(
    per_block: int = 700, seed: int = 0, taxonomy: Taxonomy | None = None
) -> tuple[list[str], list[str]]:
    """Deterministically compose ``per_block`` messages for each block from the seed material
    (the block's own clauses and those of its kinds)."""
    taxonomy = taxonomy or load_taxonomy()
    common, blocks = seed_material()
    by_kind = kind_material(taxonomy)
    rng = random.Random(seed)
    texts: list[str] = []
    labels: list[str] = []
    for name, material in blocks.items():
        clauses = _mix(
            material.get("clauses", []),
            [c for k in taxonomy.kinds_of(name) for c in by_kind.get(k.name, [])],
            KIND_CLAUSE_SHARE,
        )
        whole = material.get("messages", [])
        # every written message appears at least once as written
        for msg in whole:
            texts.append(msg)
            labels.append(name)
        for _ in range(per_block - len(whole)):
            texts.append(_style(_compose(clauses, whole, common, rng), rng))
            labels.append(name)
    return texts, labels


def _compose(clauses: list[str], whole: list[str], common: dict[str, list[str]], rng: random.Random) -> str:
    pick = rng.choice
    if whole and rng.random() < 0.15:
        parts = [pick(whole)]
        if rng.random() < 0.4:
            parts.insert(0, pick(common["openers"]))
        if rng.random() < 0.4:
            parts.append(pick(common["requests"]))
        return " ".join(parts)
    parts = []
    if rng.random() < 0.45:
        parts.append(pick(common["openers"]))
    first = pick(clauses)
    r = rng.random()
    if r < 0.3:
        first = f"{pick(common['places'])} {first}"
    elif r < 0.5:
        first = f"{first} {pick(common['places'])}"
    if rng.random() < 0.25:
        first = f"{first} {pick(common['durations'])}"
    parts.append(_sentence(first))
    extra = rng.random()
    n_more = 0 if extra < 0.45 else 1 if extra < 0.85 else 2
    for _ in range(n_more):
        parts.append(_sentence(pick(clauses)))
    if rng.random() < 0.3:
        parts.insert(rng.randint(1, len(parts)), pick(common["context"]))
    if rng.random() < 0.35:
        parts.append(pick(common["complaints"]))
    if rng.random() < 0.5:
        parts.append(pick(common["requests"]))
    if rng.random() < 0.15:
        parts.append(pick(common["closers"]))
    return " ".join(parts)


def _mix(own: list[str], extra: list[str], share: float) -> list[str]:
    """One pool to draw clauses from, where ``extra`` makes up about ``share`` of the draws."""
    if not own or not extra or share <= 0:
        return own or extra
    copies = max(1, round((1 - share) / share * len(extra) / len(own)))
    return own * copies + extra


def kind_corpus(
    per_kind: int = KIND_MESSAGES, seed: int = 0, taxonomy: Taxonomy | None = None
) -> tuple[list[str], list[str]]:
    """Deterministically compose ``per_kind`` messages for each kind from its clauses."""
    taxonomy = taxonomy or load_taxonomy()
    common, _ = seed_material()
    by_kind = kind_material(taxonomy)
    rng = random.Random(seed)
    texts: list[str] = []
    labels: list[str] = []
    for kind in taxonomy.kinds:
        clauses = by_kind.get(kind.name, [])
        if not clauses:
            continue
        for _ in range(per_kind):
            texts.append(_style(_compose(clauses, [], common, rng), rng))
            labels.append(kind.name)
    return texts, labels


def cue_documents(
    taxonomy: Taxonomy | None = None, repeat: int = 6, kinds: bool = False
) -> tuple[list[str], list[str]]:
    """Each taxonomy cue as a tiny labelled document: the lexicon enters the model as data.

    Block cues and the cues of the block's kinds are labelled with the block; with
    ``kinds`` only kind cues, labelled with their kind.
    """
    taxonomy = taxonomy or load_taxonomy()
    texts, labels = [], []
    pairs = (
        [(c, k.name, repeat) for k in taxonomy.kinds for c in k.cues]
        if kinds
        else [(c, b.name, repeat) for b in taxonomy.blocks for c in b.cues]
        + [(c, k.block, KIND_CUE_REPEAT) for k in taxonomy.kinds for c in k.cues]
    )
    for cue, label, times in pairs:
        for _ in range(times):
            texts.append(cue)
            labels.append(label)
    return texts, labels
