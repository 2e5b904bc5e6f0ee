"""Export address fields as real systems write them: a table of 200+ strings, each with its key.

The strings are generated here from parts written for this test (street names, types before or
after the name, hyphenated towns, «дом/корпус/строение/литера», «/» and «-» in numbers, the
islands «В.О.» and «П.С.»); every variant of one address must give the same key, and different
addresses different keys.
"""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from curtool.core import address, addressnorm, addresstext

# (name as written, the key's street part) — own invented and common street names
STREETS = [
    ("Тополиная", "тополин"),
    ("Садовая", "садов"),
    ("Рябиновый", "рябинов"),
    ("Ольхов", "ольх"),
    ("Пионерская", "пионерск"),
    ("Заводская", "заводск"),
]
# (type before the name, type after the name)
TYPES = [
    ("ул.", "улица"),
    ("пр-кт", "проспект"),
    ("пер.", "переулок"),
    ("б-р", "бульвар"),
    ("наб.", "набережная"),
]
TOWNS = [("г.Санкт-Петербург", "санкт петербург"), ("г. Ростов-на-Дону", "рост на дон"), ("город Колпино", "колпин"),
         ("пос. Шушары", "шушар")]  # fmt: skip
# (house parts as written, the key's house part)
HOUSES = [
    ("дом 47", "47"),
    ("д. 47", "47"),
    ("дом 47, корпус 1", "47к1"),
    ("д. 47, корп. 1", "47к1"),
    ("дом 47, корпус 1, литера А", "47к1а"),
    ("дом 47, литера А", "47а"),
    ("дом 69, строение 1", "69с1"),
    ("д. 12/2", "12/2"),
]


def _cases() -> list[tuple[str, tuple[str, str, str]]]:
    cases = []
    for (street, skey), (before, after), (town, tkey) in itertools.product(STREETS, TYPES, TOWNS):
        # every house form on the first street and type, three on the others
        houses = HOUSES if (street, before) == (STREETS[0][0], TYPES[0][0]) else HOUSES[:3]
        for house, hkey in houses:
            cases.append((f"{town}, {before} {street}, {house}", (tkey, skey, hkey)))
            cases.append((f"{town}, {street} {after}, {house}", (tkey, skey, hkey)))
    return cases


CASES = _cases()


def test_the_table_is_large_enough() -> None:
    assert len(CASES) >= 200


def _key(text: str) -> tuple[str, str, str]:
    loc, street, house = addresstext.parse_address_field(text)
    return (
        addressnorm.normalize_locality(loc),
        addressnorm.normalize_street(street),
        addressnorm.normalize_house(house),
    )


@pytest.mark.parametrize(("text", "key"), CASES, ids=[c[0] for c in CASES])
def test_every_written_form_gives_its_key(text: str, key: tuple[str, str, str]) -> None:
    assert _key(text) == key


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (
            "г.Санкт-Петербург, Тополиная улица, дом 12, корпус 2, литера Б",
            ("санкт петербург", "тополин", "12к2б"),
        ),
        ("Рябиновый проспект, дом 33, строение 1", ("", "рябинов", "33с1")),
        ("Ольхов переулок, дом 4-6", ("", "ольх", "4")),
        ("Сиреневый проспект П.С., дом 21", ("", "сиренев пс", "21")),
        ("Сиреневый проспект В.О., дом 21", ("", "сиренев во", "21")),
        ("41-я линия В.О., дом 3", ("", "41 во", "3")),
        ("Санкт-Петербург, набережная реки Ивовой, дом 17", ("санкт петербург", "рек ивов", "17")),
        ("Курская обл., г. Льгов, ул. Красная, 12", ("льгов", "красн", "12")),
        ("г. Курск, ул. Ленина, д. 5", ("курск", "ленин", "5")),
    ],
)
def test_forms_seen_in_exports(text: str, key: tuple[str, str, str]) -> None:
    assert _key(text) == key


def test_the_street_type_never_becomes_the_street() -> None:
    """a street typed after its name («… проспект, дом 33») once gave the street «дом»; «г.Санкт-Петербург» the town «Санкт-»."""
    for text, _ in CASES:
        loc, street, _house = addresstext.parse_address_field(text)
        assert street.lower() not in {"дом", "д", ""}
        assert not loc.endswith("-")


def test_points_within_tens_of_metres_are_one_spot_and_a_grid_line_does_not_cut_them() -> None:
    # four phones around one spot, 10–25 m apart, astride a 140 m grid line; another spot 300 m off
    lat = pd.Series([59.931240, 59.931300, 59.931170, 59.931260, 59.934000])
    lon = pd.Series([30.360000, 30.360250, 30.360100, 30.359800, 30.360000])
    district = pd.Series(["Центральный"] * 5)
    keys = address.geo_places(lat, lon, district, 30.0)
    assert keys.iloc[0] == keys.iloc[1] == keys.iloc[2] == keys.iloc[3] != keys.iloc[4]
    # the key does not depend on row order
    again = address.geo_places(
        lat[::-1].reset_index(drop=True), lon[::-1].reset_index(drop=True), district, 30.0
    )
    assert set(again) == set(keys)
    # other districts never share a spot
    split = address.geo_places(lat, lon, pd.Series(["А", "А", "Б", "Б", "Б"]), 30.0)
    assert split.iloc[0] == split.iloc[1] != split.iloc[2]


def test_impossible_points_have_no_spot() -> None:
    keys = address.geo_places(
        pd.Series([0.0, 95.0, None]), pd.Series([0.0, 30.0, 30.0]), pd.Series(["А"] * 3)
    )
    assert keys.tolist() == ["", "", ""]
