"""Bulk messages for benchmarks: a million rows in seconds, from precomputed fragment pools.

Texts are opener/problem/detail/closer compositions written once per problem into a
pool (by :class:`~curtool.synthetic.compose.Composer`), then joined per row with an
address mention and an extra detail using numpy object arrays, so per-row work is a
handful of vectorised string additions.  Recurring problems are planted at scale
(one per ~400 rows, 4–12 messages over ≥ 3 weeks at one house) so that recurring
detection has real work; no truth file is written for bulk data.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from curtool.core import columns as C
from curtool.core import errors
from curtool.io.output import atomic_path, scratch_dir, workbook_options
from curtool.synthetic import phrases as P
from curtool.synthetic import places as G
from curtool.synthetic.builder import SECTOR_WEIGHTS
from curtool.synthetic.compose import Composer
from curtool.synthetic.layouts import IM_COLUMNS, IM_TITLE, POS_COLUMNS

POOL_PER_PROBLEM = 60
PLANT_EVERY = 400  # one planted recurring problem per this many rows
_MENTIONS = ("Адрес: ", "Пишу по адресу ", "Это ", "Мы живем по адресу ", "", "Находимся: ")
_LOC_KEYS = [(d, loc) for d in G.DISTRICTS for loc in d.localities]


def _iso_week_monday(label: str) -> date:
    try:
        year, week = label.split("-W")
        return date.fromisocalendar(int(year), int(week), 1)
    except ValueError as exc:
        raise errors.CurtoolError(
            errors.BAD_OPTION, f"«{label}» is not an ISO week", "write weeks like 2026-W47"
        ) from exc


class _Pools:
    """Everything that does not depend on n: texts per problem, places, date strings."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(seed)
        composer = Composer(rng, emoji=False)
        self.problems = [p for s in C.SECTORS for p in P.PROBLEMS[s]]
        self.sector_of = np.array([C.SECTORS.index(p.sector) for p in self.problems])
        texts = []
        for problem in self.problems:
            for _ in range(POOL_PER_PROBLEM):
                text = composer.compose(problem, None).text
                texts.append(text.encode("cp1251", "ignore").decode("cp1251"))
        self.texts = np.array(texts, dtype=object)
        details = [d for s in C.SECTORS for d in P.SECTOR_DETAILS[s]] + list(P.DETAILS)
        self.details = np.array([" " + d for d in details] + [""] * len(details), dtype=object)
        self.closers = np.array([" " + c for c in P.CLOSERS] + [""] * 20, dtype=object)
        self.sector_problem_start = np.array([self.problems.index(P.PROBLEMS[s][0]) for s in C.SECTORS])
        self.sector_problem_count = np.array([len(P.PROBLEMS[s]) for s in C.SECTORS])
        # places: one global street table, each locality owns a slice of it
        street_names, street_lat, street_lon, loc_of_street = [], [], [], []
        self.loc_street_start, self.loc_street_count, self.loc_max_house = [], [], []
        for li, (_, loc) in enumerate(_LOC_KEYS):
            names = G.streets(loc)
            self.loc_street_start.append(len(street_names))
            self.loc_street_count.append(len(names))
            self.loc_max_house.append(G.max_house(loc))
            for name in names:
                lat, lon = G.coordinates(loc, name, "100")  # the street's middle
                street_names.append(name)
                street_lat.append(lat)
                street_lon.append(lon)
                loc_of_street.append(li)
        self.street_names = np.array(street_names, dtype=object)
        self.street_lat, self.street_lon = np.array(street_lat), np.array(street_lon)
        self.loc_street_start = np.array(self.loc_street_start)
        self.loc_street_count = np.array(self.loc_street_count)
        self.loc_max_house = np.array(self.loc_max_house)
        self.loc_full = np.array([f"{loc.kind} {loc.name}" for _, loc in _LOC_KEYS], dtype=object)
        self.loc_spread = np.array([0.025 if loc.size >= 40 else 0.008 for _, loc in _LOC_KEYS])
        self.district_of_loc = np.array([G.DISTRICTS.index(d) for d, _ in _LOC_KEYS])
        self.loc_weight = np.array([loc.weight for _, loc in _LOC_KEYS])
        self.houses = np.array([str(i) for i in range(300)], dtype=object)
        self.variants = [np.array(G.VARIANTS[d.name], dtype=object) for d in G.DISTRICTS]


def _bulk(n: int, seed: int, weeks: int, end_week: str) -> dict[str, np.ndarray]:
    """All per-row pieces of ``n`` bulk messages, sorted by creation time."""
    if n < 0 or weeks < 1:
        raise errors.CurtoolError(
            errors.BAD_OPTION,
            f"cannot generate {n} rows over {weeks} weeks",
            "ask for 0 or more rows over 1 or more weeks",
        )
    pools = _Pools(seed)
    gen = np.random.default_rng(seed)
    first_day = _iso_week_monday(end_week) - timedelta(weeks=weeks - 1)
    minutes_total = weeks * 7 * 1440

    weights = np.array([SECTOR_WEIGHTS[s] for s in C.SECTORS], dtype=float)
    sector = gen.choice(len(C.SECTORS), size=n, p=weights / weights.sum())
    problem = pools.sector_problem_start[sector] + (
        gen.random(n) * pools.sector_problem_count[sector]
    ).astype(np.int64)
    loc_p = pools.loc_weight * np.array(
        [
            G.DISTRICTS[d].weight / sum(lc.weight for lc in G.DISTRICTS[d].localities)
            for d in pools.district_of_loc
        ]
    )
    loc = gen.choice(len(_LOC_KEYS), size=n, p=loc_p / loc_p.sum())
    street = pools.loc_street_start[loc] + (gen.random(n) * pools.loc_street_count[loc]).astype(np.int64)
    house = 1 + (gen.random(n) * (pools.loc_max_house[loc] - 1)).astype(np.int64)
    has_address = gen.random(n) < 0.6
    minute = gen.integers(0, minutes_total, size=n)

    # planted recurring problems: several messages at one house over ≥ 3 weeks
    placeable = np.array([i for i, p in enumerate(pools.problems) if p.kind != "none"])
    n_plant = n // PLANT_EVERY
    sizes = gen.integers(4, 13, size=n_plant)
    rows = gen.permutation(n)[: int(sizes.sum())] if n_plant else np.array([], dtype=np.int64)
    planted = np.full(n, -1, dtype=np.int64)
    at = 0
    for k in range(n_plant):
        take = rows[at : at + sizes[k]]
        at += sizes[k]
        pr = placeable[gen.integers(len(placeable))]
        problem[take] = pr
        sector[take] = pools.sector_of[pr]
        loc[take] = loc[take[0]]
        street[take] = street[take[0]]
        house[take] = house[take[0]]
        has_address[take] = True
        span = min(weeks, len(take), 3 + int(gen.integers(0, 4)))
        chosen = gen.choice(weeks, size=span, replace=False)
        week_of = np.concatenate([chosen, gen.choice(chosen, size=len(take) - span)])
        minute[take] = week_of[: len(take)] * 7 * 1440 + gen.integers(0, 7 * 1440, len(take))
        planted[take] = k

    order = np.argsort(minute, kind="stable")
    sector, problem, loc, street, house = (a[order] for a in (sector, problem, loc, street, house))
    has_address, minute, planted = has_address[order], minute[order], planted[order]

    core = pools.texts[problem * POOL_PER_PROBLEM + gen.integers(0, POOL_PER_PROBLEM, n)]
    street_txt = pools.street_names[street]
    house_txt = pools.houses[np.minimum(house, 299)]
    mention_kind = gen.integers(0, len(_MENTIONS) + 3, n)  # the extra values: no mention
    mentions = np.array([m for m in _MENTIONS] + ["", "", ""], dtype=object)
    mention = np.where(
        has_address & (mention_kind < len(_MENTIONS)),
        mentions[mention_kind] + street_txt + ", " + house_txt + ". ",
        "",
    ).astype(object)
    detail = pools.details[gen.integers(0, len(pools.details), n)]
    closer = pools.closers[gen.integers(0, len(pools.closers), n)]
    text = mention + core + detail + closer

    n_days = weeks * 7 + 60
    days = [first_day + timedelta(days=i) for i in range(n_days)]
    ru_day = np.array([d.strftime("%d.%m.%Y ") for d in days], dtype=object)
    iso_day = np.array([d.strftime("%Y-%m-%d ") for d in days], dtype=object)
    hm = np.array([f"{m // 60:02d}:{m % 60:02d}" for m in range(1440)], dtype=object)
    answer_minute = minute + np.minimum(gen.lognormal(np.log(24 * 60), 1.0, n), 50 * 1440).astype(np.int64)
    answered = gen.random(n) < 0.9
    district = pools.district_of_loc[loc]
    t = (house % 200) / 200 - 0.5
    spread = pools.loc_spread[loc]
    lat = np.where(has_address, pools.street_lat[street] + spread * t * 0.6, np.nan)
    lon = np.where(has_address, pools.street_lon[street] + spread * 1.4 * t * 0.4, np.nan)
    return {
        "first_day": np.array([datetime.combine(first_day, datetime.min.time())]),
        "sector": sector,
        "problem": problem,
        "loc": loc,
        "district": district,
        "street_txt": street_txt,
        "house_txt": house_txt,
        "has_address": has_address,
        "minute": minute,
        "answer_minute": answer_minute,
        "answered": answered,
        "text": text,
        "ru_day": ru_day,
        "iso_day": iso_day,
        "hm": hm,
        "lat": np.round(lat, 6),
        "lon": np.round(lon, 6),
        "planted": planted,
        "status_draw": gen.random(n),
        "variant_draw": gen.random(n),
        "group_draw": gen.random(n),
        "quote_draw": gen.random(n),
        "pools": np.array([pools], dtype=object),
    }


def _district_written(b: dict[str, np.ndarray]) -> np.ndarray:
    pools = b["pools"][0]
    out = np.empty(len(b["district"]), dtype=object)
    draw = b["variant_draw"]
    for d, variants in enumerate(pools.variants):
        mask = b["district"] == d
        weights = np.array(G.variant_weights(G.DISTRICTS[d]), dtype=float)
        cumulative = np.cumsum(weights) / weights.sum()
        pick = np.minimum(np.searchsorted(cumulative, draw[mask]), len(variants) - 1)
        out[mask] = variants[pick]
    return out


def _dates(b: dict[str, np.ndarray], minute: np.ndarray, iso: bool) -> np.ndarray:
    day = minute // 1440
    table = b["iso_day"] if iso else b["ru_day"]
    day = np.minimum(day, len(table) - 1)
    stamp = table[day] + b["hm"][minute % 1440]
    return stamp + ":00" if iso else stamp


def generate_messages(
    n: int, seed: int = 1, weeks: int = 10, end_week: str = "2026-W47", truth: bool = False
) -> pd.DataFrame:
    """``n`` ПОС-layout messages (the sample CSV's columns) over ``weeks`` ending ``end_week``.

    With ``truth=True`` two more columns carry the true sector and problem key
    (``true_sector``, ``true_issue``) for accuracy benchmarks.
    """
    b = _bulk(n, seed, weeks, end_week)
    pools = b["pools"][0]
    problems = pools.problems
    groups = np.array([P.POS_CATEGORY.get(p.group, p.group) for p in problems], dtype=object)
    topics = np.array([p.topic for p in problems], dtype=object)
    statuses = np.array(["Решено", "Разъяснено", "В работе", "Отклонено"], dtype=object)
    status = statuses[np.searchsorted([0.45, 0.8, 0.95], b["status_draw"])]
    has = b["has_address"]
    address = np.where(
        has,
        G.REGION + ", " + pools.loc_full[b["loc"]] + ", " + b["street_txt"] + ", д. " + b["house_txt"],
        "",
    ).astype(object)
    given = b["group_draw"] >= 0.03
    answer = np.where(b["answered"], _dates(b, b["answer_minute"], iso=False), "")
    frame = pd.DataFrame(
        {
            "Номер сообщения": (3_000_000 + np.arange(n) * 3 + 1).astype(str),
            "Дата поступления": _dates(b, b["minute"], iso=False),
            "Источник": "Госуслуги. Решаем вместе",
            "Категория": np.where(given, groups[b["problem"]], ""),
            "Подкатегория": np.where(given, topics[b["problem"]], ""),
            "Текст сообщения": b["text"],
            "Муниципальное образование": _district_written(b),
            "Населенный пункт": pools.loc_full[b["loc"]],
            "Адрес": address,
            "Широта": b["lat"],
            "Долгота": b["lon"],
            "Статус": np.where(b["answered"], status, "На модерации"),
            "Ответственный": "",
            "Дата ответа": answer,
            "Текст ответа": "",
        }
    )
    assert tuple(frame.columns) == POS_COLUMNS
    if truth:
        frame["true_sector"] = np.array(C.SECTORS, dtype=object)[b["sector"]]
        frame["true_issue"] = np.array([p.key for p in problems], dtype=object)[b["problem"]]
    return frame


def write_benchmark_csv(path: str | Path, n: int, seed: int = 1) -> Path:
    """A ПОС-style CSV like the sample (cp1251, ``;``) with ``n`` bulk messages."""
    path = Path(path)
    frame = generate_messages(n, seed)
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, sep=";", index=False, encoding="cp1251", float_format="%.6f", lineterminator="\r\n")
    return path


def write_benchmark_xlsx(path: str | Path, n: int, seed: int = 1) -> Path:
    """An «Инцидент Менеджмент»-style XLSX (title row above the header) with ``n`` messages."""
    import xlsxwriter

    path = Path(path)
    b = _bulk(n, seed, 10, "2026-W47")
    pools = b["pools"][0]
    problems = pools.problems
    groups = np.array([p.group for p in problems], dtype=object)
    topics = np.array([p.topic for p in problems], dtype=object)
    results = np.array(["Решено", "Разъяснено", "Перенаправлено", "Закрыто"], dtype=object)
    result = np.where(b["answered"], results[np.searchsorted([0.45, 0.8, 0.92], b["status_draw"])], "")
    text = np.where(b["quote_draw"] < 0.45, "'" + b["text"], b["text"])
    created = _dates(b, b["minute"], iso=True)
    answer = _dates(b, b["answer_minute"], iso=True)
    closed = _dates(b, b["answer_minute"] + 1440 + b["minute"] % 4000, iso=True)
    given = b["group_draw"] >= 0.3
    district = _district_written(b)
    col = {name: i for i, name in enumerate(IM_COLUMNS)}
    with atomic_path(path) as tmp:
        book = xlsxwriter.Workbook(str(tmp), workbook_options(scratch_dir(tmp)) | {"constant_memory": True})
        book.set_properties({"created": datetime(2026, 11, 23, 8, 0, 0)})
        sheet = book.add_worksheet("Инциденты")
        sheet.write_string(0, 0, IM_TITLE)
        sheet.write_row(2, 0, IM_COLUMNS)
        ws, wn = sheet.write_string, sheet.write_number
        for i in range(n):
            r = i + 3
            wn(r, col["ID"], 60_000_000 + i * 2)
            ws(r, col["Кабинет"], "ЦУР Республики Адыгея")
            ws(r, col["Дата создания"], created[i])
            if b["answered"][i]:
                ws(r, col["Общее время первого ответа"], answer[i])
                ws(r, col["Дата окончания"], closed[i])
                ws(r, col["Итог"], result[i])
            if given[i]:
                ws(r, col["Группа тем"], groups[b["problem"][i]])
                ws(r, col["Тема"], topics[b["problem"][i]])
            ws(r, col["Регион"], G.REGION)
            if district[i]:
                ws(r, col["Муниципалитет"], district[i])
            ws(r, col["Населенный пункт"], pools.loc_full[b["loc"][i]])
            if b["has_address"][i]:
                ws(r, col["Улица"], b["street_txt"][i])
                ws(r, col["Дом"], b["house_txt"][i])
            ws(r, col["Урл поста"], f"https://vk.com/wall-61234567_{100000 + i}")
            ws(r, col["Текст инцидента"], text[i])
        book.close()
    return path
