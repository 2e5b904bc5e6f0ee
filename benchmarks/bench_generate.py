"""Time bulk generation: ``python benchmarks/bench_generate.py [--rows 1000000] [--out DIR]``.

Prints seconds and peak RSS for ``generate_messages``, then (with ``--out``) for
writing the benchmark CSV and an XLSX of ``--xlsx-rows`` rows.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import psutil

from curtool.synthetic import generate_messages, write_benchmark_csv, write_benchmark_xlsx


def _rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None, help="also write files here")
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    args = parser.parse_args()

    start, before = time.perf_counter(), _rss_mb()
    frame = generate_messages(args.rows, seed=args.seed)
    took = time.perf_counter() - start
    mean_len = frame["Текст сообщения"].str.len().mean()
    print(f"generate_messages({args.rows:,}): {took:.1f} s, RSS {before:.0f} -> "
          f"{_rss_mb():.0f} MB, mean text {mean_len:.0f} chars, "
          f"{frame['Текст сообщения'].nunique():,} distinct texts")
    del frame
    if args.out is None:
        return
    args.out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    path = write_benchmark_csv(args.out / f"bench_{args.rows}.csv", args.rows, seed=args.seed)
    print(f"write_benchmark_csv: {time.perf_counter() - start:.1f} s, "
          f"{path.stat().st_size / 2**20:.0f} MB")
    start = time.perf_counter()
    path = write_benchmark_xlsx(args.out / f"bench_{args.xlsx_rows}.xlsx", args.xlsx_rows,
                                seed=args.seed)
    print(f"write_benchmark_xlsx({args.xlsx_rows:,}): {time.perf_counter() - start:.1f} s, "
          f"{path.stat().st_size / 2**20:.0f} MB")


if __name__ == "__main__":
    main()
