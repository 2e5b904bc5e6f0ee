"""``python -m curtool.synthetic [--out data/samples] [--seed 2026]``: regenerate the samples."""

from __future__ import annotations

import argparse
from pathlib import Path

from curtool.synthetic import write_samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m curtool.synthetic", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("data/samples"))
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    for name, path in write_samples(args.out, seed=args.seed).items():
        print(f"{name}: {path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
