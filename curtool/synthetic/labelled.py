"""The labelled sample: generated messages with their true block, to try ``train`` and ``evaluate``.

A few hundred messages of the bulk generator (:func:`curtool.synthetic.generate_messages`),
each with the block it was written for: ``id``, ``text``, ``sector``, in curtool's own CSV
(``;``, UTF-8 with a BOM).  It lives in a folder of its own, so that a glob over the sample
exports (``data/samples/*.csv``) does not read it as an export of messages.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

LABELLED_DIR = "labelled"
LABELLED_NAME = "labelled_adygea.csv"
LABELLED_ROWS = 400


def labelled_frame(seed: int = 2026, rows: int = LABELLED_ROWS) -> pd.DataFrame:
    """The labelled messages: the same ``seed`` gives the same rows."""
    from curtool.synthetic.bulk import generate_messages

    # a seed of its own, so the labelled messages are not the bulk data of the same seed
    made = generate_messages(rows, seed=seed + 16, truth=True)
    return pd.DataFrame(
        {
            "id": [str(i) for i in range(1, len(made) + 1)],
            "text": made["Текст сообщения"].astype(str).to_numpy(),
            "sector": made["true_sector"].astype(str).to_numpy(),
        }
    )


def labelled_path(folder: Path) -> Path:
    return Path(folder) / LABELLED_DIR / LABELLED_NAME


def write_labelled(path: Path, seed: int = 2026) -> Path:
    """Write the labelled sample to ``path`` (atomically, in curtool's default CSV dialect)."""
    from curtool.io.output import write_table

    path.parent.mkdir(parents=True, exist_ok=True)
    write_table(labelled_frame(seed), path, dialect="excel-ru")
    return path
