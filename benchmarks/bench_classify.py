"""Sector classification speed: curtool's model stage and end-to-end against the notebook way.

Usage: python benchmarks/bench_classify.py [--rows 200000] [--e2e-rows 20000] [--skip-e2e]

Prints one JSON object:
- ``model_stage``: ``classify()`` over messages of 200–400 characters (rows/s,
  wall seconds, peak RSS), in one process and with both cores;
- ``end_to_end``: read an .xlsx export → classify → write .xlsx, for curtool
  (calamine reader, shipped model, xlsxwriter) and for the notebook way
  (``pd.read_excel`` default engine, TF-IDF word + char_wb 2–5-grams,
  LogisticRegression trained on labelled messages, ``to_excel``).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psutil

from curtool.core import classify, columns, seedcorpus
from curtool.core.text import clean_series
from curtool.io import modelfile, output


class PeakRss:
    """Peak resident memory of this process and its children, sampled every 20 ms."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        proc = psutil.Process()
        total = proc.memory_info().rss
        for child in proc.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:
                pass
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            time.sleep(0.02)

    def __enter__(self) -> PeakRss:
        self.peak = self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def mb(self) -> float:
        return round(self.peak / 2**20, 1)


def messages(n: int, seed: int) -> pd.DataFrame:
    """``n`` generated messages of 200–400 characters with their true sector."""
    try:
        from curtool.synthetic.bulk import generate_messages
    except ImportError:  # the sample generator is optional for this benchmark
        generate_messages = None
    frames, got, s = [], 0, seed
    while got < n:
        if generate_messages is not None:
            f = generate_messages(max(n, 20_000) * 2, seed=s, truth=True)
            text = clean_series(f["Текст сообщения"])
            part = pd.DataFrame({"text": text, "sector": f["true_sector"]})
        else:
            part = _fallback(max(n, 20_000) * 2, s)
        lengths = part["text"].str.len()
        part = part[(lengths >= 200) & (lengths <= 400)]
        frames.append(part)
        got += len(part)
        s += 1
    return pd.concat(frames, ignore_index=True).iloc[:n].reset_index(drop=True)


def _fallback(n: int, seed: int) -> pd.DataFrame:
    """Realistic-length texts from the seed corpus when curtool.synthetic is absent."""
    texts, labels = seedcorpus.seed_corpus(per_block=max(n // 12, 50), seed=seed)
    rng = np.random.default_rng(seed)
    joined = [" ".join(rng.choice(texts, 3)) for _ in range(n)]
    return pd.DataFrame({"text": joined, "sector": rng.choice(labels, n)})


def model_stage(frame: pd.DataFrame, n_jobs: int) -> dict[str, object]:
    data = pd.DataFrame({columns.CLEAN: frame["text"].tolist()})
    model = modelfile.default_model()
    classify.classify(data.iloc[:2000], model, n_jobs=1)  # warm the lemma cache like a running service
    with PeakRss() as rss:
        started = time.perf_counter()
        result = classify.classify(data, model, use_given=False, n_jobs=n_jobs)
        wall = time.perf_counter() - started
    accuracy = float(np.mean(result[columns.SECTOR].to_numpy() == frame["sector"].to_numpy()))
    return {
        "rows": len(frame),
        "n_jobs": n_jobs,
        "wall_s": round(wall, 2),
        "rows_per_s": round(len(frame) / wall),
        "peak_rss_mb": rss.mb,
        "accuracy_vs_generator_truth": round(accuracy, 4),
    }


def write_export(frame: pd.DataFrame, path: Path) -> None:
    export = pd.DataFrame(
        {"ID": np.arange(1, len(frame) + 1), "Текст инцидента": frame["text"], "Группа тем": ""}
    )
    output.write_table(export, path, sheet_name="export")


def curtool_e2e(path: Path, out: Path) -> dict[str, object]:
    with PeakRss() as rss:
        started = time.perf_counter()
        raw = pd.read_excel(path, engine="calamine", dtype=str)
        frame = pd.DataFrame({columns.CLEAN: clean_series(raw["Текст инцидента"])}, index=raw.index)
        result = classify.classify(frame, modelfile.default_model(), use_given=False)
        output.write_table(pd.concat([raw, result], axis=1), out)
        wall = time.perf_counter() - started
    return {"wall_s": round(wall, 2), "rows_per_s": round(len(raw) / wall), "peak_rss_mb": rss.mb}


def notebook_e2e(path: Path, out: Path, train: pd.DataFrame) -> dict[str, object]:
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    with PeakRss() as rss:
        started = time.perf_counter()
        raw = pd.read_excel(path, engine="openpyxl")  # the default engine in pandas ≤ 3.x
        word = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True)
        x_train = hstack([word.fit_transform(train["text"]), char.fit_transform(train["text"])]).tocsr()
        clf = LogisticRegression(max_iter=1000).fit(x_train, train["sector"])
        texts = raw["Текст инцидента"].fillna("").astype(str)
        x = hstack([word.transform(texts), char.transform(texts)]).tocsr()
        raw["sector"] = clf.predict(x)
        raw.to_excel(out, index=False)
        wall = time.perf_counter() - started
    return {"wall_s": round(wall, 2), "rows_per_s": round(len(raw) / wall), "peak_rss_mb": rss.mb}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000, help="messages for the model stage")
    parser.add_argument("--e2e-rows", type=int, default=20_000, help="rows in the .xlsx export")
    parser.add_argument("--train-rows", type=int, default=5_000, help="notebook training messages")
    parser.add_argument("--skip-e2e", action="store_true")
    args = parser.parse_args()

    started = time.perf_counter()
    loaded = modelfile.load_model()
    result: dict[str, object] = {
        "cpu_count": os.cpu_count(),
        "model_load_s": round(time.perf_counter() - started, 3),
        "model_features": len(loaded.vocabulary),
    }
    data = messages(args.rows, seed=11)
    result["model_stage"] = [model_stage(data, 1), model_stage(data, os.cpu_count() or 1)]
    if not args.skip_e2e:
        export_rows = messages(args.e2e_rows, seed=101)
        train = messages(args.train_rows, seed=202)
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "export.xlsx"
            write_export(export_rows, src)
            ours = curtool_e2e(src, Path(tmp) / "curtool.xlsx")
            theirs = notebook_e2e(src, Path(tmp) / "notebook.xlsx", train)
        result["end_to_end"] = {
            "rows": args.e2e_rows,
            "curtool": ours,
            "notebook": theirs,
            "speedup": round(theirs["wall_s"] / ours["wall_s"], 1),
        }
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
