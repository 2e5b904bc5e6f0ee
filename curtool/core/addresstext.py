"""Addresses as people and exports write them: in a message's text, or in one address field.

:func:`extract_address` finds the place a message names («на ул. Ленина, 5», «в с. Ивановка»,
«перекрёсток Ленина и Мира», «остановка …»); :func:`parse_address_field` reads an export's
own address field.  Both give raw parts (locality, street, house) that
:mod:`curtool.core.addressnorm` turns into keys.
"""

from __future__ import annotations

import functools
import math
import re

import numpy as np
import pandas as pd

# An export's address field written as comma-separated parts, in any order: «г.Санкт-Петербург,
# Тополиная улица, дом 12, корпус 2, литера Б», «Рябиновый проспект, дом 33, строение 1».
_PART_LOCALITY = re.compile(
    r"^(?:г|гор|город|пос|посёлок|поселок|п|пгт|рп|р\.\s?п|с|село|дер|деревня|ст-ца|станица|х|хутор)"
    r"(?:\.\s*|\s+)(?P<name>[А-ЯЁ][А-ЯЁа-яё-]*(?:\s+[А-ЯЁа-яё][А-ЯЁа-яё-]*){0,3})$",
    re.IGNORECASE,
)
# a federal city written without its type
_BARE_CITY = re.compile(r"^(?:Санкт-Петербург|Москва|Севастополь)$", re.IGNORECASE)
_PART_HOUSE = re.compile(r"^(?:д|дом)\.?\s*№?\s*(?P<v>\d[\w/.-]*)$", re.IGNORECASE)
_PART_NUMBER = re.compile(r"^(?P<v>\d{1,4}(?:\s*[а-яА-Я](?![а-яА-Я]))?(?:\s*[/-]\s*\d{1,4}[а-яА-Я]?)?)$")
_STREET_NUMBER = re.compile(r"^(?P<s>.*?[А-ЯЁа-яё].*?)\s+(?:д\.?\s*)?(?P<h>\d{1,4}[а-яА-Я]?(?:/\d{1,4})?)$")
_PART_KORPUS = re.compile(r"^(?:корпус|корп|кор|к)\.?\s*(?P<v>\d{1,3}|[а-яА-Я])$", re.IGNORECASE)
_PART_BUILDING = re.compile(r"^(?:строение|стр|с)\.?\s*(?P<v>\d{1,3})$", re.IGNORECASE)
_PART_LETTER = re.compile(r"^(?:литера|литер|лит|л)\.?\s*(?P<v>[а-яА-Я])$", re.IGNORECASE)


def _parse_parts(text: str) -> tuple[str, str, str] | None:
    """Locality, street and house of a comma-separated address, or None when it is not one
    (no comma part names a house or a street type)."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if len(parts) < 2:
        return None
    locality = street = house = ""
    extra: list[str] = []
    for part in parts:
        if _REGION_PART.search(part) and not _PART_HOUSE.match(part):
            continue
        m = _PART_LOCALITY.match(part)
        if m and not locality and not street:
            locality = m["name"]
            continue
        if _BARE_CITY.match(part) and not locality:
            locality = part
            continue
        m = _PART_HOUSE.match(part) or (_PART_NUMBER.match(part) if street and not house else None)
        if m and not house:
            house = m["v"]
            continue
        for pattern, word in ((_PART_KORPUS, "корп"), (_PART_BUILDING, "стр"), (_PART_LETTER, "лит")):
            m = pattern.match(part)
            if m and house:
                extra.append(f"{word} {m['v']}")
                break
        else:
            if not street and re.search(r"[А-ЯЁа-яё]", part):
                tail = _STREET_NUMBER.match(part)
                if tail and not house:  # «Полевая 5»: the street and its house in one part
                    street, house = tail["s"], tail["h"]
                else:
                    street = part
            elif street and not house:
                return None  # two street-like parts before any house: not this form
    if not street or not house:
        return None  # the free-text reader knows the rest (a village alone, a street alone)
    return locality, street, " ".join([house, *extra]).strip()


# The type, case-insensitive; the name's first word may be lower case, further
# words must be capitalised («Карла Маркса») so ordinary words are not swallowed.
_TYPE = (
    # abbreviations, with or without their dot
    r"(?i:(?:(?:ул|пр-к?т|пр(?=\.\s?(?-i:[А-ЯЁ]))|просп|пер|б-р|бул|ш|мкрн?|пл|наб|пр-д)(?:\.|(?![А-ЯЁа-яё])))"
    # full words, never before a dot: «по данной улице. Предоставленная …» is no street
    r"|(?:улиц[аеыу]|улицей|проспект[аеу]?|переул(?:ок|ке|ка)|бульвар[аеу]?|шоссе|микрорайон[аеу]?"
    r"|площад[ьи]|набережн(?:ая|ой|ую)|проезд[аеу]?|тупик[аеу]?|тракт[аеу]?)(?![А-ЯЁа-яё.]))"
)
# Streets named by a number: «50 лет Октября», «8 Марта», «1-я Строительная», «2-й Полевой».
_MONTH = r"(?:январ|феврал|март|апрел|ма[яй]|июн|июл|август|сентябр|октябр|ноябр|декабр)"
_NUM_NAME = (
    rf"\d{{1,3}}(?:-?(?:[ыои]?й|[ао]?я|го|ое))?\s+(?:(?i:лет)\s+[А-ЯЁа-яё][а-яё]+|(?i:{_MONTH}[а-я]*)"
    r"|[А-ЯЁ][а-яё-]+)"
)
# «К. Маркса», and titles or first names people write in lower case («генерала Ватутина»).
_INITIAL_NAME = r"[А-ЯЁ]\.\s?[А-ЯЁ][а-яё-]+"
_TITLE_NAME = (
    r"(?i:генерал[аы]?|маршал[аы]?|адмирал[аы]?|академик[аы]?|геро[яи]|космонавт[аы]?|карла|льва)"
    r"\s+[А-ЯЁа-яё][а-яё-]+"
)
_NAME = (
    rf"(?:{_NUM_NAME}|{_INITIAL_NAME}|{_TITLE_NAME}"
    r"|[А-ЯЁа-яё][А-ЯЁа-яё.-]*(?:\s+[А-ЯЁ][А-ЯЁа-яё-]*){0,2}?)"
)
_ONE_NAME = rf"(?:{_NUM_NAME}|{_INITIAL_NAME}|{_TITLE_NAME}|[А-ЯЁа-яё][а-яё-]+(?:\s+[А-ЯЁ][а-яё-]+)?)"
# A house: «5», «12а», «3-А», «12 Б», «3/1», «12 корп 2»; a spaced letter only in capitals
# («дом 5 и 7», «5 в подъезде» are not houses 5и and 5в).
_NUM = (
    r"\d{1,4}(?:-?[а-иклА-ИКЛ](?![а-яА-Я])|\s[А-Е](?![а-яА-Я]))?(?:\s*/\s*\d{1,4})?"
    r"(?:\s*,?\s*(?i:корп(?:ус)?|к)\.?\s*\d{1,3})?"
)
# What follows a number that is not a house: a date, a time, a quantity.
_NOT_HOUSE = (
    rf"(?!\d|-?(?:[ыои]?й|[ао]?я|го|ого)(?![а-яё])|\s*[-–]?\s*(?i:{_MONTH}|год|лет|час|мин|руб|метр|м\b|км|шт|чел|раз|сут|дн|недел|месяц|тыс|%)"
    r"|[.:]\d)"
)
_HOUSE_PREFIX = r"(?:\s*,?\s*(?:(?i:д\.?|дом[аеу]?)\s*№?\s*|№\s*)?)"
_ADJ_NAME = r"[А-ЯЁ][а-яё]+(?:ая|ой|ий|ый|ей|ое|ую|ом|ым)"
_TYPE_AFTER = (
    r"(?i:улиц[аеыу]|ул\.|переул(?:ок|ке)|проспект[еа]?|бульвар[еа]?|шоссе|проезд[еа]?)(?![А-ЯЁа-яё])"
)

# Each pattern is tried only where a fast anchor scan found its first letters.
_AT_TYPE = re.compile(rf"(?P<ty>{_TYPE})\s*(?P<s>{_NAME}){_HOUSE_PREFIX}(?P<h>{_NUM}){_NOT_HOUSE}")
_AT_TYPE_STREET_ONLY = re.compile(
    rf"(?P<ty>{_TYPE})\s*(?P<s>{_NUM_NAME}|{_INITIAL_NAME}|{_TITLE_NAME}"
    r"|[А-ЯЁ][А-ЯЁа-яё-]*(?:\s+[А-ЯЁ][А-ЯЁа-яё-]*)?)"
)
_AT_HOUSE = re.compile(
    rf"(?i:дом[аеу]?|д\.)\s*№?\s*(?P<h>{_NUM})\s+(?i:по|на)\s+(?P<ty>{_TYPE})\s*(?P<s>{_NAME})"
)
_AT_ADDRESS = re.compile(
    rf"(?i:адрес[уе]?)\s*:?\s*(?:(?i:г\.|город)\s*[А-ЯЁ][а-яё-]+\s*,?\s*)?(?:(?P<ty>{_TYPE})\s*)?"
    rf"(?P<s>[А-ЯЁ][а-яё-]+(?:\s+[А-ЯЁ][а-яё-]+)?){_HOUSE_PREFIX}(?P<h>{_NUM}){_NOT_HOUSE}"
)
_AT_TYPE_AFTER = re.compile(rf"{_TYPE_AFTER}{_HOUSE_PREFIX}(?P<h>{_NUM}){_NOT_HOUSE}")
# «по Полевой 14», «на Гоголя 3»: no street type, a capitalised name and a house;
# tried only when no anchored pattern found a house
_BARE = re.compile(
    r"(?<![А-ЯЁа-яё])(?:по|на)\s+(?P<s>[А-ЯЁ][а-яё]{2,}(?:\s+[А-ЯЁ][а-яё]+)?)\s*,?\s*"
    rf"(?:(?i:д\.?|дом)\s*№?\s*)?(?P<h>{_NUM}){_NOT_HOUSE}"
)
# the same without the lookbehind and the house's details: a cheap test that _BARE can match
_BARE_HINT = re.compile(
    r"(?:по|на)\s+[А-ЯЁ][а-яё]{2,}(?:\s+[А-ЯЁ][а-яё]+)?\s*,?\s*(?:[дД]\.?\s*|дом\s*)?№?\s*\d"
)
_NAME_BEFORE = re.compile(rf"(?P<s>{_ADJ_NAME})\s+$")
# «на пересечении улиц Ленина и Мира», «перекресток ул. Кирова и Гоголя», «угол Мира/Гагарина»
_AT_CROSS = re.compile(
    r"(?i:пересечени[еия]|перекр[её]ст(?:ок|ке|ка|ье|ья|ьи)|угол|углу)\s+(?:(?i:улиц|дорог)\s+)?"
    rf"(?P<t1>{_TYPE}\s*)?(?P<s>{_ONE_NAME})\s*,?\s*(?i:и|с|/)\s*(?P<t2>{_TYPE}\s*)?(?P<s2>{_ONE_NAME})"
)
# «остановка Заводская», «в районе остановки «Школа»»: a place of its own
_AT_STOP = re.compile(
    r"(?i:остановк[аеиу]|остановочн\w+\s+пункт[аеу]?)\s+(?:(?i:общественного\s+транспорта)\s+)?"
    rf"[«\"„“]?\s*(?P<s>{_NUM_NAME}|[А-ЯЁ][а-яё-]+(?:\s+[А-ЯЁ][а-яё-]+)?)"
)
STOP_PREFIX = "остановка "
# The settlement before a street or alone; ``t`` tells a town from a village.
TEXT_LOCALITY = re.compile(
    # not after a number: «дом 12 А. До сих пор» has a house letter, not the aul «А. До»
    r"(?<![А-ЯЁа-яё.\d])(?<!\d\s)(?P<t>(?i:г\.|город[еа]?|с\.|сел[еоа]|пос\.|пос[её]л(?:ок|ке|ка|ку)|пос[её]лк[аеу]|п\.|пгт\.?|"
    r"д\.|дер\.|деревн[еяиюь]|х\.|хутор[еау]?|сл\.|слобод[аеыу]|ст-ц[аеы]|ст\.|станиц[аеыу]|а\.|аул[еау]?"
    r"|снт|сдт|днт))\s*[«\"„“]?\s*(?P<loc>[А-ЯЁ][а-яё-]+"
    # a second capitalised word, unless it names the district («с. Ольховка Заречного района»)
    r"(?:\s+[А-ЯЁ][а-яё-]+(?![а-яё-]|\s+(?i:район|р-н|р\.|област|обл|округ)))?)"
)
_TOWN_TYPES = ("г.", "город")
# Parts of an export's address above the settlement: region, district, country, postcode.
_REGION_PART = re.compile(
    r"(?i)(?<![а-яё])(?:обл|область|област[иь]|край|кра[яю]|республик\w*|респ|р-н|район\w*|округ\w*|россия|рф)"
    r"(?![а-яё])|^\s*\d{6}\s*$"
)
# Words that can follow a street type but are no street's name.
_NOT_NAMES = frozenset(
    """
    и в во на не но а от до по с со у за из к ко о об при для под над без около возле рядом
    напротив между вдоль район районе дом дома доме домов номер город города центр
    он она оно они мы вы я это этот эта эти там тут здесь уже еще тоже также просто очень все
    """.split()
)
# Anchors, scanned once in the lower-cased text: the first letters of a street type,
# «дом»/«д.», «адрес», a crossing or a stop; ``loc``: of a settlement type («д.» is
# both).  Grouping by first letter lets the scanner skip fast; a settlement is then
# matched with TEXT_LOCALITY at its anchors only (searching with it is 3× slower).
_ANCHOR = re.compile(
    r"(?<![а-яё])(?:у(?:л(?:[.\s]|иц)|гол|глу)|п(?:р-|р\.|росп|ер(?:[.\s]|еул|есеч|екр)|л\.|лощад[ьи]|роезд)"
    r"|б(?:-р|ул)|ш(?:\.|оссе)|м(?:кр|икрор)|на(?:б)|т(?:упик|ракт)|а(?:дрес)|д(?:ом|\.)|о(?:становк|становоч)"
    r"|(?P<loc>г(?:\.|ород)|с(?:\.|ел[аео]|л(?:\.|обод)|нт|дт|т(?:\.|-ц|аниц))|п(?:\.|ос(?:\.|[её]л)|гт)"
    r"|д(?:ер(?:\.|евн)|нт)|х(?:\.|утор)|а(?:\.|ул)))"
)
_TYPE_AFTER_START = ("улиц", "ул.", "переул", "проспект", "бульвар", "шоссе", "проезд")
_MAX_ANCHORS = 24
CROSSING = " × "  # joins the two streets of a crossing in the raw street

# Ranks of what an anchor found: the best in a text wins, the first of equal rank.
_RANK_HOUSE, _RANK_CROSS, _RANK_STREET, _RANK_STOP = 4, 3, 2, 1


def _named(name: str) -> bool:
    """A street name, not a preposition or a common word after a street type."""
    first = name.split(maxsplit=1)[0].lower() if name.strip() else ""
    return bool(first) and first.strip(".") not in _NOT_NAMES


# The street type as the outputs show it, by the first letters of what was written.
_CANONICAL_TYPES = (
    ("пр-д", "проезд"),
    ("проезд", "проезд"),
    ("пр", "пр-т"),
    ("ул", "ул."),
    ("пер", "пер."),
    ("б", "б-р"),
    ("ш", "ш."),
    ("м", "мкр"),
    ("пл", "пл."),
    ("наб", "наб."),
    ("туп", "туп."),
    ("тракт", "тракт"),
)


def _canonical_type(written: str | None) -> str:
    """«проспекту», «пр-кт», «пр.» → ``пр-т``; «улице» → ``ул.``; "" when none was written."""
    low = (written or "").strip().lower()
    for start, name in _CANONICAL_TYPES:
        if low.startswith(start):
            return name
    return ""


def _match_at(text: str, low: str, pos: int) -> tuple[str, str, int, str] | None:
    """(street, house, rank, street type) of a place whose anchor is at ``pos``, or None."""
    head = low[pos : pos + 7]
    if head.startswith(("дом", "д.")):
        m = _AT_HOUSE.match(text, pos)
        return (m["s"], m["h"], _RANK_HOUSE, _canonical_type(m["ty"])) if m and _named(m["s"]) else None
    if head.startswith("адрес"):
        m = _AT_ADDRESS.match(text, pos)
        return (m["s"], m["h"], _RANK_HOUSE, _canonical_type(m["ty"])) if m and _named(m["s"]) else None
    if head.startswith(("пересеч", "перекр", "угол", "углу")):
        m = _AT_CROSS.match(text, pos)
        if not m or not (_named(m["s"]) and _named(m["s2"])):
            return None
        # without a street type a name must be capitalised: «перекресток возле школы и …» is none
        if not (m["t1"] or m["s"][0].isupper() or m["s"][0].isdigit()):
            return None
        if not (m["t2"] or m["s2"][0].isupper() or m["s2"][0].isdigit()):
            return None
        return m["s"].strip(" .,-") + CROSSING + m["s2"].strip(" .,-"), "", _RANK_CROSS, ""
    if head.startswith("останов"):
        m = _AT_STOP.match(text, pos)
        return (STOP_PREFIX + m["s"], "", _RANK_STOP, "") if m and _named(m["s"]) else None
    m = _AT_TYPE.match(text, pos)
    if m and _named(m["s"]):
        return m["s"], m["h"], _RANK_HOUSE, _canonical_type(m["ty"])
    if head.startswith(_TYPE_AFTER_START):
        after = _AT_TYPE_AFTER.match(text, pos)
        if after:
            before = _NAME_BEFORE.search(text[max(0, pos - 40) : pos])
            if before:
                return before["s"], after["h"], _RANK_HOUSE, _canonical_type(after[0])
    m = _AT_TYPE_STREET_ONLY.match(text, pos)
    # in shouted text capitals mark no names: «НА ЦЕНТРАЛЬНОЙ УЛИЦЕ ОТКЛЮЧИЛИ СВЕТ» has no street after
    # the type, so an all-capital name without a house is not trusted
    if m and _named(m["s"]) and not m["s"].isupper():
        return m["s"], "", _RANK_STREET, _canonical_type(m["ty"])
    return None


def _is_town(kind: str) -> bool:
    return kind.lower().startswith(_TOWN_TYPES)


def extract_address(text: str) -> tuple[str, str, str]:
    """The place written in ``text`` as raw ``(locality, street, house)`` strings.

    The best of, in this order: a street with a house («ул./пр-кт/пер./б-р/ш./мкр
    Name[,] [д.] 12[а][/1][ корп 2]», «дом 5 по улице X», «Садовая улица 5», «по
    адресу: X 5»), a crossing («на пересечении улиц X и Y»: street ``X × Y``), a
    street without a house, a stop («остановка X»: street ``остановка X``); the
    first of equal rank.  Without any of them, a village or settlement named in
    the text («в д. Верхние Ключи», «с. Ольховка», «СНТ Ромашка», not a town) is
    the place on its own: ``(locality, "", "")``.  A house number alone is never
    a place.  Built for the bulk path: an anchor scan, then anchored patterns at
    each anchor; it misses unusual phrasings rather than inventing addresses.
    """
    return _extract_place(text)[:3]


def _extract_place(text: str) -> tuple[str, str, str, str]:
    """:func:`extract_address` and the street type as written in outputs (``ул.``, ``пр-т`` or "")."""
    if not text:
        return "", "", "", ""
    low = text.lower()
    if len(low) != len(text):  # lower() changed the length (rare non-Cyrillic letters)
        low = text
    best: tuple[str, str, int, str] | None = None
    best_pos = 0
    streets_tried = 0
    settled = False  # a street with a house found, or too many anchors tried
    locs: list[int] = []  # settlement anchors
    for anchor in _ANCHOR.finditer(low):
        pos = anchor.start()
        if settled and pos > best_pos + 120:
            break  # no settlement near the address can come any more
        is_loc = anchor.lastgroup == "loc"
        if is_loc or low.startswith("д.", pos):
            locs.append(pos)
        if is_loc or settled:
            continue
        streets_tried += 1
        settled = streets_tried >= _MAX_ANCHORS
        found = _match_at(text, low, pos)
        if found is None or (best is not None and found[2] <= best[2]):
            continue
        best, best_pos = found, pos
        settled = found[2] == _RANK_HOUSE
    if (best is None or best[2] < _RANK_HOUSE) and _BARE_HINT.search(text):
        for bare in _BARE.finditer(text):
            if _named(bare["s"]):
                best, best_pos = (bare["s"], bare["h"], _RANK_HOUSE, ""), bare.start()
                break
    if best is None:
        for pos in locs:
            loc = TEXT_LOCALITY.match(text, pos)
            if loc and not _is_town(loc["t"]):
                return loc["loc"], "", "", ""
        return "", "", "", ""
    locality = ""
    for pos in locs:
        if best_pos - 80 <= pos < best_pos + 120:
            loc = TEXT_LOCALITY.match(text, pos)
            if loc:
                locality = loc["loc"]
                break
    return locality, best[0].strip(' .,-«»"'), best[1].strip(), best[3]


def extract_addresses(texts: pd.Series) -> pd.DataFrame:
    """:func:`extract_address` over a column (each distinct text once).

    Columns locality, street, house and street_type (the type as outputs show it:
    ``ул.``, ``пр-т``, ``пер.`` …, "" when none was written).
    """
    values = texts.astype(object).where(texts.notna(), "")
    codes, uniques = pd.factorize(values)
    found = [_extract_place(str(t)) for t in uniques]
    table = np.array(found, dtype=object).reshape(-1, 4) if found else np.empty((0, 4), dtype=object)
    picked = table[codes] if len(codes) else np.empty((0, 4), dtype=object)
    return pd.DataFrame(picked, index=texts.index, columns=["locality", "street", "house", "street_type"])


def parse_address_field(value: object) -> tuple[str, str, str]:
    """An export's own address («г. Курск, ул. Ленина, д. 5», «Ленина 5») as raw parts."""
    text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    if not text.strip():
        return "", "", ""
    return _parse_address_text(text)


# A report parses the same houses twice, district by district for the recurring problems and
# once more for the map: at 100k rows that second pass was 2.7 s of the report's 3.9 s of
# analysis.  Parsing is a pure function of the text, so one run parses each address once.
@functools.lru_cache(maxsize=1 << 18)
def _parse_address_text(text: str) -> tuple[str, str, str]:
    parsed = _parse_parts(text)
    if parsed is not None:
        return parsed
    locality, street, house = extract_address(text)
    if street:
        return locality, street, house
    # No street type: the last comma part with a number is the house, the part before it the street.
    # The region, the district, the country and the postcode are no street («Курская обл., 305000»).
    parts = [p.strip() for p in text.split(",") if p.strip() and not _REGION_PART.search(p)]
    loc_parts = [p for p in parts if TEXT_LOCALITY.fullmatch(p)]
    rest = [p for p in parts if p not in loc_parts]
    found = TEXT_LOCALITY.fullmatch(loc_parts[0]) if loc_parts else None
    locality = found["loc"] if found else ""
    for i, part in enumerate(rest):
        m = re.match(r"^(?P<street>.*?[А-ЯЁа-яё].*?)\s+(?:д\.?\s*)?(?P<house>\d.*)$", part)
        if m:
            return locality, m["street"], m["house"]
        if re.match(r"^(?:д\.?|дом)?\s*\d", part, re.I) and i > 0:
            return locality, rest[i - 1], part
    if rest:
        return locality, rest[0], ""
    # only a settlement: a village is a (coarse) place, a town alone is none
    return (locality if found and not _is_town(found["t"]) else ""), "", ""
