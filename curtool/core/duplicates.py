"""Duplicates: which rows repeat a message seen before, and which row each one repeats.

Pure frame functions on the loaded frame's ``_`` columns (ids, cleaned text, day, district,
place, link, topic); the loader calls :func:`mark_duplicates` once all files are read.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from curtool.core import columns as C
from curtool.core.address import normalize_locality, normalize_street, parse_address_field
from curtool.core.issues import add_issue
from curtool.core.text import text_codes

# Two points of one message sent twice are the same spot seen by the phone twice: a phone's
# fix in a town is good to 5–20 m and a pin set by hand moves by as much, so the two points of
# a re-sent message differ by tens of metres (measured on a city portal's re-sends: median
# 15 m, 90 % within 31 m).  30 m is also the «one spot» of recurring problems.  Exact equality
# (even after rounding to 4 decimals, ~10 m) would keep half of such re-sends as new messages;
# farther apart is another place, and messages at different places are never one message.
POINT_TOLERANCE_M = 30.0
_METRES_PER_DEGREE = 111_320.0


def mark_duplicates(frame: pd.DataFrame, keep_keys: bool = False) -> None:
    """Mark every copy of a message seen before and name the row it repeats.

    A duplicate is the same message seen twice:

    * the same id within one source (files of one export layout, one platform): an
      overlapping re-export, a row pasted twice;
    * or, whatever the ids (re-sends get new ids on a portal, and two systems number alike
      messages differently), the same text on the same day in the same district at the same
      place, with the same post link and topic where both rows have one.  The place is the
      export's own address (between two exports normalised: «ул. Ленина, д. 5» is «улица
      Ленина, дом 5»); without an address, a point within ``POINT_TOLERANCE_M``; without
      either, the post link alone.  Messages at different places are never one message.
    * A row with nothing that places it (no address, point or link) is a copy only when the
      export gives no ids: there, the same text the same day in the same district is all an
      analyst could go by.  With ids, two rows of that kind are two registered messages;
      between two exports ids say nothing, and such a row is a copy of the first row of the
      other export with the same text, day and district.

    Copies of one message (linked by either rule, transitively) keep their first row in load
    order; the others get ``_duplicate`` and ``_duplicate_of`` (file, data row, id of the kept row).
    "The same text" is the same analysis text (markup and spacing aside), case included.

    ``keep_keys`` keeps what the rules read beyond the ``_`` columns, ``_id_given`` and
    ``_layout``, so rows stored without their original columns (an archive) can be compared
    with later ones.
    """
    n = len(frame)
    if C.ID_GIVEN not in frame:
        has_id = np.ones(n, bool)
    else:
        has_id = (frame[C.ID_GIVEN] if keep_keys else frame.pop(C.ID_GIVEN)).to_numpy(dtype=bool)
    # ids from different systems may collide, so an id only identifies within one layout and platform
    if C.LAYOUT in frame:
        layouts = frame[C.LAYOUT].astype(str).to_numpy()
    else:
        file_code, file_names = pd.factorize(frame[C.FILE])
        layouts = np.asarray(_layouts(frame, file_code, len(file_names)), dtype=object)[file_code]
        if keep_keys:
            frame[C.LAYOUT] = layouts
    layout_code, _ = pd.factorize(layouts)
    id_key = _combine(_codes(frame[C.ID]), layout_code)
    # a row without an id is numbered by its row, which may equal another row's real id:
    # it never takes part in the id rule; the platform is read only where an id repeats
    repeated = np.flatnonzero(has_id & pd.Series(id_key).duplicated(keep=False).to_numpy())
    platform = _codes(frame[C.SOURCE].take(repeated))
    edges = [_first_of_groups(_combine(id_key[repeated], platform), np.ones(len(repeated), bool), repeated)]
    edges.extend(_content_links(frame, has_id, layout_code))
    root = _roots(n, edges)
    duplicate = root != np.arange(n)
    frame[C.DUPLICATE] = duplicate
    sizes = np.bincount(root, minlength=n)
    frame[C.COPIES] = np.where(duplicate, 0, sizes).astype(np.int64)
    frame[C.DUPLICATE_OF] = _references(frame, root, duplicate, has_id)
    add_issue(frame, duplicate, C.ISSUE_DUPLICATE)


def _content_links(
    frame: pd.DataFrame, has_id: np.ndarray, layout: np.ndarray
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Pairs of rows with the same text, day, district and topic at the same place (see above).

    Two rows with different post links are two posts; a row without a link may be a copy of one
    with a link (an export that carries no links, or a cell left empty).
    """
    has_text = (frame[C.CLEAN] != "").to_numpy()
    day_code, _ = pd.factorize(frame[C.CREATED].dt.normalize())  # no date: -1, one more "day"
    district_code = _codes(frame[C.DISTRICT])
    text_code = text_codes(frame[C.CLEAN], day_code, district_code)
    base = _combine(text_code, day_code, district_code)
    # integer keys; everything below runs only on rows that share all of them with another row
    rows = np.flatnonzero(has_text & pd.Series(base).duplicated(keep=False).to_numpy())
    if not len(rows):
        return []
    # the link and the topic must agree where both rows have one; an export without them (or
    # an empty cell) says nothing against a copy.  Two posts are two messages, and the same words
    # filed under two topics (the resident's or the operator's choice) are two problems.
    local = np.full(len(frame), -1, dtype=np.int64)
    local[rows] = np.arange(len(rows))
    url, topic = frame[C.URL].take(rows), frame[C.TOPIC].take(rows)
    url_code, has_link = _codes(url), (url != "").to_numpy()
    topic_code, has_topic = _codes(topic), (topic != "").to_numpy()
    base = base[rows]
    address = _address_codes(frame, rows, base, layout[rows])  # -1: no address
    lat = frame[C.LAT].to_numpy(dtype=float)[rows]
    lon = frame[C.LON].to_numpy(dtype=float)[rows]
    point = (address < 0) & np.isfinite(lat) & np.isfinite(lon) & ~((lat == 0) & (lon == 0))
    linked = (address < 0) & ~point & has_link
    unplaced = (address < 0) & ~point & ~linked & ~has_id[rows]
    # tier 0: address, 1: the link alone, 2: nothing but the district (rows without ids)
    tier = np.select([address >= 0, linked, unplaced], [0, 1, 2], -1)
    key = _combine(base, tier, np.maximum(address, 0))
    # rows with both a link and a topic meet their exact namesakes; every row meets the first of
    # its group, and a pair whose links or topics differ is dropped below
    full = (tier >= 0) & has_link & has_topic
    candidates = [
        _first_of_groups(_combine(key, url_code, topic_code), full, rows),
        _first_of_groups(_combine(key, url_code), (tier >= 0) & has_link, rows),
        _first_of_groups(_combine(key, topic_code), (tier != 1) & (tier >= 0) & has_topic, rows),
        _first_of_groups(key, (tier == 0) | (tier == 2), rows),
        _near_points(base[point], lat[point], lon[point], rows[point]),
    ]
    # between two exports ids say nothing: a row that one of them does not place is the other's
    # copy when text, day and district agree (a row with ids and no place inside one export is not)
    a, b = _first_of_groups(base, np.ones(len(rows), bool), rows)
    placeless = np.zeros(len(frame), bool)
    placeless[rows[(tier < 0) | (tier == 2)]] = True
    across = (layout[a] != layout[b]) & (placeless[a] | placeless[b])
    candidates.append((a[across], b[across]))
    links = []
    for a, b in candidates:
        i, j = local[a], local[b]
        fits = ~has_link[i] | ~has_link[j] | (url_code[i] == url_code[j])
        fits &= ~has_topic[i] | ~has_topic[j] | (topic_code[i] == topic_code[j])
        links.append((a[fits], b[fits]))
    return links


def _near_points(group: np.ndarray, lat: np.ndarray, lon: np.ndarray, rows: np.ndarray):
    """Pairs of rows of one group whose points lie within ``POINT_TOLERANCE_M``.

    Points fall into square cells of the tolerance's size; two points that near each other are
    in the same or neighbouring cells, so only those are compared: the work grows with the rows
    that have a near namesake, not with the square of a group.  Points in one exact spot are
    linked first and take part once.
    """
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64))
    if len(rows) < 2:
        return empty
    same_spot = _combine(group, _codes(pd.Series(lat)), _codes(pd.Series(lon)))
    exact_a, exact_b = _first_of_groups(same_spot, np.ones(len(rows), bool), rows)
    first = ~pd.Series(same_spot).duplicated().to_numpy()
    group, lat, lon, rows = group[first], lat[first], lon[first], rows[first]
    y = lat * _METRES_PER_DEGREE
    x = lon * _METRES_PER_DEGREE * np.cos(np.radians(lat))
    cells = pd.DataFrame(
        {
            "g": group,
            "cy": np.floor(y / POINT_TOLERANCE_M).astype(np.int64),
            "cx": np.floor(x / POINT_TOLERANCE_M).astype(np.int64),
            "i": np.arange(len(rows)),
        }
    )
    cells = cells[pd.Series(group).duplicated(keep=False).to_numpy()]
    pairs_a, pairs_b = [exact_a], [exact_b]
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            moved = cells.assign(cy=cells["cy"] + dy, cx=cells["cx"] + dx)
            met = moved.merge(cells, on=["g", "cy", "cx"], suffixes=("", "_o"))
            a, b = met["i"].to_numpy(), met["i_o"].to_numpy()
            a, b = a[a < b], b[a < b]
            mean_lat = np.radians((lat[a] + lat[b]) / 2)
            dist = np.hypot(
                (lat[a] - lat[b]) * _METRES_PER_DEGREE,
                (lon[a] - lon[b]) * _METRES_PER_DEGREE * np.cos(mean_lat),
            )
            near = dist <= POINT_TOLERANCE_M
            pairs_a.append(rows[a[near]])
            pairs_b.append(rows[b[near]])
    return np.concatenate(pairs_a), np.concatenate(pairs_b)


def _address_codes(
    frame: pd.DataFrame, rows: np.ndarray, group: np.ndarray, layout: np.ndarray
) -> np.ndarray:
    """Code of each row's own address (of ``rows``), -1 where it has none.

    Inside one export a place is written one way: addresses compare as written (case, «ё»,
    punctuation and spacing aside).  Where a ``group`` holds rows of two export layouts, its
    addresses are read into settlement, street and house and normalised as for recurring
    problems, so «ул. Пушкина, д. 5» in one export meets «улица Пушкина, дом 5» in another;
    reading costs ~70 µs an address, too much to spend on every row of a million.  A
    settlement alone is no address.
    """
    parts = [frame[col].take(rows) for col in (C.LOCALITY, C.STREET, C.HOUSE, C.ADDRESS)]
    codes, _ = pd.factorize(_combine(*(_codes(p) for p in parts)))
    if not len(codes):
        return np.zeros(0, np.int64)
    first = pd.Series(np.arange(len(rows))).groupby(codes).first().to_numpy()
    values = list(zip(*(p.to_numpy(dtype=object)[first] for p in parts), strict=True))
    shared = pd.Series(layout).groupby(group).transform("nunique").to_numpy() > 1
    needs_reading = np.zeros(len(first), bool)
    needs_reading[codes[shared]] = True
    keys = [
        _address_key(*map(str, v)) if read else _written_address(*map(str, v))
        for v, read in zip(values, needs_reading, strict=True)
    ]
    key_codes, key_uniques = pd.factorize(pd.Series(keys, dtype=object))
    key_codes = np.where(np.asarray(key_uniques, dtype=object)[key_codes] == "", -1, key_codes)
    return key_codes[codes].astype(np.int64)


def _written_address(locality: str, street: str, house: str, address: str) -> str:
    if not (street or house or address):
        return ""
    text = " | ".join((locality, street, house, address)).lower().replace("ё", "е")
    return "as written:" + " ".join(re.sub(r"[^\w|]+", " ", text).split())


# The numbers and single letters of a house: «дом 15, корпус 1, литера А» → «15 1 а»; the
# one-letter abbreviations of «дом», «корпус», «город», «строение» are words, not parts of it.
_HOUSE_TOKEN = re.compile(r"\d+[а-я]?(?![а-я])|(?<![а-я0-9])[а-я](?![а-я])")
_HOUSE_ABBREVIATIONS = frozenset({"д", "к", "г", "с", "п", "ул"})
_HOUSE_WORDS = frozenset({"д", "дом", "к", "корп", "корпус", "лит", "литера", "стр", "строение"})


def _address_key(locality: str, street: str, house: str, address: str) -> str:
    if not street and address:
        loc, street, _ = parse_address_field(address)
        locality = locality or loc
        # «Луговой проспект, дом 15» is read as the street «дом» (a type after the name is
        # not known to the parser yet): such an address is compared as written
        if not street or street.lower().strip(" .") in _HOUSE_WORDS:
            folded = " ".join(re.sub(r"[^\w]+", " ", address.lower().replace("ё", "е")).split())
            return "raw:" + folded if folded else ""
        # the house is what follows the street: the parser's house may leave out a block or letter
        at = address.find(street)
        house = address[at + len(street) :] if at >= 0 else address
    street_key = normalize_street(street)
    if not street_key:
        return ""
    tokens = _HOUSE_TOKEN.findall(house.lower().replace("ё", "е"))
    house_key = " ".join(t for t in tokens if t not in _HOUSE_ABBREVIATIONS)
    return "|".join((normalize_locality(locality), street_key, house_key))


def _first_of_groups(key: np.ndarray, mask: np.ndarray, rows: np.ndarray | None = None):
    """(row, first row of its group) for every row of ``mask`` whose ``key`` an earlier row has."""
    series = pd.Series(key[mask])
    positions = np.flatnonzero(mask) if rows is None else rows[mask]
    later = series.duplicated(keep="first").to_numpy()
    firsts = pd.Series(positions).groupby(series.to_numpy(), sort=False).transform("min").to_numpy()
    return positions[later], firsts[later]


def _roots(n: int, edges: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """For every row the first row (lowest position) of the copies it is linked with."""
    a = np.concatenate([e[0] for e in edges]) if edges else np.zeros(0, np.int64)
    b = np.concatenate([e[1] for e in edges]) if edges else np.zeros(0, np.int64)
    root = np.arange(n)
    if not len(a):
        return root
    # only rows with a link take part; each takes the lowest row it reaches, spreading along
    # the links and jumping along the labels (a few rounds: copies of one message are few)
    nodes, inverse = np.unique(np.concatenate([a, b]), return_inverse=True)
    u, v = inverse[: len(a)], inverse[len(a) :]
    label = np.arange(len(nodes))
    while True:
        low = np.minimum(label[u], label[v])
        if (label[u] == low).all() and (label[v] == low).all():
            break
        np.minimum.at(label, u, low)
        np.minimum.at(label, v, low)
        label = label[label]
    root[nodes] = nodes[label]
    return root


def _references(
    frame: pd.DataFrame, root: np.ndarray, duplicate: np.ndarray, has_id: np.ndarray
) -> pd.Series:
    """«file, строка N, id X» of the kept row each duplicate repeats; "" elsewhere.

    N is the data row (header and title rows not counted), as in «Отклонено» and as the id a
    row without one is given.
    """
    out = np.full(len(frame), "", dtype=object)
    where = np.flatnonzero(duplicate)
    if len(where):
        first = root[where]
        files = frame[C.FILE].take(first).to_numpy(dtype=object)
        lines = frame[C.ROW].to_numpy()[first]
        ids = frame[C.ID].take(first).to_numpy(dtype=object)
        out[where] = [
            f"{f}, строка {line}" + (f", id {i}" if given else "")
            for f, line, i, given in zip(files, lines, ids, has_id[first], strict=True)
        ]
    return pd.Series(out, index=frame.index, dtype="str")


def _combine(*codes: np.ndarray) -> np.ndarray:
    """One integer code per distinct combination of integer codes (equal rows, equal codes).

    Plain arithmetic while the product of the value ranges fits in 62 bits; re-coded otherwise.
    """
    key = np.asarray(codes[0], dtype=np.int64)
    for part in codes[1:]:
        part = np.asarray(part, dtype=np.int64)
        if not len(part):
            return key
        low, span = int(part.min()), int(part.max() - part.min()) + 1
        if span == 1:
            continue
        top = int(key.max() - key.min()) + 1
        if top * span >= 2**62:
            key, _ = pd.factorize(key)
            key = key.astype(np.int64)
            top = int(key.max()) + 1
            if top * span >= 2**62:
                raise OverflowError("too many distinct combinations")  # needs > 2**31 rows
        key = (key - key.min()) * span + (part - low)
    return key


def _codes(values: pd.Series) -> np.ndarray:
    """Integer code per distinct value; Arrow's hash table for Arrow-backed text."""
    if values.dtype == "str":
        encoded = pc.dictionary_encode(pa.chunked_array(values.array._pa_array).combine_chunks())
        return encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    codes, _ = pd.factorize(values)
    return codes.astype(np.int64)


def _layouts(frame: pd.DataFrame, file_code: np.ndarray, files: int) -> list[str]:
    """Per file (by code): a signature of which original columns it fills (its export layout)."""
    layouts: list[str] = []
    originals = [c for c in frame.columns if not str(c).startswith("_")]
    for code in range(files):
        # a file's rows are contiguous: a slice, because taking rows by position copies
        first = int(np.argmax(file_code == code))
        head = frame.iloc[first : first + 50][originals]
        head = head[file_code[first : first + 50] == code]
        # one comparison for the whole head: column by column took 4 s for 17,000 columns
        has = (head.astype(str) != "").any(axis=0).to_numpy()
        filled = [str(c) for c, f in zip(originals, has, strict=True) if f]
        # a digest, not hash(): the signature is stored in an archive and read by other processes
        layouts.append(hashlib.sha1("\x1f".join(sorted(filled)).encode()).hexdigest()[:16])
    return layouts
