"""One benchmark stage in this process: ``python benchmarks/stages.py STAGE INPUT``.

Prints one JSON line of figures; benchmarks/run.py adds wall time and peak memory.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path


def timed(func):
    started = time.perf_counter()
    result = func()
    return result, round(time.perf_counter() - started, 2)


def load_stage(path: Path) -> dict:
    from curtool.io.loader import load

    data, seconds = timed(lambda: load([path]))
    return {"stage_wall_s": seconds, "messages": int((~data.frame["_duplicate"]).sum())}


def classify_model(path: Path) -> dict:
    from curtool.core.classify import classify
    from curtool.io.loader import load
    from curtool.io.modelfile import load_model

    data = load([path])
    model, load_s = timed(lambda: load_model(None))
    _, seconds = timed(lambda: classify(data.frame, model, use_given=False))
    return {"stage_wall_s": seconds, "model_load_s": load_s, "msgs_per_s": round(len(data.frame) / seconds)}


def cli(args: list[str]) -> dict:
    from typer.testing import CliRunner

    from curtool.app.cli import app

    result, seconds = timed(lambda: CliRunner().invoke(app, args, catch_exceptions=False))
    if result.exit_code != 0:
        raise SystemExit(f"curtool {' '.join(args)} failed: {result.output[-1000:]}")
    return {"stage_wall_s": seconds}


def classify_cli(path: Path, suffix: str, *extra: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        return cli(["classify", str(path), "-o", str(Path(tmp) / f"out{suffix}"), *extra])


def notebook_baseline(path: Path) -> dict:
    """What an analyst would write in a notebook, with pandas' and scikit-learn's defaults."""
    import numpy as np
    import pandas as pd
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    started = time.perf_counter()
    # the analyst looks at the file once and skips its title rows by hand
    top = pd.read_excel(path, header=None, nrows=6, engine="openpyxl")
    header_row = next(i for i, row in top.iterrows() if row.astype(str).str.contains("Текст").any())
    frame = pd.read_excel(path, header=header_row, engine="openpyxl")
    text_col = next(c for c in frame.columns if "Текст" in str(c))
    texts = frame[text_col].fillna("").astype(str)
    group = frame["Группа тем"].fillna("").astype(str)
    labelled = group != ""
    word = TfidfVectorizer(ngram_range=(1, 2), min_df=2)
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2)
    train_idx = np.flatnonzero(labelled.to_numpy())[:20_000]
    x_train = hstack(
        [word.fit_transform(texts.iloc[train_idx]), char.fit_transform(texts.iloc[train_idx])]
    ).tocsr()
    model = LogisticRegression(max_iter=200).fit(x_train, group.iloc[train_idx])
    predicted = []
    for start in range(0, len(texts), 50_000):
        chunk = texts.iloc[start : start + 50_000]
        x = hstack([word.transform(chunk), char.transform(chunk)]).tocsr()
        predicted.extend(model.predict(x))
    frame["sector"] = predicted
    with tempfile.TemporaryDirectory() as tmp:
        frame.to_excel(Path(tmp) / "out.xlsx", index=False)
    return {"stage_wall_s": round(time.perf_counter() - started, 2)}


def recurring_stage(path: Path) -> dict:
    from curtool.app.pipeline import classify_frame_detailed
    from curtool.core import columns as C
    from curtool.core.recurring import find_recurring
    from curtool.io.loader import load

    data = load([path]).drop_originals()  # as `curtool recurring` does
    # as the CLI: the classifier's sectors and kinds (its time is the classify stages')
    done, classify_s = timed(lambda: classify_frame_detailed(data.frame))
    # as the CLI: the evidence strings of a million rows need not stay
    table, vectors = done.table[[C.SECTOR, C.PROBLEM_KIND]], done.kind_vectors
    del done
    result, seconds = timed(
        lambda: find_recurring(
            data.frame, table[C.SECTOR], kinds=table[C.PROBLEM_KIND], kind_vectors=vectors
        )
    )
    return {"stage_wall_s": seconds, "problems": len(result.problems), "classify_s": classify_s}


def recurring_district_stage(path: Path) -> dict:
    """`recurring --district`: the region-wide run sliced, so the drill-down equals it."""
    from curtool.app.pipeline import classify_frame_detailed
    from curtool.core import columns as C
    from curtool.core.recurring import find_recurring
    from curtool.io.loader import load

    data = load([path]).drop_originals()
    done = classify_frame_detailed(data.frame)
    table = done.table
    district = data.frame[C.DISTRICT].value_counts().index[0]  # the busiest district
    result, seconds = timed(
        lambda: find_recurring(
            data.frame,
            table[C.SECTOR],
            district=district,
            kinds=table[C.PROBLEM_KIND],
            kind_vectors=done.kind_vectors,
        )
    )
    return {"stage_wall_s": seconds, "problems": len(result.problems)}


def report_stage(path: Path) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        return cli(["report", str(path), "-o", str(Path(tmp) / "r-{week}.xlsx"), "--quiet"])


def main() -> None:
    stage, path = sys.argv[1], Path(sys.argv[2])
    runners = {
        "load_csv": lambda: load_stage(path),
        "load_csv_trailing": lambda: load_stage(path),
        "load_csv_blank_lines": lambda: load_stage(path),
        "load_xlsx": lambda: load_stage(path),
        "classify_model": lambda: classify_model(path),
        "classify_cli": lambda: classify_cli(path, ".csv"),
        "classify_cli_all": lambda: classify_cli(path, ".csv", "--ignore-given"),
        "classify_cli_xlsx": lambda: classify_cli(path, ".xlsx"),
        "notebook_baseline": lambda: notebook_baseline(path),
        "recurring": lambda: recurring_stage(path),
        "recurring_district": lambda: recurring_district_stage(path),
        "report": lambda: report_stage(path),
    }
    print(json.dumps(runners[stage]()))


if __name__ == "__main__":
    main()
