"""Measure every stage at analyst-sized inputs; write the figures to benchmarks/RESULTS.md.

    python benchmarks/run.py                      # 100k and 1M rows, every stage
    python benchmarks/run.py --sizes 100000 --stages load_csv classify
    python benchmarks/run.py --sizes 1000000 --stages load_csv --repeat 3

With ``--repeat N`` each stage runs N times: the median wall time is reported, with
every run's time beside it, and the highest peak memory. Shared virtual machines are
noisy (the same stage varied by ±30% here), so a calibration (a fixed Python loop, a
NumPy sort and the first touch of 1 GiB of memory) is timed before and after the runs
and written with the figures: slow calibration means a slow machine, not slow code.

Each stage runs in its own process so its peak memory is its own (``ru_maxrss`` of
the child).  Generated inputs are cached in benchmarks/work/ (not committed).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / "work"
RESULTS_MD = ROOT / "benchmarks" / "RESULTS.md"
RESULTS_JSON = ROOT / "benchmarks" / "results.json"

# stage -> (input kind, limit in seconds at 1M rows or None, memory limit in GB or None, what it does)
STAGES: dict[str, tuple[str, float | None, float | None, str]] = {
    "load_csv": (
        "csv",
        10,
        3,
        "loader.load on a cp1251 `;` CSV: parse, normalise, dates, districts, duplicates",
    ),
    "load_csv_trailing": (
        "trailing.csv",
        10,
        3,
        "loader.load on the same CSV with a `;` ending every data line (not the header)",
    ),
    "load_csv_blank_lines": (
        "blank.csv",
        10,
        3,
        "loader.load on the same CSV with a blank line after every 1,000th record",
    ),
    "load_xlsx": ("xlsx", 30, None, "loader.load on an «Инцидент Менеджмент» XLSX with a title row"),
    "classify_model": ("csv", None, None, "the model stage alone on loaded messages (rows/s)"),
    "classify_cli": (
        "csv",
        90,
        4,
        "`curtool classify in.csv -o out.csv` end to end (rows with a known «Категория» are given)",
    ),
    "classify_cli_all": (
        "csv",
        90,
        4,
        "`curtool classify in.csv -o out.csv --ignore-given`: the model predicts every row",
    ),
    "notebook_baseline": (
        "xlsx",
        None,
        None,
        "the notebook way: read_excel, TF-IDF word+char_wb 2–5, LogisticRegression, to_excel",
    ),
    "classify_cli_xlsx": (
        "xlsx",
        None,
        None,
        "`curtool classify in.xlsx -o out.xlsx` end to end (to compare with the notebook way)",
    ),
    "recurring": (
        "csv",
        60,
        4,
        "recurring.find_recurring over all messages with the classifier's kinds (after loading, classifying)",
    ),
    "recurring_district": (
        "csv",
        300,
        6,
        "recurring.find_recurring(district=busiest): the region-wide run cut to one district",
    ),
    "report": ("csv", 120, 6, "`curtool report` end to end: load, classify, recurring, aggregate, workbook"),
}


# compared at 100k rows only unless named with --stages
SMALL_ONLY = {"notebook_baseline", "classify_cli_xlsx"}


def stage_input(kind: str, rows: int) -> Path:
    WORK.mkdir(parents=True, exist_ok=True)
    from curtool import synthetic

    path = WORK / f"messages-{rows}.{kind}"
    if not path.exists():
        started = time.perf_counter()
        if kind == "csv":
            synthetic.write_benchmark_csv(path, rows, seed=1)
        elif kind == "trailing.csv":
            _with_trailing_separator(stage_input("csv", rows), path)
        elif kind == "blank.csv":
            _with_blank_lines(stage_input("csv", rows), path)
        else:
            synthetic.write_benchmark_xlsx(path, rows, seed=1)
        print(f"  generated {path.name} in {time.perf_counter() - started:.1f} s", flush=True)
    return path


def _with_trailing_separator(source: Path, target: Path) -> None:
    """``source`` with the separator added at the end of every data record (quotes respected)."""
    import numpy as np

    data = source.read_bytes()
    ends = _record_ends(data)[1:]  # the header keeps its line as it was
    ends = ends - (np.frombuffer(data, dtype=np.uint8)[np.maximum(ends - 1, 0)] == 13)  # before "\r"
    _write_inserting(data, ends, b";", target)


def _with_blank_lines(source: Path, target: Path, every: int = 1000) -> None:
    """``source`` with an empty line after every ``every``-th data record (quotes respected)."""
    data = source.read_bytes()
    _write_inserting(data, _record_ends(data)[1::every] + 1, b"\r\n", target)


def _record_ends(data: bytes):
    """Byte offset of each record's closing line break, quoted line breaks skipped."""
    from curtool.io.csvrecords import scan_records

    return scan_records(data, ";").ends


def _write_inserting(data: bytes, positions, piece: bytes, target: Path) -> None:
    with target.open("wb") as out:
        start = 0
        for at in positions.tolist():
            out.write(data[start:at])
            out.write(piece)
            start = at
        out.write(data[start:])


def run_stage(stage: str, path: Path) -> dict[str, float]:
    """Run one stage in a child process; return wall seconds, peak RSS and the child's own figures."""
    cmd = [sys.executable, str(Path(__file__).parent / "stages.py"), stage, str(path)]
    started = time.perf_counter()
    # files, not pipes: a chatty child would fill a pipe and wait forever for us to read it
    with tempfile.TemporaryFile("w+") as out_file, tempfile.TemporaryFile("w+") as err_file:
        proc = subprocess.Popen(cmd, stdout=out_file, stderr=err_file, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        out_file.seek(0)
        err_file.seek(0)
        out, err = out_file.read(), err_file.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"stage {stage} failed:\n{err[-2000:]}")
    figures = json.loads(out.strip().splitlines()[-1]) if out.strip() else {}
    figures["process_wall_s"] = round(wall, 2)
    figures["peak_rss_gb"] = round(usage.ru_maxrss / 1024 / 1024, 2)  # GiB (ru_maxrss is KiB)
    return figures


def machine() -> str:
    import psutil

    cpu = platform.processor() or platform.machine()
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
        cpu = model
    except (OSError, StopIteration):
        pass
    return (
        f"{os.cpu_count()} cores ({cpu}), {psutil.virtual_memory().total / 2**30:.0f} GiB RAM, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--stages", nargs="+", choices=list(STAGES), help="default: every stage")
    parser.add_argument("--repeat", type=int, default=1, help="runs per stage; the median is reported")
    args = parser.parse_args()
    calibration = {"before": calibrate()}
    previous = json.loads(RESULTS_JSON.read_text()) if RESULTS_JSON.exists() else {"runs": {}}
    runs = previous.get("runs", {})
    for rows in args.sizes:
        for stage in args.stages or list(STAGES):
            if stage in SMALL_ONLY and rows > 100_000 and not args.stages:
                continue  # the notebook way needs an hour and most of the RAM at 1M rows
            kind = STAGES[stage][0]
            print(f"{stage} @ {rows:,} rows …", flush=True)
            path = stage_input(kind, rows)
            figures = repeat_stage(stage, path, args.repeat)
            figures["rows"] = rows
            figures["measured"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
            runs[f"{stage}@{rows}"] = figures
            print("  " + json.dumps(figures, ensure_ascii=False), flush=True)
            RESULTS_JSON.write_text(
                json.dumps(
                    {"machine": machine(), "calibration": previous.get("calibration", {}), "runs": runs},
                    indent=2,
                    ensure_ascii=False,
                )
            )
    calibration["after"] = calibrate()
    previous_calibration = previous.get("calibration", {})
    previous_calibration[datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")] = calibration
    RESULTS_JSON.write_text(
        json.dumps(
            {"machine": machine(), "calibration": previous_calibration, "runs": runs},
            indent=2,
            ensure_ascii=False,
        )
    )
    write_markdown(machine(), runs, previous_calibration)


def repeat_stage(stage: str, path: Path, times: int) -> dict[str, float]:
    results = [run_stage(stage, path) for _ in range(max(times, 1))]
    key = "stage_wall_s" if "stage_wall_s" in results[0] else "process_wall_s"
    walls = sorted(r[key] for r in results)
    figures = dict(sorted(results, key=lambda r: r[key])[len(results) // 2])  # the median run
    figures["peak_rss_gb"] = max(r["peak_rss_gb"] for r in results)
    if times > 1:
        figures["runs_s"] = ", ".join(f"{w:.1f}" for w in walls)
    return figures


def calibrate() -> dict[str, float]:
    """Seconds for fixed work: shows how fast this machine was while the figures were taken."""
    import numpy as np

    started = time.perf_counter()
    total = 0
    for i in range(5_000_000):
        total += i
    loop = time.perf_counter() - started
    values = np.random.default_rng(0).random(20_000_000)
    started = time.perf_counter()
    np.sort(values)
    sort = time.perf_counter() - started
    script = (
        "import numpy as np, time; t = time.perf_counter(); np.ones(1 << 30, np.uint8); "
        "print(time.perf_counter() - t)"
    )
    touch = float(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True).stdout)
    return {"python_loop_s": round(loop, 2), "numpy_sort_s": round(sort, 2), "touch_1gib_s": round(touch, 2)}


def write_markdown(machine_text: str, runs: dict[str, dict], calibration: dict[str, dict]) -> None:
    lines = [
        "# Benchmark results",
        "",
        "Produced by `python benchmarks/run.py` (see its docstring for options); raw figures in",
        "`benchmarks/results.json`. Each stage runs in its own process; peak memory is that",
        "process's maximum resident set size, in GiB (1 GiB = 1.074 GB; the targets are in GB).",
        "Inputs are generated by `curtool.synthetic`",
        "(ПОС-style cp1251 CSV, or «Инцидент Менеджмент»-style XLSX with a title row).",
        "",
        f"Machine: {machine_text}",
        "",
        "Calibration (fixed work, seconds; a quiet run of this machine: loop 0.15, sort 1.4,",
        "first touch of 1 GiB 0.45–2.0, which on this virtual machine is slow the first time",
        "memory is used):",
        "",
        *[
            f"- {when}: before {_calibration_text(c.get('before'))}; "
            f"after {_calibration_text(c.get('after'))}"
            for when, c in list(calibration.items())[-4:]
        ],
        "",
        "| stage | rows | wall, s | rows/s | peak memory, GiB | target at 1M | what is measured |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for key, fig in sorted(
        runs.items(), key=lambda kv: (list(STAGES).index(kv[0].split("@")[0]), kv[1]["rows"])
    ):
        stage = key.split("@")[0]
        _, limit_s, limit_gb, what = STAGES[stage]
        wall = fig.get("stage_wall_s", fig["process_wall_s"])
        rate = fig["rows"] / wall if wall else 0
        target = " / ".join(
            t
            for t in ((f"≤ {limit_s:g} s" if limit_s else ""), (f"≤ {limit_gb:g} GB" if limit_gb else ""))
            if t
        )
        extra = "; ".join(
            f"{k} {v}"
            for k, v in fig.items()
            if k not in {"rows", "measured", "process_wall_s", "peak_rss_gb", "stage_wall_s"}
        )
        note = f"{what}; {extra}" if extra else what
        lines.append(
            f"| {stage} | {fig['rows']:,} | {wall:.1f} | {rate:,.0f} | {fig['peak_rss_gb']:.2f} "
            f"| {target or '–'} | {note} |"
        )
    RESULTS_MD.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _calibration_text(figures: dict[str, float] | None) -> str:
    if not figures:
        return "–"
    return f"loop {figures['python_loop_s']}, sort {figures['numpy_sort_s']}, touch {figures['touch_1gib_s']}"


if __name__ == "__main__":
    main()
