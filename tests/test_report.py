"""The weekly report: analysis tables, sentences and the written workbook."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from frames import W47, message_frame

from curtool.core import columns as C
from curtool.core.errors import BAD_OPTION, OUTPUT_FAILED, CurtoolError
from curtool.core.pii import EMAIL_MASK, PHONE_MASK
from curtool.core.report import RecurringLike, build_report
from curtool.core.wording import change_words, format_period, plural
from curtool.io import reportbook as workbook
from curtool.io.sidefiles import read_population

TODAY = date(2026, 11, 24)
HOSTILE = '=HYPERLINK("http://x","y")'
PHONE = "+7 (918) 123-45-67"
EMAIL = "ivan.petrov@mail.ru"


def make_frame(rows: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A loaded-like frame and its classification from short row dicts."""
    frame = message_frame(rows)
    classified = pd.DataFrame(
        {
            C.SECTOR: [r.get("sector", "ЖКХ") for r in rows],
            C.SECTOR_CONFIDENCE: [r.get("confidence", 0.9) for r in rows],
        },
        index=frame.index,
    )
    return frame, classified


def week_rows(district: str, sector: str, counts: list[int], **extra) -> list[dict]:
    """``counts`` messages per week, oldest first, the last in 2026-W47."""
    rows = []
    for k, n in enumerate(counts):
        monday = W47 - pd.Timedelta(weeks=len(counts) - 1 - k)
        rows += [
            {
                "created": monday + pd.Timedelta(hours=9 + 5 * j),
                "district": district,
                "sector": sector,
                **extra,
            }
            for j in range(n)
        ]
    return rows


@dataclass
class Recurring:
    problems: pd.DataFrame
    assignments: pd.Series


def sample_rows() -> list[dict]:
    rows = (
        week_rows("Абинский", "ЖКХ", [2, 1, 2, 3, 2, 1, 2, 2, 12])
        + week_rows("Абинский", "Транспорт", [1, 1, 0, 1, 1, 0, 1, 1, 2])
        + week_rows("Сочи", "Благоустройство", [3, 3, 2, 4, 3, 3, 2, 3, 4])
        + week_rows("Сочи", "ЖКХ", [0, 0, 0, 0, 0, 0, 0, 0, 1])
    )
    rows += [
        {
            "created": W47 + pd.Timedelta(days=1, hours=3),
            "district": "Сочи",
            "sector": "Экология",
            "text": HOSTILE,
            "url": "https://vk.com/wall-1_2",
            "answer": W47 + pd.Timedelta(days=1, hours=5),
        },
        {
            "created": W47 + pd.Timedelta(days=2),
            "district": "Сочи",
            "sector": "Экология",
            "text": f"звоните {PHONE} или пишите {EMAIL}",
            "url": "javascript:alert(1)",
        },
        {
            "created": W47 + pd.Timedelta(days=2),
            "district": "Сочи",
            "sector": "Экология",
            "text": f"звоните {PHONE} или пишите {EMAIL}",
            "duplicate": True,
            "issues": C.ISSUE_DUPLICATE,
        },
        {"created": None, "district": "Сочи", "text": "без даты", "issues": C.ISSUE_BAD_DATE},
        # Monday morning's export already holds a message of the new week: W47 is complete,
        # and nothing of W48 may reach its figures
        {"created": W47 + pd.Timedelta(days=7, hours=1), "district": "Сочи", "text": "уже W48"},
    ]
    return rows


def recurring_for(frame: pd.DataFrame) -> Recurring:
    texts = frame[C.TEXT]
    assignments = pd.Series("", index=frame.index)
    abinsk = frame.index[(frame[C.DISTRICT] == "Абинский") & (frame[C.CREATED] >= W47)][:5]
    assignments[abinsk] = "P-000001"
    problems = pd.DataFrame(
        {
            "id": ["P-000001", "P-000002"],
            "district": ["Абинский", "Сочи"],
            "sector": ["ЖКХ", "Благоустройство"],
            "label": ["нет воды", "яма во дворе"],
            "place": ["ул. Ленина, 5", ""],
            "count": [5, 9],
            "weeks": [1, 4],
            "first_seen": [W47 + pd.Timedelta(days=1), pd.Timestamp("2026-10-20")],
            "last_seen": [W47 + pd.Timedelta(days=3), pd.Timestamp("2026-11-18")],
            "trend": ["рост", "стабильно"],
            "returned_after_resolved": [False, True],
            "systemic": [False, True],
            "message_ids": [frame.loc[abinsk, C.ID].tolist(), ["1", "2"]],
        }
    )
    assert len(texts)
    return Recurring(problems, assignments)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    frame, classified = make_frame(sample_rows())
    report = build_report(frame, classified, recurring_for(frame), today=TODAY)
    path = tmp_path_factory.mktemp("report") / "week.xlsx"
    workbook.write_report(report, path)
    return frame, classified, report, openpyxl.load_workbook(path)


def cells(sheet) -> list:
    return [c for row in sheet.iter_rows() for c in row if c.value is not None]


def find(sheet, value) -> tuple[int, int]:
    for c in cells(sheet):
        if c.value == value:
            return c.row, c.column
    raise AssertionError(f"{value!r} not on sheet {sheet.title}")


def test_protocol_accepts_a_plain_result_object() -> None:
    frame, _ = make_frame(sample_rows())
    assert isinstance(recurring_for(frame), RecurringLike)


def test_every_sheet_is_present_in_order_and_filled(built) -> None:
    *_, book = built
    assert book.sheetnames == list(workbook.SHEETS)
    for name in workbook.SHEETS:
        assert len(cells(book[name])) >= 3, name


def test_report_week_and_totals(built) -> None:
    _, _, report, _ = built
    assert report.week == "2026-W47"
    assert (report.week_start, report.week_end) == (date(2026, 11, 16), date(2026, 11, 22))
    # 12 + 2 + 4 + 1 + 2 (the duplicate and the undated row are not counted)
    assert report.totals.count == 21
    assert report.totals.previous == 2 + 1 + 3
    assert len(report.messages) == 21
    assert report.summary_lines[0].startswith("За неделю 16–22 ноября 2026 г. поступил")
    assert "21 сообщение" in report.summary_lines[0]
    assert "в 3,5 раза больше, чем неделей ранее (6)" in report.summary_lines[0]


def test_heat_map_sheet_holds_hand_counts(built) -> None:
    *_, book = built
    sheet = book[workbook.SHEET_HEAT]
    title_row, title_col = find(sheet, workbook.HEAT_COUNTS_TITLE)
    header = [c.value for c in sheet[title_row + 1]]
    expected = {
        ("Абинский", "ЖКХ"): 12,
        ("Абинский", "Транспорт"): 2,
        ("Сочи", "Благоустройство"): 4,
        ("Сочи", "ЖКХ"): 1,
        ("Сочи", "Экология"): 2,
        ("Сочи", "Образование"): 0,
    }
    rows = {sheet.cell(r, title_col).value: r for r in range(title_row + 2, title_row + 6)}
    for (district, sector), count in expected.items():
        assert sheet.cell(rows[district], header.index(sector) + 1).value == count
    total_col = header.index(workbook.TOTAL) + 1
    assert sheet.cell(rows["Абинский"], total_col).value == 14
    assert sheet.cell(rows[workbook.TOTAL], total_col).value == 21
    # the change block stands below it, in the same columns: side by side the page was too wide
    change_row, change_col = find(sheet, workbook.HEAT_CHANGE_TITLE)
    assert change_col == title_col and change_row > rows[workbook.TOTAL]
    assert [c.value for c in sheet[change_row + 1]] == header


def test_planted_surge_reaches_its_sheet_with_statistic_and_threshold(built) -> None:
    _, _, report, book = built
    assert list(zip(report.surges[C.DISTRICT], report.surges[C.SECTOR], strict=True)) == [("Абинский", "ЖКХ")]
    sheet = book[workbook.SHEET_SURGES]
    r, c = find(sheet, "Абинский")
    values = [sheet.cell(r, c + k).value for k in range(8)]
    assert values[:3] == ["Абинский", "ЖКХ", 12]
    assert values[3] == pytest.approx(15 / 8)
    assert values[6] < values[7] == pytest.approx(0.001)
    assert any("Всплески (1): Абинский, ЖКХ" in line for line in report.summary_lines)


def test_hostile_text_stays_a_string_and_links_open_posts(built) -> None:
    *_, book = built
    sheet = book[workbook.SHEET_MESSAGES]
    header = [c.value for c in sheet[1]]
    text_col = header.index("Текст сообщения") + 1
    url_col = header.index("Ссылка") + 1
    hostile = [
        sheet.cell(r, text_col)
        for r in range(2, sheet.max_row + 1)
        if sheet.cell(r, text_col).value == HOSTILE
    ]
    assert len(hostile) == 1
    assert hostile[0].data_type == "s"
    link = sheet.cell(hostile[0].row, url_col)
    assert link.hyperlink is not None and link.hyperlink.target == "https://vk.com/wall-1_2"
    bad = [
        sheet.cell(r, url_col)
        for r in range(2, sheet.max_row + 1)
        if sheet.cell(r, url_col).value == "javascript:alert(1)"
    ]
    assert len(bad) == 1 and bad[0].hyperlink is None
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref


def test_messages_sheet_carries_sector_confidence_and_problem(built) -> None:
    _, _, report, book = built
    sheet = book[workbook.SHEET_MESSAGES]
    header = [c.value for c in sheet[1]]
    problem_col = header.index("Проблема") + 1
    problems = [sheet.cell(r, problem_col).value for r in range(2, sheet.max_row + 1)]
    assert problems.count("P-000001") == 5
    assert sheet.max_row == 1 + len(report.messages)


def test_recurring_sheet_marks_new_problems(built) -> None:
    _, _, report, book = built
    assert report.recurring is not None
    new = dict(zip(report.recurring["id"], report.recurring["new"], strict=True))
    assert new == {"P-000001": True, "P-000002": False}
    sheet = book[workbook.SHEET_RECURRING]
    r, _ = find(sheet, "P-000001")
    header = [x.value for x in sheet[4]]
    assert sheet.cell(r, header.index("Новая") + 1).value == "новая"
    assert sheet.cell(r, header.index("За неделю") + 1).value == 5


def test_rejected_sheet_lists_rows_and_reasons(built) -> None:
    _, _, report, book = built
    reasons = set(report.rejected["reasons"])
    assert C.ISSUE_DESCRIPTIONS[C.ISSUE_DUPLICATE] in reasons
    assert C.ISSUE_DESCRIPTIONS[C.ISSUE_BAD_DATE] in reasons
    assert not report.rejected["counted"].any()
    find(book[workbook.SHEET_REJECTED], C.ISSUE_DESCRIPTIONS[C.ISSUE_BAD_DATE])


@pytest.mark.slow
def test_mask_pii_masks_every_sheet(tmp_path: Path) -> None:
    frame, classified = make_frame(sample_rows())
    plain = build_report(frame, classified, week="2026-W47", today=TODAY)
    assert any(PHONE in str(v) for v in plain.messages[C.TEXT])
    report = build_report(
        frame, classified, recurring_for(frame), week="2026-W47", today=TODAY, mask_pii=True
    )
    path = tmp_path / "masked.xlsx"
    workbook.write_report(report, path)
    book = openpyxl.load_workbook(path)
    seen_mask = False
    for sheet in book:
        for cell in cells(sheet):
            text = str(cell.value)
            assert "918" not in text and "@mail.ru" not in text, (sheet.title, text)
            seen_mask |= PHONE_MASK in text and EMAIL_MASK in text
    assert seen_mask


def test_interrupted_write_keeps_the_previous_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    frame, classified = make_frame(sample_rows())
    report = build_report(frame, classified, week="2026-W47", today=TODAY)
    path = tmp_path / "week.xlsx"
    workbook.write_report(report, path)
    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise RuntimeError("killed mid-write")

    writers = list(workbook.WRITERS)
    writers[7] = boom  # the messages sheet: half the workbook is already written
    monkeypatch.setattr(workbook, "WRITERS", tuple(writers))
    with pytest.raises(RuntimeError):
        workbook.write_report(report, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["week.xlsx"]


def test_unwritable_place_is_an_output_error(tmp_path: Path) -> None:
    frame, classified = make_frame(sample_rows())
    report = build_report(frame, classified, week="2026-W47", today=TODAY)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(CurtoolError) as err:
        workbook.write_report(report, blocker / "week.xlsx")
    assert err.value.code == OUTPUT_FAILED


def test_a_week_without_messages_says_so_on_every_sheet(tmp_path: Path) -> None:
    frame, classified = make_frame(week_rows("Абинский", "ЖКХ", [3, 2, 0]))
    report = build_report(frame, classified, week="2026-W47", today=TODAY)
    assert report.totals.count == 0
    assert report.messages.empty and report.surges.empty
    path = tmp_path / "empty.xlsx"
    workbook.write_report(report, path)
    book = openpyxl.load_workbook(path)
    for name in workbook.SHEETS:
        assert len(cells(book[name])) >= 2, name
    find(book[workbook.SHEET_MESSAGES], "Сообщений за неделю нет")
    find(book[workbook.SHEET_SURGES], "Значимых всплесков за неделю нет")
    find(
        book[workbook.SHEET_RECURRING],
        "Поиск повторяющихся проблем не запускался для этого отчёта.",
    )


def test_population_gives_rates_per_10000(tmp_path: Path) -> None:
    frame, classified = make_frame(
        week_rows("Абинский район", "ЖКХ", [1, 5]) + week_rows("Сочи", "ЖКХ", [1, 20])
    )
    table = tmp_path / "population.csv"
    table.write_text("district;population\nАбинский р-н;50 000\nгород Сочи;400000\n", encoding="utf-8")
    population = read_population(table)
    report = build_report(frame, classified, week="2026-W47", today=TODAY, population=population)
    assert report.heat.rate is not None
    assert report.heat.rate.loc["Абинский район", "ЖКХ"] == pytest.approx(1.0)
    path = tmp_path / "rates.xlsx"
    workbook.write_report(report, path)
    sheet = openpyxl.load_workbook(path)[workbook.SHEET_HEAT]
    r, c = find(sheet, workbook.HEAT_RATE_TITLE)
    header = [x.value for x in sheet[r + 1]]
    assert sheet.cell(r + 2, c).value == "Абинский район"
    assert sheet.cell(r + 2, header.index("ЖКХ") + 1).value == pytest.approx(1.0)
    # the region's total rate is total messages over total residents, not a sum of rates
    total_row = next(x for x in range(r + 2, r + 10) if sheet.cell(x, c).value == workbook.TOTAL)
    assert sheet.cell(total_row, header.index("ЖКХ") + 1).value == pytest.approx(25 / 450_000 * 10_000)
    find(sheet, workbook.HEAT_COUNTS_TITLE)


def test_bad_inputs_are_errors(tmp_path: Path) -> None:
    frame, classified = make_frame(week_rows("Абинский", "ЖКХ", [1, 1]))
    with pytest.raises(CurtoolError) as err:
        build_report(frame, classified, week="2026-W99", today=TODAY)
    assert err.value.code == BAD_OPTION
    bad = tmp_path / "population.csv"
    bad.write_text("name,people\nСочи,много\n", encoding="utf-8")
    with pytest.raises(CurtoolError):
        read_population(bad)


def test_russian_words() -> None:
    assert change_words(114, 100) == "на 14% больше"
    assert change_words(95, 100) == "на 5% меньше"
    assert change_words(300, 100) == "в 3 раза больше"
    assert change_words(500, 100) == "в 5 раз больше"
    assert change_words(7, 0) == ""
    assert [plural(n, "сообщение", "сообщения", "сообщений") for n in (1, 2, 5, 11, 21, 112)] == [
        "сообщение",
        "сообщения",
        "сообщений",
        "сообщений",
        "сообщение",
        "сообщений",
    ]
    assert format_period(date(2026, 11, 16), date(2026, 11, 22)) == "16–22 ноября 2026 г."
    assert format_period(date(2026, 9, 28), date(2026, 10, 4)) == "28 сентября – 4 октября 2026 г."
    assert format_period(date(2025, 12, 29), date(2026, 1, 4)) == "29 декабря 2025 г. – 4 января 2026 г."


# --- the generated samples (skipped until the loader and samples exist) ------------------------
SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


@pytest.mark.slow
def test_sample_report_matches_truth(samples_truth, samples_loaded) -> None:
    truth = samples_truth
    files = [SAMPLES / name for name in truth["files"]]
    # the files loaded once per session (tests/conftest.py), in this order
    assert [f.path.name for f in samples_loaded.files] == [p.name for p in files]
    frame = samples_loaded.frame
    messages = pd.DataFrame(truth["messages"])
    # rows are keyed by (file, data row): exact copies share their id
    true_sector = dict(
        zip(zip(messages["file"], messages["row"], strict=True), messages["sector"], strict=True)
    )
    keys = list(zip(frame[C.FILE], frame[C.ROW].astype(int), strict=True))
    classified = pd.DataFrame(
        {C.SECTOR: [true_sector.get(k, C.OTHER_SECTOR) for k in keys], C.SECTOR_CONFIDENCE: 1.0},
        index=frame.index,
    )
    # a pair of copies the loader kept both of is the loader's miss, not the report's:
    # both are counted, so the expected total grows by one per such pair
    kept_rows = {k for k, dup in zip(keys, frame[C.DUPLICATE], strict=True) if not dup}
    kept_ids = Counter(
        (f, str(i))
        for f, i, dup in zip(frame[C.FILE], frame[C.ID], frame[C.DUPLICATE], strict=True)
        if not dup
    )
    copies = messages[messages["duplicate_of"].notna()]
    missed: Counter[str] = Counter()
    for f, row, i, w, orig_id, orig_file in zip(
        copies["file"],
        copies["row"],
        copies["id"],
        copies["week"],
        copies["duplicate_of"],
        copies["duplicate_file"],
        strict=True,
    ):
        original = (orig_file if isinstance(orig_file, str) and orig_file else f, str(orig_id))
        others_kept = kept_ids[original] - (1 if (f, str(i)) == original and (f, row) in kept_rows else 0)
        if (f, row) in kept_rows and others_kept > 0:
            missed[w] += 1
    planted = {(s["week"], s["district"], s["sector"]) for s in truth["surges"]}
    for week, figures in truth["weekly_totals"].items():
        report = build_report(frame, classified, week=week, today=TODAY)
        assert report.totals.count == figures["messages"] + missed[week], week
        found = {
            (week, d, s) for d, s in zip(report.surges[C.DISTRICT], report.surges[C.SECTOR], strict=True)
        }
        assert found == {p for p in planted if p[0] == week}, week
    assert sum(missed.values()) <= 0.01 * len(messages)


def test_population_table_in_cp1251_with_semicolons_is_read(tmp_path):
    path = tmp_path / "население.csv"
    path.write_bytes("район;население\nГород Майкоп;141 970\nТахтамукайский район;79 512\n".encode("cp1251"))
    table = read_population(path)
    assert table[C.DISTRICT].tolist() == ["Город Майкоп", "Тахтамукайский район"]
    assert table[C.POPULATION].tolist() == [141970.0, 79512.0]


def test_weeks_before_the_export_begins_are_not_shown_as_quiet(tmp_path: Path) -> None:
    # three weeks of data, eight weeks of baseline asked: the five earlier weeks are unknown
    frame, classified = make_frame(week_rows("Абинский", "ЖКХ", [3, 2, 4]))
    report = build_report(frame, classified, week="2026-W47", today=TODAY, weeks_back=8)
    assert list(report.weekly_by_sector.index) == ["2026-W45", "2026-W46", "2026-W47"]
    assert report.weekly_by_sector["ЖКХ"].tolist() == [3, 2, 4]
    path = workbook.write_report(report, tmp_path / "week.xlsx")
    sheet = openpyxl.load_workbook(path)[workbook.SHEET_TRENDS]
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert any(isinstance(c, str) and c.startswith("Отчётная неделя и 2 предыдущие.") for c in cells)
    assert "2026-W44" not in cells


def test_a_covered_window_keeps_every_week_of_dynamics() -> None:
    frame, classified = make_frame(sample_rows())
    report = build_report(frame, classified, week="2026-W47", today=TODAY, weeks_back=8)
    assert len(report.weekly_by_sector) == 9


def test_a_period_the_export_begins_inside_is_partial_and_no_baseline() -> None:
    # the export begins on the Sunday of W46: that week is a one-day fragment
    sunday = W47 - pd.Timedelta(days=1)
    rows = [{"created": sunday + pd.Timedelta(hours=h), "district": "Абинский"} for h in (9, 12, 15)]
    rows += [{"created": W47 + pd.Timedelta(days=d, hours=10), "district": "Абинский"} for d in range(7)]
    frame, classified = make_frame(rows)
    fragment = build_report(frame, classified, week="2026-W46", today=TODAY)
    assert fragment.partial
    assert fragment.summary_lines[0].startswith("Неполная неделя: выгрузка начинается 15.11.2026")
    whole = build_report(frame, classified, week="2026-W47", today=TODAY)
    assert not whole.partial
    # the one-day fragment is no baseline: 7 against «3 on average» would invent a rise
    assert whole.totals.baseline_weeks == 0
    assert whole.totals.baseline != whole.totals.baseline  # NaN: нет данных


def test_as_many_as_the_week_before_reads_as_russian() -> None:
    sunday = {"created": W47 + pd.Timedelta(days=6, hours=20), "district": "Абинский"}
    frame, classified = make_frame([*week_rows("Абинский", "ЖКХ", [5, 4]), sunday])
    report = build_report(frame, classified, week="2026-W47", today=TODAY)
    assert not report.partial
    assert "столько же, сколько неделей ранее (5)" in report.summary_lines[0]
    assert "столько же, чем" not in report.summary_lines[0]
