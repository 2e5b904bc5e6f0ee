"""Loaded-like frames for the report tests, built from short row dicts (no loader needed)."""

from __future__ import annotations

import pandas as pd

from curtool.core import columns as C

W47 = pd.Timestamp("2026-11-16")  # Monday of 2026-W47


def message_frame(rows: list[dict]) -> pd.DataFrame:
    """``_`` columns as the loader makes them; keys: id, text, district, created, answer,
    closed, status, source, url, issues, duplicate."""
    records = []
    for i, r in enumerate(rows):
        created = r.get("created")
        records.append(
            {
                C.ID: str(r.get("id", i + 1)),
                C.ROW: i + 1,
                C.FILE: "export.xlsx",
                C.TEXT: r.get("text", f"сообщение {i + 1}"),
                C.DISTRICT: r.get("district", "Абинский"),
                C.CREATED: pd.Timestamp(created) if created is not None else pd.NaT,
                C.FIRST_ANSWER: pd.Timestamp(r["answer"]) if r.get("answer") else pd.NaT,
                C.CLOSED: pd.Timestamp(r["closed"]) if r.get("closed") else pd.NaT,
                C.STATUS: r.get("status", ""),
                C.SOURCE: r.get("source", ""),
                C.URL: r.get("url", ""),
                C.ISSUES: r.get("issues", ""),
                C.DUPLICATE: r.get("duplicate", False),
            }
        )
    frame = pd.DataFrame(records)
    for col in (C.CREATED, C.FIRST_ANSWER, C.CLOSED):
        frame[col] = frame[col].astype("datetime64[ns]")
    return frame
