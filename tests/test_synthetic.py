"""The sample generator: determinism, the committed samples agree with truth.json, variety."""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from curtool.core import columns as C
from curtool.core.errors import CurtoolError
from curtool.synthetic import builder, generate_messages, layouts, samples, write_benchmark_csv
from curtool.synthetic import phrases as P
from curtool.synthetic import places as G
from curtool.synthetic.bulk import write_benchmark_xlsx

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
XLSX = SAMPLES / samples.XLSX_NAME
CSV = SAMPLES / samples.CSV_NAME
TRUTH = SAMPLES / samples.TRUTH_NAME
_EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]")


@pytest.fixture(scope="module")
def truth() -> dict:
    return json.loads(TRUTH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def xlsx_raw() -> pd.DataFrame:
    return pd.read_excel(XLSX, engine="calamine", header=None, dtype=object)


@pytest.fixture(scope="module")
def xlsx(xlsx_raw) -> pd.DataFrame:
    frame = xlsx_raw.iloc[layouts.IM_HEADER_ROW :].reset_index(drop=True)
    frame.columns = list(xlsx_raw.iloc[layouts.IM_HEADER_ROW - 1])
    frame["ID"] = frame["ID"].map(lambda v: str(int(v)))
    return frame.astype(object).where(frame.notna(), "")


@pytest.fixture(scope="module")
def pos() -> pd.DataFrame:
    return pd.read_csv(CSV, sep=";", encoding="cp1251", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def rows(truth, xlsx, pos) -> dict[tuple[str, str], list[tuple[dict, pd.Series]]]:
    """(file, id) -> [(truth message, file row)], checking that rows line up one to one."""
    frames = {samples.XLSX_NAME: (xlsx, "ID"), samples.CSV_NAME: (pos, "Номер сообщения")}
    out: dict[tuple[str, str], list] = defaultdict(list)
    for m in truth["messages"]:
        frame, id_col = frames[m["file"]]
        row = frame.iloc[m["row"] - 1]
        assert row[id_col] == m["id"], m
        out[(m["file"], m["id"])].append((m, row))
    return out


def _created(m: dict, row: pd.Series) -> datetime | None:
    if m["file"] == samples.XLSX_NAME:
        value = row["Дата создания"]
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S") if value else None
    try:
        return datetime.strptime(row["Дата поступления"], "%d.%m.%Y %H:%M")
    except ValueError:
        return None


def _canonical(written: str) -> str:
    return G.CANONICAL.get(written, "")


def _bare_street(street: str) -> str:
    return street.split(" ", 1)[1] if street.startswith(("ул. ", "пер. ")) else street


@pytest.mark.slow
def test_same_seed_same_rows_and_other_seed_differs():
    rows_x1, rows_c1, truth1 = samples.build(7)
    rows_x2, rows_c2, truth2 = samples.build(7)
    assert rows_x1 == rows_x2 and rows_c1 == rows_c2
    assert samples.dump_truth(truth1) == samples.dump_truth(truth2)
    rows_x3, _, _ = samples.build(8)
    assert rows_x3 != rows_x1


@pytest.mark.slow
def test_committed_samples_are_what_the_generator_writes(tmp_path, xlsx_raw):
    written = samples.write_samples(tmp_path, seed=2026)
    for name in (samples.CSV_NAME, samples.TRUTH_NAME):
        assert written[name].read_bytes() == (SAMPLES / name).read_bytes(), name
    labelled = samples.labelled_path(SAMPLES)
    assert written[samples.LABELLED_NAME].read_bytes() == labelled.read_bytes()
    fresh = pd.read_excel(written[samples.XLSX_NAME], engine="calamine", header=None, dtype=object)
    pd.testing.assert_frame_equal(fresh, xlsx_raw)


@pytest.mark.slow
def test_xlsx_has_a_title_row_and_the_47_columns(xlsx_raw):
    assert str(xlsx_raw.iloc[0, 0]).startswith("Выгрузка инцидентов за период 14.09.2026")
    header = list(xlsx_raw.iloc[layouts.IM_HEADER_ROW - 1])
    assert header == list(layouts.IM_COLUMNS) and len(header) == 47
    assert "Время с даты создания инцидента до времени первого ответа, рабочее время" in header
    assert 4500 <= len(xlsx_raw) - layouts.IM_HEADER_ROW <= 5500


@pytest.mark.slow
def test_xlsx_dates_are_text_and_answers_follow_creation(xlsx):
    created = xlsx["Дата создания"]
    assert all(isinstance(v, str) for v in created)
    assert created.str.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$").mean() > 0.99
    both = xlsx[(created != "") & (xlsx["Дата окончания"] != "")]
    assert (both["Дата окончания"] > both["Дата создания"]).all()
    answered = xlsx[(created != "") & (xlsx["Общее время первого ответа"] != "")]
    assert (answered["Общее время первого ответа"] > answered["Дата создания"]).all()
    late = pd.to_datetime(both["Дата окончания"]) - pd.to_datetime(both["Дата создания"])
    assert 0.01 < (late > pd.Timedelta(days=10)).mean() < 0.3  # some past the deadline
    open_rows = xlsx[(xlsx["Итог"] == "") & (created != "")]
    assert len(open_rows) > 50 and (open_rows["Дата окончания"] == "").all()
    assert set(xlsx["Итог"]) == {"", "Решено", "Разъяснено", "Перенаправлено", "Закрыто"}
    assert set(xlsx["Тип инцидента"]) == {"Решаемый", "Информационный", "Нерешаемый"}
    assert xlsx["Урл поста"].str.match(r"^https://(vk\.com|ok\.ru|t\.me)/").all()


def test_csv_is_cp1251_with_semicolons(pos):
    raw = CSV.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1251")
    assert text.splitlines()[0].split(";")[:3] == ["Номер сообщения", "Дата поступления", "Источник"]
    assert list(pos.columns) == list(layouts.POS_COLUMNS)
    assert 1300 <= len(pos) <= 1700
    assert not any(_EMOJI.search(t) for t in pos["Текст сообщения"])
    dated = pos["Дата поступления"].str.match(r"^\d\d\.\d\d\.\d{4} \d\d:\d\d$")
    assert dated.mean() > 0.99
    assert (pos["Широта"] != "").mean() > 0.6


@pytest.mark.slow
def test_every_truth_message_matches_its_row(truth, rows):
    counts = Counter(m["file"] for m in truth["messages"])
    for name, info in truth["files"].items():
        assert counts[name] == info["rows"]
    for key, items in rows.items():
        for m, row in items:
            created = _created(m, row)
            expected = datetime.fromisoformat(m["created"]) if m["created"] else None
            assert created == expected, key
            district = row["Муниципалитет" if m["file"] == samples.XLSX_NAME else "Муниципальное образование"]
            assert district == "" or _canonical(district) == m["district"], (key, district)


@pytest.mark.slow
def test_given_group_agrees_with_the_true_sector(truth, rows):
    given = 0
    for (file, _), items in rows.items():
        if file != samples.XLSX_NAME:
            continue
        m, row = items[0]
        if row["Группа тем"]:
            given += 1
            assert P.GROUP_SECTOR[row["Группа тем"]] == m["sector"]
    n_xlsx = sum(1 for f, _ in rows if f == samples.XLSX_NAME)
    assert 0.62 < given / n_xlsx < 0.78  # about 30% left for the classifier
    groups = {
        row["Группа тем"] for (f, _), items in rows.items() if f == samples.XLSX_NAME for _, row in items[:1]
    } - {""}
    assert groups == set(P.GROUP_SECTOR)  # every «Группа тем» seen in the field


def test_all_sectors_present_with_minimum_sizes(truth):
    unique = [m for m in truth["messages"] if m["duplicate_of"] is None]
    xlsx_counts = Counter(m["sector"] for m in unique if m["file"] == samples.XLSX_NAME)
    assert set(xlsx_counts) == set(C.SECTORS)
    assert min(xlsx_counts.values()) >= 60
    assert max(xlsx_counts.values()) > 4 * min(xlsx_counts.values())  # uneven
    assert truth["weeks"] == [f"2026-W{w}" for w in range(38, 48)]
    weeks = Counter(m["week"] for m in unique if m["week"])
    assert set(weeks) == set(truth["weeks"])
    for week, totals in truth["weekly_totals"].items():
        assert totals["messages"] == weeks[week]
        assert sum(totals["by_sector"].values()) == weeks[week]


@pytest.mark.slow
def test_planted_problems_sit_at_their_place(truth, rows):
    planted = [p for p in truth["problems"] if not p["systemic"]]
    assert 12 <= len(planted) <= 18
    for p in planted:
        ids = p["message_ids"]
        assert 4 <= len(ids) <= 12 and len(p["weeks"]) >= 3, p["key"]
        for ref in ids:
            m, row = rows[(ref["file"], ref["id"])][0]
            assert m["problem"] == p["key"] and m["district"] == p["district"]
            assert m["sector"] == p["sector"]
            if ref["file"] == samples.XLSX_NAME:
                assert _canonical(row["Муниципалитет"]) == p["district"]
                assert _bare_street(row["Улица"]) == _bare_street(p["street"])
                assert row["Дом"] == p["house"]
            else:
                assert _canonical(row["Муниципальное образование"]) == p["district"]
                lat, lon = float(row["Широта"]), float(row["Долгота"])
                assert abs(lat - p["lat"]) < 0.0003 and abs(lon - p["lon"]) < 0.0004
                words = set(re.findall(r"[0-9]+[а-я]?", row["Текст сообщения"].lower()))
                assert p["house"] in words, row["Текст сообщения"]


def test_background_never_meets_a_planted_place(truth):
    planted = {
        (p["locality"], _bare_street(p["street"]), p["house"]) for p in truth["problems"] if not p["systemic"]
    }
    for m in truth["messages"]:
        if m["problem"] is None and m["duplicate_of"] is None and m["house"]:
            assert (m["locality"], _bare_street(m["street"]), m["house"]) not in planted


@pytest.mark.slow
def test_returned_after_resolved_is_visible_in_the_files(truth, rows):
    returned = [p for p in truth["problems"] if p["returned_after_resolved"]]
    assert len(returned) >= 4
    for p in truth["problems"]:
        events = [rows[(r["file"], r["id"])][0] for r in p["message_ids"]]
        created = [_created(m, row) for m, row in events]
        resolved_at = [
            datetime.fromisoformat(row["Дата окончания"])
            for m, row in events
            if m["file"] == samples.XLSX_NAME and row["Итог"] == "Решено"
        ]
        came_back = any(c > r for r in resolved_at for c in created)
        assert came_back == p["returned_after_resolved"], p["key"]


def test_systemic_problems_cover_many_places_in_two_weeks(truth):
    systemic = [p for p in truth["problems"] if p["systemic"]]
    assert len(systemic) == 2
    for p in systemic:
        assert len(p["places"]) >= 10 and len(p["weeks"]) <= 2
        places = {(x["locality"], x["street"], x["house"]) for x in p["places"]}
        assert len(places) == len(p["places"])
        # the same complaint from unplanted messages of that district is far thinner
        background = Counter(
            m["week"]
            for m in truth["messages"]
            if m["problem"] is None
            and m["duplicate_of"] is None
            and m["week"]
            and m["district"] == p["district"]
            and m["issue"] == p["issue"]
        )
        weeks = truth["weeks"]
        fortnights = [background[a] + background[b] for a, b in itertools.pairwise(weeks)]
        assert len(p["places"]) >= 1.5 * max(fortnights), (p["key"], fortnights)
        wave = len(p["message_ids"]) + sum(background[w] for w in p["weeks"])
        assert wave >= 3 * np.mean(fortnights), (p["key"], wave, fortnights)  # a burst
    spread = truth["background_spread"]
    assert spread and spread == sorted(spread, key=lambda c: -c["places"])


@pytest.mark.slow
def test_surges_match_the_files(truth, rows):
    cells: Counter = Counter()
    for items in rows.values():
        for m, row in items:
            created = _created(m, row)
            if m["duplicate_of"] is None and created is not None:
                year, week, _ = created.isocalendar()
                cells[(m["district"], m["sector"], f"{year}-W{week:02d}")] += 1
    assert len(truth["surges"]) == 3
    assert truth["surges"][-1]["week"] == "2026-W47"
    for s in truth["surges"]:
        assert cells[(s["district"], s["sector"], s["week"])] == s["count"]
        base = [cells[(s["district"], s["sector"], w)] for w in s["baseline_weeks"]]
        assert s["baseline_mean"] == round(sum(base) / len(base), 2)
        assert s["count"] >= 30 and s["count"] > 3 * s["baseline_mean"]


@pytest.mark.slow
def test_duplicates_exact_rows_and_across_files(truth, rows):
    exact = [m for m in truth["messages"] if "exact_duplicate" in m["flags"]]
    n_xlsx = truth["files"][samples.XLSX_NAME]["rows"]
    assert 0.01 * n_xlsx <= len(exact) <= 0.02 * n_xlsx
    for m in exact:
        copies = rows[(m["file"], m["id"])]
        assert len(copies) >= 2
        assert all(r.equals(copies[0][1]) for _, r in copies)
    cross = [m for m in truth["messages"] if "cross_file_duplicate" in m["flags"]]
    assert len(cross) == builder.CROSS_DUPLICATES
    for m in cross:
        copy = rows[(m["file"], m["id"])][0][1]
        orig_m, orig = rows[(m["duplicate_file"], m["duplicate_of"])][0]
        assert copy["Текст сообщения"] == orig["Текст инцидента"].removeprefix("'")
        assert _created(m, copy) == _created(orig_m, orig)
        assert orig_m["district"] == m["district"]


@pytest.mark.slow
def test_edge_cases_are_present(truth, xlsx, pos):
    flags = Counter(f for m in truth["messages"] for f in m["flags"])
    n = len(truth["messages"])
    assert 0.002 * n <= flags["empty_text"] <= 0.01 * n
    assert flags["missing_date"] >= 5 and flags["bad_date"] >= 3
    for kind in ("phone", "email", "profile", "html", "url", "emoji", "caps", "typos"):
        assert flags[kind] >= 15, kind
    texts = list(xlsx["Текст инцидента"])
    assert '=HYPERLINK("http://x","y")' in texts and "=) спасибо за дорогу" in texts
    assert 0.3 < np.mean([t.startswith("'") for t in texts if t]) < 0.6
    bad = [m for m in truth["messages"] if "bad_date" in m["flags"]]
    for m in bad:
        value = pos.loc[pos["Номер сообщения"] == m["id"], "Дата поступления"].iloc[0]
        with pytest.raises(ValueError):
            datetime.strptime(value, "%d.%m.%Y %H:%M")
    assert sum(bool(_EMOJI.search(t)) for t in texts) > 100


@pytest.mark.slow
def test_texts_are_varied_and_of_realistic_length(truth, rows):
    by_sector: dict[str, list[str]] = defaultdict(list)
    for (file, _), items in rows.items():
        m, row = items[0]
        text = row["Текст инцидента" if file == samples.XLSX_NAME else "Текст сообщения"]
        if text and m["duplicate_of"] is None:
            by_sector[m["sector"]].append(text.removeprefix("'"))
    lengths = []
    for sector, texts in by_sector.items():
        assert len(set(texts)) / len(texts) >= 0.8, sector
        words = {w for t in texts for w in re.findall(r"[а-яё]+", t.lower())}
        assert len(words) >= 500, sector
        lengths.extend(map(len, texts))
    assert 200 <= np.mean(lengths) <= 400
    assert min(lengths) <= 25 and max(lengths) >= 1000


def test_phrase_bank_has_enough_problems_and_phrasings():
    for sector in C.SECTORS:
        problems = P.PROBLEMS[sector]
        assert len(problems) >= 8, sector
        assert all(len(p.phrasings) >= 6 for p in problems), sector
        assert all(p.group in P.GROUP_SECTOR and P.GROUP_SECTOR[p.group] == sector for p in problems)
    groups = {p.group for p in P.PROBLEM_BY_KEY.values()}
    assert len(groups) >= 26


@pytest.mark.slow
def test_bulk_generation_layout_length_and_determinism():
    frame = generate_messages(10_000, seed=3, truth=True)
    assert list(frame.columns)[: len(layouts.POS_COLUMNS)] == list(layouts.POS_COLUMNS)
    assert len(frame) == 10_000
    assert 200 <= frame["Текст сообщения"].str.len().mean() <= 400
    assert set(frame["true_sector"]) == set(C.SECTORS)
    assert frame["Текст сообщения"].nunique() > 9_000
    again = generate_messages(10_000, seed=3, truth=True)
    pd.testing.assert_frame_equal(frame, again)
    # planted recurring problems at scale: one house, one problem, ≥ 4 messages, ≥ 3 weeks
    placed = frame[frame["Адрес"] != ""]
    week = pd.to_datetime(placed["Дата поступления"], format="%d.%m.%Y %H:%M").dt.isocalendar()
    groups = placed.assign(week=week["week"].to_numpy()).groupby(["Адрес", "true_issue"])
    sizes = groups.agg(n=("week", "size"), weeks=("week", "nunique"))
    assert ((sizes["n"] >= 4) & (sizes["weeks"] >= 3)).sum() >= 10_000 // 400 * 0.8


def test_bulk_generation_rejects_bad_options():
    with pytest.raises(CurtoolError) as caught:
        generate_messages(10, end_week="week 47")
    assert caught.value.code == "bad-option"
    with pytest.raises(CurtoolError):
        generate_messages(-1)
    assert generate_messages(0).empty


@pytest.mark.slow
def test_bulk_writers(tmp_path):
    path = write_benchmark_csv(tmp_path / "bulk.csv", 300, seed=2)
    back = pd.read_csv(path, sep=";", encoding="cp1251", dtype=str, keep_default_na=False)
    assert len(back) == 300 and list(back.columns) == list(layouts.POS_COLUMNS)
    book = write_benchmark_xlsx(tmp_path / "bulk.xlsx", 200, seed=2)
    raw = pd.read_excel(book, engine="calamine", header=None, dtype=object)
    assert str(raw.iloc[0, 0]).startswith("Выгрузка")
    assert list(raw.iloc[2]) == list(layouts.IM_COLUMNS)
    assert len(raw) == 203
