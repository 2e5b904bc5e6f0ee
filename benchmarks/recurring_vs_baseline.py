"""curtool's recurring problems against a 40-line baseline, on the city portal's dev file.

    python benchmarks/recurring_vs_baseline.py [--dev ../shared/dev]

The baseline is the one `../shared/dev/README.md` describes: one place per message (the
address; without one, coordinates rounded to 3 decimals), character 3–5-gram TF-IDF
cosine ≥ 0.15 between messages of one district and place, connected components, kept
when ≥ 3 messages over ≥ 2 ISO weeks.  Both runs see only id, district, date, text,
address and coordinates (then again with the portal's reason offered as the export's
topic); both results are scored by the dev folder's `score_recurring.py` and printed
side by side.  Nothing of the dev file is kept.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import TfidfVectorizer

COLUMNS = {"text": "text", "id": "id", "district": "district", "created": "created",
           "address": "address", "lat": "lat", "lon": "lon"}  # fmt: skip


def baseline(frame: pd.DataFrame) -> list[dict]:
    """The 40-line baseline, as the dev README describes it."""
    lat = pd.to_numeric(frame["lat"], errors="coerce").round(3).astype(str)
    lon = pd.to_numeric(frame["lon"], errors="coerce").round(3).astype(str)
    address = frame["address"].fillna("").astype(str)
    place = np.where(address != "", address, "geo:" + lat + ":" + lon)
    key = frame["district"].astype(str) + "|" + place
    tfidf = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    x = tfidf.fit_transform(frame["text"].fillna("").str.lower())
    week = pd.to_datetime(frame["created"]).dt.strftime("%G-%V").to_numpy()
    ids = frame["id"].astype(str).to_numpy()
    problems = []
    for rows in pd.Series(np.arange(len(frame))).groupby(key.to_numpy()).agg(list):
        if len(rows) < 3:
            continue
        rows = np.asarray(rows)
        sim = (x[rows] @ x[rows].T).toarray() >= 0.15
        n, label = connected_components(sparse.csr_matrix(sim), directed=False)
        for c in range(n):
            members = rows[label == c]
            if len(members) >= 3 and len(set(week[members])) >= 2:
                problems.append({"message_ids": ids[members].tolist()})
    return problems


def curtool_run(path: Path, topic: bool) -> tuple[list[dict], float]:
    from curtool.app.pipeline import classify_frame_detailed
    from curtool.core import columns as C
    from curtool.core.recurring import find_recurring
    from curtool.io.loader import load

    columns = dict(COLUMNS, **({"topic": "reason"} if topic else {}))
    started = time.perf_counter()
    data = load([path], columns=columns)
    data.drop_originals()
    done = classify_frame_detailed(data.frame)
    table = done.table
    result = find_recurring(
        data.frame, table[C.SECTOR], kinds=table[C.PROBLEM_KIND], kind_vectors=done.kind_vectors
    )
    problems = json.loads(json.dumps(result.to_json_dict(), default=str))["problems"]
    return problems, time.perf_counter() - started


def score(problems: list[dict], dev: Path) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "r.json"
        out.write_text(json.dumps({"problems": problems}), encoding="utf-8")
        done = subprocess.run(
            [sys.executable, str(dev / "score_recurring.py"), str(out), str(dev / "spb_dev.csv")],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    return done.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dev", type=Path, default=Path("../shared/dev"))
    args = p.parse_args(argv)
    path = args.dev / "spb_dev.csv"
    frame = pd.read_csv(path, dtype={"id": str}, keep_default_na=False)
    started = time.perf_counter()
    base = baseline(frame)
    base_s = time.perf_counter() - started
    print(f"baseline (text only)        {score(base, args.dev)}  [{base_s:.1f} s]")
    for topic in (False, True):
        problems, seconds = curtool_run(path, topic)
        what = "with reason as topic" if topic else "text only"
        # district-wide waves (systemic problems over many places) are no problem *at a place*,
        # which is all the truth knows: scored apart as well
        place = [q for q in problems if not (q["systemic"] and "; " in q["place"])]
        print(f"curtool ({what:20}) {score(problems, args.dev)}  [{seconds:.1f} s]")
        print(f"  without district-wide waves {score(place, args.dev)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
