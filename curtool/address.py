"""Place keys: where a message's problem is, from the export's address fields or the text.

A place key is ``district|locality|street|house`` with every part normalised so
that the spellings people and exports use for one house fall together:

* street: lower case, «ё»→«е», punctuation gone, the street type dropped
  («ул.», «улица», «пр-кт», «проспект», «пер.», «б-р», «ш.», «мкр» …), one-letter
  initials dropped and each word reduced to its Snowball stem, so «ул. Садовая»,
  «Садовая улица» and «на Садовой улице» all give ``садов``;
* house: «д.»/«дом» dropped, the flat («кв. 5») cut off, letters glued to the
  number, «корп.»→``к``, «стр.»→``с``: «д 12 корп 2» → ``12к2``, «12 А» → ``12а``;
* locality: the settlement type dropped («г.», «город», «с.», «пос.», «д.» …).

The street type is dropped on purpose: messages write «на Ленина 5» for
«пр-кт Ленина, 5», and two streets of one name and different type in one
settlement are far rarer than a missing or different type.  When only
coordinates exist the key is a grid cell of about 140 m (``geo:<i>:<j>``).

Every function works on distinct strings and maps back, because exports repeat
the same addresses many times.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

import numpy as np
import pandas as pd

from curtool import columns as C

# --- street and settlement types -------------------------------------------------
# Lower-case word forms (after punctuation is removed) that name a street type.
STREET_TYPE_WORDS = frozenset(
    """
    ул улица улице улицы улицу улицей
    пр кт пркт прт просп проспект проспекте проспекта проспекту проспектом
    пер переулок переулке переулка переулку
    б р бр бул бульвар бульваре бульвара
    ш шоссе мкр мкрн микрорайон микрорайоне микрорайона
    пл площадь площади наб набережная набережной набережную
    проезд проезде проезда пр-д туп тупик тупике тракт тракте тракта
    аллея аллее аллеи линия линии
    """.split()
)
SETTLEMENT_TYPE_WORDS = frozenset(
    """
    г гор город городе города с село селе села пос поселок поселке поселка п пгт
    рп д дер деревня деревне деревни ст станица станице х хутор хуторе снт мо
    а аул ауле аула
    городское сельское поселение
    """.split()
)
HOUSE_DROP_WORDS = ("дом", "дома", "доме", "д", "№")

_PUNCT = re.compile(r"[^\w/]+")
_SPACES = re.compile(r"\s+")
_FLAT = re.compile(r"(?:\bкв\b|\bквартир\w*|\bкомн\w*|\bоф\b|\bофис\w*).*$")
_HOUSE = re.compile(
    r"(?P<num>\d{1,4})\s*-?\s*(?P<letter>[а-яa-z](?![а-яa-z]))?"
    r"(?:\s*/\s*(?P<frac>\d{1,4}[а-я]?))?"
    r"(?:\s*(?:корпус|корп|кор|к)\s*(?P<korp>\d{1,3}))?"
    r"(?:\s*(?:строение|стр|с)\s*(?P<str>\d{1,3}))?"
    r"(?:\s*(?:литера|лит|л)\s*(?P<lit>[а-я]))?"
)

# Grid cell for coordinates: 0.00125° of latitude ≈ 139 m; longitude scaled by cos(lat).
GEO_CELL_DEGREES = 0.00125


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("russian")


def _fold(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).lower().replace("ё", "е")


def normalize_street(value: object) -> str:
    """Street name without its type, initials and endings: «пр-кт Ленина» → ``ленин``."""
    text = _fold(value).replace("пр-кт", " ").replace("пр-т", " ").replace("пр-д", " ")
    text = text.replace("б-р", " ")
    words = [w for w in _PUNCT.sub(" ", text).split() if w]
    kept = [w for w in words if w not in STREET_TYPE_WORDS and not (len(w) == 1 and w.isalpha())]
    if not kept:
        return ""
    stemmer = _stemmer()
    return " ".join(w if not w.isalpha() else stemmer.stemWord(w) for w in kept)


def normalize_house(value: object) -> str:
    """House number without «д.»/«дом» and the flat: «д 12 корп 2» → ``12к2``, «12/1» → ``12/1``."""
    text = _fold(value)
    if not text:
        return ""
    text = _FLAT.sub("", text)
    text = _PUNCT.sub(" ", text.replace("-", " "))
    match = _HOUSE.search(text)
    if not match:
        return ""
    out = match["num"].lstrip("0") or "0"
    if match["letter"]:
        out += match["letter"]
    if match["frac"]:
        out += "/" + match["frac"]
    if match["korp"]:
        out += "к" + match["korp"]
    if match["str"]:
        out += "с" + match["str"]
    if match["lit"]:
        out += match["lit"]
    return out


def normalize_locality(value: object) -> str:
    """Settlement name without its type: «г. Льгов» → ``льгов``, «с. Ивановка» → ``ивановк``."""
    words = [w for w in _PUNCT.sub(" ", _fold(value)).split() if w]
    kept = [w for w in words if w not in SETTLEMENT_TYPE_WORDS]
    stemmer = _stemmer()
    return " ".join(w if not w.isalpha() else stemmer.stemWord(w) for w in kept)


# --- addresses written in free text ---------------------------------------------
# The type, case-insensitive; the name's first word may be lower case, further
# words must be capitalised («Карла Маркса») so ordinary words are not swallowed.
_TYPE = (
    r"(?i:(?:ул(?:иц[аеыу]|ицей)?|пр-к?т|просп(?:ект[аеу]?)?|пер(?:еул(?:ок|ке|ка))?"
    r"|б-р|бул(?:ьвар[аеу]?)?|ш|шоссе|мкрн?|микрорайон[аеу]?|пл|площад[ьи]"
    r"|наб(?:ережн(?:ая|ой|ую))?|пр-д|проезд[аеу]?|тупик[аеу]?|тракт[аеу]?)(?:\.|(?![А-ЯЁа-яё])))"
)
_NAME = r"[А-ЯЁа-яё0-9][А-ЯЁа-яё0-9.-]*(?:\s+[А-ЯЁ0-9][А-ЯЁа-яё-]*){0,2}?"
_NUM = r"\d{1,4}(?:\s?[а-яА-Я](?![а-яА-Я]))?(?:\s*/\s*\d{1,4})?(?:\s*,?\s*(?i:корп(?:ус)?|к)\.?\s*\d{1,3})?"
_HOUSE_PREFIX = r"(?:\s*,?\s*(?:(?i:д\.?|дом[аеу]?)\s*№?\s*|№\s*)?)"
_ADJ_NAME = r"[А-ЯЁ][а-яё]+(?:ая|ой|ий|ый|ей|ое|ую|ом|ым)"
_TYPE_AFTER = (
    r"(?i:улиц[аеыу]|ул\.|переул(?:ок|ке)|проспект[еа]?|бульвар[еа]?|шоссе|проезд[еа]?)(?![А-ЯЁа-яё])"
)

# Each pattern is tried only where a fast anchor scan found its first letters.
_AT_TYPE = re.compile(rf"{_TYPE}\s*(?P<s>{_NAME}){_HOUSE_PREFIX}(?P<h>{_NUM})(?!\d)")
_AT_TYPE_STREET_ONLY = re.compile(rf"{_TYPE}\s*(?P<s>[А-ЯЁ0-9][А-ЯЁа-яё0-9-]*(?:\s+[А-ЯЁ][А-ЯЁа-яё-]*)?)")
_AT_HOUSE = re.compile(
    rf"(?i:дом[аеу]?|д\.)\s*№?\s*(?P<h>{_NUM})\s+(?i:по|на)\s+{_TYPE}\s*(?P<s>{_NAME})"
)
_AT_ADDRESS = re.compile(
    rf"(?i:адрес[уе]?)\s*:?\s*(?:(?i:г\.|город)\s*[А-ЯЁ][а-яё-]+\s*,?\s*)?(?:{_TYPE}\s*)?"
    rf"(?P<s>[А-ЯЁ][а-яё-]+(?:\s+[А-ЯЁ][а-яё-]+)?){_HOUSE_PREFIX}(?P<h>{_NUM})(?!\d)"
)
_AT_TYPE_AFTER = re.compile(rf"{_TYPE_AFTER}{_HOUSE_PREFIX}(?P<h>{_NUM})(?!\d)")
_NAME_BEFORE = re.compile(rf"(?P<s>{_ADJ_NAME})\s+$")
TEXT_LOCALITY = re.compile(
    r"(?<![А-ЯЁа-яё])(?i:г\.|город[еа]?|с\.|сел[еоа]|пос\.|посел[её]к[еа]?|п\.|пгт\.?|"
    r"д\.|деревн[еяи]|х\.|хутор[еа]?|ст-ц[аеы]|ст\.|станиц[аеы]|а\.|аул[еа]?)\s*(?P<loc>[А-ЯЁ][а-яё-]+(?:\s+[А-ЯЁ][а-яё-]+)?)"
)
# Anchors, scanned in the lower-cased text: the first letters of a street type,
# «дом»/«д.» or «адрес».  Grouping by first letter lets the scanner skip fast.
_ANCHOR = re.compile(
    r"(?:у(?:л)|п(?:р-|росп|ер|л\.|лощад|роезд)|б(?:-р|ул)|ш(?:\.|оссе)|м(?:кр|икрор)"
    r"|на(?:б)|т(?:упик|ракт)|а(?:дрес)|д(?:ом|\.))"
)
_TYPE_AFTER_START = ("улиц", "ул.", "переул", "проспект", "бульвар", "шоссе", "проезд")
_MAX_ANCHORS = 16


def _match_at(text: str, low: str, pos: int):
    """(street, house) of an address whose anchor is at ``pos``, or None."""
    head = low[pos : pos + 6]
    if head.startswith(("дом", "д.")):
        m = _AT_HOUSE.match(text, pos)
        return (m["s"], m["h"]) if m else None
    if head.startswith("адрес"):
        m = _AT_ADDRESS.match(text, pos)
        return (m["s"], m["h"]) if m else None
    m = _AT_TYPE.match(text, pos)
    if m:
        return m["s"], m["h"]
    if head.startswith(_TYPE_AFTER_START):
        after = _AT_TYPE_AFTER.match(text, pos)
        if after:
            before = _NAME_BEFORE.search(text[max(0, pos - 40) : pos])
            if before:
                return before["s"], after["h"]
    m = _AT_TYPE_STREET_ONLY.match(text, pos)
    return (m["s"], "") if m else None


def extract_address(text: str) -> tuple[str, str, str]:
    """The first address written in ``text`` as raw ``(locality, street, house)`` strings.

    Covers «ул./пр-кт/пер./б-р/ш./мкр Name[,] [д.] 12[а][/1][ корп 2]», «дом 5
    по улице X», «Садовая улица 5», «по адресу: X 5» and a street without a
    house (used only when no address with a house is found).  Built for the
    bulk path: an anchor scan, then anchored patterns at each anchor; it misses
    unusual phrasings rather than inventing addresses.
    """
    if not text:
        return "", "", ""
    low = text.lower()
    if len(low) != len(text):  # lower() changed the length (rare non-Cyrillic letters)
        low = text
    best: tuple[str, str] | None = None
    best_end = 0
    for n, anchor in enumerate(_ANCHOR.finditer(low)):
        if n >= _MAX_ANCHORS:
            break
        pos = anchor.start()
        if pos and low[pos - 1].isalpha():
            continue
        found = _match_at(text, low, pos)
        if found is None:
            continue
        if found[1]:
            best, best_end = found, pos
            break
        if best is None:
            best, best_end = found, pos  # a street without a house: look on for one with a house
    if best is None:
        return "", "", ""
    loc = TEXT_LOCALITY.search(text, max(0, best_end - 80), best_end + 120)
    locality = loc["loc"] if loc else ""
    return locality, best[0].strip(" .,-"), best[1].strip()


def extract_addresses(texts: pd.Series) -> pd.DataFrame:
    """:func:`extract_address` over a column (each distinct text once): columns locality, street, house."""
    values = texts.astype(object).where(texts.notna(), "")
    codes, uniques = pd.factorize(values)
    found = [extract_address(str(t)) for t in uniques]
    table = np.array(found, dtype=object).reshape(-1, 3) if found else np.empty((0, 3), dtype=object)
    picked = table[codes] if len(codes) else np.empty((0, 3), dtype=object)
    return pd.DataFrame(picked, index=texts.index, columns=["locality", "street", "house"])


def parse_address_field(value: object) -> tuple[str, str, str]:
    """An export's own address («г. Курск, ул. Ленина, д. 5», «Ленина 5») as raw parts."""
    text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    if not text.strip():
        return "", "", ""
    locality, street, house = extract_address(text)
    if street:
        return locality, street, house
    # No street type: the last comma part with a number is the house, the part before it the street.
    parts = [p.strip() for p in text.split(",") if p.strip()]
    loc_parts = [p for p in parts if TEXT_LOCALITY.fullmatch(p)]
    rest = [p for p in parts if p not in loc_parts]
    locality = TEXT_LOCALITY.fullmatch(loc_parts[0])["loc"] if loc_parts else ""
    for i, part in enumerate(rest):
        m = re.match(r"^(?P<street>.*?[А-ЯЁа-яё].*?)\s+(?:д\.?\s*)?(?P<house>\d.*)$", part)
        if m:
            return locality, m["street"], m["house"]
        if re.match(r"^(?:д\.?|дом)?\s*\d", part, re.I) and i > 0:
            return locality, rest[i - 1], part
    return locality, (rest[0] if rest else ""), ""


# --- coordinates -----------------------------------------------------------------
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


def place_table(frame: pd.DataFrame, text_column: str = C.CLEAN) -> pd.DataFrame:
    """Every row's place: ``place_key``, its ``street_key`` and ``house_key`` parts, ``place``
    (readable) and ``place_source``.

    Priority: the export's street (+house), then the export's address field,
    then coordinates, then an address written in the text; ``place_source`` is
    ``street``, ``address``, ``geo``, ``text`` or "" (no place found).  A
    place read from the text without a settlement takes the settlement of the
    export's places with the same district, street and house when there is
    exactly one, so «Ленина 5» in a message meets «г. Льгов, ул. Ленина, 5».
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
        ok = parts["s"] != ""
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
            geo_keys = geo_cells(frame[C.LAT][need], frame[C.LON][need])
            geo.loc[geo_keys.index] = geo_keys
            source[need & (geo != "").to_numpy()] = "geo"

    need_text = source == ""
    if need_text.any() and text_column in frame.columns:
        found = extract_addresses(frame.loc[need_text, text_column])
        ok = (found["street"] != "").to_numpy()
        rows = found.index[ok]
        loc_raw = loc_raw.copy()
        street_raw = street_raw.copy()
        house_raw = house_raw.copy()
        loc_raw.loc[rows] = loc_raw.loc[rows].where(loc_raw.loc[rows] != "", found.loc[rows, "locality"])
        street_raw.loc[rows] = found.loc[rows, "street"]
        house_raw.loc[rows] = found.loc[rows, "house"]
        source[index.get_indexer(rows)] = "text"

    dist_n = _normalise_distinct(district, lambda v: _fold(v).strip())
    loc_n = _normalise_distinct(loc_raw, normalize_locality)
    street_n = _normalise_distinct(street_raw, normalize_street)
    house_n = _normalise_distinct(house_raw, normalize_house)

    addressed = np.isin(source, ["street", "address", "text"]) & (street_n != "").to_numpy()
    source[np.isin(source, ["street", "address", "text"]) & ~addressed] = ""

    # a text place without a settlement borrows the only settlement seen with that street+house
    text_rows = (source == "text") & (loc_n == "").to_numpy()
    if text_rows.any():
        known = pd.DataFrame({"d": dist_n, "s": street_n, "h": house_n, "l": loc_n})[
            np.isin(source, ["street", "address", "text"]) & (loc_n != "").to_numpy()
        ].drop_duplicates()
        unique = known.groupby(["d", "s", "h"])["l"].agg(["first", "size"])
        unique = unique[unique["size"] == 1]["first"]
        if len(unique):
            probe = pd.MultiIndex.from_arrays(
                [dist_n[text_rows], street_n[text_rows], house_n[text_rows]]
            )
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
        street_key[idx] = (
            dist_n.iloc[idx] + "|" + loc_n.iloc[idx] + "|" + street_n.iloc[idx]
        ).to_numpy()
        house_key[idx] = house_n.iloc[idx].to_numpy()
        key[idx] = street_key[idx] + "|" + house_key[idx]
        readable[idx] = _readable(loc_raw.iloc[idx], street_raw.iloc[idx], house_raw.iloc[idx])
    geo_rows = source == "geo"
    if geo_rows.any():
        key[geo_rows] = (dist_n[geo_rows] + "|" + geo[geo_rows]).to_numpy()
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
