"""Gazetteer of Республика Адыгея for the sample data: districts, localities, streets, coordinates.

Names are real municipalities and localities; streets are common Russian/Adyghe
street names spread over the localities by a fixed rule, so the address space is
large (thousands of street × house pairs) and background messages rarely meet.
Coordinates are the locality's approximate centre plus a deterministic offset per
street and house, so one house always gets the same point.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

REGION = "Республика Адыгея"
GOVERNOR_OPENERS = (
    "Уважаемый Мурат Каральбиевич!",
    "Уважаемый Мурат Каральбиевич, здравствуйте.",
    "Мурат Каральбиевич, добрый день!",
    "Глава республики, обратите внимание!",
    "Уважаемый глава Республики Адыгея!",
)


@dataclass(frozen=True)
class Locality:
    name: str  # «Майкоп»
    kind: str  # «г.», «ст.», «а.», «пгт», «пос.», «с.», «х.»
    where: str  # prepositional phrase: «в Майкопе»
    lat: float
    lon: float
    weight: float  # share of the district's messages
    size: int  # how many streets it gets (towns get many)


@dataclass(frozen=True)
class District:
    name: str  # canonical: «Город Майкоп», «Тахтамукайский район»
    weight: float
    localities: tuple[Locality, ...]
    city: bool = False

    @property
    def stem(self) -> str:
        return self.name.replace("Город ", "").replace(" район", "")


def _loc(name, kind, where, lat, lon, weight=1.0, size=14) -> Locality:
    return Locality(name, kind, where, lat, lon, weight, size)


DISTRICTS: tuple[District, ...] = (
    District(
        "Город Майкоп",
        38.0,
        (
            _loc("Майкоп", "г.", "в Майкопе", 44.6098, 40.1006, 12.0, 90),
            _loc("Ханская", "ст.", "в станице Ханской", 44.6767, 39.9636, 1.0, 18),
            _loc("Родниковый", "пос.", "в поселке Родниковом", 44.6573, 40.1577, 0.4, 8),
            _loc("Гавердовский", "х.", "в хуторе Гавердовском", 44.6466, 40.0330, 0.5, 10),
            _loc("Подгорный", "пос.", "в поселке Подгорном", 44.5820, 40.0880, 0.3, 6),
        ),
        city=True,
    ),
    District(
        "Город Адыгейск",
        4.0,
        (
            _loc("Адыгейск", "г.", "в Адыгейске", 44.8833, 39.1900, 4.0, 24),
            _loc("Гатлукай", "а.", "в ауле Гатлукай", 44.8640, 39.2060, 0.7, 8),
        ),
        city=True,
    ),
    District(
        "Гиагинский район",
        7.0,
        (
            _loc("Гиагинская", "ст.", "в станице Гиагинской", 44.8667, 40.1000, 3.0, 30),
            _loc("Дондуковская", "ст.", "в станице Дондуковской", 44.8706, 40.3716, 1.5, 18),
            _loc("Келермесская", "ст.", "в станице Келермесской", 44.8212, 40.0680, 0.8, 12),
            _loc("Сергиевская", "ст.", "в станице Сергиевской", 44.9344, 40.1433, 0.6, 10),
            _loc("Гончарка", "пос.", "в поселке Гончарка", 44.8005, 40.1280, 0.5, 8),
        ),
    ),
    District(
        "Кошехабльский район",
        5.0,
        (
            _loc("Кошехабль", "а.", "в ауле Кошехабль", 44.8928, 40.4961, 2.5, 22),
            _loc("Ходзь", "а.", "в ауле Ходзь", 44.5270, 40.6860, 0.8, 10),
            _loc("Майский", "пос.", "в поселке Майском", 44.9213, 40.5560, 0.6, 8),
            _loc("Блечепсин", "а.", "в ауле Блечепсин", 44.7970, 40.6220, 0.5, 8),
            _loc("Вольное", "с.", "в селе Вольном", 44.9510, 40.4120, 0.5, 8),
        ),
    ),
    District(
        "Красногвардейский район",
        6.0,
        (
            _loc("Красногвардейское", "с.", "в селе Красногвардейском", 45.1302, 39.5731, 2.5, 24),
            _loc("Белое", "с.", "в селе Белом", 45.0750, 39.6820, 0.9, 12),
            _loc("Еленовское", "с.", "в селе Еленовском", 45.0960, 39.4170, 0.6, 10),
            _loc("Уляп", "а.", "в ауле Уляп", 45.0680, 39.6390, 0.6, 10),
            _loc("Хатукай", "а.", "в ауле Хатукай", 45.1790, 39.6380, 0.5, 8),
            _loc("Садовое", "с.", "в селе Садовом", 45.0540, 39.5070, 0.4, 8),
        ),
    ),
    District(
        "Майкопский район",
        10.0,
        (
            _loc("Тульский", "пос.", "в поселке Тульском", 44.5200, 40.1700, 3.0, 30),
            _loc("Каменномостский", "пос.", "в поселке Каменномостском", 44.2960, 40.1860, 1.5, 16),
            _loc("Абадзехская", "ст.", "в станице Абадзехской", 44.3930, 40.2190, 1.0, 12),
            _loc("Даховская", "ст.", "в станице Даховской", 44.2290, 40.1980, 0.8, 10),
            _loc("Хамышки", "с.", "в селе Хамышки", 44.0950, 40.1250, 0.4, 6),
            _loc("Краснооктябрьский", "пос.", "в поселке Краснооктябрьском", 44.6540, 40.2290, 0.7, 10),
            _loc("Победа", "пос.", "в поселке Победа", 44.4720, 40.2550, 0.5, 8),
        ),
    ),
    District(
        "Тахтамукайский район",
        20.0,
        (
            _loc("Яблоновский", "пгт", "в Яблоновском", 44.9890, 38.9410, 6.0, 50),
            _loc("Энем", "пгт", "в Энеме", 44.9260, 38.9050, 4.0, 40),
            _loc("Тахтамукай", "а.", "в ауле Тахтамукай", 44.9210, 38.9940, 1.2, 16),
            _loc("Новая Адыгея", "а.", "в ауле Новая Адыгея", 45.0320, 38.9340, 2.0, 24),
            _loc("Старобжегокай", "а.", "в ауле Старобжегокай", 45.0270, 38.8990, 1.2, 14),
            _loc("Козет", "а.", "в ауле Козет", 45.0290, 38.9880, 0.8, 10),
            _loc("Афипсип", "а.", "в ауле Афипсип", 45.0080, 39.1470, 0.5, 8),
        ),
    ),
    District(
        "Теучежский район",
        4.0,
        (
            _loc("Понежукай", "а.", "в ауле Понежукай", 44.9250, 39.4580, 1.5, 14),
            _loc("Тлюстенхабль", "пгт", "в Тлюстенхабле", 44.9810, 39.0950, 1.5, 16),
            _loc("Габукай", "а.", "в ауле Габукай", 45.0000, 39.1800, 0.5, 8),
            _loc("Вочепший", "а.", "в ауле Вочепший", 44.9940, 39.3550, 0.5, 8),
            _loc("Казазово", "а.", "в ауле Казазово", 45.0050, 39.2640, 0.4, 6),
        ),
    ),
    District(
        "Шовгеновский район",
        4.0,
        (
            _loc("Хакуринохабль", "а.", "в ауле Хакуринохабль", 44.7850, 40.2870, 2.0, 18),
            _loc("Мамхег", "а.", "в ауле Мамхег", 44.7290, 40.3410, 0.6, 8),
            _loc("Джерокай", "а.", "в ауле Джерокай", 44.7680, 40.4020, 0.5, 8),
            _loc("Кабехабль", "а.", "в ауле Кабехабль", 44.8330, 40.1920, 0.4, 6),
            _loc("Тихонов", "х.", "в хуторе Тихонове", 44.7450, 40.2440, 0.4, 6),
        ),
    ),
)
DISTRICT_BY_NAME = {d.name: d for d in DISTRICTS}

# Street names; the first block are streets of Майкоп that every visitor knows, the
# second are names found in almost every town and village of the region.
_CITY_STREETS = (
    "Шовгенова",
    "Пролетарская",
    "Краснооктябрьская",
    "Победы",
    "Пионерская",
    "Курганная",
    "Хакурате",
    "Пушкина",
    "Чкалова",
    "Жуковского",
    "Депутатская",
    "Гоголя",
    "12 Марта",
    "Калинина",
    "Апшеронская",
    "Железнодорожная",
    "Крестьянская",
    "Михайлова",
    "Шоссейная",
    "Короленко",
    "Некрасова",
    "Кольцова",
    "Юннатов",
    "Привокзальная",
    "Гайдара",
    "Ворошилова",
    "Островского",
    "Тургенева",
    "Майкопская",
    "Пирогова",
    "Спортивная",
    "Ветеранов",
    "Димитрова",
    "Космическая",
    "Готовцева",
    "Комсомольская",
    "Первомайская",
    "Советская",
    "Келермесское шоссе",
    "Широкая",
    "Кубанская",
    "Луговая",
    "Маяковского",
    "Ленина",
    "Гагарина",
    "Мира",
    "Школьная",
    "Садовая",
    "Заводская",
    "Лесная",
    "Строителей",
    "Тимирязева",
    "Степная",
    "Свободы",
    "Западная",
    "Хакурате",
    "Солнечная",
    "Индустриальная",
    "Адыгейская",
    "Братская",
    "Чернышевского",
    "Толстого",
    "Костенко",
    "Федоровская",
    "Трудовая",
    "Кирова",
    "Фрунзе",
    "Щорса",
    "Чапаева",
    "Набережная",
    "Лермонтова",
    "Клубная",
    "Полевая",
    "Восточная",
    "Северная",
    "Южная",
    "Дружбы",
    "Юбилейная",
    "Молодежная",
    "Заречная",
    "Почтовая",
    "Береговая",
    "Новая",
    "Октябрьская",
    "Красная",
    "Кооперативная",
    "Колхозная",
    "Центральная",
    "Вишневая",
    "Абрикосовая",
    "Ореховая",
    "Тлюстенхабльская",
    "Шапсугская",
    "Теучежа",
    "Хатита",
    "Андрухаева",
    "Гаврилова",
)
_VILLAGE_STREETS = (
    "Ленина",
    "Мира",
    "Школьная",
    "Садовая",
    "Советская",
    "Кооперативная",
    "Красная",
    "Набережная",
    "Пролетарская",
    "Первомайская",
    "Комсомольская",
    "Молодежная",
    "Заречная",
    "Полевая",
    "Центральная",
    "Шовгенова",
    "Гагарина",
    "Кирова",
    "Короткая",
    "Почтовая",
    "Степная",
    "Новая",
    "Колхозная",
    "Пионерская",
    "Октябрьская",
    "Победы",
    "Лесная",
    "Юбилейная",
    "Трудовая",
    "Хакурате",
    "Фрунзе",
    "Чапаева",
    "Северная",
    "Южная",
    "Восточная",
    "Западная",
    "Береговая",
    "Луговая",
    "Клубная",
    "Дружбы",
    "Шоссейная",
    "Вокзальная",
    "Партизанская",
    "Кубанская",
    "Краснодарская",
    "Адыгейская",
    "Аульская",
    "Теучежа",
    "Хатита",
    "Андрухаева",
    "Гоголя",
    "Пушкина",
    "Лермонтова",
    "Чехова",
    "Горького",
    "Калинина",
    "Свердлова",
    "Ворошилова",
    "Буденного",
    "Шаумяна",
    "Тургенева",
    "Строителей",
    "Энергетиков",
    "Мостовая",
    "Родниковая",
    "Вишневая",
    "Ореховая",
    "Сиреневая",
    "Солнечная",
    "Цветочная",
    "Зеленая",
    "Светлая",
    "Широкая",
)
_STREET_KINDS = ("ул.", "ул.", "ул.", "ул.", "ул.", "ул.", "ул.", "пер.")


def _digest(*parts: object) -> int:
    """A stable integer for a tuple of values (Python's hash() is salted per process)."""
    key = "|".join(map(str, parts)).encode("utf-8")
    return int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big")


def streets(locality: Locality) -> tuple[str, ...]:
    """The streets of a locality, e.g. «ул. Пролетарская», chosen by a fixed rule."""
    pool = _CITY_STREETS if locality.size >= 40 else _VILLAGE_STREETS
    names = sorted(set(pool), key=lambda s: _digest(locality.name, s))[: locality.size]
    out = []
    for name in names:
        if name.endswith("шоссе"):
            out.append(name)
            continue
        kind = _STREET_KINDS[_digest("kind", locality.name, name) % len(_STREET_KINDS)]
        if kind == "пер." and not name.endswith("ая"):
            kind = "ул."
        out.append(f"{kind} {name}")
    return tuple(out)


def max_house(locality: Locality) -> int:
    return 260 if locality.size >= 40 else 140


def house_label(number: int, variant: int) -> str:
    """A house number as exports write it: «12», sometimes «12а» or «12/1»."""
    if variant % 17 == 3:
        return f"{number}а"
    if variant % 23 == 5:
        return f"{number}/1"
    return str(number)


def coordinates(locality: Locality, street: str, house: str) -> tuple[float, float]:
    """Deterministic point for a house: the street is a line through the locality."""
    spread = 0.025 if locality.size >= 40 else 0.008
    s = _digest(locality.name, street)
    angle_x = ((s % 1000) / 1000 - 0.5) * 2
    angle_y = (((s // 1000) % 1000) / 1000 - 0.5) * 2
    digits = "".join(ch for ch in house if ch.isdigit()) or "1"
    t = (int(digits) % 200) / 200 - 0.5
    lat = locality.lat + spread * (angle_y + t * 0.6)
    lon = locality.lon + spread * 1.4 * (angle_x + t * 0.4)
    return round(lat, 6), round(lon, 6)


def district_variants(district: District) -> tuple[str, ...]:
    """Ways exports write a district: the canonical name first, then the variants."""
    stem = district.stem
    if district.city:
        return (
            district.name,
            f"г. {stem}",
            f"{stem} г",
            f'МО "{district.name}"',
            f'муниципальное образование "{district.name}"',
            f"городской округ {stem}",
            f"г.{stem}",
            district.name.upper(),
            f" г. {stem} ",
            f"МО «{district.name}»",
            f"г. {stem[:-1]}{stem[-1]}{stem[-1]}",  # doubled last letter: a real typo pattern
        )
    return (
        district.name,
        f"{stem} р-н",
        f"{stem} муниципальный район",
        f'МО "{district.name}"',
        district.name.lower(),
        district.name.replace(" ", "  "),
        f"{stem}  р-н ",
        f"{stem[:-2]}иий район",  # «Тахтамукайскиий район»
        f"МО «{district.name}»",
        f"{stem} район РА",
    )


# How often each written form occurs (same order as district_variants): the canonical
# name dominates, typos are rare.
CITY_VARIANT_WEIGHTS = (55, 10, 5, 6, 4, 3, 4, 3, 2, 5, 0.7)
DISTRICT_VARIANT_WEIGHTS = (55, 12, 8, 6, 3, 2, 2, 0.8, 5, 2)


def variant_weights(district: District) -> tuple[float, ...]:
    return CITY_VARIANT_WEIGHTS if district.city else DISTRICT_VARIANT_WEIGHTS


VARIANTS: dict[str, tuple[str, ...]] = {d.name: district_variants(d) for d in DISTRICTS}
# Every written form -> canonical district (for tests and truth checks).
CANONICAL: dict[str, str] = {v: name for name, vs in VARIANTS.items() for v in vs}
