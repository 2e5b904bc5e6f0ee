"""The small sample exports with their ground truth (see the package docstring for truth.json).

Everything is drawn from one ``random.Random(seed)`` in a fixed order, and no
value depends on the clock, so the same seed always gives the same files.
The content is built by :mod:`curtool.synthetic.builder`, written in the exports' layouts by
:mod:`curtool.synthetic.layouts`, and described by :mod:`curtool.synthetic.truth`.
"""

from __future__ import annotations

from pathlib import Path

from curtool.io.output import atomic_path
from curtool.synthetic.builder import CSV_NAME, XLSX_NAME, SampleBuilder
from curtool.synthetic.labelled import LABELLED_NAME, labelled_path, write_labelled
from curtool.synthetic.layouts import Writer, write_csv, write_xlsx
from curtool.synthetic.truth import dump_truth, truth_document, truth_message

TRUTH_NAME = "truth.json"
EXACT_DUPLICATE_SHARE = 0.015


def build(seed: int = 2026) -> tuple[list[list[object]], list[list[object]], dict]:
    """All rows of both files and the truth document, in memory."""
    builder = SampleBuilder(seed)
    builder.build()
    writer = Writer(builder)
    rng = writer.rng
    by_file = {
        f: sorted((m for m in builder.messages if m.file == f), key=lambda m: int(m.id))
        for f in (XLSX_NAME, CSV_NAME)
    }
    xlsx_msgs = by_file[XLSX_NAME]
    rows_x = [(m, writer.im_row(m)) for m in xlsx_msgs]
    # exact duplicate rows: the same export row again, somewhere later in the file
    sources = [rows_x[i] for i in rng.sample(range(len(rows_x)), round(len(rows_x) * EXACT_DUPLICATE_SHARE))]
    for m, values in sources:
        src = next(i for i, (other, _) in enumerate(rows_x) if other is m)
        rows_x.insert(rng.randint(src + 1, len(rows_x)), (m, list(values)))
    seen_rows: set[int] = set()
    truth_rows: list[dict] = []
    for row_no, (m, _values) in enumerate(rows_x, start=1):
        exact = id(m) in seen_rows
        seen_rows.add(id(m))
        truth_rows.append(truth_message(m, XLSX_NAME, row_no, exact))
    rows_c = [(m, writer.pos_row(m)) for m in by_file[CSV_NAME]]
    for row_no, (m, _values) in enumerate(rows_c, start=1):
        truth_rows.append(truth_message(m, CSV_NAME, row_no, False))
    truth = truth_document(builder, truth_rows)
    return [v for _, v in rows_x], [v for _, v in rows_c], truth


def sample_paths(folder: Path) -> dict[str, Path]:
    """Every file :func:`write_samples` writes into ``folder``, by name (known before writing)."""
    folder = Path(folder)
    return {
        XLSX_NAME: folder / XLSX_NAME,
        CSV_NAME: folder / CSV_NAME,
        TRUTH_NAME: folder / TRUTH_NAME,
        LABELLED_NAME: labelled_path(folder),
    }


def write_samples(folder: Path, seed: int = 2026) -> dict[str, Path]:
    """Write the sample XLSX, CSV, truth.json and the labelled sample into ``folder``; returns
    name -> path."""
    paths = sample_paths(folder)
    rows_x, rows_c, truth = build(seed)
    write_xlsx(rows_x, paths[XLSX_NAME])
    write_csv(rows_c, paths[CSV_NAME])
    with atomic_path(paths[TRUTH_NAME]) as tmp:
        tmp.write_text(dump_truth(truth), encoding="utf-8")
    write_labelled(paths[LABELLED_NAME], seed)
    return paths
