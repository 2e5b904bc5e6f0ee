"""Place keys: where a message's problem is, from the export's address fields or the text.

A place key is ``district|locality|street|house`` with every part normalised
(:mod:`curtool.core.addressnorm`) so that the spellings people and exports use for one
house fall together; an address written in the text or in one address field is read
by :mod:`curtool.core.addresstext`.  When only coordinates exist the key is the spot
of nearby points (``geo:<lat>:<lon>``) or a grid cell of about 140 m (``geo:<i>:<j>``).

Every function works on distinct strings and maps back, because exports repeat
the same addresses many times.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from curtool.core import columns as C
from curtool.core.addressnorm import fold, normalize_house, normalize_locality, normalize_street
from curtool.core.addresstext import extract_addresses, parse_address_field

_SPACES = re.compile(r"\s+")

# A place key is ``district|locality|street|house`` (a street key: its first three parts) or
# ``district|geo:<lat>:<lon>`` for a spot of points; it is written here and read only through
# the functions below, so no other module parses its parts.
KEY_SEP = "|"
GEO_PREFIX = "geo:"


def is_point_key(key: str) -> bool:
    """Whether a place or street key is a spot of points (``district|geo:…``), not an address."""
    return KEY_SEP + GEO_PREFIX in key


def key_words(key: str) -> list[str]:
    """Every name word (three letters or more) of a key, lower case, «ё» as «е»."""
    parts = re.split(r"[|\s]+", key.lower().replace("ё", "е"))
    return [p for p in parts if len(p) >= 3 and p.isalpha()]


def street_names(street_key: str) -> list[str]:
    """The settlement's and the street's words of a street key (none for a spot of points)."""
    parts = street_key.split(KEY_SEP)
    if len(parts) < 3 or parts[1].startswith(GEO_PREFIX):
        return []
    words = re.split(r"[\s×]+", parts[1] + " " + parts[2])
    return [w for w in words if len(w) >= 3 and w.isalpha()]


# Grid cell for coordinates: 0.00125° of latitude ≈ 139 m; longitude scaled by cos(lat).
GEO_CELL_DEGREES = 0.00125
# Points of one district within this many metres of each other are one spot (recurring
# problems): a phone's position of one spot wanders by tens of metres.
GEO_RADIUS_M = 30.0


# --- coordinates -----------------------------------------------------------------
def geo_places(lat: pd.Series, lon: pd.Series, district: pd.Series, radius_m: float = 30.0) -> pd.Series:
    """One key per spot: points of one district within ``radius_m`` of each other, chained
    (``geo:<lat>:<lon>`` of the spot's south-westmost point, so the key does not depend on
    row order); "" for missing or impossible coordinates.

    A resident's phone puts one spot tens of metres off, and a fixed grid cut such points
    apart at its lines; a radius keeps them together (haversine ball tree, connected pairs).
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components
    from sklearn.neighbors import BallTree

    la = pd.to_numeric(lat, errors="coerce").to_numpy(dtype=float)
    lo = pd.to_numeric(lon, errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(la) & np.isfinite(lo) & (np.abs(la) <= 89.9) & (np.abs(lo) <= 180)
    ok &= ~((la == 0) & (lo == 0))  # 0,0 is an export's "no coordinates"
    out = np.full(len(la), "", dtype=object)
    codes, _ = pd.factorize(pd.Series(district, index=lat.index).astype(str).to_numpy())
    for code in np.unique(codes[ok]):
        rows = np.flatnonzero(ok & (codes == code))
        points = np.radians(np.c_[la[rows], lo[rows]])
        # equal points are one point: a million messages on a few thousand spots stay cheap
        uniq, inverse = np.unique(points, axis=0, return_inverse=True)
        inverse = inverse.ravel()
        near = BallTree(uniq, metric="haversine").query_radius(uniq, r=radius_m / 6_371_000.0)
        left = np.repeat(np.arange(len(uniq)), [len(x) for x in near])
        right = np.concatenate(near)
        graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(len(uniq), len(uniq)))
        _, spot = connected_components(graph, directed=False)
        # the spot's name: its smallest (lat, lon), found without sorting the points twice
        order = np.lexsort((uniq[:, 1], uniq[:, 0]))
        first = np.full(spot.max() + 1, -1, dtype=np.int64)
        for i in order[::-1]:
            first[spot[i]] = i
        names = np.array(
            [f"geo:{np.degrees(uniq[i, 0]):.5f}:{np.degrees(uniq[i, 1]):.5f}" for i in first], dtype=object
        )
        out[rows] = names[spot[inverse]]
    return pd.Series(out, index=lat.index, dtype=object)


def geo_cells(lat: pd.Series, lon: pd.Series) -> pd.Series:
    """Grid cell keys ``geo:<i>:<j>`` (~140 m) for valid coordinates, "" elsewhere."""
    la = pd.to_numeric(lat, errors="coerce").to_numpy(dtype=float)
    lo = pd.to_numeric(lon, errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(la) & np.isfinite(lo) & (np.abs(la) <= 89.9) & (np.abs(lo) <= 180)
    ok &= ~((la == 0) & (lo == 0))  # 0,0 is an export's "no coordinates"
    out = np.full(len(la), "", dtype=object)
    if ok.any():
        i = np.floor(la[ok] / GEO_CELL_DEGREES)
        # the longitude step grows with latitude so cells stay roughly square
        step = GEO_CELL_DEGREES / np.cos(np.radians(i * GEO_CELL_DEGREES))
        j = np.floor(lo[ok] / step)
        out[ok] = [f"geo:{int(a)}:{int(b)}" for a, b in zip(i, j, strict=True)]
    return pd.Series(out, index=lat.index, dtype=object)


# --- place keys --------------------------------------------------------------------
def _normalise_distinct(values: pd.Series, func) -> pd.Series:
    as_obj = values.astype(object).where(values.notna(), "")
    codes, uniques = pd.factorize(as_obj)
    mapped = np.empty(len(uniques), dtype=object)
    mapped[:] = [func(u) for u in uniques]  # slice assignment keeps tuples as single items
    return pd.Series(mapped[codes] if len(codes) else [], index=values.index, dtype=object)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name].astype(object).where(frame[name].notna(), "")
    return pd.Series("", index=frame.index, dtype=object)


def place_table(
    frame: pd.DataFrame,
    text_column: str = C.CLEAN,
    lenders: np.ndarray | None = None,
    radius_m: float = GEO_RADIUS_M,
) -> pd.DataFrame:
    """Every row's place: ``place_key``, its ``street_key`` and ``house_key`` parts, ``place``
    (readable) and ``place_source``.

    Priority: the export's street (+house), then the export's address field,
    then coordinates, then an address written in the text; ``place_source`` is
    ``street``, ``address``, ``geo``, ``text`` or "" (no place found).  A
    place read from the text without a settlement takes the settlement of the
    export's places with the same district, street and house when there is
    exactly one, so «Ленина 5» in a message meets «г. Льгов, ул. Ленина, 5».
    ``lenders`` (a mask) limits the rows whose settlement can be borrowed to those
    being analysed, so a row left out cannot change another row's place.
    """
    n = len(frame)
    index = frame.index
    district = _column(frame, C.DISTRICT)
    loc_raw = _column(frame, C.LOCALITY)
    street_raw = _column(frame, C.STREET)
    house_raw = _column(frame, C.HOUSE)
    source = np.full(n, "", dtype=object)

    has_street = (street_raw.str.strip() != "").to_numpy()
    source[has_street] = "street"

    address = _column(frame, C.ADDRESS)
    use_address = ~has_street & (address.str.strip() != "").to_numpy()
    if use_address.any():
        parsed = _normalise_distinct(address[use_address], parse_address_field)
        parts = pd.DataFrame(parsed.tolist(), index=parsed.index, columns=["l", "s", "h"])
        ok = (parts["s"] != "") | (parts["l"] != "")  # a street, or a village alone
        rows = parts.index[ok]
        loc_raw = loc_raw.copy()
        street_raw = street_raw.copy()
        house_raw = house_raw.copy()
        # the export's own locality column wins over one read from the address
        loc_raw.loc[rows] = loc_raw.loc[rows].where(loc_raw.loc[rows] != "", parts.loc[rows, "l"])
        street_raw.loc[rows] = parts.loc[rows, "s"]
        house_raw.loc[rows] = parts.loc[rows, "h"]
        source[index.get_indexer(rows)] = "address"

    geo = pd.Series("", index=index, dtype=object)
    if C.LAT in frame.columns and C.LON in frame.columns:
        need = source == ""
        if need.any():
            geo_keys = geo_places(frame[C.LAT][need], frame[C.LON][need], district[need], radius_m)
            geo.loc[geo_keys.index] = geo_keys
            source[need & (geo != "").to_numpy()] = "geo"

    need_text = source == ""
    if need_text.any() and text_column in frame.columns:
        found = extract_addresses(frame.loc[need_text, text_column])
        # a street, or (extract_address gives it only then) a village named alone
        ok = ((found["street"] != "") | (found["locality"] != "")).to_numpy()
        rows = found.index[ok]
        loc_raw = loc_raw.copy()
        street_raw = street_raw.copy()
        house_raw = house_raw.copy()
        loc_raw.loc[rows] = loc_raw.loc[rows].where(loc_raw.loc[rows] != "", found.loc[rows, "locality"])
        # shown as an export writes it («ул. Ленина», «д. 5»); the keys drop both again
        kind = found.loc[rows, "street_type"]
        street_raw.loc[rows] = (kind + " ").where(kind != "", "") + found.loc[rows, "street"]
        house = found.loc[rows, "house"]
        house_raw.loc[rows] = ("д. " + house).where(house != "", "")
        source[index.get_indexer(rows)] = "text"

    dist_n = _normalise_distinct(district, lambda v: fold(v).strip())
    loc_n = _normalise_distinct(loc_raw, normalize_locality)
    street_n = _normalise_distinct(street_raw, normalize_street)
    house_n = _normalise_distinct(house_raw, normalize_house)

    text_place = source == "text"
    address_place = source == "address"
    if text_place.any():
        # the district's own town («г. Энск» in a message of the town of Энск) says nothing
        pairs = pd.Series(dist_n[text_place] + "\x1f" + loc_n[text_place], index=loc_n.index[text_place])
        named = _normalise_distinct(pairs, _locality_names_district)
        loc_n.loc[named.index[named.to_numpy(dtype=bool)]] = ""

    addressed = np.isin(source, ["street", "address", "text"]) & (street_n != "").to_numpy()
    # a village named without a street is a place too, a coarser one (``district|village||``)
    village = (text_place | address_place) & (street_n == "").to_numpy() & (loc_n != "").to_numpy()
    source[np.isin(source, ["street", "address", "text"]) & ~addressed & ~village] = ""

    # a text street without a settlement borrows the only settlement seen with that street
    text_rows = (source == "text") & (loc_n == "").to_numpy() & addressed
    if text_rows.any():
        lends = addressed & (loc_n != "").to_numpy()
        if lenders is not None:
            lends &= lenders
        known = pd.DataFrame({"d": dist_n, "s": street_n, "l": loc_n})[lends].drop_duplicates()
        unique = known.groupby(["d", "s"])["l"].agg(["first", "size"])
        unique = unique[unique["size"] == 1]["first"]
        if len(unique):
            probe = pd.MultiIndex.from_arrays([dist_n[text_rows], street_n[text_rows]])
            borrowed = unique.reindex(probe).to_numpy()
            got = pd.notna(borrowed)
            target = np.flatnonzero(text_rows)[got]
            loc_n.iloc[target] = borrowed[got]

    key = np.full(n, "", dtype=object)
    street_key = np.full(n, "", dtype=object)
    house_key = np.full(n, "", dtype=object)
    readable = np.full(n, "", dtype=object)
    if addressed.any():
        idx = np.flatnonzero(addressed)
        parts = (dist_n.iloc[idx], loc_n.iloc[idx], street_n.iloc[idx])
        street_key[idx] = (parts[0] + KEY_SEP + parts[1] + KEY_SEP + parts[2]).to_numpy()
        house_key[idx] = house_n.iloc[idx].to_numpy()
        key[idx] = street_key[idx] + KEY_SEP + house_key[idx]
        readable[idx] = _readable(loc_raw.iloc[idx], street_raw.iloc[idx], house_raw.iloc[idx])
    if village.any():
        idx = np.flatnonzero(village)
        street_key[idx] = (dist_n.iloc[idx] + KEY_SEP + loc_n.iloc[idx] + KEY_SEP).to_numpy()
        key[idx] = street_key[idx] + KEY_SEP
        readable[idx] = [str(v).strip() for v in loc_raw.iloc[idx]]
    geo_rows = source == "geo"
    if geo_rows.any():
        key[geo_rows] = (dist_n[geo_rows] + KEY_SEP + geo[geo_rows]).to_numpy()
        street_key[geo_rows] = key[geo_rows]
        lat = pd.to_numeric(frame.loc[geo_rows, C.LAT], errors="coerce")
        lon = pd.to_numeric(frame.loc[geo_rows, C.LON], errors="coerce")
        readable[geo_rows] = [f"{a:.4f}, {b:.4f}" for a, b in zip(lat, lon, strict=True)]
    return pd.DataFrame(
        {
            "place_key": key,
            "street_key": street_key,
            "house_key": house_key,
            "place": readable,
            "place_source": source,
        },
        index=index,
    )


def _locality_names_district(pair: str) -> bool:
    """Whether a settlement (normalised) is the district's own town: ``энск`` in ``город энск``."""
    district, _, locality = pair.partition("\x1f")
    if not locality or not district:
        return False
    stems = set(normalize_locality(district).split())
    return set(locality.split()) <= stems


def place_keys(frame: pd.DataFrame, text_column: str = C.CLEAN) -> pd.Series:
    """Every row's place key (``district|locality|street|house`` or ``district|geo:i:j``; "" none)."""
    return place_table(frame, text_column)["place_key"]


def _readable(loc: pd.Series, street: pd.Series, house: pd.Series) -> list[str]:
    out = []
    for lo, st, ho in zip(loc, street, house, strict=True):
        st = _SPACES.sub(" ", str(st)).strip()
        parts = [p for p in (str(lo).strip(), st, str(ho).strip()) if p]
        out.append(", ".join(parts))
    return out
