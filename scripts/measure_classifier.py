"""Measure the classifier on the real development files (../shared/dev), never shipped.

Usage: python scripts/measure_classifier.py [--dev ../shared/dev] [--model PATH] [--json OUT]

Prints, for the Kursk regional file and the St Petersburg portal file: strict and
lenient accuracy, macro-F1, per-class F1, the share of messages without known words,
the expected calibration error of `sector_confidence` (10 equal-width bins), how many
rows fall under the review threshold and how right they are, and (when the model has
kinds) how often the problem kind agrees with the export's own topic through the
mapping of topic names to kinds in `kind_truth.py` beside this script.  The portal
file is also classified with its `reason` and its `category` offered as the export's
group (the category mapping of `curtool.core.categories`).

Only the category, reason and topic names of those files appear here (allowed for a
measuring script); their texts and addresses never leave the files.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from curtool.core import classify, columns, evaluate, model, text
from curtool.core.taxonomy import load_taxonomy
from curtool.io import modelfile

sys.path.insert(0, str(Path(__file__).parent))


def ece(confidence: np.ndarray, right: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: the mean |accuracy - confidence| over equal-width bins."""
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        m = which == b
        if m.any():
            total += m.sum() * abs(right[m].mean() - confidence[m].mean())
    return total / len(confidence)


def frame_of(texts: pd.Series, group: pd.Series | None = None) -> pd.DataFrame:
    data = {columns.TEXT: [text.clean_text(t) for t in texts.fillna("").astype(str)]}
    if group is not None:
        data[columns.GROUP] = group.fillna("").astype(str).tolist()
    return pd.DataFrame(data)


def measure(
    name: str, d: pd.DataFrame, m: model.SectorModel, group: str | None = None, topic: str | None = None
) -> dict:
    frame = frame_of(d["text"], d[group] if group else None)
    done = classify.classify_detailed(frame, m, use_given=group is not None)
    out, _ = done.table, done.categories
    pred = out[columns.SECTOR].to_numpy(dtype=object)
    truth = d["sector"].to_numpy(dtype=object)
    alt = d["alt_sector"].fillna("").to_numpy(dtype=object)
    right = pred == truth
    lenient = right | (pred == alt)
    ev = evaluate.evaluate(list(truth), list(pred))
    conf = out[columns.SECTOR_CONFIDENCE].to_numpy(dtype=float)
    review = out[columns.NEEDS_REVIEW].to_numpy(dtype=bool) if columns.NEEDS_REVIEW in out else conf < 0.5
    result = {
        "file": name,
        "group": group or "text only",
        "n": len(d),
        "accuracy": round(float(right.mean()), 4),
        "lenient": round(float(lenient.mean()), 4),
        "macro_f1": round(ev.macro_f1, 4),
        "no_known_words": round(float((out[columns.SECTOR_EVIDENCE] == "нет знакомых слов").mean()), 4),
        "ece_lenient": round(ece(conf, lenient), 4),
        "ece_strict": round(ece(conf, right), 4),
        "review_share": round(float(review.mean()), 4),
        "review_lenient": round(float(lenient[review].mean()), 4) if review.any() else None,
        "kept_lenient": round(float(lenient[~review].mean()), 4) if (~review).any() else None,
        "per_class_f1": {k: round(v, 3) for k, v in ev.per_class["f1"].items()},
    }
    if topic and columns.PROBLEM_KIND in out:
        from kind_truth import accepted_kinds, expected_kind

        want = d[topic].map(expected_kind)
        accepted = d[topic].map(accepted_kinds).tolist()
        known = want.notna().to_numpy()
        got = out[columns.PROBLEM_KIND].to_numpy(dtype=object)
        agree = got[known] == want[known].to_numpy(dtype=object)
        loose = np.array([g in a for g, a, k in zip(got, accepted, known, strict=True) if k])
        kconf = out[columns.PROBLEM_KIND_CONFIDENCE].to_numpy(dtype=float)[known]
        result["kind_mapped_share"] = round(float(known.mean()), 4)
        result["kind_agreement"] = round(float(agree.mean()), 4)
        result["kind_agreement_lenient"] = round(float(loose.mean()), 4)
        result["kind_ece"] = round(ece(kconf, loose), 4)
        blocks = out[columns.SECTOR].to_numpy(dtype=object)[known]
        of_block = {k.name: k.block for k in load_taxonomy().kinds}
        right_block = np.array([of_block.get(w) == b for w, b in zip(want[known], blocks, strict=True)])
        # how much of the disagreement is the block: within the right block, kinds agree this often
        result["kind_agreement_in_block"] = round(float(loose[right_block].mean()), 4)
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dev", type=Path, default=Path("../shared/dev"))
    p.add_argument("--model", type=Path, default=None)
    p.add_argument("--json", type=Path, default=None)
    args = p.parse_args(argv)
    m = modelfile.load_model(args.model)
    kursk = pd.read_csv(args.dev / "kursk_train_sectors.csv")
    spb = pd.read_csv(args.dev / "spb_dev.csv")
    spb = spb[~spb["repeat"].astype(bool)].reset_index(drop=True)
    results = [
        measure("kursk", kursk, m, topic="topic"),
        measure("spb", spb, m, topic="reason"),
        measure("spb", spb, m, group="reason", topic="reason"),
        measure("spb", spb, m, group="category", topic="reason"),
    ]
    for r in results:
        head = {k: v for k, v in r.items() if k != "per_class_f1"}
        print(json.dumps(head, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
