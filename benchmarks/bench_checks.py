"""Speed figures that used to be time limits inside unit tests: ``python benchmarks/bench_checks.py``.

A wall-clock limit in a unit test fails on a busy or slow machine and says nothing on a fast
one; the unit tests now check behaviour and operation counts (see each test named below),
and the times are measured here, each against the limit the test used to assert:

- ``model_load``: ``modelfile.load_model()`` of the shipped model, best of 5 (≤ 1 s;
  tests/test_model.py::test_shipped_model_loads_fast_and_knows_the_twelve_blocks);
- ``address_rate``: ``addresstext.extract_addresses`` over 40,000 distinct messages, messages
  a second (≥ 5,000: natasha's parser managed tens; tests/test_address.py::test_extraction_is_fast);
- ``detect_encoding``: the code page of a 200,000-line koi8-r CSV (10 MB), best of 5
  (≤ 0.5 s: a sample of the head, not the whole file;
  tests/test_hostile_csv.py::test_the_code_page_is_chosen_from_the_head_quickly);
- ``wide_load``: ``loader.load`` of a 3-row XLSX 2,000 and 8,000 columns wide; four times the
  columns must take less than nine times the time plus 0.5 s (sixteen times when joining the
  columns was quadratic, in Arrow's C++ where no Python call count sees it;
  tests/test_hostile_sheets.py::test_wide_files_are_read_in_time_linear_in_the_width);
- ``wide_refused``: ``curtool classify`` of a 17,000-column CSV to .xlsx, refused (≤ 40 s;
  110 s when reading was quadratic in the width;
  tests/test_hostile_sheets.py::test_too_wide_for_xlsx_is_refused_not_cut).

Prints one JSON object (seconds, the limit, ok); ``--check`` exits 1 when a limit is missed.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

TEXTS = [
    "Во дворе дома 5 по ул. Пушкина нет света третий день",
    "Яма на дороге у школы, машины бьют колёса",
    "Автобус 12 не ходит по расписанию, ждём по часу",
    "Нет отопления в квартире, батареи холодные",
]


def best_of(times: int, func) -> float:
    best = float("inf")
    for _ in range(times):
        started = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - started)
    return best


def model_load() -> dict:
    from curtool.io import modelfile

    seconds = best_of(5, modelfile.load_model)
    return {"seconds": round(seconds, 3), "limit_s": 1.0, "ok": seconds < 1.0}


def address_rate() -> dict:
    import pandas as pd

    from curtool.core import addresstext

    texts = [
        f"Здравствуйте! Уже месяц во дворе не вывозят мусор, контейнеры переполнены, "
        f"ул. Садовая, д. {k}. Звонили в управляющую компанию, там только обещают. {k}"
        for k in range(20_000)
    ] + [f"Нет света третий день, когда починят линию? Сообщение {k}" for k in range(20_000)]
    series = pd.Series(texts)
    addresstext.extract_addresses(series.iloc[:10])  # patterns compiled, caches warm
    seconds = best_of(1, lambda: addresstext.extract_addresses(series))
    rate = len(texts) / seconds
    return {"seconds": round(seconds, 2), "per_s": round(rate), "limit_per_s": 5_000, "ok": rate > 5_000}


def detect_encoding() -> dict:
    from curtool.io.encoding import detect_encoding as detect

    data = ("\n".join(f"{i};{TEXTS[i % 4]}" for i in range(200_000))).encode("koi8-r")
    where = Path("x.csv")
    assert detect(data, where) == "koi8-r"
    seconds = best_of(5, lambda: detect(data, where))
    mb = round(len(data) / 2**20, 1)
    return {"seconds": round(seconds, 3), "mb": mb, "limit_s": 0.5, "ok": seconds < 0.5}


def _wide_xlsx(path: Path, columns: int) -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["Номер", "Текст сообщения"] + [f"поле {i}" for i in range(columns - 2)])
    for r in range(1, 4):
        sheet.write_row(r, 0, [str(r), "Нет света"] + ["v"] * (columns - 2))
    book.close()
    return path


def wide_load(tmp: Path) -> dict:
    from curtool.io.loader import load

    timings = {}
    for columns in (2_000, 8_000):
        path = _wide_xlsx(tmp / f"wide{columns}.xlsx", columns)
        timings[columns] = best_of(1, lambda p=path: load([p]))
    ok = timings[8_000] < 9 * timings[2_000] + 0.5
    return {
        "seconds_2000": round(timings[2_000], 2),
        "seconds_8000": round(timings[8_000], 2),
        "ratio": round(timings[8_000] / timings[2_000], 1),
        "limit": "8000 < 9 × 2000 + 0.5 s",
        "ok": ok,
    }


def wide_refused(tmp: Path) -> dict:
    from typer.testing import CliRunner

    from curtool.app.cli import app

    columns, rows = 17_000, 5
    header = ["Номер", "Текст сообщения"] + [f"поле {i}" for i in range(columns - 2)]
    body = [[str(r), f"Нет света в доме {r}"] + ["v"] * (columns - 2) for r in range(1, rows + 1)]
    source = tmp / "wide.csv"
    source.write_text("\n".join(";".join(r) for r in [header, *body]) + "\n", encoding="utf-8")
    runner = CliRunner()
    started = time.perf_counter()
    result = runner.invoke(app, ["classify", str(source), "-o", str(tmp / "out.xlsx")])
    seconds = time.perf_counter() - started
    assert result.exit_code == 1, result.output
    return {"seconds": round(seconds, 2), "limit_s": 40, "ok": seconds < 40}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a figure misses its limit")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        figures = {
            "model_load": model_load(),
            "address_rate": address_rate(),
            "detect_encoding": detect_encoding(),
            "wide_load": wide_load(tmp),
            "wide_refused": wide_refused(tmp),
        }
    print(json.dumps(figures, ensure_ascii=False, indent=1))
    missed = [name for name, fig in figures.items() if not fig["ok"]]
    if missed:
        print(f"limits missed: {', '.join(missed)}", file=sys.stderr)
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
