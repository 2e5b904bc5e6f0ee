"""How close the loader's duplicates are to a file's own mark of repeated messages.

Usage: python scripts/measure_duplicates.py EXPORT --truth COLUMN [--topic COLUMN]

``--truth`` names a column that is true on a row repeating an earlier one (e.g. the dev portal
file's ``repeat``); ``--topic`` maps a column as the export's topic.  Prints how many rows
the loader marks, precision and recall against the truth, and the misses and extras split by
whether the row has an address.  Reads the file only; writes nothing.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from curtool.core import columns as C
from curtool.io.loader import load


def main() -> None:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("export")
    parser.add_argument("--truth", required=True)
    parser.add_argument("--topic", default=None)
    args = parser.parse_args()
    start = time.perf_counter()
    frame = load([args.export], columns={"topic": args.topic} if args.topic else None).frame
    seconds = time.perf_counter() - start
    found = frame[C.DUPLICATE].to_numpy()
    truth = frame[args.truth].astype(str).str.strip().str.lower().isin(["true", "1", "да"]).to_numpy()
    both = int((found & truth).sum())
    print(f"rows {len(frame):,}, loaded in {seconds:.1f} s")
    print(f"duplicates {int(found.sum()):,} ({found.mean():.1%}); marked: {int(truth.sum()):,}")
    print(f"precision {both / max(found.sum(), 1):.3f}, recall {both / max(truth.sum(), 1):.3f}")
    placed = (frame[C.ADDRESS] != "").to_numpy()
    for name, mask in (("extra", found & ~truth), ("missed", ~found & truth)):
        print(f"{name}: {int(mask.sum())} ({int((mask & placed).sum())} with an address)")
    if np.any(found):
        print("e.g.", frame.loc[found, C.DUPLICATE_OF].iloc[0])


if __name__ == "__main__":
    main()
