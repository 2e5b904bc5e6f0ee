"""Groups of messages → problems: stable id, signature, the definition's thresholds, label, trend."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

from curtool.core import address
from curtool.core import columns as C
from curtool.core.reach import REACH_FIELDS
from curtool.core.recurring.settings import RecurringSettings, plural
from curtool.core.recurring.vectors import TOPIC_TERM, WordVectors, dot_with_rows, indicator, normalised

SIGNATURE_MESSAGES = 5  # a problem's signature is read from its first five messages


@dataclass
class Problem:
    """One recurring or systemic problem: what it is, where, when, and its messages."""

    id: str  # stable from run to run: a hash of district, sector, place and signature
    district: str
    sector: str
    kind: str  # the commonest kind of its messages ("" when none is known)
    label: str  # «Уборка подъезда — ул. Мебельная, д. 47 к1 (Калининский район)»
    place: str  # as the export wrote it; a systemic problem's first three places and their count
    count: int
    weeks: int  # distinct ISO weeks with a message
    first_seen: pd.Timestamp
    last_seen: pd.Timestamp
    trend: str  # growing / stable / fading
    returned_after_resolved: bool
    systemic: bool
    message_ids: list[str]
    representative: str  # the message nearest the problem's centre
    places: int  # distinct places
    members: np.ndarray = field(repr=False)  # positions among the candidate messages

    def record(self) -> dict[str, object]:
        """The problem as one row of the problems table (:data:`columns.PROBLEM_FIELDS` and
        the representative message and number of places)."""
        # reach is summed over the messages by find_recurring, which holds their figures
        out: dict[str, object] = {
            name: getattr(self, name) for name in C.PROBLEM_FIELDS if name not in REACH_FIELDS
        }
        out[C.PROBLEM_REPRESENTATIVE] = self.representative
        out[C.PROBLEM_PLACES] = self.places
        return out


@dataclass
class Context:
    """Per candidate message (rows with a place): arrays the problem assembly reads."""

    rows: np.ndarray  # positions in the analysed frame
    ids: np.ndarray
    text: pd.Series  # every analysed row's text; a candidate's is at its position in ``rows``
    district: np.ndarray
    sector: np.ndarray
    place_key: np.ndarray
    place: np.ndarray
    week: np.ndarray
    days: np.ndarray
    created_ns: np.ndarray
    solved_at: np.ndarray  # when a «Решено» message was solved (int64 max where not solved)
    X: sparse.csr_matrix
    vectors: WordVectors
    last_week: int
    settings: RecurringSettings
    street_key: np.ndarray
    house_key: np.ndarray
    # terms that name a street or settlement somewhere in the data: the place is shown
    # beside the label, so the label keeps to what the problem is
    place_terms: frozenset[int] = frozenset()
    kind: np.ndarray | None = None  # each row's kind of problem ("" unknown)


def assemble(ctx: Context, labels: np.ndarray, *, systemic: bool) -> list[Problem]:
    """Groups → problems: signature, stable id, merge by id, the definition's thresholds, fields."""
    st = ctx.settings
    grouped = np.flatnonzero(labels >= 0)
    if len(grouped) == 0:
        return []
    codes, _ = pd.factorize(labels[grouped])
    n_groups = int(codes.max()) + 1
    signature = _signatures(ctx, grouped, codes, n_groups)
    place_part = np.array([""] * n_groups, dtype=object)
    if not systemic:
        place_part = _group_place_keys(ctx, grouped, codes, n_groups)
    first = grouped[np.unique(codes, return_index=True)[1]]
    keys = (
        pd.Series(ctx.district[first], dtype=object)
        + "\x1f"
        + pd.Series(ctx.sector[first], dtype=object)
        + "\x1f"
        + pd.Series(place_part, dtype=object)
        + "\x1f"
        + pd.Series(signature, dtype=object)
    )
    merged, key_uniques = pd.factorize(keys)
    prob = merged[codes]  # problem number of each grouped row
    n_prob = len(key_uniques)

    # the definition, vectorised over all candidate problems
    if systemic:
        sel, ok = _bursts(ctx, grouped, prob, n_prob)
    else:
        count = np.bincount(prob, minlength=n_prob)
        pw = np.unique(np.stack([prob, ctx.week[grouped]]), axis=1)
        weeks = np.bincount(pw[0], minlength=n_prob)
        ok = (count >= st.min_count) & (weeks >= st.min_weeks)
        sel = ok[prob]
    if not ok.any():
        return []
    grouped, prob = grouped[sel], prob[sel]
    keep_codes, keep_uniques = pd.factorize(prob)
    key_uniques = np.asarray(key_uniques)[keep_uniques]
    prob = keep_codes
    n_prob = len(key_uniques)

    centres = normalised(indicator(prob, grouped, n_prob, ctx.X.shape[0]) @ ctx.X)
    centrality = dot_with_rows(ctx.X[grouped], centres, prob)
    order = np.lexsort((ctx.rows[grouped], ctx.days[grouped], prob))
    grouped, prob, centrality = grouped[order], prob[order], centrality[order]
    bounds = np.flatnonzero(np.diff(prob)) + 1
    starts = np.concatenate([[0], bounds])
    ends = np.concatenate([bounds, [len(prob)]])
    # earliest «Решено» of each problem, then: did any message come after it?
    first_solved = np.full(n_prob, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_solved, prob, ctx.solved_at[grouped])
    last_created = np.full(n_prob, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(last_created, prob, ctx.created_ns[grouped])
    returned = last_created > first_solved

    problems: list[Problem] = []
    for p in range(n_prob):
        members = grouped[starts[p] : ends[p]]
        district, sector, place_key, sig = str(key_uniques[p]).split("\x1f")
        pid = (
            "P"
            + hashlib.blake2b(
                "|".join(("systemic" if systemic else "place", district, sector, place_key, sig)).encode(),
                digest_size=5,
            ).hexdigest()
        )
        rep = members[int(np.argmax(centrality[starts[p] : ends[p]]))]
        week_min = int(ctx.week[members].min())
        counts = np.bincount(ctx.week[members] - week_min, minlength=max(ctx.last_week - week_min + 1, 1))
        # most frequent first, ties by name: the readable place never depends on row order
        places = sorted(Counter(ctx.place[members].tolist()).items(), key=lambda kv: (-kv[1], kv[0]))
        if systemic:
            shown = "; ".join(name for name, _ in places[:3])
            k = len(places)
            place = f"{shown}; … ({k} {plural(k, 'место', 'места', 'мест')})" if k > 3 else shown
        else:
            place = str(places[0][0])
        words = _top_words(centres, p, ctx.vectors.words, ctx.place_terms)
        kind = _majority_kind(ctx, members)
        where = place if not district or systemic else f"{place} ({district})"
        if kind and not systemic:
            label = f"{kind} — {where}"
        elif kind:
            label = f"{kind}: {', '.join(words)} — {place}" if words else f"{kind} — {place}"
        else:
            label = f"{', '.join(words)} — {place}" if words else place
        problems.append(
            Problem(
                id=pid,
                district=district,
                sector=sector,
                kind=kind,
                label=label,
                place=place,
                count=len(members),
                weeks=len(np.unique(ctx.week[members])),
                first_seen=pd.Timestamp(ctx.days[members].min()),
                last_seen=pd.Timestamp(ctx.days[members].max()),
                trend=trend(counts, st.growth_ratio, st.min_trend_change),
                returned_after_resolved=bool(returned[p]),
                systemic=systemic,
                message_ids=ctx.ids[members].tolist(),
                representative=_text_at(ctx, rep),
                places=len(places),
                members=members,
            )
        )
    return problems


def _text_at(ctx: Context, candidate: int) -> str:
    value = ctx.text.iloc[int(ctx.rows[candidate])]
    return "" if pd.isna(value) else str(value)


def _majority_kind(ctx: Context, members: np.ndarray) -> str:
    """The commonest kind of a problem's messages ("" when none is known)."""
    if ctx.kind is None:
        return ""
    named = [k for k in ctx.kind[members].tolist() if k]
    if not named:
        return ""
    counts = Counter(named)
    return min(counts, key=lambda k: (-counts[k], k))


def _bursts(
    ctx: Context, grouped: np.ndarray, prob: np.ndarray, n_prob: int
) -> tuple[np.ndarray, np.ndarray]:
    """Systemic test: the busiest window of ``systemic_window_weeks`` weeks of each group.

    A group is systemic when that window holds at least ``min_count`` messages
    from at least ``systemic_min_places`` places and at least ``systemic_burst``
    times the messages the group's own weekly rate outside the window predicts
    (so a problem that is always spread over a big district is not systemic,
    a wave of it is).  Returns which grouped rows fall in a systemic window and
    which groups are systemic.
    """
    st = ctx.settings
    width = max(st.systemic_window_weeks, 1)
    first_week = int(ctx.week.min())
    span = max(ctx.last_week - first_week + 1, width)
    weekly = np.zeros((n_prob, span + 1), dtype=np.int64)
    np.add.at(weekly, (prob, np.clip(ctx.week[grouped] - first_week, 0, span)), 1)
    weekly = weekly[:, :span]
    sums = np.cumsum(np.pad(weekly, ((0, 0), (1, 0))), axis=1)
    windows = sums[:, width:] - sums[:, :-width]  # messages in each window of `width` weeks
    # the latest of equally busy windows: the one an analyst acts on
    start = windows.shape[1] - 1 - np.argmax(windows[:, ::-1], axis=1)
    in_window = windows[np.arange(n_prob), start]
    outside = weekly.sum(axis=1) - in_window
    rate = outside / max(span - width, 1)
    expected = rate * width
    wk = ctx.week[grouped] - first_week
    inside = (wk >= start[prob]) & (wk < start[prob] + width)
    _, place_codes = np.unique(ctx.place_key[grouped], return_inverse=True)
    pairs = np.unique(np.stack([prob[inside], place_codes.ravel()[inside]]), axis=1)
    n_places = np.bincount(pairs[0], minlength=n_prob)
    ok = (in_window >= st.min_count) & (n_places >= st.systemic_min_places)
    ok &= in_window >= st.systemic_burst * expected
    return inside & ok[prob], ok


def _signatures(ctx: Context, grouped: np.ndarray, codes: np.ndarray, n_groups: int) -> list[str]:
    """A group's signature: what its earliest messages are about, for ids that stay put.

    Read from the group's first ``SIGNATURE_MESSAGES`` messages (by date, then id), so
    messages of later weeks never change it: the export's «Тема» when at least
    half of them carry one (the most common; ties alphabetical), else the stem
    found in most of them (ties alphabetical).  Never the cluster number or row order.
    """
    order = np.lexsort((ctx.ids[grouped].astype(str), ctx.created_ns[grouped], codes))
    sorted_codes = codes[order]
    starts = np.searchsorted(sorted_codes, np.arange(n_groups))
    rank = np.arange(len(order)) - starts[sorted_codes]
    early = order[rank < SIGNATURE_MESSAGES]
    rows, groups = grouped[early], codes[early]
    present = ctx.X[rows].copy()
    present.data[:] = 1.0
    df = (indicator(groups, np.arange(len(rows)), n_groups, len(rows)) @ present).tocsr()
    sizes = np.bincount(groups, minlength=n_groups)
    terms = ctx.vectors.terms
    out = []
    for g in range(n_groups):
        lo, hi = df.indptr[g], df.indptr[g + 1]
        idx, cnt = df.indices[lo:hi], df.data[lo:hi]
        topics = [(-c, terms[t]) for t, c in zip(idx, cnt, strict=True) if terms[t].startswith(TOPIC_TERM)]
        if topics and -min(topics)[0] * 2 >= sizes[g]:
            out.append(min(topics)[1])
            continue
        words = [(-c, terms[t]) for t, c in zip(idx, cnt, strict=True) if not terms[t].startswith(TOPIC_TERM)]
        out.append(min(words)[1] if words else "")
    return out


def _top_words(
    centres: sparse.csr_matrix, row: int, words: list[str], skip: frozenset[int] = frozenset(), k: int = 3
) -> list[str]:
    """The ``k`` heaviest words of a group centre, leaving out ``skip`` (names of places)."""
    lo, hi = centres.indptr[row], centres.indptr[row + 1]
    data, idx = centres.data[lo:hi], centres.indices[lo:hi]
    out = []
    for t in idx[np.argsort(-data, kind="stable")]:
        if t in skip:
            continue
        if words[t] and words[t] not in out:
            out.append(words[t])
        if len(out) == k:
            break
    return out


def _group_place_keys(ctx: Context, grouped: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """A group's place: its street key and its most common known house (ties: the smallest)."""
    frame = pd.DataFrame({"g": codes, "street": ctx.street_key[grouped], "house": ctx.house_key[grouped]})
    streets = frame.groupby(["g", "street"]).size().reset_index(name="n")
    streets = streets.sort_values(["g", "n", "street"], ascending=[True, False, True])
    street = streets.drop_duplicates("g").set_index("g")["street"]
    houses = frame[frame["house"] != ""].groupby(["g", "house"]).size().reset_index(name="n")
    houses = houses.sort_values(["g", "n", "house"], ascending=[True, False, True])
    house = houses.drop_duplicates("g").set_index("g")["house"]
    out = street.reindex(range(n_groups)).fillna("").to_numpy().astype(object)
    known = house.reindex(range(n_groups)).fillna("").to_numpy().astype(object)
    geo = np.array([address.is_point_key(k) for k in out], dtype=bool)
    return np.where(geo, out, out + address.KEY_SEP + known)


def trend(weekly: np.ndarray | list[int], ratio: float = 1.5, min_change: float = 0.5) -> str:
    """growing / stable / fading from weekly counts, the problem's first week to the data's last.

    The weeks are cut in two halves (the middle week of an odd number is left
    out); the late half's mean against the early half's mean: growing when
    late ≥ ratio × early and late − early ≥ ``min_change``, fading when
    early ≥ ratio × late and early − late ≥ ``min_change``, stable otherwise.
    """
    counts = np.asarray(weekly, dtype=float)
    half = len(counts) // 2
    if half == 0:
        return "stable"
    early, late = counts[:half].mean(), counts[len(counts) - half :].mean()
    if late >= ratio * early and late - early >= min_change:
        return "growing"
    if early >= ratio * late and early - late >= min_change:
        return "fading"
    return "stable"
