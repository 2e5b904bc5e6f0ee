"""An export's own categories (its «Группа тем» column): which of them set a message's block, and how.

An export's group column holds one of two kinds of vocabulary:

* the taxonomy's own: the «Группа тем» of an «Инцидент Менеджмент» export («Дороги», «ЖКХ», …)
  and their spellings, listed in the taxonomy's ``[groups]``.  Such a value names a block and
  sets it directly.
* a foreign one: a portal's categories or reasons, a region's topics.  Its names may look
  like blocks («Благоустройство») but mean something else (a portal's «Благоустройство»
  holds roads, yards and façades alike), so none of them is trusted by name.  Each category
  is mapped by its messages instead: the model reads them all, and when one block holds a
  clear majority of a category (and the category does not hold most of another block's
  messages), every message of the category takes it; otherwise the category is «mixed»
  and each message keeps what its own text says.

The result is a table (:class:`CategoryMap`) that the analyst sees, can save into
``curtool.toml`` as ``[groups]`` and edit; an entry there overrides everything here.
Everything in this module is pure: no files, no printing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from curtool.core.taxonomy import Taxonomy, group_key

TEXT = "text"  # a [groups] value: leave the category's messages to their own text

# Why a category is decided as it is (the table's last column).
BY_TAXONOMY = "группа тем"
BY_CONFIG = "curtool.toml"
BY_MAJORITY = "большинство"
MIXED = "нет большинства"  # no block holds more than half of its messages
UNCLEAR = "большинство не ясно"  # one does, but too few messages to be sure of it
SWALLOWS = "держит большую часть блока"  # it holds most of another block's messages

# The column is the taxonomy's own vocabulary when at least this share of its distinct
# values are «Группа тем» values the taxonomy knows.  Decided per column, not per value: a
# real «Группа тем» column uses the ~26 group names (a region may add one or two of its
# own), while a foreign vocabulary shares at most a homonym or two with them (a city
# portal's 15 categories: 1 known, «Благоустройство», which there holds 57 % of the
# messages, roads included; its 132 reasons: none).  Counting distinct values, not
# messages, is what tells the two apart: one big homonym must not make a vocabulary ours.
# At exactly half (1 of 2 values in a small export) nothing tells them apart; the names
# are then trusted as before, and ``[groups]`` in the config corrects a wrong guess.
KNOWN_VOCABULARY_SHARE = 0.5

# A majority is clear when the lower end of the 95 % Wilson interval of its share is above
# one half: then, with the usual confidence, most of the category's messages belong to
# that block, so giving it to all of them is right for most.  One standard rule covers
# both "share high enough" and "enough messages": 5 of 5 is clear, 6 of 7 is not yet,
# 15 of 20 is, and a large category needs a little over half.
#
# One guard, by the same rule: a category that holds most of all the messages the text
# puts in some OTHER block is not mapped.  Mapping a category overwrites its messages the
# text puts elsewhere; that is right when they are the model's errors, which are spread
# thin over many categories, and wrong when a block lives in this category — then the
# block would all but vanish from the report.  (A city portal's «Благоустройство» holds
# roads, yards and façades: on its file, with the loader's duplicates left out, 53 % of
# the category reads as yards, a clear majority, yet it holds 1,161 of the 1,274 messages
# the text puts in «Дорожное хозяйство»; mapped, roads recall fell from 0.53 to 0.)
WILSON_Z = 1.96
CLEAR_SHARE = 0.5


@dataclass(frozen=True)
class CategoryRule:
    """How one category of the export is used."""

    category: str  # as first written in the export
    messages: int  # rows of this category
    majority: str  # the model's commonest block over its messages with text ("" when not read)
    share: float  # that block's share of them (NaN when not read)
    block: str  # the block its messages take; "" when each is left to its own text
    why: str  # BY_TAXONOMY, BY_CONFIG, BY_MAJORITY, MIXED, UNCLEAR or SWALLOWS
    second: str = ""  # the next commonest block: a large one means two blocks share the category
    second_share: float = 0.0
    swallowed: str = ""  # with SWALLOWS: the block most of whose messages are here

    @property
    def decision(self) -> str:
        """The block, or ``text``: the value for ``[groups]`` in ``curtool.toml``."""
        return self.block or TEXT


@dataclass(frozen=True)
class CategoryMap:
    """The mapping of every category of one export, largest first."""

    rules: tuple[CategoryRule, ...]
    known: int  # distinct values the taxonomy knows as «Группа тем»
    distinct: int  # distinct non-empty values

    @property
    def taxonomy_vocabulary(self) -> bool:
        """True when the column is the taxonomy's own «Группа тем» vocabulary."""
        return is_known_vocabulary(self.known, self.distinct)

    @property
    def voted(self) -> tuple[CategoryRule, ...]:
        """The categories decided from their messages (not by the taxonomy or the config)."""
        return tuple(r for r in self.rules if r.why in (BY_MAJORITY, MIXED, UNCLEAR, SWALLOWS))

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "category": [r.category for r in self.rules],
                "messages": [r.messages for r in self.rules],
                "majority": [r.majority for r in self.rules],
                "share": [r.share for r in self.rules],
                "second": [r.second for r in self.rules],
                "second_share": [r.second_share for r in self.rules],
                "decision": [r.decision for r in self.rules],
                "why": [r.why for r in self.rules],
            }
        )


def is_known_vocabulary(known: int, distinct: int) -> bool:
    """Whether a column with ``known`` of ``distinct`` values known to the taxonomy is its vocabulary."""
    return distinct > 0 and known >= KNOWN_VOCABULARY_SHARE * distinct


def override_keys(groups: Mapping[str, str] | None) -> dict[str, str]:
    """``[groups]`` of the config keyed as categories are compared (case, ё/е, quotes, spaces)."""
    return {group_key(k): v for k, v in (groups or {}).items() if group_key(k)}


def fix_categories(
    values: Sequence[object], taxonomy: Taxonomy, groups: Mapping[str, str] | None = None
) -> tuple[np.ndarray, np.ndarray, int, int]:
    """What is known about each distinct category before any text is read.

    Returns ``block`` and ``why`` per value (``block`` "" where the messages must be read:
    a category of a foreign vocabulary, an unknown value, or ``text`` in ``groups``), and
    how many distinct values the taxonomy knows out of how many.  ``groups`` (the config's
    ``[groups]``, category -> block or ``text``) wins over the taxonomy.
    """
    keys = [group_key(v) for v in values]
    distinct = {k for k in keys if k}
    known = sum(1 for k in distinct if taxonomy.map_group(k) is not None)
    trusted = is_known_vocabulary(known, len(distinct))
    overrides = override_keys(groups)
    block = np.full(len(keys), "", dtype=object)
    why = np.full(len(keys), "", dtype=object)
    for i, key in enumerate(keys):
        if not key:
            continue
        if key in overrides:
            target = overrides[key]
            block[i] = "" if target == TEXT else target
            why[i] = BY_CONFIG
        elif trusted and taxonomy.map_group(key) is not None:
            block[i] = taxonomy.map_group(key)
            why[i] = BY_TAXONOMY
    return block, why, known, len(distinct)


def wilson_lower(k: np.ndarray, n: np.ndarray, z: float = WILSON_Z) -> np.ndarray:
    """Lower end of the Wilson score interval of the share ``k / n`` (0 where ``n`` is 0)."""
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    safe = np.maximum(n, 1.0)
    p = k / safe
    z2 = z * z
    low = (p + z2 / (2 * safe) - z * np.sqrt(p * (1 - p) / safe + z2 / (4 * safe * safe))) / (1 + z2 / safe)
    return np.where(n > 0, low, 0.0)


@dataclass
class CategoryVotes:
    """What deciding an export's categories takes, in counts that add up over its parts."""

    values: list[str]  # the categories, as first written (codes index them)
    labels: list[str]  # the blocks voted for, in the model's order
    counts: np.ndarray  # categories × labels: messages with text predicted that block
    predicted: np.ndarray  # per label: messages predicted it (those no category fixed)
    messages: np.ndarray  # per category: its messages

    def __add__(self, other: CategoryVotes) -> CategoryVotes:
        a, b = self.aligned(other), other.aligned(self)
        return CategoryVotes(
            a.values, a.labels, a.counts + b.counts, a.predicted + b.predicted, a.messages + b.messages
        )

    def first(self, n: int) -> CategoryVotes:
        """The votes of the first ``n`` categories."""
        return CategoryVotes(self.values[:n], self.labels, self.counts[:n], self.predicted, self.messages[:n])

    def aligned(self, like: CategoryVotes) -> CategoryVotes:
        """These votes numbered as ``like`` numbers categories and labels (extended by ours)."""
        values = list(like.values) + [v for v in self.values if v not in like.values]
        labels = list(like.labels) + [x for x in self.labels if x not in like.labels]
        vi = {v: i for i, v in enumerate(values)}
        li = {x: i for i, x in enumerate(labels)}
        rows = np.asarray([vi[v] for v in self.values], dtype=np.int64)
        cols = np.asarray([li[x] for x in self.labels], dtype=np.int64)
        counts = np.zeros((len(values), len(labels)), dtype=np.int64)
        if len(rows) and len(cols):
            counts[np.ix_(rows, cols)] = self.counts[:, : len(cols)]
        predicted = np.zeros(len(labels), dtype=np.int64)
        predicted[cols] = self.predicted[: len(cols)]
        messages = np.zeros(len(values), dtype=np.int64)
        messages[rows] = self.messages
        return CategoryVotes(values, labels, counts, predicted, messages)


@dataclass(frozen=True)
class Vote:
    """The model's predictions over each category's messages, per category."""

    majority: np.ndarray  # the commonest block ("" for a category without votes)
    share: np.ndarray  # its share of the category's messages with text (NaN without votes)
    voters: np.ndarray  # messages with text
    why: np.ndarray  # BY_MAJORITY (clear: map it), MIXED, UNCLEAR or SWALLOWS
    second: np.ndarray  # the next block ("" when none)
    second_share: np.ndarray  # its share (0 when none)
    swallowed: np.ndarray  # with SWALLOWS, the block it holds most of ("" otherwise)

    @property
    def clear(self) -> np.ndarray:
        return self.why == BY_MAJORITY


def vote_categories(
    category: np.ndarray,
    label: np.ndarray,
    n_categories: int,
    labels: Sequence[str],
    totals: np.ndarray | None = None,
) -> Vote:
    """The model's majority block of each category, its share, and whether it is clear.

    ``category`` and ``label`` are codes per voting message (a message with text):
    the category's index (0 … ``n_categories``-1) and the index of its predicted block in
    ``labels``.  ``totals`` counts each of ``labels`` in the whole export (default: over
    the voting messages), for the guard against a category that holds most of a block.
    One ``bincount`` over all messages, so a million rows cost milliseconds.
    """
    return vote_counts(tally_votes(category, label, n_categories, len(labels)), labels, totals)


def tally_votes(category: np.ndarray, label: np.ndarray, n_categories: int, n_labels: int) -> np.ndarray:
    """Voting messages per category × block (codes as in :func:`vote_categories`): the part
    of a vote that adds up, so parts of an export can be counted apart and summed."""
    width = max(n_labels, 1)
    return np.bincount(
        np.asarray(category, dtype=np.int64) * width + np.asarray(label, dtype=np.int64),
        minlength=n_categories * width,
    ).reshape(n_categories, width)


def vote_counts(counts: np.ndarray, labels: Sequence[str], totals: np.ndarray | None = None) -> Vote:
    """:func:`vote_categories` from the tallied votes (categories × ``labels``)."""
    n_categories = counts.shape[0]
    width = counts.shape[1]
    voters = counts.sum(axis=1)
    order = np.argsort(-counts, axis=1, kind="stable")
    rows = np.arange(n_categories)
    top = order[:, 0]
    k = counts[rows, top]
    nxt = order[:, 1] if width > 1 else top
    k2 = counts[rows, nxt] if width > 1 else np.zeros(n_categories, dtype=np.int64)
    safe = np.maximum(voters, 1)
    names = np.asarray(list(labels) + [""], dtype=object)
    share = np.where(voters > 0, k / safe, np.nan)
    # strictly more than half: a tie is never a majority
    clear = (wilson_lower(k, voters) > CLEAR_SHARE) & (2 * k > voters)
    # the guard: the share of each other block's messages (in the whole export) held here
    total = counts.sum(axis=0)
    if totals is not None and len(labels):
        total = np.maximum(total, np.asarray(totals, dtype=np.int64))
    held = wilson_lower(counts, np.broadcast_to(total, counts.shape))
    held[rows, top] = 0.0
    most = held.argmax(axis=1) if n_categories else np.zeros(0, dtype=np.int64)
    swallows = clear & (held[rows, most] > CLEAR_SHARE)
    why = np.where(share > CLEAR_SHARE, UNCLEAR, MIXED).astype(object)
    why[clear] = BY_MAJORITY
    why[swallows] = SWALLOWS
    return Vote(
        majority=names[np.where(voters > 0, top, len(labels))],
        share=share,
        voters=voters,
        why=why,
        second=names[np.where(k2 > 0, nxt, len(labels))],
        second_share=k2 / safe,
        swallowed=np.where(swallows, names[most], "").astype(object),
    )


def build_map(
    values: Sequence[object],
    messages: np.ndarray,
    block: np.ndarray,
    why: np.ndarray,
    vote: Vote,
    known: int,
    distinct: int,
) -> CategoryMap:
    """The table, largest category first; values with an empty name are left out."""
    rules = [
        CategoryRule(
            " ".join(str(values[i]).split()),
            int(messages[i]),
            str(vote.majority[i]),
            float(vote.share[i]),
            str(block[i]),
            str(why[i]),
            str(vote.second[i]),
            float(vote.second_share[i]),
            str(vote.swallowed[i]) if why[i] == SWALLOWS else "",
        )
        for i in range(len(values))
        if group_key(values[i])
    ]
    rules.sort(key=lambda r: (-r.messages, r.category))
    return CategoryMap(tuple(rules), known, distinct)
