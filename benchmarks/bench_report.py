"""Benchmark: the weekly report over 1,000,000 messages spanning ten weeks.

Target: at most 120 s and 6 GB peak for analysis + workbook (the «Сообщения»
sheet holds one week, about 100k rows).  Prints one JSON object.

    /work/venv/bin/python benchmarks/bench_report.py [--rows 1000000] [--mask-pii]
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import psutil

from curtool.core import columns as C
from curtool.core.report import build_report
from curtool.io.reportbook import write_report

START = pd.Timestamp("2026-09-14")  # Monday of 2026-W38; ten weeks run to 2026-W47
TODAY = date(2026, 11, 24)
WORDS = (
    "во дворе дома нет горячей воды уже неделю управляющая компания не отвечает на звонки "
    "на дороге яма автобус не пришёл в школу детский сад поликлиника запись к врачу невозможна "
    "свалка мусора у остановки не вывозят контейнеры освещение не работает на улице тротуар"
).split()


class PeakRss:
    """Samples the process RSS with psutil every 50 ms; ``peak`` in bytes."""

    def __init__(self) -> None:
        self.process = psutil.Process()
        self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def generate(n: int, seed: int, own: bool = False) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """A loaded frame of ``n`` messages over ten weeks, a random classification, and its origin.

    The project's generator and loader when both exist (a ПОС-layout CSV read by
    ``loader.load``, so the frame is exactly what the CLI would hand over); else
    a frame built here with the ``_`` columns directly.
    """
    rng = np.random.default_rng(seed)
    if not own:
        try:
            from curtool.io.loader import load
            from curtool.synthetic import write_benchmark_csv
        except ImportError:
            pass
        else:
            with tempfile.TemporaryDirectory() as tmp:
                path = write_benchmark_csv(Path(tmp) / "bench.csv", n, seed)
                # the generator writes cp1251 with ";" (given, so detection is not what is measured)
                frame = load([path], separator=";", encoding="cp1251").frame
            sector = rng.choice(np.array(C.SECTORS, dtype=object), len(frame))
            classified = pd.DataFrame(
                {C.SECTOR: sector, C.SECTOR_CONFIDENCE: rng.random(len(frame))}, index=frame.index
            )
            return frame, classified, "curtool.synthetic + loader"
    return (*_own_frame(n, rng), "own generator")


def _own_frame(n: int, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    districts = np.array([f"Район {i:02d}" for i in range(44)] + [""], dtype=object)
    created = START + pd.to_timedelta(rng.integers(0, 70 * 24 * 3600, n), unit="s")
    answer = created + pd.to_timedelta(rng.exponential(8 * 3600, n).astype("int64"), unit="s")
    closed = created + pd.to_timedelta(rng.exponential(90 * 3600, n).astype("int64"), unit="s")
    answered = rng.random(n) < 0.92
    is_closed = rng.random(n) < 0.8
    pool = np.array([" ".join(rng.choice(WORDS, rng.integers(25, 45))) for _ in range(20_000)], dtype=object)
    text = pool[rng.integers(0, len(pool), n)] + " №" + np.arange(n).astype(str).astype(object)
    hosts = np.array(
        ["https://vk.com/wall-1_", "https://ok.ru/group/5/topic/", "https://t.me/news/", ""],
        dtype=object,
    )
    url = hosts[rng.integers(0, 4, n)]
    url = np.where(url != "", url + np.arange(n).astype(str).astype(object), "")
    issues = np.where(rng.random(n) < 0.01, C.ISSUE_UNKNOWN_DISTRICT, "")
    frame = pd.DataFrame(
        {
            C.ID: np.arange(1, n + 1).astype(str),
            C.ROW: np.arange(1, n + 1),
            C.FILE: "export.csv",
            C.TEXT: text,
            C.CLEAN: text,
            C.DISTRICT: districts[rng.integers(0, len(districts), n)],
            C.CREATED: created,
            C.FIRST_ANSWER: pd.Series(answer).where(answered),
            C.CLOSED: pd.Series(closed).where(is_closed),
            C.STATUS: np.array(["Решено", "Отказ", "Разъяснено"], dtype=object)[rng.integers(0, 3, n)],
            C.SOURCE: np.array(["ВКонтакте", "Одноклассники", "Telegram", "ПОС"], dtype=object)[
                rng.integers(0, 4, n)
            ],
            C.URL: url,
            C.ISSUES: issues,
            C.DUPLICATE: rng.random(n) < 0.01,
        }
    )
    sector = rng.choice(np.array(C.SECTORS, dtype=object), n)
    classified = pd.DataFrame({C.SECTOR: sector, C.SECTOR_CONFIDENCE: rng.random(n)}, index=frame.index)
    return frame, classified


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--mask-pii", action="store_true")
    parser.add_argument("--keep", type=Path, default=None, help="keep the workbook here")
    parser.add_argument("--own", action="store_true", help="build the frame here, not via the loader")
    args = parser.parse_args()

    t0 = time.perf_counter()
    frame, classified, origin = generate(args.rows, args.seed, args.own)
    t_generate = time.perf_counter() - t0
    rss_data = psutil.Process().memory_info().rss
    with PeakRss() as peak, tempfile.TemporaryDirectory() as tmp:
        t1 = time.perf_counter()
        report = build_report(frame, classified, today=TODAY, mask_pii=args.mask_pii)
        t_build = time.perf_counter() - t1
        path = args.keep or Path(tmp) / "report.xlsx"
        t2 = time.perf_counter()
        write_report(report, path)
        t_write = time.perf_counter() - t2
        size = path.stat().st_size
    figures = {
        "rows": len(frame),
        "data": origin,
        "week": report.week,
        "week_messages": len(report.messages),
        "surges": len(report.surges),
        "mask_pii": args.mask_pii,
        "generate_and_load_s": round(t_generate, 2),
        "build_report_s": round(t_build, 2),
        "write_workbook_s": round(t_write, 2),
        "report_total_s": round(t_build + t_write, 2),
        "rss_after_data_mb": round(rss_data / 2**20),
        "peak_rss_mb": round(peak.peak / 2**20),
        "peak_rss_maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "workbook_mb": round(size / 2**20, 1),
        "limits": {"report_total_s": 120, "peak_rss_mb": 6144},
    }
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
