"""Golden outputs of the README's commands on the bundled samples, as normalised digests.

A refactoring must not change what curtool writes.  This runs the README's commands
(inspect, classify to CSV and XLSX, recurring to JSON and XLSX, report to XLSX, evaluate)
in-process on ``data/samples`` and reduces each output to a stable text: the CSV as it
is, JSON with its run-time fields dropped, every workbook cell's value sheet by sheet.
``python scripts/golden.py --write`` records them in ``tests/data/golden/``;
``tests/test_golden.py`` recomputes and compares.  Times and the tool's version are
the only things left out.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
GOLDEN = ROOT / "tests" / "data" / "golden"
XLSX = SAMPLES / "incidents_adygea.xlsx"
CSV = SAMPLES / "pos_adygea.csv"
LABELLED = SAMPLES / "labelled" / "labelled_adygea.csv"

# what changes from run to run and says nothing about the result
_VOLATILE = re.compile(
    r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?([+-]\d\d:?\d\d|Z)?"  # timestamps
    r"|\d\d\.\d\d\.\d{4} \d\d:\d\d"  # «Сформирован 03.12.2026 07:21»
    r"|\b\d+(\.\d+)? ?(с|s|сек)\b"  # durations
    r"|curtool \d+\.\d+[.\w-]*"  # version
    r"|/tmp/[\w./-]+"
)


_WHOLE = 64_000  # larger outputs (the classified tables, the report workbook) are kept as digests


def _scrub(text: str) -> str:
    # the checkout's own folder is no part of the output: CI runs from another one
    return _VOLATILE.sub("·", text.replace(str(ROOT) + "/", "").replace(str(ROOT), "."))


def _workbook_text(path: Path) -> str:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=False)
    out: list[str] = []
    for sheet in book.worksheets:
        out.append(f"## {sheet.title}")
        for row in sheet.iter_rows(values_only=True):
            cells = ["" if v is None else str(v) for v in row]
            while cells and cells[-1] == "":
                cells.pop()
            out.append("\t".join(cells))
    return _scrub("\n".join(out)) + "\n"


def _json_text(path: Path) -> str:
    data = json.loads(path.read_text(encoding="utf-8"))
    return _scrub(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)) + "\n"


def commands(tmp: Path) -> dict[str, tuple[list[str], Path | None]]:
    """Each golden: the CLI arguments and the file whose content is compared (None: the console)."""
    x, c = str(XLSX), str(CSV)
    return {
        "inspect.txt": (["inspect", x, c], None),
        "classify.csv": (["classify", x, c, "-o", str(tmp / "classified.csv")], tmp / "classified.csv"),
        "classify.xlsx.txt": (
            ["classify", x, c, "-o", str(tmp / "classified.xlsx")],
            tmp / "classified.xlsx",
        ),
        "recurring.json": (
            [
                "recurring",
                x,
                c,
                "--district",
                "тахтамукайский р-н",
                "--top",
                "5",
                "--json",
                str(tmp / "p.json"),
                "-o",
                str(tmp / "p.xlsx"),
            ],
            tmp / "p.json",
        ),
        "recurring.xlsx.txt": (["recurring", x, c, "-o", str(tmp / "all.xlsx")], tmp / "all.xlsx"),
        "report.xlsx.txt": (
            ["report", x, c, "--week", "2026-W47", "-o", str(tmp / "r-{week}.xlsx")],
            tmp / "r-2026-W47.xlsx",
        ),
        "evaluate.json": (["evaluate", c, "--label-column", "Статус", "--json"], None),
        "evaluate-labelled.json": (["evaluate", str(LABELLED), "--label-column", "sector", "--json"], None),
    }


# a run whose console is a golden of its own, besides its file
CONSOLE_TOO = {"report.xlsx.txt": "report.console.txt"}


def produce() -> dict[str, str]:
    from typer.testing import CliRunner

    from curtool.app.cli import app

    runner = CliRunner()
    out: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for name, (args, path) in commands(tmp).items():
            # the console in its default language and width, whatever the caller's environment
            result = runner.invoke(
                app, args, catch_exceptions=False, env={"CURTOOL_LANG": "ru", "COLUMNS": None}
            )
            head = f"exit {result.exit_code}\n"
            if path is None:
                body = _scrub(result.output)
            elif path.suffix == ".json":
                body = _json_text(path)
            elif path.suffix == ".xlsx":
                body = _workbook_text(path)
            else:
                body = _scrub(path.read_text(encoding="utf-8-sig"))
            out[name] = head + body
            if name in CONSOLE_TOO:
                out[CONSOLE_TOO[name]] = head + _scrub(result.output)
    return out


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write(got: dict[str, str]) -> None:
    """Small outputs whole (a diff shows what changed), every output's digest in digests.json."""
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for old in GOLDEN.glob("*"):
        old.unlink()
    for name, text in got.items():
        if len(text) <= _WHOLE:
            (GOLDEN / name).write_text(text, encoding="utf-8")
    digests = {name: digest(text) for name, text in got.items()}
    (GOLDEN / "digests.json").write_text(
        json.dumps(digests, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )


def differing(got: dict[str, str]) -> list[str]:
    recorded = json.loads((GOLDEN / "digests.json").read_text(encoding="utf-8"))
    return sorted(n for n in set(got) | set(recorded) if recorded.get(n) != digest(got.get(n, "")))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="record the goldens instead of comparing")
    args = parser.parse_args()
    got = produce()
    if args.write:
        write(got)
        print(f"wrote {len(got)} goldens to {GOLDEN}")
        return 0
    bad = differing(got)
    for name in got:
        print(("DIFFERS " if name in bad else "same    ") + name, digest(got[name]))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
