"""The weekly report's list sheets: «Всплески», «Повторяющиеся проблемы», «Динамика проблем»
(only when the problem state is kept), «Источники», «Сроки ответа», «Сообщения» (every
message of the week, links clickable) and «Отклонено»."""

from __future__ import annotations

import math

import pandas as pd

from curtool.core import columns as C
from curtool.core import problemstate as PS
from curtool.core import report as R
from curtool.core import response as rtimes
from curtool.core import wording
from curtool.io import pagelayout
from curtool.io.output import EXCEL_MAX_CELL, EXCEL_MAX_ROWS, MAX_LINKS, write_link
from curtool.io.reportstyle import HEADERS, TRENDS, Formats, print_setup, sheet_title, table_at, typed_cell

SHEET_SURGES = "Всплески"
SHEET_RECURRING = "Повторяющиеся проблемы"
SHEET_DYNAMICS = "Динамика проблем"
SHEET_SOURCES = "Источники"
SHEET_RESPONSE = "Сроки ответа"
SHEET_MESSAGES = "Сообщения"
SHEET_REJECTED = "Отклонено"

MAX_URLS = MAX_LINKS  # Excel keeps at most this many hyperlinks per sheet; the rest stay text
_LONG_TEXT = 98  # characters that fit one line of the 80-wide text column
_MAX_TEXT_LINES = 6  # a taller row would push the page's other messages off it


def write_surges(book, f: Formats, report: R.Report) -> None:
    sheet = book.add_worksheet(SHEET_SURGES)
    print_setup(sheet, repeat_row=3)
    sheet_title(sheet, f, report, "Всплески по районам и секторам")
    sheet.merge_range(1, 0, 1, 7, "", f.wrap)
    sheet.write_string(
        1, 0, report.surge_rule + (" Персональные данные скрыты." if report.masked else ""), f.wrap
    )
    sheet.set_row(1, 48)
    formats = {
        C.COUNT: f.int,
        C.BASELINE: f.float,
        C.BASELINE_WEEKS: f.int,
        C.RATIO: f.float,
        C.P_VALUE: f.pvalue,
        C.THRESHOLD: f.pvalue,
    }
    table_at(
        sheet,
        f,
        3,
        0,
        report.surges,
        formats,
        empty="Значимых всплесков за неделю нет",
        headers={C.COUNT: "Сообщений за неделю"},
    )
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 26)
    sheet.set_column(2, 7, 13)
    sheet.freeze_panes(4, 0)


def write_recurring(book, f: Formats, report: R.Report) -> None:
    sheet = book.add_worksheet(SHEET_RECURRING)
    print_setup(sheet, repeat_row=3)
    sheet_title(sheet, f, report, "Повторяющиеся проблемы", "«Новая» — впервые замечена на отчётной неделе.")
    if report.recurring is None:
        sheet.write_string(3, 0, "Поиск повторяющихся проблем не запускался для этого отчёта.", f.empty)
        return
    table = report.recurring.copy()
    table[R.NEW] = table[R.NEW].map({True: "новая", False: ""})
    table["trend"] = table["trend"].map(lambda t: TRENDS.get(str(t), t))
    # the long list of message ids goes last, so the printed page can leave it off
    table = table[[c for c in table.columns if c != "message_ids"] + ["message_ids"]]
    for col in ("first_seen", "last_seen"):
        parsed = pd.to_datetime(table[col], errors="coerce")
        if parsed.notna().any():
            table[col] = parsed.dt.date
    formats = {
        R.IN_WEEK: f.int,
        "count": f.int,
        "weeks": f.int,
        "audience": f.int,
        "engagement": f.int,
        "first_seen": f.day,
        "last_seen": f.day,
        R.NEW: f.new,
    }
    widths = {
        PS.STATE_COLUMN: 13,
        R.NEW: 8,
        R.IN_WEEK: 9,
        "id": 13,
        "district": 20,
        "sector": 16,
        "kind": 24,
        "label": 30,
        "place": 24,
        "message_ids": 40,
        "representative": 44,
        "places": 7,
        "trend": 14,
        "first_seen": 11,
        "last_seen": 11,
        "audience": 12,
        "engagement": 13,
    }
    end = table_at(
        sheet,
        f,
        3,
        0,
        table,
        formats,
        empty="Повторяющихся проблем не найдено",
        wrap={name: widths[name] for name in ("sector", "kind", "label", "place", "representative")},
        headers={
            "count": "Сообщений всего",
            "district": "Район",
            "sector": "Сектор",
            PS.STATE_COLUMN: "Состояние",
        },
        header_height=45,
    )
    for c, name in enumerate(table.columns):
        sheet.set_column(c, c, widths.get(name, 10))
    if len(table):
        sheet.autofilter(3, 0, end - 1, len(table.columns) - 1)
        # the long list of message ids stays on screen but off the printed page
        sheet.print_area(0, 0, end - 1, len(table.columns) - 2)
    sheet.freeze_panes(4, 3)


def write_dynamics(book, f: Formats, report: R.Report) -> None:
    """«Динамика проблем»: the comparison with the previous report, the problems that went quiet
    (also those this run no longer lists), and the new and returned ones with their history."""
    dyn = report.dynamics
    if dyn is None:
        return
    sheet = book.add_worksheet(SHEET_DYNAMICS)
    print_setup(sheet)
    n = dyn.quiet_periods
    periods = f"{n} {wording.plural(n, 'отчётный период', 'отчётных периода', 'отчётных периодов')}"
    sheet_title(
        sheet,
        f,
        report,
        "Динамика проблем",
        "«Новая» — не было в прошлых отчётах; «продолжается» — сообщения были за последние "
        f"{periods}; «затихла» — {periods} подряд без сообщений; «вернулась» — была затихшей, "
        "и пришли новые сообщения.",
    )
    sheet.merge_range(3, 0, 3, 7, "", f.sentence)
    sheet.write_string(3, 0, dyn.sentence(), f.sentence)
    sheet.set_row(3, 30)
    table = report.recurring if report.recurring is not None else pd.DataFrame(columns=["id"])
    labels = dict(zip(table["id"].astype(str), table.get("label", table["id"]).astype(str), strict=True))
    row = 5
    sheet.write_string(row, 0, "Затихли за период", f.section)
    gone = pd.DataFrame(
        {
            PS.STATE_COLUMN: [PS.LABELS[PS.QUIET]] * len(dyn.gone_quiet),
            "id": [g.id for g in dyn.gone_quiet],
            "label": [labels.get(g.id, g.kind) for g in dyn.gone_quiet],
            "district": [g.district for g in dyn.gone_quiet],
            "sector": [g.sector for g in dyn.gone_quiet],
            "last_seen": [g.last_seen for g in dyn.gone_quiet],
            "count": [g.count for g in dyn.gone_quiet],
            "since": [dyn.first_reported(key=g.key) for g in dyn.gone_quiet],
            "history": [dyn.history(key=g.key) for g in dyn.gone_quiet],
        }
    )
    headers = {
        "id": "Проблема",
        "label": "Проблема: вид и место",
        "district": "Район",
        "sector": "Сектор",
        "last_seen": "Последнее сообщение",
        "count": "Сообщений всего",
        PS.STATE_COLUMN: "Состояние",
        "since": "В отчётах с",
        "history": "История состояний",
    }
    empty = "Сравнивать не с чем: это первый отчёт состояния" if dyn.first else "Ни одна проблема не затихла"
    row = table_at(
        sheet, f, row + 1, 0, gone, {"last_seen": f.day, "count": f.int}, empty=empty, headers=headers
    )
    if not dyn.first and report.recurring is not None:
        wanted = {PS.LABELS[PS.NEW], PS.LABELS[PS.BACK]}
        fresh = table[table[PS.STATE_COLUMN].isin(wanted)]
        shown = pd.DataFrame(
            {
                PS.STATE_COLUMN: fresh[PS.STATE_COLUMN],
                "id": fresh["id"].astype(str),
                "label": fresh["label"].astype(str),
                "district": fresh["district"].astype(str),
                "sector": fresh["sector"].astype(str),
                "last_seen": pd.to_datetime(fresh["last_seen"], errors="coerce").dt.date,
                "count": fresh["count"],
                "since": [dyn.first_reported(pid) for pid in fresh["id"].astype(str)],
                "history": [dyn.history(pid) for pid in fresh["id"].astype(str)],
            }
        )
        sheet.write_string(row + 1, 0, "Новые и вернувшиеся", f.section)
        table_at(
            sheet,
            f,
            row + 2,
            0,
            shown,
            {"last_seen": f.day, "count": f.int},
            empty="Новых и вернувшихся проблем нет",
            headers=headers,
        )
    for c, width in enumerate((13, 13, 45, 20, 16, 12, 10, 11, 50)):
        sheet.set_column(c, c, width)


def write_sources(book, f: Formats, report: R.Report) -> None:
    sheet = book.add_worksheet(SHEET_SOURCES)
    print_setup(sheet, landscape=False)
    sheet_title(
        sheet,
        f,
        report,
        "Источники сообщений",
        "Платформа — по адресу ссылки на пост, иначе по полю «Источник».",
    )
    sheet.write_string(3, 0, "По платформам", f.section)
    end = table_at(sheet, f, 4, 0, report.platforms, {C.COUNT: f.int, C.SHARE: f.pct})
    sheet.write_string(3, 4, "По полю «Источник»", f.section)
    table_at(sheet, f, 4, 4, report.sources, {C.COUNT: f.int, C.SHARE: f.pct})
    if len(report.platforms):
        chart = book.add_chart({"type": "bar"})
        chart.add_series(
            {
                "name": "Сообщений",
                "categories": [sheet.name, 5, 0, 4 + len(report.platforms), 0],
                "values": [sheet.name, 5, 1, 4 + len(report.platforms), 1],
                "data_labels": {"value": True},
                "fill": {"color": "#5B9BD5"},
            }
        )
        chart.set_title({"name": "Сообщений по платформам", "name_font": {"size": 11}})
        chart.set_legend({"none": True})
        chart.set_y_axis({"reverse": True})
        chart.set_size({"width": 520, "height": 60 + 40 * len(report.platforms)})
        sheet.insert_chart(max(end, 5 + len(report.sources)) + 1, 0, chart)
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 2, 12)
    sheet.set_column(3, 3, 3)
    sheet.set_column(4, 4, 30)
    sheet.set_column(5, 6, 12)


def write_response(book, f: Formats, report: R.Report) -> None:
    sheet = book.add_worksheet(SHEET_RESPONSE)
    print_setup(sheet)
    d = report.deadlines
    sheet_title(
        sheet,
        f,
        report,
        "Сроки ответа",
        "Первый ответ — по сообщениям недели (срок по умолчанию "
        f"{wording.fmt_num(d.default_first_answer, 0)} ч); закрытие — по закрытым за неделю "
        f"(срок по умолчанию {wording.fmt_num(d.default_closing, 0)} ч)."
        + (
            " Нет данных там, где в выгрузке нет столбца: " + ", ".join(report.missing_dates) + "."
            if report.missing_dates
            else ""
        ),
    )
    formats = {
        rtimes.RT_MESSAGES: f.int,
        rtimes.RT_ANSWERED: f.int,
        rtimes.RT_FIRST_MEDIAN: f.float,
        rtimes.RT_FIRST_P90: f.float,
        rtimes.RT_FIRST_DEADLINE: f.int,
        rtimes.RT_FIRST_OVERDUE: f.pct,
        rtimes.RT_CLOSED: f.int,
        rtimes.RT_CLOSE_MEDIAN: f.float,
        rtimes.RT_CLOSE_P90: f.float,
        rtimes.RT_CLOSE_DEADLINE: f.int,
        rtimes.RT_CLOSE_OVERDUE: f.pct,
        rtimes.RT_OPEN_OVERDUE: f.int,
    }
    sheet.write_string(3, 0, "По секторам", f.section)
    end = table_at(sheet, f, 4, 0, report.response_by_sector, formats, total_row=True, header_height=48)
    sheet.write_string(end + 1, 0, "По районам", f.section)
    table_at(sheet, f, end + 2, 0, report.response_by_district, formats, total_row=True, header_height=48)
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 12, 14)
    sheet.freeze_panes(5, 1)


def write_messages(book, f: Formats, report: R.Report) -> None:
    sheet = book.add_worksheet(SHEET_MESSAGES)
    print_setup(sheet, repeat_row=0)
    table = report.messages
    notice = ""
    if len(table) > EXCEL_MAX_ROWS:
        notice = f"Показаны первые {EXCEL_MAX_ROWS:,} из {len(table):,} сообщений".replace(",", " ")
        table = table.iloc[:EXCEL_MAX_ROWS]
    columns = list(table.columns)
    pagelayout.write_header(sheet, 0, 0, [HEADERS.get(c, str(c)) for c in columns], f.header_left)
    sheet.set_row(0, 20)
    widths = {
        C.ID: 12,
        C.CREATED: 16,
        C.DISTRICT: 20,
        C.SECTOR: 20,
        C.SECTOR_CONFIDENCE: 13,
        C.PROBLEM_KIND: 26,
        C.NEEDS_REVIEW: 12,
        C.PROBLEM_ID: 13,
        C.PLATFORM: 14,
        C.STATUS: 14,
        C.TEXT: 80,
        C.URL: 28,
        C.FILE: 18,
        C.ROW: 8,
    }
    for c, name in enumerate(columns):
        sheet.set_column(c, c, widths.get(name, 14))
    sheet.freeze_panes(1, 0)
    if table.empty:
        sheet.write_string(1, 0, "Сообщений за неделю нет", f.empty)
        return
    # every cell top-aligned: a two-line text row must not leave its neighbours at the bottom
    top = book.add_format({"valign": "top"})
    kinds = {
        C.CREATED: book.add_format({"num_format": "dd.mm.yyyy hh:mm", "valign": "top"}),
        C.SECTOR_CONFIDENCE: book.add_format({"num_format": "0.00", "valign": "top", "align": "center"}),
    }
    link_fmt = book.add_format({"font_color": "#0563C1", "underline": 1, "valign": "top"})
    url_col = columns.index(C.URL) if C.URL in columns else -1
    text_col = columns.index(C.TEXT) if C.TEXT in columns else -1
    for r, values in enumerate(table.itertuples(index=False, name=None), start=1):
        for c, value in enumerate(values):
            if c == url_col:
                if isinstance(value, str) and value:
                    write_link(sheet, r, c, value, link_fmt, top)
                continue
            if c == text_col and isinstance(value, str) and ("\n" in value or len(value) > _LONG_TEXT):
                # a row as tall as its text (up to a few lines): unwrapped multi-line text would
                # spill over the next rows, and neither Excel nor LibreOffice sizes the row itself
                sheet.write_string(r, c, value[:EXCEL_MAX_CELL], f.wrap)
                lines = sum(max(1, math.ceil(len(part) / _LONG_TEXT)) for part in value.strip().split("\n"))
                sheet.set_row(r, pagelayout.LINE_HEIGHT * min(max(lines, 2), _MAX_TEXT_LINES))
                continue
            typed_cell(sheet, r, c, value, kinds.get(columns[c], top))
    sheet.autofilter(0, 0, len(table), len(columns) - 1)
    # where a row came from (file, row) stays on screen; the printed page ends before it
    printed = [c for c in columns if c not in (C.FILE, C.ROW)] or columns
    last_printed = max(columns.index(c) for c in printed)
    sheet.print_area(0, 0, len(table), last_printed)
    if notice:
        sheet.write_string(len(table) + 1, 0, notice, f.empty)


def write_rejected(book, f: Formats, report: R.Report) -> None:
    sheet = book.add_worksheet(SHEET_REJECTED)
    print_setup(sheet, repeat_row=3)
    table = report.rejected
    if len(table) > EXCEL_MAX_ROWS - 3:
        table = table.iloc[: EXCEL_MAX_ROWS - 3]
    sheet_title(
        sheet,
        f,
        report,
        "Строки с замечаниями",
        "Строки недели и строки без даты, к которым есть замечания; "
        "«Учтено в отчёте: нет» — строка не вошла в цифры.",
    )
    widths = {
        C.FILE: 20,
        C.ROW: 8,
        C.ID: 12,
        R.CREATED_IN_REPORT: 10,
        R.REASON_CODES: 22,
        R.REASONS: 45,
        C.TEXT: 80,
    }
    end = table_at(
        sheet,
        f,
        3,
        0,
        table,
        {C.ROW: None},
        empty="Замечаний к строкам нет",
        wrap={R.REASONS: widths[R.REASONS], C.TEXT: widths[C.TEXT]},
    )
    sheet.set_row(3, 20)
    for c, name in enumerate(table.columns):
        sheet.set_column(c, c, widths.get(name, 14))
    if len(table):
        sheet.autofilter(3, 0, end - 1, len(table.columns) - 1)
        # long texts spill to the right on screen; the printed page stops at the table
        sheet.print_area(0, 0, end - 1, len(table.columns) - 1)
    sheet.freeze_panes(4, 0)
