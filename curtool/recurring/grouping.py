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

import numpy as np
from scipy import sparse
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform

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
