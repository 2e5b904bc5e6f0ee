"""The archive and the distributed engine at federal sizes: time and memory of every process.

    python benchmarks/bench_archive.py                         # 1M, 3M and 10M
    python benchmarks/bench_archive.py --sizes 1000000 --memory  # also the in-memory report of 1M

What is measured, for each size N (generated messages, ~100,000 a week, so N/100,000 weeks:
an archive grows in time, a week's volume stays a region's):

1. ``curtool archive`` of the exports, one ПОС-style cp1251 CSV of 1M rows (10 weeks) after
   another, as monthly exports arrive: wall time and the peak memory of the process;
2. ``curtool report ARCHIVE --engine dask --workers 2`` (a local cluster on this machine's
   two cores): wall time, the peak memory of each process (the client, the scheduler's and
   workers' processes) sampled every 0.2 s, and the peak of their sum;
3. with ``--memory``, for comparison, ``curtool report EXPORTS`` in memory on the same files.

The generated messages come from ``curtool.synthetic.bulk`` with one change: a federal
archive holds many regions, so each message's district (one of the generator's 9) is also
given one of 25 regions (225 districts; the largest gets about 14,000 messages in 10 weeks),
and the district is written «Округ NNNN». Without it 10M messages would be 9 districts
of over a million messages each, which no region has; a district is the engine's unit
of work, and the largest one bounds a worker's memory.

Figures go to benchmarks/ARCHIVE.md and benchmarks/archive.json; inputs are cached in
benchmarks/work/archive/ (not committed).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / "work" / "archive"
RESULTS_MD = ROOT / "benchmarks" / "ARCHIVE.md"
RESULTS_JSON = ROOT / "benchmarks" / "archive.json"
CHUNK = 1_000_000  # rows per export file (10 weeks)
WEEKS_PER_CHUNK = 10
REGIONS = 25  # × the generator's 9 districts: 225 districts, the largest ~14,000 messages per 10 weeks
END_WEEK = "2026-W47"


def exports(n: int) -> list[Path]:
    """``n`` generated messages as CSV exports of ``CHUNK`` rows, oldest first (cached)."""
    from curtool.core.districts import canonical_names
    from curtool.core.weeks import shift_week
    from curtool.synthetic.bulk import generate_messages

    chunks = max(1, n // CHUNK)
    folder = WORK / f"{n}"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(chunks):
        path = folder / f"export-{i:03d}.csv"
        paths.append(path)
        if path.exists():
            continue
        rows = min(CHUNK, n - i * CHUNK)
        end = shift_week(END_WEEK, -WEEKS_PER_CHUNK * (chunks - 1 - i))
        frame = generate_messages(rows, seed=1000 + i, weeks=WEEKS_PER_CHUNK, end_week=end)
        # ids unique over the archive: the same id twice would be one message sent twice
        frame["Номер сообщения"] = (10**9 * (i + 1) + np.arange(rows)).astype(str)
        written = frame["Муниципальное образование"].astype(str)
        mapping, _ = canonical_names(sorted(set(written)))
        canon = sorted(set(mapping.values()))
        district = written.map(mapping).map({c: k for k, c in enumerate(canon)}).fillna(0).astype(int)
        region = np.random.default_rng(i).integers(0, REGIONS, rows)
        names = [f"Округ {r * 9 + d:04d}" for r, d in zip(region, district, strict=True)]
        frame["Муниципальное образование"] = names
        tmp = path.with_suffix(".tmp")
        frame.to_csv(tmp, sep=";", index=False, encoding="cp1251", float_format="%.6f", lineterminator="\r\n")
        tmp.replace(path)
    return paths


def measure(command: list[str]) -> dict[str, float]:
    """Wall time and memory of a command and every process it starts (psutil, every 0.2 s)."""
    import psutil

    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    root = psutil.Process(process.pid)
    peak: dict[int, int] = {}
    peak_sum = 0
    while process.poll() is None:
        try:
            procs = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        total = 0
        for p in procs:
            try:
                rss = p.memory_info().rss
            except psutil.NoSuchProcess:
                continue
            total += rss
            peak[p.pid] = max(peak.get(p.pid, 0), rss)
        peak_sum = max(peak_sum, total)
        time.sleep(0.2)
    wall = time.monotonic() - started
    err = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
    if process.returncode not in (0, 3):
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}): {err[-2000:]}")
    gib = 1024**3
    return {
        "seconds": round(wall, 1),
        "peak_process_gib": round(max(peak.values(), default=0) / gib, 2),
        "peak_client_gib": round(peak.get(process.pid, 0) / gib, 2),
        "peak_sum_gib": round(peak_sum / gib, 2),
        "processes": len(peak),
    }


def run(n: int, memory: bool) -> list[dict[str, object]]:
    curtool = str(Path(sys.executable).with_name("curtool"))
    files = exports(n)
    archive = WORK / f"{n}.archive"
    shutil.rmtree(archive, ignore_errors=True)
    rows: list[dict[str, object]] = []
    loads = []
    for path in files:
        loads.append(measure([curtool, "archive", str(path), "-o", str(archive)]))
    rows.append(
        {
            "stage": "archive",
            "rows": n,
            "seconds": round(sum(x["seconds"] for x in loads), 1),
            "peak_process_gib": max(x["peak_process_gib"] for x in loads),
            "peak_sum_gib": max(x["peak_sum_gib"] for x in loads),
            "what": f"`curtool archive` of {len(files)} export(s) of ≤ 1M rows, one after another",
        }
    )
    out = WORK / f"{n}.report.xlsx"
    week = ["--week", END_WEEK, "--today", "2026-12-01", "--quiet"]
    engine = ["--engine", "dask", "--workers", "2"]
    dask = measure([curtool, "report", str(archive), "-o", str(out), *engine, *week])
    what = "`curtool report ARCHIVE --engine dask --workers 2`: local cluster, 2 worker processes"
    rows.append({"stage": "report_dask", "rows": n, **dask, "what": what})
    if memory:
        out_m = WORK / f"{n}.report-memory.xlsx"
        mem = measure([curtool, "report", *map(str, files), "-o", str(out_m), *week])
        what = "`curtool report EXPORTS` in memory, the same files"
        rows.append({"stage": "report_memory", "rows": n, **mem, "what": what})
    return rows


def write(results: list[dict[str, object]], command: str) -> None:
    old = json.loads(RESULTS_JSON.read_text("utf-8")) if RESULTS_JSON.exists() else []
    keep = [r for r in old if (r["stage"], r["rows"]) not in {(x["stage"], x["rows"]) for x in results}]
    allrows = sorted(keep + results, key=lambda r: (r["rows"], str(r["stage"])))
    RESULTS_JSON.write_text(json.dumps(allrows, ensure_ascii=False, indent=1), "utf-8")
    lines = [
        "# The archive and the distributed engine: figures",
        "",
        "Produced by `python benchmarks/bench_archive.py` (see its docstring); raw figures in",
        "`benchmarks/archive.json`. Peak memory is sampled every 0.2 s over the command's process and",
        "every process it starts (the Dask scheduler, nannies and workers), in GiB (1 GiB = 1.074 GB).",
        "",
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}.",
        f"Last run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, `{command}`.",
        "",
        "| stage | rows | wall, s | peak of one process, GiB | peak of all, GiB | what |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for r in allrows:
        lines.append(
            f"| {r['stage']} | {int(r['rows']):,} | {r['seconds']} | {r['peak_process_gib']} | "
            f"{r['peak_sum_gib']} | {r['what']} |"
        )
    RESULTS_MD.write_text("\n".join(lines) + "\n", "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 3_000_000, 10_000_000])
    parser.add_argument("--memory", action="store_true", help="also the in-memory report (1M: ~2 min)")
    args = parser.parse_args()
    results: list[dict[str, object]] = []
    for n in args.sizes:
        got = run(n, args.memory)
        for r in got:
            print(json.dumps(r, ensure_ascii=False), flush=True)
        results.extend(got)
        write(results, "python benchmarks/bench_archive.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
