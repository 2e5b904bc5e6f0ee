"""Rebuild the shipped sector model (curtool/data/default_model.npz) from the repo alone.

Usage: python scripts/build_model.py [--out PATH] [--check]

The model is trained on curtool's own seed corpus (curtool/data/seed/) and the
taxonomy cues; the composer and the training are deterministic, so the output
is identical on every run.  ``--check`` rebuilds into memory and exits 1 when
the shipped file differs (for CI).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path

from curtool.io import modelfile
from curtool.synthetic import default_model


def digest(path: Path) -> str:
    """A hash of the model's content (arrays and header), independent of zip timestamps."""
    import numpy as np

    h = hashlib.sha256()
    with np.load(path, allow_pickle=False) as archive:
        for name in sorted(archive.files):
            h.update(name.encode())
            h.update(np.ascontiguousarray(archive[name]).tobytes())
    return h.hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=modelfile.DEFAULT_PATH)
    parser.add_argument("--check", action="store_true", help="compare with the shipped model")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    built = default_model.build_default()
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            fresh = modelfile.save_model(built, Path(tmp) / "model.npz")
            same = digest(fresh) == digest(modelfile.DEFAULT_PATH)
        print(json.dumps({"identical": same}))
        return 0 if same else 1
    modelfile.save_model(built, args.out)
    print(
        json.dumps(
            {
                "path": str(args.out),
                "labels": len(built.labels),
                "features": len(built.vocabulary),
                "bytes": args.out.stat().st_size,
                "sha256_content": digest(args.out),
                "seconds": round(time.perf_counter() - started, 2),
                "training": built.meta.get("training", {}),
            },
            ensure_ascii=False,
            indent=1,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
