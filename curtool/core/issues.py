"""Row issues: the reason codes a row carries (``_issues``, joined by «;») — added, joined, counted.

A row problem never drops a row; it adds a code (``columns.ISSUE_DESCRIPTIONS``) that the
outputs show beside the row and the console counts.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from curtool.core import columns as C


def add_issue(frame: pd.DataFrame, mask: pd.Series | np.ndarray, code: str) -> None:
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return
    current = frame.loc[mask, C.ISSUES]
    frame.loc[mask, C.ISSUES] = current.where(current == "", current + ";") + code


def join_codes(parts: list[pd.Series]) -> pd.Series:
    joined = parts[0]
    for part in parts[1:]:
        joined = joined.where(part == "", joined.where(joined == "", joined + ";") + part)
    return joined.astype(object)


def count_codes(issues: pd.Series) -> dict[str, int]:
    """Rows per reason code; a row may carry several codes ("empty_text;ragged_row")."""
    counts: Counter[str] = Counter()
    for value, n in issues[issues != ""].value_counts().items():
        for code in str(value).split(";"):
            counts[code] += int(n)
    return dict(counts.most_common())
