"""Benchmark of recurring-problem detection: 100k and 1M generated messages.

Run: ``python benchmarks/bench_recurring.py [--sizes 100000 1000000]``.  Each size
runs in a fresh process so the peak memory (psutil, resident set) is its own.
Prints one JSON object per size: wall seconds, rows per second, peak RSS, problems.

Uses ``curtool.synthetic.generate_messages(n, seed)`` when it exists, else a small
generator below (districts, addresses in the text, repeated problems).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time

import numpy as np
import pandas as pd

# Phrasings written for this benchmark: (sector, kind, phrasings).
_PROBLEMS = (
    ("ЖКХ", "heating", ("Нет отопления, батареи холодные", "В квартирах холодно, отопление не включили",
                        "Радиаторы ледяные, когда дадут тепло")),
    ("ЖКХ", "roof", ("Течет крыша, заливает верхний этаж", "После дождя протекает кровля",
                     "Крыша дырявая, на потолке плесень")),
    ("ЖКХ", "water", ("Нет горячей воды третью неделю", "Горячую воду отключили и не включают",
                      "Из крана идет еле теплая вода")),
    ("ЖКХ", "trash", ("Мусор не вывозят, контейнеры переполнены", "Контейнерная площадка завалена",
                      "Мусоровоз не приезжал неделю")),
    ("Дорожное хозяйство", "pothole", ("Огромная яма на дороге", "Разбитый асфальт, ямы по колено",
                                       "Дорогу не ремонтируют, сплошные выбоины")),
    ("Благоустройство", "light", ("Не горят фонари, темно вечером", "Уличное освещение не работает",
                                  "Во дворе нет света, фонарь сломан")),
    ("Благоустройство", "dogs", ("Стая бродячих собак бросается на детей", "Бездомные собаки у школы",
                                 "Собаки нападают на прохожих")),
    ("Транспорт", "bus", ("Автобус не ходит по расписанию", "Маршрутка пропускает остановку",
                          "Рейс отменили, людям не уехать")),
    ("Энергетика и промышленность", "power", ("Отключают электричество каждый день",
                                              "Скачет напряжение, сгорела техника",
                                              "Без света сидим по несколько часов")),
    ("Экология", "dump", ("Стихийная свалка за домами", "Жгут мусор, дым во дворе",
                          "Свалка строительного мусора у реки")),
)
_OPENERS = ("Здравствуйте!", "Добрый день.", "Уважаемая администрация,", "", "Помогите!", "Сколько можно?")
_DETAILS = ("Звонили много раз, обещают.", "Дети и пенсионеры страдают.", "Примите меры.",
            "Жалобы без ответа.", "", "Управляющая компания молчит.")
_STREETS = ("Ленина", "Мира", "Садовая", "Школьная", "Кирова", "Гагарина", "Советская", "Победы",
            "Пролетарская", "Комсомольская", "Октябрьская", "Полевая", "Лесная", "Заречная",
            "Набережная", "Чапаева", "Пушкина", "Гоголя", "Лермонтова", "Московская")


def quick_messages(n: int, seed: int = 1) -> pd.DataFrame:
    """A loaded-style frame (``_`` columns) of ``n`` messages with planted recurring problems."""
    rng = np.random.default_rng(seed)
    n_districts, n_loc = 12, 6
    districts = np.array([f"Район {k + 1}" for k in range(n_districts)], dtype=object)
    dist = rng.integers(0, n_districts, n)
    loc = rng.integers(0, n_loc, n)
    street = rng.integers(0, len(_STREETS), n)
    house = rng.integers(1, 120, n)
    prob = rng.integers(0, len(_PROBLEMS), n)
    # a third of the messages repeat one of a few thousand "hot" place × problem pairs
    hot = rng.random(n) < 0.33
    n_hot = max(n // 60, 10)
    hot_id = rng.integers(0, n_hot, n)
    hot_rng = np.random.default_rng(seed + 1)
    hot_table = np.stack([hot_rng.integers(0, n_districts, n_hot), hot_rng.integers(0, n_loc, n_hot),
                          hot_rng.integers(0, len(_STREETS), n_hot), hot_rng.integers(1, 120, n_hot),
                          hot_rng.integers(0, len(_PROBLEMS), n_hot)], axis=1)
    for k, arr in enumerate((dist, loc, street, house, prob)):
        arr[hot] = hot_table[hot_id[hot], k]
    phr = rng.integers(0, 3, n)
    op = rng.integers(0, len(_OPENERS), n)
    det = rng.integers(0, len(_DETAILS), n)
    form = rng.integers(0, 3, n)
    texts = []
    for k in range(n):
        phrasings = _PROBLEMS[prob[k]][2]
        addr = (f"ул. {_STREETS[street[k]]}, д. {house[k]}", f"по ул. {_STREETS[street[k]]} {house[k]}",
                f"адрес: {_STREETS[street[k]]}, {house[k]}")[form[k]]
        texts.append(f"{_OPENERS[op[k]]} {phrasings[phr[k]]}, {addr}. {_DETAILS[det[k]]}".strip())
    start = np.datetime64("2025-06-02")
    created = start + rng.integers(0, 26 * 7, n).astype("timedelta64[D]")
    return pd.DataFrame({
        "_id": [str(k + 1) for k in range(n)],
        "_text": texts,
        "_clean": texts,
        "_district": districts[dist],
        "_locality": np.array([f"Поселок {k}" for k in range(n_loc)], dtype=object)[loc],
        "_street": "", "_house": "", "_address": "",
        "_lat": np.nan, "_lon": np.nan,
        "_created": pd.to_datetime(created),
        "_group": np.array([p[0] for p in _PROBLEMS], dtype=object)[prob],
        "_status": np.where(rng.random(n) < 0.3, "Решено", "Разъяснено"),
        "_duplicate": False,
    })


def _generate(n: int, seed: int) -> tuple[pd.DataFrame, str]:
    try:
        from curtool.synthetic import generate_messages
    except ImportError:
        return quick_messages(n, seed), "benchmark generator"
    return _as_loaded(generate_messages(n, seed)), "curtool.synthetic.generate_messages"


def _as_loaded(raw: pd.DataFrame) -> pd.DataFrame:
    """The ПОС-layout frame with the `_` columns the loader would add (enough for recurring)."""
    from curtool.core.text import clean_series
    from curtool.synthetic.places import DISTRICTS, district_variants

    canon = {v.strip().lower(): d.name for d in DISTRICTS for v in district_variants(d)}
    text = raw["Текст сообщения"].astype(object).where(raw["Текст сообщения"].notna(), "")
    district = raw["Муниципальное образование"].astype(str).str.strip().str.lower()
    return pd.DataFrame({
        "_id": raw["Номер сообщения"].astype(str),
        "_text": text,
        "_clean": clean_series(text),
        "_district": district.map(canon).fillna("").astype(object),
        "_locality": raw["Населенный пункт"].astype(object).fillna(""),
        "_street": "", "_house": "",
        "_address": raw["Адрес"].astype(object).fillna(""),
        "_lat": pd.to_numeric(raw["Широта"], errors="coerce"),
        "_lon": pd.to_numeric(raw["Долгота"], errors="coerce"),
        "_created": pd.to_datetime(raw["Дата поступления"], format="%d.%m.%Y %H:%M", errors="coerce"),
        "_group": raw["Категория"].astype(object).fillna(""),
        "_topic": raw["Подкатегория"].astype(object).fillna(""),
        "_status": raw["Статус"].astype(object).fillna(""),
        "_duplicate": False,
    })


def run_one(n: int, seed: int) -> dict[str, object]:
    import psutil

    from curtool.core.recurring import find_recurring

    proc = psutil.Process()
    peak = [proc.memory_info().rss]
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], proc.memory_info().rss)
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    t0 = time.perf_counter()
    frame, source = _generate(n, seed)
    t_gen = time.perf_counter() - t0
    rss_loaded = proc.memory_info().rss
    # text addresses alone: every message's text read as if the export had no address
    from curtool.core.addresstext import extract_addresses

    texts = frame["_clean"]
    t_addr = time.perf_counter()
    found = extract_addresses(texts)
    t_addr = time.perf_counter() - t_addr
    with_place = float(((found["street"] != "") | (found["locality"] != "")).mean())
    t1 = time.perf_counter()
    result = find_recurring(frame)
    wall = time.perf_counter() - t1
    stop.set()
    watcher.join()
    problems = result.problems
    return {
        "rows": n,
        "generator": source,
        "generate_s": round(t_gen, 1),
        "wall_s": round(wall, 1),
        "rows_per_s": round(n / wall),
        "text_address_per_s": round(n / t_addr),
        "text_mean_chars": round(float(texts.str.len().mean())),
        "text_with_place": round(with_place, 3),
        "rss_with_frame_gb": round(rss_loaded / 2**30, 2),
        "peak_rss_gb": round(peak[0] / 2**30, 2),
        "problems": len(problems),
        "systemic": int(problems["systemic"].sum()) if len(problems) else 0,
        "messages_in_problems": int((result.assignments != "").sum()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.seed), ensure_ascii=False))
        return
    for n in args.sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(n), "--seed", str(args.seed)],
            capture_output=True, text=True, check=False,
        )
        sys.stdout.write(out.stdout)
        if out.returncode:
            sys.stderr.write(out.stderr)


if __name__ == "__main__":
    main()
