"""Duplicates in the weekly report's «Отклонено», and on the real portal file (skipped without it)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from curtool.core import columns as C
from curtool.core.duplicates import POINT_TOLERANCE_M
from curtool.core.report import REASONS, build_report
from curtool.io.loader import load


def test_the_rejected_sheet_names_the_row_a_duplicate_repeats(tmp_path):
    path = tmp_path / "week.csv"
    path.write_text(
        "Номер;Дата создания;Муниципалитет;Текст сообщения\n"
        "1;16.11.2026 10:00;г. Майкоп;Нет воды\n"
        "2;17.11.2026 10:00;г. Майкоп;Нет света\n"
        "1;16.11.2026 10:00;г. Майкоп;Нет воды\n",
        encoding="utf-8",
    )
    frame = load([path]).frame
    classified = pd.DataFrame({C.SECTOR: "ЖКХ", C.SECTOR_CONFIDENCE: 1.0}, index=frame.index)
    report = build_report(frame, classified, week="2026-W47", today=date(2026, 11, 30))
    assert report.rejected[REASONS].tolist() == [
        "повтор сообщения, уже учтённого выше (повтор: week.csv, строка 1, id 1)"
    ]


@pytest.fixture(scope="module")
def spb(spb_loaded) -> pd.DataFrame:
    """load([SPB]).frame, loaded once per session (tests/conftest.py); skipped without the file."""
    return spb_loaded.frame


@pytest.mark.slow
def test_portal_duplicates_are_its_resent_messages(spb):
    """The file marks 344 rows (3.2 %) that repeat another's place, reason, day and text.

    Our rule does not know the portal's reason and reads «the same day» and «the same place»
    its own way, so the sets differ at the edges; the bands below are wide enough for that and
    narrow enough to catch a rule that drops messages at other places (the old rule flagged
    1,684 rows, precision 0.20) or one that finds no re-sends.
    """
    duplicate = spb[C.DUPLICATE].to_numpy()
    repeat = spb["repeat"].astype(str).eq("True").to_numpy()
    assert 0.5 * repeat.sum() <= duplicate.sum() <= 1.5 * repeat.sum()
    found = (duplicate & repeat).sum()
    assert found / duplicate.sum() >= 0.8  # precision
    assert found / repeat.sum() >= 0.8  # recall


@pytest.mark.slow
def test_portal_duplicates_repeat_text_day_district_and_place(spb):
    rows = spb[spb[C.DUPLICATE]]
    line_of = pd.Series(np.arange(len(spb)), index=spb[C.ROW].to_numpy())
    first = spb.iloc[line_of[rows[C.DUPLICATE_OF].str.extract(r"строка (\d+)")[0].astype(int)].to_numpy()]
    assert (rows[C.CLEAN].to_numpy() == first[C.CLEAN].to_numpy()).all()
    assert (rows[C.CREATED].dt.date.to_numpy() == first[C.CREATED].dt.date.to_numpy()).all()
    assert (rows[C.DISTRICT].to_numpy() == first[C.DISTRICT].to_numpy()).all()
    # a street object (no address) is placed by its point: each copy lies within the tolerance of
    # another copy of its message (re-sends chain: three fixes of one spot may span twice as much)
    street = (rows[C.ADDRESS].to_numpy() == "") & (first[C.ADDRESS].to_numpy() == "")
    for root, copies in rows[street].groupby(C.DUPLICATE_OF):
        original = first[street][(rows[street][C.DUPLICATE_OF] == root).to_numpy()].iloc[:1]
        group = pd.concat([original, copies])
        lat, lon = group[C.LAT].to_numpy(), group[C.LON].to_numpy()
        dy = (lat[:, None] - lat[None, :]) * 111_320
        dx = (lon[:, None] - lon[None, :]) * 111_320 * np.cos(np.radians(lat[:, None]))
        dist = np.hypot(dx, dy) + np.eye(len(group)) * 1e9
        assert (dist.min(axis=1) <= POINT_TOLERANCE_M + 0.5).all(), root
