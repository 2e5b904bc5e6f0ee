"""Place keys: street/house normalisation, addresses in free text, the priority of sources."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from curtool.core import address, addressnorm, addresstext
from curtool.core import columns as C


@pytest.mark.parametrize(
    "variants",
    [
        ("ул. Садовая", "улица Садовая", "Садовая ул.", "САДОВАЯ", "садовой улице", "ул Садовая"),
        ("пр-кт Ленина", "проспект Ленина", "Ленина", "ул. Ленина"),
        ("пер. Тихий", "переулок Тихий", "Тихий пер"),
        ("б-р Победы", "бульвар Победы"),
        ("ш. Энтузиастов", "шоссе Энтузиастов"),
        ("ул. Щёрса", "ул. Щерса"),
        ("мкр Северный", "микрорайон Северный"),
    ],
)
def test_street_variants_share_one_key(variants: tuple[str, ...]) -> None:
    keys = {addressnorm.normalize_street(v) for v in variants}
    assert len(keys) == 1
    assert "" not in keys


def test_different_streets_stay_apart() -> None:
    assert addressnorm.normalize_street("ул. Садовая") != addressnorm.normalize_street("ул. Советская")
    assert addressnorm.normalize_street("ул. Мира") != addressnorm.normalize_street("ул. Мирная")


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("12", "12"),
        ("12а", "12а"),
        ("12 А", "12а"),
        ("12-Б", "12б"),
        ("д. 12", "12"),
        ("дом 12", "12"),
        ("12/1", "12/1"),
        ("д 12 корп 2", "12к2"),
        ("12 корпус 2", "12к2"),
        ("дом 7 стр 1", "7с1"),
        ("д. 5, кв. 7", "5"),
        ("5 кв 12", "5"),
        ("", ""),
        ("без номера", ""),
    ],
)
def test_house_numbers(raw: str, key: str) -> None:
    assert addressnorm.normalize_house(raw) == key


def test_locality_type_dropped() -> None:
    assert addressnorm.normalize_locality("г. Льгов") == addressnorm.normalize_locality("Льгов")
    assert addressnorm.normalize_locality("ст. Ханская") == addressnorm.normalize_locality("станица Ханская")


@pytest.mark.parametrize(
    ("text", "street", "house"),
    [
        ("Во дворе яма, ул. Ленина, д. 5, помогите", "Ленина", "5"),
        ("улица Садовая 12а, нет света", "Садовая", "12а"),
        ("Сломан лифт пр-кт Победы 3/1", "Победы", "3/1"),
        ("Жители дома 5 по улице Ленина жалуются", "Ленина", "5"),
        ("на Садовой улице 7 нет света", "Садовой", "7"),
        ("Находимся по адресу: Ленина, 5", "Ленина", "5"),
        ("яма на ул. Карла Маркса д. 12 корп 2", "Карла Маркса", "12 корп 2"),
        ("В г. Курске на ул.Урицкого 22 течет труба", "Урицкого", "22"),
        ("ул ленина 5 кв 7 холодно", "ленина", "5"),
        ("пер. Тихий, дом 3", "Тихий", "3"),
        ("Адрес ул. Гагарина д7", "Гагарина", "7"),
        ("(ул. Мира, 14)", "Мира", "14"),
    ],
)
def test_address_in_text(text: str, street: str, house: str) -> None:
    _, got_street, got_house = addresstext.extract_address(text)
    assert (got_street, got_house) == (street, house)


def test_text_without_address() -> None:
    for text in ("Сегодня 12 часов нет воды", "Прошу помочь", "", "Пришлось ждать 3 часа у врача"):
        assert addresstext.extract_address(text)[1] == ""


def test_street_without_house_is_kept_but_a_house_wins() -> None:
    assert addresstext.extract_address("на ул. Ленина темно")[1:] == ("Ленина", "")
    assert addresstext.extract_address("на ул. Мира темно, а ул. Ленина, 4 без света")[1:] == (
        "Ленина",
        "4",
    )


def test_locality_from_text() -> None:
    loc, street, house = addresstext.extract_address("Мы живем в станице Ханской, ул. Мира, 3.")
    assert (addressnorm.normalize_locality(loc), street, house) == (
        addressnorm.normalize_locality("Ханская"),
        "Мира",
        "3",
    )


@pytest.mark.slow
def test_extraction_is_fast(count_calls) -> None:
    """The bulk path does a few dozen function calls a message, on any machine (natasha's parser
    did thousands and read tens of messages a second); messages a second are a benchmark figure:
    benchmarks/bench_checks.py, address_rate (at least 5,000)."""
    texts = [
        f"Здравствуйте! Уже месяц во дворе не вывозят мусор, контейнеры переполнены, "
        f"ул. Садовая, д. {k}. Звонили в управляющую компанию, там только обещают. {k}"
        for k in range(20_000)
    ] + [f"Нет света третий день, когда починят линию? Сообщение {k}" for k in range(20_000)]
    addresstext.extract_addresses(pd.Series(texts[:10]))  # patterns compiled, caches warm
    calls, found = count_calls(lambda: addresstext.extract_addresses(pd.Series(texts)))
    assert (found["street"] != "").sum() == 20_000
    # about 20 calls a message (measured 2026-12-03)
    assert calls < 40 * len(texts), calls


def _frame(**cols) -> pd.DataFrame:
    n = len(next(iter(cols.values())))
    base = {
        "_district": ["Гиагинский район"] * n,
        "_locality": [""] * n,
        "_street": [""] * n,
        "_house": [""] * n,
        "_address": [""] * n,
        "_lat": [np.nan] * n,
        "_lon": [np.nan] * n,
        "_clean": [""] * n,
    }
    base.update(cols)
    return pd.DataFrame(base)


def test_place_keys_from_every_source_meet() -> None:
    frame = _frame(
        _locality=["ст. Гиагинская", "", "", ""],
        _street=["ул. Ленина", "", "", ""],
        _house=["д. 5", "", "", ""],
        _address=["", "Республика Адыгея, ст. Гиагинская, улица Ленина, дом 5", "", ""],
        _clean=["", "", "Нет воды, ул. Ленина, 5", "Нет воды в станице Гиагинской, ул. Ленина 5"],
    )
    table = address.place_table(frame)
    assert list(table["place_source"]) == ["street", "address", "text", "text"]
    assert table["place_key"].nunique() == 1  # the bare text address borrows the settlement
    assert table["place_key"].iloc[0] == "гиагинский район|гиагинск|ленин|5"
    assert table["place"].iloc[0] == "ст. Гиагинская, ул. Ленина, д. 5"


def test_street_column_beats_coordinates_and_text() -> None:
    frame = _frame(_street=["ул. Мира"], _house=["3"], _lat=[44.6], _lon=[40.1], _clean=["ул. Ленина, 5"])
    assert address.place_keys(frame).iloc[0].endswith("|мир|3")


def test_coordinates_give_a_cell_of_about_150_m() -> None:
    frame = _frame(
        _lat=[44.60001, 44.60011, 44.6101, np.nan, 0.0],
        _lon=[40.10001, 40.10012, 40.1001, 40.1, 0.0],
        _clean=["", "", "", "", ""],
    )
    table = address.place_table(frame)
    keys = table["place_key"].tolist()
    assert keys[0] == keys[1]  # 12 m apart
    assert keys[0] != keys[2]  # 1.1 km apart
    assert keys[3] == "" and keys[4] == ""  # missing, and the "no coordinates" 0,0
    assert table["place_source"].tolist()[:3] == ["geo", "geo", "geo"]


def test_districts_keep_places_apart() -> None:
    frame = _frame(
        _district=["Гиагинский район", "Майкопский район"],
        _clean=["ул. Ленина, 5", "ул. Ленина, 5"],
    )
    keys = address.place_keys(frame)
    assert keys.iloc[0] != keys.iloc[1]


# --- real-world phrasings (examples written for these tests) --------------------------------
@pytest.mark.parametrize(
    ("text", "street", "house"),
    [
        ("Сугробы по ул.50 лет Октября,остановка Заводская", "50 лет Октября", ""),
        ("Темно у дома 4 по ул. 8 Марта", "8 Марта", "4"),
        ("яма у дома №3-А по проспекту Мира", "Мира", "3-А"),
        ("светофор между домами №7 и №10 по проспекту Мира", "Мира", ""),
        ("ул. Садовая 12 февраля прорвало трубу", "Садовая", ""),
        ("ул. 1-я Строительная, д. 6", "1-я Строительная", "6"),
        ("Течет крыша в доме по Полевой 14, сил нет", "Полевой", "14"),
        ("Потоп, ул. Лесная, 5 в подъезде вода", "Лесная", "5"),
        ("на пр.Победы 9А бродят собаки", "Победы", "9А"),
        ("ул. Героев 5-й армии вся в ямах", "Героев", ""),
        ("по улице генерала Ватутина темно", "генерала Ватутина", ""),
    ],
)
def test_real_world_phrasings(text: str, street: str, house: str) -> None:
    assert addresstext.extract_address(text)[1:] == (street, house)


@pytest.mark.parametrize(
    "text",
    [
        "Сугробы по ул.50 лет Октября, уже неделю",  # «5, 0» was read from «50 лет» once
        "В нашем микрорайоне 8 домов и ни одного фонаря",
        "Проезд закрыт. Они обещали открыть к 5 числу",
    ],
)
def test_a_house_number_alone_is_no_place(text: str) -> None:
    _, street, house = addresstext.extract_address(text)
    assert not street.isdigit()
    assert not (house and not street)
    assert street.lower() not in {"они", "8"}


def test_crossings_meet_in_either_order() -> None:
    a = addresstext.extract_address("Не работает светофор на пересечении улиц Ленина и Мира")
    b = addresstext.extract_address("перекресток ул. Мира и ул. Ленина снова без света")
    assert addressnorm.normalize_street(a[1]) == addressnorm.normalize_street(b[1])
    assert addressnorm.normalize_street(a[1]) != addressnorm.normalize_street("ул. Ленина")
    # «перекресток возле школы и …» names no streets
    assert addresstext.extract_address("на перекрестке возле школы и магазина яма")[1] == ""


def test_a_house_beats_a_crossing_and_a_crossing_beats_a_street() -> None:
    assert addresstext.extract_address("ул. Мира темно, дом 5 по ул. Ленина")[1:] == ("Ленина", "5")
    got = addresstext.extract_address("ул. Мира темно, на углу Ленина и Гоголя яма")[1]
    assert addresstext.CROSSING.strip() in got


def test_a_stop_is_a_place_of_its_own() -> None:
    _, street, house = addresstext.extract_address("На остановке нет павильона, остановка Школьная")
    assert street == addresstext.STOP_PREFIX + "Школьная" and house == ""
    assert addressnorm.normalize_street(street) != addressnorm.normalize_street("ул. Школьная")


@pytest.mark.parametrize(
    ("text", "village"),
    [
        ("В д. Верхние Ключи третий день нет света", "Верхние Ключи"),
        ("Мы, жители с. Ольховка Заречного района, просим дорогу", "Ольховка"),
        ("в поселке Солнечный не вывозят мусор", "Солнечный"),
        ("В СНТ «Ромашка» нет воды", "Ромашка"),
    ],
)
def test_a_village_alone_is_a_coarse_place(text: str, village: str) -> None:
    assert addresstext.extract_address(text) == (village, "", "")


def test_a_town_alone_or_a_house_letter_is_no_place() -> None:
    assert addresstext.extract_address("В г. Энске плохие дороги") == ("", "", "")
    # «138 А. До сих пор» is a house letter and a sentence, not the aul «А. До»
    assert addresstext.extract_address("сломали качели возле дома 138 А. До сих пор никто")[0] == ""
    assert addresstext.extract_address("и т.п. Прошу помочь")[0] == ""


@pytest.mark.parametrize(
    "variants",
    [
        ("ул. Карла Маркса", "ул. К. Маркса", "улица Маркса", "К.Маркса"),
        ("ул. генерала Ватутина", "ул. Ватутина"),
        ("50 лет Октября", "ул. 50 лет Октября", "улица 50 лет октября"),
        ("ул. 3-я Полевая", "3я Полевая", "3 Полевая"),
    ],
)
def test_name_order_and_titles_share_one_key(variants: tuple[str, ...]) -> None:
    assert len({addressnorm.normalize_street(v) for v in variants}) == 1


def test_korpus_glued_to_the_number() -> None:
    assert addressnorm.normalize_house("48к2") == addressnorm.normalize_house("48 корпус 2") == "48к2"
    assert addressnorm.normalize_house("3-А") == "3а"


def test_village_keys_and_the_districts_own_town() -> None:
    frame = _frame(
        _district=["Город Энск", "Город Энск", "Заречный район", "Заречный район"],
        _clean=[
            "г. Энск, ул. Лесная, 4: нет воды",
            "ул. Лесная, 4 снова без воды",
            "В д. Верхние Ключи нет света",
            "Свет в деревне Верхние Ключи опять отключили",
        ],
    )
    table = address.place_table(frame)
    keys = table["place_key"].tolist()
    assert keys[0] == keys[1]  # «г. Энск» in a message of the town of Энск says nothing
    assert keys[2] == keys[3] and keys[2].endswith("||")  # district|village||
    assert table["place"].iloc[2] == "Верхние Ключи"
    assert list(table["place_source"]) == ["text"] * 4


@pytest.mark.parametrize(
    "text",
    [
        "Шла вчера по этой улице. Красивая погода, но темно",  # a full-word type ends a sentence
        "В нашем микрорайоне 8 домов и ни одного фонаря",
        "Проезд закрыт. Они обещали открыть к 5 числу",
        "и т.п. Прошу помочь с дорогой",
    ],
)
def test_no_street_is_invented(text: str) -> None:
    assert addresstext.extract_address(text) == ("", "", "")


def test_shouted_text_invents_no_street_but_keeps_an_address() -> None:
    assert addresstext.extract_address("НА ЗАРЕЧНОЙ УЛИЦЕ ОТКЛЮЧИЛИ СВЕТ И НЕ ВКЛЮЧАЮТ")[1] == ""
    assert addresstext.extract_address("ПО АДРЕСУ УЛИЦА МИРА, ДОМ 10/3 НЕТ ТЕПЛА")[1:] == ("МИРА", "10/3")


@pytest.mark.parametrize(
    ("value", "parts"),
    [
        ("Энская обл., Заречный р-н, д. Верхние Ключи", ("Верхние Ключи", "", "")),
        ("Энская обл, 123456, г. Энск, Полевая 5", ("Энск", "Полевая", "5")),
        ("Республика Энская, г. Энск", ("", "", "")),  # a town alone is no place
        ("Энский край, Заречный район, с. Ольховка, Садовая", ("Ольховка", "Садовая", "")),
    ],
)
def test_export_address_without_a_street_type(value: str, parts: tuple[str, str, str]) -> None:
    # the region, district and postcode were read as the street once
    assert addresstext.parse_address_field(value) == parts


def test_export_address_of_a_village_is_a_place() -> None:
    frame = _frame(
        _district=["Заречный район"] * 3,
        _address=["Энская обл., Заречный р-н, д. Верхние Ключи", "Энская обл., Заречный р-н", ""],
        _clean=["", "", "Свет в деревне Верхние Ключи опять отключили"],
    )
    table = address.place_table(frame)
    assert list(table["place_source"]) == ["address", "", "text"]
    assert table["place_key"].iloc[0] == table["place_key"].iloc[2] != ""


def test_text_places_are_shown_with_their_street_type() -> None:
    frame = _frame(
        _clean=["Яма у дома №3-А по проспекту Мира", "Темно на улице Садовой", "перекресток Кирова и Гоголя"]
    )
    table = address.place_table(frame)
    assert table["place"].tolist() == ["пр-т Мира, д. 3-А", "ул. Садовой", "Кирова × Гоголя"]
    assert table["place_key"].iloc[0] == "гиагинский район||мир|3а"  # the key drops both again


def test_place_keys_are_read_only_through_the_address_module() -> None:
    """The key format is written and read in one place: its readers agree with place_table."""
    frame = _frame(
        **{
            C.DISTRICT: ["Тахтамукайский район", "Тахтамукайский район"],
            C.ADDRESS: ["пгт Яблоновский, ул. Гагарина, д. 5", ""],
            C.LAT: [float("nan"), 44.98],
            C.LON: [float("nan"), 38.94],
        }
    )
    table = address.place_table(frame, C.CLEAN)
    street, point = table["street_key"].iloc[0], table["place_key"].iloc[1]
    assert not address.is_point_key(street) and address.is_point_key(point)
    assert address.street_names(street) == ["яблоновск", "гагарин"] and address.street_names(point) == []
    assert set(address.street_names(street)) <= set(address.key_words(table["place_key"].iloc[0]))
