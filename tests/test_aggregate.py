"""Weekly figures: weeks, totals, heat map, surges, sources, response times."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from frames import W47, message_frame

from curtool.core import aggregate as agg
from curtool.core import columns as C
from curtool.core import response as rtimes
from curtool.core import sources as src
from curtool.core import weeks as wk
from curtool.core.errors import BAD_CONFIG, BAD_OPTION, NO_DATA, CurtoolError


def make_frame(rows: list[dict]) -> tuple[pd.DataFrame, pd.Series]:
    """A loaded-like frame from short row dicts: created, district, sector and optional extras."""
    frame = message_frame(rows)
    sector = pd.Series([r.get("sector", "ЖКХ") for r in rows], index=frame.index)
    return frame, sector


def weekly_rows(district: str, sector: str, counts: list[int], last_monday: pd.Timestamp = W47) -> list[dict]:
    """``counts`` messages per week, oldest first, the last entry in the week of ``last_monday``."""
    rows = []
    for k, n in enumerate(counts):
        monday = last_monday - pd.Timedelta(weeks=len(counts) - 1 - k)
        rows += [
            {
                "created": monday + pd.Timedelta(hours=10 + 7 * j),
                "district": district,
                "sector": sector,
            }
            for j in range(n)
        ]
    return rows


# --- weeks -------------------------------------------------------------------------------
def test_iso_week_labels_across_year_ends() -> None:
    assert wk.iso_week(date(2026, 11, 16)) == "2026-W47"
    assert wk.iso_week(date(2026, 11, 22)) == "2026-W47"
    assert wk.iso_week(date(2027, 1, 1)) == "2026-W53"
    assert wk.iso_week(date(2025, 12, 29)) == "2026-W01"
    labels = wk.week_labels(pd.Series(pd.to_datetime(["2026-11-22 23:59", "2026-11-23 00:00", None])))
    assert labels.tolist() == ["2026-W47", "2026-W48", ""]
    assert wk.window_weeks("2026-W02", 3) == ["2025-W51", "2025-W52", "2026-W01", "2026-W02"]


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 11, 23), "2026-W47"),  # Monday: last week is over
        (date(2026, 11, 22), "2026-W46"),  # Sunday of W47: W47 is not over yet
        (date(2026, 11, 26), "2026-W47"),
    ],
)
def test_last_week_is_relative_to_today(today: date, expected: str) -> None:
    frame, _ = make_frame([{"created": "2026-01-05"}])
    assert wk.resolve_week(frame, "last", today) == expected


def test_default_week_is_latest_complete_week_in_data() -> None:
    frame, _ = make_frame(
        [{"created": "2026-11-10"}, {"created": "2026-11-18"}, {"created": "2026-11-25 08:00"}]
    )
    # the data runs into W48 (Wed 25th), so W47 is complete; W48 is not
    assert wk.resolve_week(frame, None, date(2026, 11, 25)) == "2026-W47"
    frame, _ = make_frame([{"created": "2026-11-10"}, {"created": "2026-11-18"}])
    # data ends on Wednesday of W47: W47 is partial whatever today is (an export that
    # stops on a Friday must not be compared with full weeks by default)
    assert wk.resolve_week(frame, None, date(2026, 11, 19)) == "2026-W46"
    assert wk.resolve_week(frame, None, date(2027, 3, 1)) == "2026-W46"
    assert wk.is_partial("2026-W47", pd.Timestamp("2026-11-18"))
    # a message on Sunday evening: the export covers W47 to its last day
    frame, _ = make_frame([{"created": "2026-11-10"}, {"created": "2026-11-22 23:10"}])
    assert wk.resolve_week(frame, None, date(2026, 11, 23)) == "2026-W47"
    assert not wk.is_partial("2026-W47", pd.Timestamp("2026-11-22 23:10"))


def test_only_a_partial_week_is_no_data_with_a_hint_naming_it() -> None:
    frame, _ = make_frame([{"created": "2026-11-10"}, {"created": "2026-11-12"}])
    with pytest.raises(CurtoolError) as err:
        wk.resolve_week(frame, None, date(2026, 11, 30))
    assert err.value.code == NO_DATA
    assert "--week 2026-W46" in err.value.hint


def test_default_week_ignores_duplicates_and_needs_dates() -> None:
    frame, _ = make_frame(
        [{"created": "2026-11-03"}, {"created": "2026-11-10"}, {"created": "2026-12-30", "duplicate": True}]
    )
    assert wk.resolve_week(frame, None, date(2026, 11, 19)) == "2026-W45"
    frame, _ = make_frame([{"created": None}])
    with pytest.raises(CurtoolError) as err:
        wk.resolve_week(frame, None, date(2026, 11, 19))
    assert err.value.code == NO_DATA


@pytest.mark.parametrize("spec", ["2026-47", "W47", "2026-W60", "2025-W53", "last week", ""])
def test_bad_week_spec_is_an_error_with_hint(spec: str) -> None:
    frame, _ = make_frame([{"created": "2026-11-10"}])
    with pytest.raises(CurtoolError) as err:
        wk.resolve_week(frame, spec, date(2026, 11, 24))
    assert err.value.code == BAD_OPTION
    assert "YYYY-Www" in err.value.hint


def test_explicit_week_is_normalised() -> None:
    frame, _ = make_frame([{"created": "2026-11-10"}])
    assert wk.resolve_week(frame, "2026-w5", date(2026, 11, 24)) == "2026-W05"
    assert wk.resolve_week(frame, "2026-W53", date(2026, 11, 24)) == "2026-W53"


# --- totals and heat map -----------------------------------------------------------------------
def test_totals_skip_duplicates_and_compare_with_previous_and_baseline() -> None:
    rows = weekly_rows("Абинский", "ЖКХ", [4, 6, 5, 10])
    rows.append({"created": W47 + pd.Timedelta(hours=1), "duplicate": True})
    frame, sector = make_frame(rows)
    prepared = agg.prepare(frame, sector)
    totals = agg.week_totals(prepared, "2026-W47", weeks_back=8)
    assert totals.count == 10
    assert totals.previous == 5
    # only the three weeks the data covers make the baseline, not eight with invented zeros
    assert totals.baseline_weeks == 3
    assert totals.baseline == pytest.approx(5.0)
    assert totals.change_previous == pytest.approx(1.0)
    assert totals.by_week.tolist()[-4:] == [4, 6, 5, 10]


def test_closed_and_resolved_in_the_week() -> None:
    frame, sector = make_frame(
        [
            {
                "created": "2026-11-02",
                "closed": "2026-11-17",
                "status": "Решено",
            },  # old message closed in W47
            {"created": "2026-11-16", "closed": "2026-11-18", "status": "Отказ"},
            {
                "created": "2026-11-16",
                "closed": "2026-11-24",
                "status": "Решено",
            },  # closed next week
            {"created": "2026-11-17", "status": "Решено"},  # no closing date: not counted
            {"created": "2026-11-18", "closed": "2026-11-22 23:00", "status": "выполнено."},
        ]
    )
    totals = agg.week_totals(agg.prepare(frame, sector), "2026-W47", 4)
    assert totals.count == 4
    assert totals.closed == 3
    assert totals.resolved == 2


def test_heat_map_counts_match_hand_counts() -> None:
    rows = (
        weekly_rows("Абинский", "ЖКХ", [1, 3])
        + weekly_rows("Абинский", "Транспорт", [0, 2])
        + weekly_rows("Сочи", "ЖКХ", [4, 1])
        + [{"created": W47 + pd.Timedelta(days=2), "district": "", "sector": "Экология"}]
    )
    frame, sector = make_frame(rows)
    heat = agg.heat_map(agg.prepare(frame, sector), "2026-W47", 8)
    counts = heat.counts
    assert list(counts.columns[:12]) == list(C.SECTORS)
    assert counts.index.tolist() == ["Абинский", "Сочи", C.NO_DISTRICT]
    assert counts.loc["Абинский", "ЖКХ"] == 3
    assert counts.loc["Абинский", "Транспорт"] == 2
    assert counts.loc["Сочи", "ЖКХ"] == 1
    assert counts.loc[C.NO_DISTRICT, "Экология"] == 1
    assert counts.to_numpy().sum() == 7
    assert heat.baseline_weeks == 1
    assert heat.baseline.loc["Сочи", "ЖКХ"] == 4
    assert heat.change.loc["Сочи", "ЖКХ"] == -3


def test_heat_map_rates_per_10000_with_population_names_matched() -> None:
    rows = weekly_rows("Абинский район", "ЖКХ", [0, 5]) + weekly_rows("Сочи", "ЖКХ", [0, 20])
    frame, sector = make_frame(rows)
    prepared = agg.prepare(frame, sector)
    table = pd.DataFrame(
        {
            C.DISTRICT: ["Абинский р-н", "город Сочи", "Крымский район"],
            C.POPULATION: [50_000, 400_000, 1],
        }
    )
    population, unmatched = agg.match_population(table, prepared[C.DISTRICT].unique())
    assert unmatched == ["Крымский район"]
    heat = agg.heat_map(prepared, "2026-W47", 8, population)
    assert heat.rate is not None
    assert heat.rate.loc["Абинский район", "ЖКХ"] == pytest.approx(1.0)
    assert heat.rate.loc["Сочи", "ЖКХ"] == pytest.approx(0.5)
    assert heat.counts.loc["Крымский район"].sum() == 0


def test_weekly_series_has_every_week_with_zeros() -> None:
    frame, sector = make_frame(weekly_rows("Абинский", "ЖКХ", [2, 0, 3]))
    table = agg.weekly_series(agg.prepare(frame, sector), wk.window_weeks("2026-W47", 3), C.SECTOR)
    assert table.index.tolist() == ["2026-W44", "2026-W45", "2026-W46", "2026-W47"]
    assert table["ЖКХ"].tolist() == [0, 2, 0, 3]


# --- surges ----------------------------------------------------------------------------------
def surge_cells(rows: list[dict]) -> set[tuple[str, str]]:
    frame, sector = make_frame(rows)
    table = agg.surges(agg.prepare(frame, sector), "2026-W47", 8)
    return set(zip(table[C.DISTRICT], table[C.SECTOR], strict=True))


def test_planted_surge_is_found_and_ordinary_cells_are_not() -> None:
    rows = (
        weekly_rows("Абинский", "ЖКХ", [2, 1, 2, 3, 2, 1, 2, 2, 14])  # planted
        + weekly_rows("Сочи", "ЖКХ", [20, 22, 19, 21, 20, 23, 18, 20, 26])  # busy but ordinary
        + weekly_rows("Сочи", "Транспорт", [1, 0, 2, 1, 1, 0, 1, 2, 3])
    )
    frame, sector = make_frame(rows)
    table = agg.surges(agg.prepare(frame, sector), "2026-W47", 8)
    assert list(zip(table[C.DISTRICT], table[C.SECTOR], strict=True)) == [("Абинский", "ЖКХ")]
    row = table.iloc[0]
    assert row[C.COUNT] == 14
    assert row[C.BASELINE] == pytest.approx(15 / 8)
    assert row[C.P_VALUE] < row[C.THRESHOLD] == agg.SURGE_ALPHA


def test_one_against_zero_and_three_against_one_are_not_surges() -> None:
    assert surge_cells(weekly_rows("Абинский", "ЖКХ", [0, 0, 0, 0, 0, 0, 0, 0, 1])) == set()
    assert surge_cells(weekly_rows("Абинский", "ЖКХ", [1, 1, 1, 1, 1, 1, 1, 1, 3])) == set()
    # the p-value alone would flag 4 against 0; the count floor keeps it out
    assert surge_cells(weekly_rows("Абинский", "ЖКХ", [0, 0, 0, 0, 0, 0, 0, 0, 4])) == set()


def test_surge_needs_a_baseline_and_a_real_excess() -> None:
    # no earlier week at all: nothing to compare with
    assert surge_cells(weekly_rows("Абинский", "ЖКХ", [30])) == set()
    # five against nothing in eight weeks is worth a look
    assert surge_cells(
        weekly_rows("Абинский", "ЖКХ", [0, 0, 0, 0, 0, 0, 0, 0, 5]) + weekly_rows("Сочи", "ЖКХ", [1] * 9)
    ) == {("Абинский", "ЖКХ")}


def test_surge_p_values_fall_with_count() -> None:
    p = agg.surge_p_values(np.array([2.0, 5.0, 10.0]), np.array([16.0, 16.0, 16.0]), 8)
    assert 1 >= p[0] > p[1] > p[2] > 0


# --- sources ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "source", "platform"),
    [
        ("https://vk.com/wall-1_2", "", src.PLATFORM_VK),
        ("https://m.vk.com/wall-1_2", "", src.PLATFORM_VK),
        ("http://ok.ru/group/1/topic/2", "", src.PLATFORM_OK),
        ("https://t.me/channel/15", "", src.PLATFORM_TG),
        ("https://pos.gosuslugi.ru/lkp/fb/123", "", src.PLATFORM_POS),
        ("https://example.org/x", "", src.PLATFORM_OTHER),
        ("", "ВКонтакте", src.PLATFORM_VK),
        ("", "Платформа обратной связи", src.PLATFORM_POS),
        ("", "Дзен", src.PLATFORM_OTHER),
        ("", "", src.PLATFORM_NONE),
    ],
)
def test_platform_of(url: str, source: str, platform: str) -> None:
    assert src.platform_of(url, source) == platform


def test_sources_count_the_week_only() -> None:
    frame, sector = make_frame(
        [
            {"created": "2026-11-16", "url": "https://vk.com/wall-1_1", "source": "ВК"},
            {"created": "2026-11-17", "url": "https://vk.com/wall-1_2", "source": "ВК"},
            {"created": "2026-11-18", "url": "https://t.me/c/3", "source": "Telegram"},
            {"created": "2026-11-09", "url": "https://ok.ru/group/1", "source": "ОК"},
        ]
    )
    platforms, sources = src.sources(agg.prepare(frame, sector), "2026-W47")
    assert dict(zip(platforms[C.PLATFORM], platforms[C.COUNT], strict=True)) == {
        src.PLATFORM_VK: 2,
        src.PLATFORM_TG: 1,
    }
    assert platforms[C.SHARE].sum() == pytest.approx(1.0)
    assert dict(zip(sources[C.SOURCE], sources[C.COUNT], strict=True)) == {"ВК": 2, "Telegram": 1}


# --- response times --------------------------------------------------------------------------
def test_response_time_medians_and_overdue_shares_on_hand_numbers() -> None:
    t0 = W47 + pd.Timedelta(hours=9)
    rows = [
        # ЖКХ: answers after 2, 4, 30 hours; closed after 48, 300 hours (deadline 240)
        {
            "created": t0,
            "answer": t0 + pd.Timedelta(hours=2),
            "closed": t0 + pd.Timedelta(hours=48),
            "sector": "ЖКХ",
        },
        {"created": t0, "answer": t0 + pd.Timedelta(hours=4), "sector": "ЖКХ"},
        {"created": t0, "answer": t0 + pd.Timedelta(hours=30), "sector": "ЖКХ"},
        {
            "created": t0 - pd.Timedelta(hours=300),
            "closed": t0 + pd.Timedelta(hours=5),
            "sector": "ЖКХ",
        },
        # Транспорт: one answer after 10 h, one never answered (24 h passed by the data's end)
        {"created": t0, "answer": t0 + pd.Timedelta(hours=10), "sector": "Транспорт"},
        {"created": t0 + pd.Timedelta(hours=1), "sector": "Транспорт"},
        # an answer before the message is an error, not a record
        {"created": t0, "answer": t0 - pd.Timedelta(hours=1), "sector": "Экология"},
        # an old message still open long after its 240 h: the backlog
        {"created": t0 - pd.Timedelta(hours=400), "sector": "ЖКХ"},
    ]
    frame, sector = make_frame(rows)
    table = rtimes.response_times(agg.prepare(frame, sector), "2026-W47", C.SECTOR).set_index(C.SECTOR)
    zkh = table.loc["ЖКХ"]
    assert zkh[rtimes.RT_MESSAGES] == 3
    assert zkh[rtimes.RT_ANSWERED] == 3
    assert zkh[rtimes.RT_FIRST_MEDIAN] == pytest.approx(4.0)
    assert zkh[rtimes.RT_FIRST_P90] == pytest.approx(4 + 0.8 * 26)
    assert zkh[rtimes.RT_FIRST_OVERDUE] == pytest.approx(1 / 3)
    assert zkh[rtimes.RT_CLOSED] == 2
    assert zkh[rtimes.RT_CLOSE_MEDIAN] == pytest.approx((48 + 305) / 2)
    assert zkh[rtimes.RT_CLOSE_OVERDUE] == pytest.approx(0.5)
    assert zkh[rtimes.RT_OPEN_OVERDUE] == 1
    assert table.loc["Всего", rtimes.RT_OPEN_OVERDUE] == 1
    transport = table.loc["Транспорт"]
    assert transport[rtimes.RT_FIRST_MEDIAN] == pytest.approx(10.0)
    assert transport[rtimes.RT_FIRST_OVERDUE] == pytest.approx(0.5)
    assert np.isnan(table.loc["Экология", rtimes.RT_FIRST_MEDIAN])
    assert table.loc["Всего", rtimes.RT_MESSAGES] == 6


def test_sector_deadlines_change_the_overdue_share() -> None:
    t0 = W47 + pd.Timedelta(hours=9)
    rows = [{"created": t0, "answer": t0 + pd.Timedelta(hours=h), "sector": "ЖКХ"} for h in (2, 6, 10)]
    frame, sector = make_frame(rows)
    prepared = agg.prepare(frame, sector)
    strict = rtimes.deadlines_from({"ЖКХ": 5, "default": 48})
    table = rtimes.response_times(prepared, "2026-W47", C.SECTOR, strict).set_index(C.SECTOR)
    assert table.loc["ЖКХ", rtimes.RT_FIRST_OVERDUE] == pytest.approx(2 / 3)
    assert table.loc["ЖКХ", rtimes.RT_FIRST_DEADLINE] == 5
    nested = rtimes.deadlines_from({"first_answer": {"default": 8}, "closed": {"ЖКХ": 72}})
    assert nested.default_first_answer == 8 and nested.closing == {"ЖКХ": 72.0}
    with pytest.raises(CurtoolError) as err:
        rtimes.deadlines_from({"ЖКХ": "скоро"})
    assert err.value.code == BAD_CONFIG
