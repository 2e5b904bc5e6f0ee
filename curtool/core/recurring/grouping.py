"""Messages at one place → problems: one kind of problem, told in any words.

A place's messages are one problem when they are about the same kind of problem
(the classifier's likeliest kinds, compared as unit vectors: «грязно в парадной»
and «не моют полы на площадке» share «Уборка подъезда» though they share no word)
and, less, when their words agree.  The similarity of two messages is

    kind_weight × cos(kinds) + (1 − kind_weight) × cos(words)

and a place's messages are grouped by average linkage: a message joins a group
when it is similar *on average* to the group's messages, so one ambiguous
message cannot chain two problems together as a single edge does.

Measured on the city portal's development file (messages of one district and
place, 30 m for points; B-cubed F1 / true problems found): words only, single
link at 0.15 (the 40-line baseline) 0.679 / 55%; hard kinds 0.685 / 52%; kinds
and words, single link 0.71 / 57%; kinds and words, average linkage at 0.3 with
kind weight 0.5–0.6 0.70 / 62–65%.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse.csgraph import connected_components
from scipy.spatial.distance import squareform

from curtool.core.recurring.vectors import dot_with_rows, indicator, normalised

# Places of at most this many messages are grouped in batches of equal size (vectorised);
# measured on 1M generated messages: 93,829 places, 50,580 of five messages or fewer,
# about 0.15 ms each through scipy's linkage one by one.
SMALL = 8
# The largest place grouped exactly (average linkage needs the pairwise matrix: 2,500²
# float64 is 50 MB); larger places are cut into consecutive runs of this many messages.
MAX_EXACT = 2_500


def group_places(
    place_codes: np.ndarray,
    words: sparse.csr_matrix,
    kinds: sparse.csr_matrix,
    *,
    kind_weight: float,
    similarity: float,
    min_count: int,
) -> np.ndarray:
    """A group number per message (-1: alone), groups never crossing a place.

    ``place_codes`` (≥ 0; -1 = no place) says which messages share a place;
    ``words`` and ``kinds`` are unit-length rows (zero rows are allowed).
    """
    n = len(place_codes)
    labels = np.full(n, -1, dtype=np.int64)
    if n == 0:
        return labels
    order = np.argsort(place_codes, kind="stable")
    codes = place_codes[order]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    ends = np.r_[starts[1:], n]
    big = (codes[starts] >= 0) & (ends - starts >= min_count)
    if not big.any():
        return labels
    # only the rows of places that can hold a problem, in place order: each place is then a
    # contiguous run of rows, sliced without a fancy index (most places hold one message)
    take = np.concatenate([order[a:b] for a, b in zip(starts[big], ends[big], strict=True)])
    w_all = (1.0 - kind_weight) ** 0.5 * words[take]
    k_all = kind_weight**0.5 * kinds[take]
    both = sparse.hstack([w_all, k_all], format="csr")  # one product gives the weighted sum
    sizes = ends[big] - starts[big]
    firsts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    next_label = 0
    # most places hold a few messages: those of one size are grouped together, vectorised
    for count in range(max(min_count, 2), SMALL + 1):
        which = np.flatnonzero(sizes == count)
        if len(which) == 0:
            continue
        local = _small_average_linkage(both, firsts[which], count, similarity)
        rows = take[firsts[which][:, None] + np.arange(count)[None, :]]
        labels[rows] = local + next_label
        next_label += int(local.max()) + 1
    for size, offset in zip(sizes.tolist(), firsts.tolist(), strict=True):
        if size <= SMALL and size >= max(min_count, 2):
            continue
        for c in range(0, size, MAX_EXACT):
            length = min(size - c, MAX_EXACT)
            if length >= min_count:
                members = take[offset + c : offset + c + length]
                local = _average_linkage(both[offset + c : offset + c + length], similarity)
                labels[members] = local + next_label
                next_label += int(local.max()) + 1
    return labels


def with_topics(
    kinds: sparse.csr_matrix, names: np.ndarray, topics: np.ndarray
) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Rows with an export topic compare by the topic alone (one-hot, in columns after the
    kinds'), and take it as their kind's name; rows without keep the classifier's kinds."""
    text = np.array([" ".join(str(t).split()) if isinstance(t, str) else "" for t in topics], dtype=object)
    has = text != ""
    if not has.any():
        return kinds, names
    codes, uniques = np.unique(text[has], return_inverse=True)
    n, k = kinds.shape
    rows = np.flatnonzero(has)
    topic_part = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, uniques + k)), shape=(n, k + len(codes))
    )
    keep = sparse.diags((~has).astype(np.float32)) @ kinds
    joined = sparse.csr_matrix(sparse.hstack([keep, sparse.csr_matrix((n, len(codes)))]) + topic_part)
    out_names = names.astype(object).copy()
    out_names[has] = text[has]
    return joined, out_names


def _small_average_linkage(
    both: sparse.csr_matrix, firsts: np.ndarray, n: int, similarity: float
) -> np.ndarray:
    """Average linkage of many places of ``n`` messages at once (rows ``firsts[p] + 0 … n-1``
    of ``both``): the same partition as :func:`_average_linkage` place by place.

    Clusters are merged most-similar first while their average similarity reaches
    ``similarity``; average linkage never merges at a higher similarity later, so stopping
    there is cutting the tree at that height.  Returns numbers unique over all places.
    """
    k = len(firsts)
    iu, ju = np.triu_indices(n, 1)
    left = (firsts[:, None] + iu[None, :]).ravel()
    right = (firsts[:, None] + ju[None, :]).ravel()
    pair = np.asarray(both[left].multiply(both[right]).sum(axis=1)).ravel()
    sim = np.zeros((k, n, n))
    sim[:, iu, ju] = pair.reshape(k, -1)
    sim[:, ju, iu] = pair.reshape(k, -1)
    member = np.broadcast_to(np.eye(n, dtype=bool), (k, n, n)).copy()  # cluster c holds i
    alive = np.ones((k, n), dtype=bool)
    for _ in range(n - 1):
        m = member.astype(float)
        total = m @ sim @ m.transpose(0, 2, 1)  # summed similarity between clusters
        size = m.sum(axis=2)
        mean = total / np.maximum(size[:, :, None] * size[:, None, :], 1)
        ok = alive[:, :, None] & alive[:, None, :] & ~np.eye(n, dtype=bool)[None]
        mean = np.where(ok, mean, -np.inf)
        flat = mean.reshape(k, -1).argmax(axis=1)
        best = mean.reshape(k, -1)[np.arange(k), flat]
        go = best >= similarity
        if not go.any():
            break
        a, b = np.divmod(flat, n)
        places = np.flatnonzero(go)
        member[places, a[go]] |= member[places, b[go]]
        member[places, b[go]] = False
        alive[places, b[go]] = False
    # each message's cluster: the live cluster holding it, numbered per place, then offset
    owner = member.argmax(axis=1)  # (k, n): for message i, the cluster c with member[c, i]
    return (owner + (np.arange(k) * n)[:, None]).astype(np.int64)


def _average_linkage(rows: sparse.csr_matrix, similarity: float) -> np.ndarray:
    """Cluster numbers (from 0) of ``rows``, whose products are the weighted similarities."""
    if rows.shape[0] == 1:
        return np.zeros(1, dtype=np.int64)
    sim = (rows @ rows.T).toarray()
    distance = np.clip(1.0 - sim, 0.0, None)
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(distance, checks=False), method="average")
    return fcluster(tree, t=1.0 - similarity, criterion="distance").astype(np.int64) - 1


# --- without kinds: edges between similar messages of a block, then connected groups ---
def _ragged_arange(lengths: np.ndarray) -> np.ndarray:
    """Concatenated ``arange(k)`` for every k in ``lengths``."""
    total = int(lengths.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    return np.arange(total, dtype=np.int64) - starts


def cut_large_blocks(codes: np.ndarray, week: np.ndarray, limit: int) -> np.ndarray:
    """Blocks larger than ``limit`` cut into four-week periods (then into date-ordered slices)."""
    sizes = np.bincount(codes)
    if sizes.max(initial=0) <= limit:
        return codes
    period = week // 4
    big = sizes[codes] > limit
    base = codes.astype(np.int64) * 100_000
    key = np.where(big, base + (period - period.min()), base - 1)
    out, _ = pd.factorize(key)
    sizes = np.bincount(out)
    if sizes.max() <= limit:
        return out
    # still too big: slices of at most `limit` rows in date order inside each block
    order = np.lexsort((week, out))
    pos = np.empty_like(order)
    pos[order] = np.arange(len(order))
    first = np.zeros(len(sizes) + 1, dtype=np.int64)
    first[1:] = np.cumsum(sizes)
    slice_no = (pos - first[out]) // limit
    final, _ = pd.factorize(out.astype(np.int64) * 10_000 + slice_no)
    return final


_THREADS = max(1, min(os.cpu_count() or 1, 8))


def block_edges(
    X: sparse.csr_matrix,
    blocks: np.ndarray,
    threshold: float,
    min_size: int,
    top_n: int | None,
    small: int = 300,
    pair_batch: int = 400_000,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs (i < j) of one block with cosine ≥ ``threshold``; blocks under ``min_size`` skipped."""
    sizes = np.bincount(blocks)
    order = np.argsort(blocks, kind="stable")
    sorted_blocks = blocks[order]
    starts = np.zeros(len(sizes) + 1, dtype=np.int64)
    starts[1:] = np.cumsum(sizes)
    out_i, out_j, out_s = [], [], []

    # small blocks: every pair, scored in vectorised batches of rows (bounded memory)
    small_rows = (sizes[sorted_blocks] >= max(min_size, 2)) & (sizes[sorted_blocks] <= small)
    pos = np.flatnonzero(small_rows)
    if len(pos):
        local = pos - starts[sorted_blocks[pos]]
        partners = sizes[sorted_blocks[pos]] - 1 - local
        cum = np.cumsum(partners)
        cuts = np.searchsorted(cum, np.arange(pair_batch, int(cum[-1]) + pair_batch, pair_batch))
        lo = 0
        for hi in np.unique(np.append(cuts, len(pos))):
            if hi <= lo:
                continue
            seg, seg_partners = pos[lo:hi], partners[lo:hi]
            lo = hi
            a = np.repeat(seg, seg_partners)
            b = a + 1 + _ragged_arange(seg_partners)
            ia, ib = order[a], order[b]
            sim = np.asarray(X[ia].multiply(X[ib]).sum(axis=1)).ravel()
            keep = sim >= threshold
            out_i.append(ia[keep].astype(np.int32))
            out_j.append(ib[keep].astype(np.int32))
            out_s.append(sim[keep].astype(np.float32))

    # large blocks: sparse products, chunk by chunk (or top-n neighbours for systemic search)
    for blk in np.flatnonzero(sizes > small):
        members = order[starts[blk] : starts[blk + 1]]
        Xb = X[members]
        if top_n is not None:
            from sparse_dot_topn import sp_matmul_topn

            prod = sp_matmul_topn(
                Xb, Xb.T.tocsr(), top_n=top_n + 1, threshold=threshold, n_threads=_THREADS
            ).tocoo()
            keep = prod.row < prod.col
            # top-n is not symmetric: a pair found from either side is an edge (as i < j)
            keep = prod.row != prod.col
            lo_, hi_ = np.minimum(prod.row, prod.col)[keep], np.maximum(prod.row, prod.col)[keep]
            out_i.append(members[lo_].astype(np.int32))
            out_j.append(members[hi_].astype(np.int32))
            out_s.append(prod.data[keep].astype(np.float32))
            continue
        from sparse_dot_topn import sp_matmul_topn

        XbT = Xb.T.tocsr()
        for c0 in range(0, len(members), 2000):
            # every pair above the threshold (top_n = block size), on all cores
            prod = sp_matmul_topn(
                Xb[c0 : c0 + 2000],
                XbT,
                top_n=len(members),
                threshold=threshold * 0.999,
                n_threads=_THREADS,
            ).tocoo()
            keep = (prod.data >= threshold) & (prod.row + c0 < prod.col)
            out_i.append(members[prod.row[keep] + c0].astype(np.int32))
            out_j.append(members[prod.col[keep]].astype(np.int32))
            out_s.append(prod.data[keep].astype(np.float32))
    if not out_i:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.float32)
    return np.concatenate(out_i), np.concatenate(out_j), np.concatenate(out_s).astype(np.float32)


def connected_groups(
    n: int,
    i: np.ndarray,
    j: np.ndarray,
    sim: np.ndarray,
    X: sparse.csr_matrix,
    threshold: float,
    cohesion: float,
    rounds: int = 4,
    step: float = 0.08,
) -> np.ndarray:
    """Group label per row (-1 alone): connected components, chains split with stricter thresholds."""
    labels = np.full(n, -1, dtype=np.int64)
    if len(i) == 0:
        return labels
    current = threshold
    active_i, active_j, active_s = i, j, sim
    todo = np.ones(n, dtype=bool)  # rows whose grouping is not settled yet
    next_label = 0
    for round_no in range(rounds + 1):
        graph = sparse.coo_matrix((np.ones(len(active_i), np.int8), (active_i, active_j)), shape=(n, n))
        _, comp = connected_components(graph, directed=False)
        in_edges = np.zeros(n, dtype=bool)
        in_edges[active_i] = True
        in_edges[active_j] = True
        comp = np.where(in_edges & todo, comp, -1)
        member_sim = _centre_similarity(X, comp)
        weak_comp = np.unique(comp[(comp >= 0) & (member_sim < cohesion)])
        is_weak = np.isin(comp, weak_comp) & (comp >= 0)
        settled = (comp >= 0) & ~is_weak
        if round_no == rounds:
            # last round: drop the loose members, keep the cohesive core of each group
            settled = (comp >= 0) & (member_sim >= cohesion)
            is_weak[:] = False
        codes, _ = pd.factorize(comp[settled])
        labels[settled] = codes + next_label
        next_label += codes.max() + 1 if len(codes) else 0
        todo = is_weak
        if not todo.any():
            break
        current += step
        keep = todo[active_i] & todo[active_j] & (active_s >= current) & (comp[active_i] == comp[active_j])
        active_i, active_j, active_s = active_i[keep], active_j[keep], active_s[keep]
        if len(active_i) == 0:
            break
    # groups of one (a member whose partners all left) are not groups
    sizes = np.bincount(labels[labels >= 0], minlength=max(next_label, 1))
    labels[(labels >= 0) & (sizes[np.maximum(labels, 0)] < 2)] = -1
    return labels


def bisect(labels: np.ndarray, X: sparse.csr_matrix, min_size: int, split_similarity: float) -> np.ndarray:
    """Split groups that are two problems held together by a bridge (a «dumbbell»).

    A group of at least ``2 × min_size`` messages is cut in two around its two
    most different members (each message joins the closer one); the cut is kept
    when both halves have ``min_size`` messages and the halves' centres are less
    similar than ``split_similarity`` (one problem's halves stay far above it).
    Halves are tried again, so a group can fall into several problems.
    """
    labels = labels.copy()
    if min_size < 1:
        return labels
    next_label = int(labels.max(initial=-1)) + 1
    sizes = np.bincount(labels[labels >= 0]) if (labels >= 0).any() else np.empty(0, np.int64)
    queue = [int(g) for g in np.flatnonzero(sizes >= 2 * min_size)]
    members_of = {g: np.flatnonzero(labels == g) for g in queue} if queue else {}
    while queue:
        g = queue.pop()
        members = members_of.pop(g)
        Xm = X[members]
        centre = np.asarray(Xm.sum(axis=0)).ravel()
        a = int(np.argmin(Xm @ centre))
        to_a = np.asarray((Xm @ Xm[a].T).todense()).ravel()
        b = int(np.argmin(to_a))
        to_b = np.asarray((Xm @ Xm[b].T).todense()).ravel()
        side = to_a >= to_b
        if side.sum() < min_size or (~side).sum() < min_size:
            continue
        ca = np.asarray(Xm[side].sum(axis=0)).ravel()
        cb = np.asarray(Xm[~side].sum(axis=0)).ravel()
        denom = float(np.linalg.norm(ca) * np.linalg.norm(cb)) or 1.0
        if float(ca @ cb) / denom >= split_similarity:
            continue
        labels[members[~side]] = next_label
        for label, part in ((g, members[side]), (next_label, members[~side])):
            if len(part) >= 2 * min_size:
                members_of[label] = part
                queue.append(label)
        next_label += 1
    return labels


def split_houses(labels: np.ndarray, house_codes: np.ndarray, X: sparse.csr_matrix) -> np.ndarray:
    """One known house per place group: a group that chained several is split by house.

    Pairs must agree on the house where both know it, but a message naming only
    the street can still bridge «Ленина, 5» and «Ленина, 7» into one component.
    Each known house becomes its own group, and every message without a house
    joins the house whose messages' centre its text is closest to.
    """
    labels = labels.copy()
    known = (labels >= 0) & (house_codes >= 0)
    if not known.any():
        return labels
    pairs = np.unique(np.stack([labels[known], house_codes[known]]), axis=1)
    n_houses = np.bincount(pairs[0], minlength=int(labels.max()) + 1)
    multi = n_houses[np.maximum(labels, 0)] > 1
    rows = np.flatnonzero((labels >= 0) & multi)
    if len(rows) == 0:
        return labels
    rows = rows[np.argsort(labels[rows], kind="stable")]
    bounds = np.flatnonzero(np.diff(labels[rows])) + 1
    next_label = int(labels.max()) + 1
    for members in np.split(rows, bounds):
        houses = house_codes[members]
        has = houses >= 0
        codes, _ = pd.factorize(houses[has])  # a multi-house group: at least two known houses
        codes_all = np.empty(len(members), dtype=np.int64)
        codes_all[has] = codes
        loose = members[~has]
        if len(loose):
            centres = normalised(
                indicator(codes, np.arange(has.sum()), int(codes.max()) + 1, int(has.sum())) @ X[members[has]]
            )
            codes_all[~has] = np.asarray((X[loose] @ centres.T).todense()).argmax(axis=1).ravel()
        # the first house keeps the group's label, the others get new ones
        labels[members] = np.where(codes_all == 0, labels[members[0]], next_label + codes_all - 1)
        next_label += int(codes.max())
    return labels


def _centre_similarity(X: sparse.csr_matrix, labels: np.ndarray) -> np.ndarray:
    """Cosine of each labelled row to its group's mean vector (NaN-free; 1.0 for unlabelled)."""
    out = np.ones(X.shape[0], dtype=np.float32)
    rows = np.flatnonzero(labels >= 0)
    if len(rows) == 0:
        return out
    codes, _ = pd.factorize(labels[rows])
    ind = sparse.csr_matrix(
        (np.ones(len(rows), np.float32), (codes, rows)), shape=(codes.max() + 1, X.shape[0])
    )
    centres = (ind @ X).tocsr()
    norms = np.sqrt(np.asarray(centres.multiply(centres).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    centres = (sparse.diags((1.0 / norms).astype(np.float32)) @ centres).tocsr()
    out[rows] = dot_with_rows(X[rows], centres, codes)
    return out
