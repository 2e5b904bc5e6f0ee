"""Address parts as keys: each part normalised so that the spellings people and exports
use for one house fall together.

* street: lower case, «ё»→«е», punctuation gone, the street type dropped
  («ул.», «улица», «пр-кт», «проспект», «пер.», «б-р», «ш.», «мкр» …), one-letter
  initials dropped and each word reduced to its Snowball stem, so «ул. Садовая»,
  «Садовая улица» and «на Садовой улице» all give ``садов``;
* house: «д.»/«дом» dropped, the flat («кв. 5») cut off, letters glued to the
  number, «корп.»→``к``, «стр.»→``с``: «д 12 корп 2» → ``12к2``, «12 А» → ``12а``;
* locality: the settlement type dropped («г.», «город», «с.», «пос.», «д.» …).

The street type is dropped on purpose: messages write «на Ленина 5» for
«пр-кт Ленина, 5», and two streets of one name and different type in one
settlement are far rarer than a missing or different type.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

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
# Titles and first names written before a surname in street names, dropped from keys
# so «Карла Маркса» meets «К. Маркса» and «Маркса» (genitive, as in street names).
_FIRST_NAMES = frozenset(
    """
    генерала маршала адмирала академика героя героев космонавта летчика профессора
    карла льва розы максима александра михаила владимира алексея николая сергея ивана
    петра юрия константина федора дмитрия василия павла андрея бориса анатолия
    """.split()
)
HOUSE_DROP_WORDS = ("дом", "дома", "доме", "д", "№")

_PUNCT = re.compile(r"[^\w/]+")
_ORDINAL = re.compile(r"^(\d{1,3})(?:[ыои]?й|[ао]?я|го|ое|ья)$")
_SPACES = re.compile(r"\s+")
_FLAT = re.compile(r"(?:\bкв\b|\bквартир\w*|\bкомн\w*|\bоф\b|\bофис\w*).*$")
_HOUSE = re.compile(
    r"(?P<num>\d{1,4})\s*-?\s*(?P<letter>[а-яa-z](?![а-яa-z\d]))?"
    r"(?:\s*/\s*(?P<frac>\d{1,4}[а-я]?))?"
    r"(?:\s*(?:корпус|корп|кор|к)\s*(?P<korp>\d{1,3}))?"
    r"(?:\s*(?:строение|стр|с)\s*(?P<str>\d{1,3}))?"
    r"(?:\s*(?:литера|лит|л)\s*(?P<lit>[а-я]))?"
)

_ISLAND = re.compile(r"(?<![а-яё])(?P<a>[вп])\.\s*(?P<b>[ос])\.?(?![а-яё])")


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("russian")


def fold(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).lower().replace("ё", "е")


def normalize_street(value: object) -> str:
    """Street name without its type, initials and endings: «пр-кт Ленина» → ``ленин``.

    A crossing (``X × Y``, see :data:`CROSSING`) gives both streets' keys in
    alphabetical order, so «Ленина и Мира» and «Мира и Ленина» meet.  Titles and
    first names before a surname are dropped («Карла Маркса», «К. Маркса»,
    «генерала Ватутина» → ``маркс``, ``ватутин``).
    """
    text = fold(value)
    if "×" in text:
        parts = sorted({normalize_street(p) for p in text.split("×")} - {""})
        return " × ".join(parts)
    text = text.replace("пр-кт", " ").replace("пр-т", " ").replace("пр-д", " ").replace("б-р", " ")
    # St Petersburg's islands: «Сиреневый проспект В.О.» and «… П.С.» are two streets
    text = _ISLAND.sub(lambda m: f" {m['a']}{m['b']} ", text)
    # «3-я», «3я» and «3» of a numbered street are one number («1-й Промышленный»)
    words = [_ORDINAL.sub(r"\1", w) for w in _PUNCT.sub(" ", text).split() if w]
    kept = [w for w in words if w not in STREET_TYPE_WORDS and not (len(w) == 1 and w.isalpha())]
    if len(kept) > 1:
        kept = [w for w in kept if w not in _FIRST_NAMES] or kept
    if not kept:
        return ""
    stemmer = _stemmer()
    return " ".join(w if not w.isalpha() else stemmer.stemWord(w) for w in kept)


def normalize_house(value: object) -> str:
    """House number without «д.»/«дом» and the flat: «д 12 корп 2» → ``12к2``, «12/1» → ``12/1``."""
    text = fold(value)
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
    words = [w for w in _PUNCT.sub(" ", fold(value)).split() if w]
    kept = [w for w in words if w not in SETTLEMENT_TYPE_WORDS]
    stemmer = _stemmer()
    return " ".join(w if not w.isalpha() else stemmer.stemWord(w) for w in kept)
