"""Console rendering for the CLI: rich tables on a terminal, plain text elsewhere."""

from __future__ import annotations

import os
import re
import textwrap
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table

from curtool.app.lang import english, tr
from curtool.core import columns as C
from curtool.core.reach import top_reach
from curtool.core.text import blank
from curtool.core.wording import fmt_int
from curtool.io.loader import Dataset


def console_width() -> int:
    """The width of a console that is no terminal: ``COLUMNS`` when set (a narrow mail reader,
    a test at 80), else 160, so cron mail and CliRunner output do not wrap at 80 columns."""
    try:
        width = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        return PIPED_WIDTH
    return width if width >= 20 else PIPED_WIDTH


PIPED_WIDTH = 160


def make_console(stderr: bool = False, quiet: bool = False) -> Console:
    # markup off: every string printed holds text written by the public (messages, addresses,
    # title rows, categories), and «[/url]» in one of them must print as written, not crash
    # the command after its output file was written; emphasis is given by style= instead
    console = Console(stderr=stderr, quiet=quiet, highlight=False, soft_wrap=False, markup=False)
    if not console.is_terminal:
        console = Console(
            stderr=stderr,
            quiet=quiet,
            highlight=False,
            width=console_width(),
            no_color=True,
            soft_wrap=False,
            markup=False,
        )
    return console


LONG_TEXT = 30  # a column with a longer value is text that gives way (cut with «…»)
SHRUNK_TEXT = 12  # … down to this width
READABLE_TEXT = 32  # narrower than this, a text column costs a less important column its place


def table(
    console: Console,
    title: str | None,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    drop: Sequence[int] = (),
) -> Table:
    """A table that reads well in a terminal and as plain text in a log or e-mail.

    Short columns (a district, a sector, a count) keep their full width; long text columns
    give way and are cut with «…».  When even that does not fit the console (80 columns),
    the columns in ``drop`` are left out, in that order, before a key column is cut.
    """
    cells = [[_cell(v) for v in row] for row in rows]
    edge = console.is_terminal
    keep = list(range(len(headers)))
    natural = [
        max([cell_len(header)] + [cell_len(r[i]) for r in cells if i < len(r)])
        for i, header in enumerate(headers)
    ]
    text = [max((cell_len(r[i]) for r in cells if i < len(r)), default=0) > LONG_TEXT for i in keep]
    least = [
        max(min(cell_len(h), LONG_TEXT), SHRUNK_TEXT) if text[i] else natural[i]
        for i, h in enumerate(headers)
    ]
    # a column is dropped while the text columns would be cut below a readable width
    readable = [min(natural[i], READABLE_TEXT) if text[i] else natural[i] for i in keep]
    for column in drop:
        if _table_width([readable[i] for i in keep], edge) <= console.width:
            break
        if column in keep and len(keep) > 1:
            keep.remove(column)
    widths = _fit(
        [natural[i] for i in keep], [least[i] for i in keep], [text[i] for i in keep], console.width, edge
    )
    t = Table(
        title=title,
        box=box.SIMPLE_HEAD if edge else box.ASCII2,
        title_justify="left",
        show_edge=edge,
    )
    for i, width in zip(keep, widths, strict=True):
        header = headers[i]
        t.add_column(
            header,
            justify="right" if i and _numeric_header(header) else "left",
            overflow="ellipsis",
            no_wrap=True,
            width=width,
        )
    for row in cells:
        t.add_row(*(row[i] if i < len(row) else "" for i in keep))
    return t


def _fit(natural: list[int], least: list[int], text: list[bool], width: int, edge: bool) -> list[int]:
    """Each column's width: the short ones their own, the text ones their least width and a
    share of the room left, by how much more they would take (never more than that)."""
    room = width - _table_width([0] * len(natural), edge)
    room -= sum(n if not t else m for n, m, t in zip(natural, least, text, strict=True))
    more = sum(n - m for n, m, t in zip(natural, least, text, strict=True) if t)
    if more <= room:
        return natural
    return [
        m + max(room, 0) * (n - m) // more if t else n for n, m, t in zip(natural, least, text, strict=True)
    ]


def _table_width(widths: Sequence[int], edge: bool) -> int:
    """Columns padded by one space each side, a rule between them (and around, on a terminal)."""
    return sum(w + 2 for w in widths) + max(len(widths) - 1, 0) + (2 if edge else 0)


def say_wrapped(console: Console, text: str, bullet: str = "", indent: str = "") -> None:
    """A sentence wrapped to the console's width, its later lines indented under the first's
    text (a bullet's hang), instead of running past the edge of an 80-column mail."""
    lines = textwrap.wrap(
        text,
        width=max(console.width, 20),
        initial_indent=indent + bullet,
        subsequent_indent=indent + " " * len(bullet),
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent + bullet]
    for line in lines:
        console.print(line, soft_wrap=True)


def _numeric_header(header: str) -> bool:
    return header.lower() in {
        "rows",
        "строк",
        "сообщений",
        "count",
        "share",
        "доля",
        "confidence",
        "уверенность",
        "weeks",
        "недель",
        "n",
        "изменение",
        "change",
        "на 10 тыс.",
        "база",
        "baseline",
        "вовлечённость",
        "аудитория",
        "ответ позже",
        "открыто",
        "медиана, ч",
        "сообщ.",
        "messages",
        "engagement",
        "audience",
        "late answer",
        "open",
        "median, h",
        "ср. увер.",
        "увер.",
        "conf.",
        "mean conf.",
        "по выгрузке",
        "given",
        "написаний",
        "spellings",
    }


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return str(value)


# joiners, variation selectors and skin tones: terminals and Rich disagree on how wide
# the emoji they build are, which shifts every column after them
_EMOJI_GLUE = re.compile("[\u200d\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]")


def short(text: object, width: int = 70) -> str:
    value = " ".join(_EMOJI_GLUE.sub("", str(text)).split())
    return value if len(value) <= width else value[: width - 1] + "…"


# the row issues' descriptions for an English console (the Russian ones are the workbook's)
ISSUES_ENGLISH = {
    C.ISSUE_EMPTY_TEXT: "empty message text",
    C.ISSUE_RAGGED_ROW: "more or fewer fields than the header",
    C.ISSUE_BAD_DATE: "the date could not be read",
    C.ISSUE_NO_DATE: "no creation date: the message falls in no week",
    C.ISSUE_DUPLICATE: "a repeat of a message counted above",
    C.ISSUE_UNKNOWN_DISTRICT: "district not in the gazetteer",
    C.ISSUE_BAD_COORDINATES: "coordinates out of range",
    C.ISSUE_SWALLOWED_ROWS: "an unclosed quote ran file lines into one record (split back)",
}


# the row issues' codes in a Russian console line (the codes themselves stay in the files)
ISSUE_NAMES = {
    C.ISSUE_EMPTY_TEXT: "пустой текст",
    C.ISSUE_RAGGED_ROW: "не то число полей",
    C.ISSUE_BAD_DATE: "нечитаемая дата",
    C.ISSUE_NO_DATE: "без даты",
    C.ISSUE_DUPLICATE: "повторы",
    C.ISSUE_UNKNOWN_DISTRICT: "район не найден",
    C.ISSUE_BAD_COORDINATES: "неверные координаты",
    C.ISSUE_SWALLOWED_ROWS: "слитые строки",
}


# the loader's fields in a Russian console (the config's [columns] keys stay as they are)
FIELD_NAMES = {
    "text": "текст",
    "id": "номер",
    "district": "район",
    "locality": "населённый пункт",
    "street": "улица",
    "house": "дом",
    "address": "адрес",
    "lat": "широта",
    "lon": "долгота",
    "created": "дата создания",
    "first_answer": "первый ответ",
    "closed": "дата закрытия",
    "group": "группа",
    "topic": "тема",
    "status": "статус",
    "source": "источник",
    "url": "ссылка",
    "executor": "исполнитель",
    "audience": "аудитория",
    "engagement": "вовлечённость",
}


def field_name(field: str) -> str:
    return field if english() else FIELD_NAMES.get(field, field)


def issue_name(code: str) -> str:
    return code if english() else ISSUE_NAMES.get(code, code)


def print_inspect(console: Console, data: Dataset) -> None:
    for report in data.files:
        console.print(str(report.path), style="bold")
        how = [tr(f"формат: {report.format}", f"format: {report.format}")]
        if report.encoding:
            how.append(tr(f"кодировка: {report.encoding}", f"encoding: {report.encoding}"))
        if report.separator:
            sep = "TAB" if report.separator == chr(9) else repr(report.separator)
            how.append(tr(f"разделитель: {sep}", f"separator: {sep}"))
        of = tr(f"из {len(report.sheets)}", f"of {len(report.sheets)}")
        if len(report.sheets_read) > 1:
            names = ", ".join(f"«{s}»" for s in report.sheets_read)
            how.append(tr(f"листы: {names} ({of})", f"sheets: {names} ({of})"))
        elif report.sheet:
            how.append(tr(f"лист: «{report.sheet}» ({of})", f"sheet: «{report.sheet}» ({of})"))
        how.append(tr(f"заголовок в строке {report.header_row}", f"header on line {report.header_row}"))
        say_wrapped(console, ", ".join(how), indent="  ")
        for title in report.title_rows:
            console.print(tr("  пропущена строка названия: ", "  title row skipped: ") + short(title, 60))
        rows = [(field_name(field), header) for field, header in report.mapping.items()]
        console.print(
            table(
                console,
                tr("  столбцы", "  column mapping"),
                [tr("поле", "field"), tr("столбец", "column")],
                rows,
            )
        )
        console.print(tr(f"  строк: {fmt_int(report.rows)}", f"  rows: {report.rows:,}"))
        if report.issues:
            if english():
                issue_rows = [(code, n, ISSUES_ENGLISH.get(code, "")) for code, n in report.issues.items()]
                headers = ["reason", "rows", "what it means"]
            else:
                # the code (the workbook's «row_issue») in brackets after what it means
                issue_rows = [
                    (f"{C.ISSUE_DESCRIPTIONS.get(code, '')} [{code}]", n) for code, n in report.issues.items()
                ]
                headers = ["причина", "строк"]
            console.print(
                table(console, tr("  отложенные строки", "  rows flagged"), headers, issue_rows, drop=(2,))
            )
        for line, column, value in report.bad_dates[:5]:
            console.print(
                tr(
                    f"  нечитаемая дата в строке {line}, столбец «{column}»: {value!r}",
                    f"  unreadable date on line {line}, column «{column}»: {value!r}",
                )
            )
        if report.ragged_lines:
            lines = ", ".join(map(str, report.ragged_lines[:10]))
            console.print(tr(f"  строки с лишними полями: {lines}", f"  ragged rows on lines: {lines}"))
    msgs = data.frame.loc[~data.frame[C.DUPLICATE], [C.DISTRICT, C.DISTRICT_RAW]]
    first, last = data.date_range()
    span = f", {first:%Y-%m-%d} – {last:%Y-%m-%d}" if first is not None else ""
    say_wrapped(
        console,
        tr(
            f"Всего: {fmt_int(len(data.frame))} строк, {fmt_int(len(msgs))} сообщений без повторов"
            + (f", созданы{span[1:]}" if span else ""),
            f"Total: {len(data.frame):,} rows, {len(msgs):,} messages after duplicates"
            + (f", created{span[1:]}" if span else ""),
        ),
    )
    unnamed = tr("(не указан)", "(not given)")
    counts = msgs[C.DISTRICT].replace("", unnamed).value_counts()
    raw_counts = msgs.groupby(C.DISTRICT)[C.DISTRICT_RAW].nunique()
    rows = [
        (short(name, 40), n, int(raw_counts.get(name if name != unnamed else "", 0)))
        for name, n in counts.items()
    ]
    console.print(
        table(
            console,
            tr("Районы (после нормализации)", "Districts (after normalisation)"),
            [tr("район", "district"), tr("сообщений", "messages"), tr("написаний", "spellings")],
            rows,
        )
    )
    if data.unknown_districts:
        names = ", ".join(f"«{k}» ({v})" for k, v in list(data.unknown_districts.items())[:10])
        say_wrapped(console, tr(f"Нет в справочнике районов: {names}", f"Not in the gazetteer: {names}"))


_WHY_ENGLISH = {
    "группа тем": "«Группа тем»",
    "большинство": "majority",
    "нет большинства": "no majority",
    "большинство не ясно": "majority unclear",
    "держит большую часть блока": "holds most of block",
}


def _why(why: str) -> str:
    """A category's reason (core.categories, Russian as the workbook shows it) for the console."""
    return _WHY_ENGLISH.get(why, why) if english() else why


def _describe_english(settings) -> str:
    return (
        f"A recurring problem: at least {settings.min_count} messages of one district about one kind of "
        f"problem in one place, in at least {settings.min_weeks} different ISO weeks; systemic: the same "
        f"problem in {settings.systemic_min_places} or more places of the district within "
        f"{settings.systemic_window_weeks} weeks, {settings.systemic_burst:g} times its usual rate."
    )


def print_sector_summary(
    console: Console, result: pd.DataFrame, least: int = 10, rows: np.ndarray | None = None
) -> None:
    """Counts and shares by sector, then the least confident messages.

    ``rows`` (a boolean mask) limits the summary without copying ``result``, whose text
    column may hold a million messages: only the few rows shown are ever selected.
    """
    keep = np.ones(len(result), dtype=bool) if rows is None else np.asarray(rows, dtype=bool)
    sectors = result[C.SECTOR].to_numpy()[keep]
    sources = result[C.SECTOR_SOURCE].to_numpy()[keep]
    confidence = result[C.SECTOR_CONFIDENCE].to_numpy()[keep]
    # «given»: the export's own category decided (by name, by the config or by its messages)
    summary = pd.DataFrame({"sector": sectors, "given": sources != "model", "conf": confidence})
    counts = summary["sector"].value_counts()
    total = int(counts.sum()) or 1
    by_sector = summary.groupby("sector").agg(given=("given", "sum"), conf=("conf", "mean"))
    table_rows = [
        (
            sector,
            int(n),
            f"{n / total:.1%}",
            int(by_sector.loc[sector, "given"]),
            f"{by_sector.loc[sector, 'conf']:.2f}",
        )
        for sector, n in counts.items()
    ]
    console.print(
        table(
            console,
            tr("Сообщения по секторам", "Messages by sector"),
            [
                tr("сектор", "sector"),
                tr("сообщений", "messages"),
                tr("доля", "share"),
                tr("по выгрузке", "given"),
                tr("ср. увер.", "mean conf."),
            ],
            table_rows,
            drop=(3, 4),
        )
    )
    if C.PROBLEM_KIND in result.columns:
        kinds = pd.Series(result[C.PROBLEM_KIND].to_numpy()[keep])
        top = kinds[kinds != ""].value_counts().head(10)
        if len(top):
            rows_k = [(short(k, 50), int(n), f"{n / total:.1%}") for k, n in top.items()]
            console.print(
                table(
                    console,
                    tr("Частые виды проблем", "Top problem kinds"),
                    [tr("вид", "kind"), tr("сообщений", "messages"), tr("доля", "share")],
                    rows_k,
                )
            )
    if C.NEEDS_REVIEW in result.columns:
        review = int(result[C.NEEDS_REVIEW].to_numpy()[keep].sum())
        say_wrapped(
            console,
            tr(
                f"На проверку человеку: {fmt_int(review)} сообщ. ({review / total:.1%}) — модель не уверена "
                "(needs_review = True)",
                f"For a person to check: {review:,} messages ({review / total:.1%}) — the model is unsure "
                "(needs_review = True)",
            ),
        )
    # empty texts are already counted under their row issue; they say nothing about the model
    candidates = keep & (result[C.SECTOR_SOURCE].to_numpy() == "model")
    if C.TEXT in result.columns:
        candidates &= ~blank(result[C.TEXT])
    if least and candidates.any():
        conf = pd.Series(result[C.SECTOR_CONFIDENCE].to_numpy()[candidates], index=np.flatnonzero(candidates))
        # row by row: selecting several rows at once would join every chunk of the text column
        low = [result.iloc[int(i)] for i in conf.nsmallest(least).index]
        shown = [
            (
                r.get(C.ID, ""),
                r[C.SECTOR],
                f"{r[C.SECTOR_CONFIDENCE]:.2f}",
                short(r.get(C.TEXT, ""), 60),
                short(r[C.SECTOR_EVIDENCE], 40),
            )
            for r in low
        ]
        console.print(
            table(
                console,
                tr(f"Наименее уверенные: {len(low)}", f"Least confident {len(low)}"),
                [
                    "id",
                    tr("сектор", "sector"),
                    tr("увер.", "conf."),
                    tr("текст", "text"),
                    tr("признаки", "evidence"),
                ],
                shown,
                drop=(4,),
            )
        )


def print_evaluation(console: Console, result, title: str) -> None:
    """Per-class precision/recall/F1, the averages, and the biggest confusions."""
    rows = [
        (label, f"{r.precision:.2f}", f"{r.recall:.2f}", f"{r.f1:.2f}", int(r.support))
        for label, r in result.per_class.iterrows()
    ]
    console.print(
        table(
            console,
            tr(f"Оценка: {title}", f"Evaluation: {title}"),
            [tr("метка", "label"), tr("точность", "precision"), tr("полнота", "recall"), "F1", "n"],
            rows,
        )
    )
    line = tr(
        f"macro-F1 {result.macro_f1:.3f}   доля верных {result.accuracy:.3f}",
        f"macro-F1 {result.macro_f1:.3f}   accuracy {result.accuracy:.3f}",
    )
    if result.lenient_accuracy is not None:
        line += tr(
            f"   с учётом второй метки {result.lenient_accuracy:.3f}",
            f"   lenient accuracy {result.lenient_accuracy:.3f}",
        )
    console.print(line)
    confusion = result.confusion
    pairs = [
        (true, pred, int(confusion.loc[true, pred]))
        for true in confusion.index
        for pred in confusion.columns
        if true != pred and confusion.loc[true, pred] > 0
    ]
    pairs.sort(key=lambda p: -p[2])
    if pairs:
        console.print(
            table(
                console,
                tr("Частые путаницы", "Most frequent confusions"),
                [tr("верно", "true"), tr("предсказано", "predicted"), "n"],
                [(short(t, 30), short(p, 30), n) for t, p, n in pairs[:8]],
            )
        )


def print_recurring(console: Console, result, settings, top: int = 10, reach: bool = False) -> None:
    """Problems grouped by district, ranked, with their place and trend (and, ranked by
    ``reach``, their engagement and audience)."""
    problems = result.problems
    say_wrapped(console, settings.describe() if not english() else _describe_english(settings))
    if reach and not problems.empty and top_reach(problems) is None:
        # asked for reach, the export has none: say so instead of naming an order not applied
        say_wrapped(
            console,
            tr(
                "Охват: нет данных — в выгрузке нет столбцов «Аудитория» и «Вовлеченность» "
                "(--audience-column, --engagement-column); порядок — по числу сообщений.",
                "Reach: no data — the export has no «Аудитория» or «Вовлеченность» column "
                "(--audience-column, --engagement-column); ordered by messages.",
            ),
        )
    elif reach:
        say_wrapped(
            console,
            tr(
                "Порядок: по вовлечённости, затем по аудитории (по сумме по сообщениям проблемы).",
                "Order: by engagement, then by audience (summed over the problem's messages).",
            ),
        )
    if problems.empty:
        console.print(
            tr(
                "Повторяющихся проблем по этому определению нет.",
                "No recurring problems under this definition.",
            )
        )
        return
    trend_words = (
        {"growing": "растёт", "stable": "стабильно", "fading": "затухает"}
        if not english()
        else {"growing": "growing", "stable": "stable", "fading": "fading"}
    )
    for district, group in problems.groupby("district", sort=False):
        rows = []
        for _, p in group.head(top).iterrows():
            flags = []
            if p["returned_after_resolved"]:
                flags.append(tr("вернулась", "returned"))
            if p["systemic"]:
                flags.append(tr("системная", "systemic"))
            rows.append(
                (
                    p["id"],
                    short(p["sector"], 16),
                    short(p["label"], 52),
                    int(p["count"]),
                    int(p["weeks"]),
                    f"{pd.Timestamp(p['first_seen']):%d.%m}–{pd.Timestamp(p['last_seen']):%d.%m}",
                    trend_words.get(str(p["trend"]), str(p["trend"])),
                    ", ".join(flags),
                )
                if not reach
                # ranked by reach, the reach replaces the weeks, dates, trend and flags: the line fits
                else (p["id"], short(p["label"], 40), int(p["count"]), _count(p.get("engagement")),
                      _count(p.get("audience")))
            )  # fmt: skip
        more = (
            tr(f" (показаны {top} из {len(group)})", f" (showing {top} of {len(group)})")
            if len(group) > top
            else ""
        )
        headers = (
            [
                "id",
                tr("сектор", "sector"),
                tr("проблема и место", "problem and place"),
                tr("сообщ.", "messages"),
                tr("недель", "weeks"),
                tr("даты", "seen"),
                tr("тренд", "trend"),
                tr("отметки", "flags"),
            ]
            if not reach
            else [
                "id",
                tr("проблема и место", "problem and place"),
                tr("сообщений", "messages"),
                tr("вовлечённость", "engagement"),
                tr("аудитория", "audience"),
            ]
        )
        name = district or tr("(район не указан)", "(no district)")
        title = tr(f"{name}: проблем — {len(group)}{more}", f"{name}: {len(group)} problems{more}")
        # at 80 columns the sector, then the dates and the trend give way to the problem's name
        console.print(table(console, title, headers, rows, drop=(1, 5, 6, 4) if not reach else (4,)))


def _count(value: object) -> str:
    """A reach figure as a whole number with thin groups, or «нет данных» as it stands."""
    number = pd.to_numeric(pd.Series([value], dtype=object), errors="coerce").iloc[0]
    return (
        f"{number:,.0f}".replace(",", " ") if pd.notna(number) else str(value or tr("нет данных", "no data"))
    )


def print_report(console: Console, report) -> None:
    """The weekly summary: the sentences, then the heat map's top cells and the surges."""
    period = report.reported
    marker = f", {report.marker}" if report.marker else ""
    english = "Period" if period.kind == "range" else period.kind.capitalize()
    console.print(
        tr(period.heading(report.marker), f"{english} {report.week} ({report.period}{marker})"), style="bold"
    )
    for line in report.summary_lines:
        say_wrapped(console, line, bullet="• ")
    heat = report.heat.counts if hasattr(report.heat, "counts") else None
    if heat is not None and not heat.empty:
        long = heat.stack()
        long = long[long > 0].sort_values(ascending=False).head(10)
        rows = [(d, s, int(n)) for (d, s), n in long.items()]
        console.print(
            table(
                console,
                tr("Тепловая карта: крупнейшие ячейки", "Heat map: the largest cells"),
                [tr("район", "district"), tr("сектор", "sector"), tr("сообщений", "messages")],
                rows,
            )
        )
    if report.surges is not None and not report.surges.empty:
        cols = [C.DISTRICT, C.SECTOR, C.COUNT, C.BASELINE]
        rows = [tuple(r[c] for c in cols) for _, r in report.surges.head(10).iterrows()]
        console.print(
            table(
                console,
                tr("Всплески", "Surges"),
                [
                    tr("район", "district"),
                    tr("сектор", "sector"),
                    tr("сообщений", "messages"),
                    tr("база", "baseline"),
                ],
                rows,
            )
        )
    print_comparison(console, report)
    print_executors(console, getattr(report, "executors", None))


def print_comparison(console: Console, report, top: int = 8) -> None:
    """The busiest sectors against the previous period and a year earlier (н/д: no data)."""
    comparison = getattr(report, "comparison", None)
    if comparison is None or len(comparison.by_sector) < 2:
        return
    from curtool.core import comparison as cmp

    def count(value: object) -> str:
        return tr("н/д", "n/a") if isinstance(value, str) else f"{value:.0f}"

    def pct(value: object) -> str:
        return tr("н/д", "n/a") if isinstance(value, str) else f"{value * 100:+.0f}%"

    body = comparison.by_sector.iloc[:-1]
    body = body[body[cmp.CURRENT] > 0].sort_values(cmp.CURRENT, ascending=False, kind="stable").head(top)
    rows = [
        (
            short(r[C.SECTOR], 28),
            int(r[cmp.CURRENT]),
            count(r[cmp.PREVIOUS]),
            pct(r[cmp.CHANGE_PREVIOUS]),
            count(r[cmp.YEAR_AGO]),
            pct(r[cmp.CHANGE_YEAR_AGO]),
        )
        for _, r in [*body.iterrows(), *comparison.by_sector.iloc[-1:].iterrows()]
    ]
    console.print(
        table(
            console,
            tr("Сравнение по секторам (н/д — нет данных)", "Sectors compared (n/a — no data)"),
            [
                tr("сектор", "sector"),
                tr("сейчас", "now"),
                tr("ранее", "before"),
                tr("изм.", "change"),
                tr("год назад", "year ago"),
                tr("изм.", "change"),
            ],
            rows,
        )
    )


def print_executors(console: Console, executors: pd.DataFrame | None, top: int = 5) -> None:
    """The executors most behind (the workbook's ranking), in a table that fits 80 columns."""
    if executors is None or len(executors) < 2:
        return
    from curtool.core import response as rtimes

    def figure(value: object) -> str:
        return tr("н/д", "n/a") if isinstance(value, str) else f"{value:.0f}"

    rows = [
        (
            short(r[C.EXECUTOR], 28),
            int(r[rtimes.RT_MESSAGES]),
            figure(r[rtimes.RT_FIRST_OVERDUE_N]),
            figure(r[rtimes.RT_OPEN_OVERDUE]),
            figure(r[rtimes.RT_FIRST_MEDIAN]) if not isinstance(r[rtimes.RT_FIRST_MEDIAN], float)
            or r[rtimes.RT_FIRST_MEDIAN] == r[rtimes.RT_FIRST_MEDIAN] else "—",
        )
        for _, r in executors.iloc[:-1].head(top).iterrows()
    ]  # fmt: skip
    console.print(
        table(
            console,
            tr(
                "Исполнители: больше всего просрочек (н/д — нет данных)",
                "Executors most overdue (n/a: no data)",
            ),
            [
                tr("исполнитель", "executor"),
                tr("сообщений", "messages"),
                tr("ответ позже", "late answer"),
                tr("открыто", "open"),
                tr("медиана, ч", "median, h"),
            ],
            rows,
            drop=(4,),
        )
    )


def groups_toml(rules: Sequence) -> str:
    """A ``[groups]`` section for ``curtool.toml`` that keeps these categories' decisions."""
    lines = ["[groups]"]
    for rule in rules:
        lines.append(f"{toml_string(rule.category)} = {toml_string(rule.decision)}")
    return "\n".join(lines)


def toml_string(value: str) -> str:
    """``value`` as a TOML basic string (quotes, backslashes and control characters escaped)."""
    out = []
    for ch in value:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def print_categories(console: Console, mapping, headers: Sequence[str] = ()) -> None:
    """How the export's categories were used: a line when the taxonomy knew them all, else
    the table of the categories mapped by their messages and a ``[groups]`` snippet.

    Categories already in the config's ``[groups]`` are only counted: once the analyst has
    saved the mapping, a weekly run shows just the categories that are new.
    """
    if mapping is None or not mapping.rules:
        return
    from curtool.core import categories

    name = ", ".join(f"«{h}»" for h in headers) or tr("столбец группы", "the group column")
    by_config = [r for r in mapping.rules if r.why == categories.BY_CONFIG]
    voted = mapping.voted
    known = tr(
        f"{name}: {mapping.known} из {mapping.distinct} категорий — «Группа тем» таксономии",
        f"{name}: {mapping.known} of {mapping.distinct} categories are «Группа тем» of the taxonomy",
    )
    if mapping.taxonomy_vocabulary:
        head = known + tr("; они задают свой блок", "; they set their block")
    else:
        head = known + tr(
            ": чужой словарь, названиям не доверяем, каждая категория сопоставлена по своим сообщениям",
            ": a foreign vocabulary, no name is trusted, each category is mapped by its messages",
        )
    if by_config:
        head += tr(
            f"; {len(by_config)} сопоставлены в [groups] файла настроек",
            f"; {len(by_config)} are mapped in the config's [groups]",
        )
    say_wrapped(console, head)
    if not voted:
        return
    rows = [
        (
            short(r.category, 50),
            r.messages,
            r.majority,
            "" if r.share != r.share else f"{r.share:.0%}",
            f"{r.second} {r.second_share:.0%}" if r.second else "",
            short(r.decision, 30),
            f"{_why(r.why)} «{r.swallowed}»" if r.swallowed else _why(r.why),
        )
        for r in voted
    ]
    mapped = sum(r.messages for r in voted if r.block)
    total = sum(r.messages for r in voted) or 1
    say_wrapped(
        console,
        tr(
            f"Категории, сопоставленные по своим сообщениям ({fmt_int(mapped)} из {fmt_int(total)} "
            "сообщений получают блок своей категории, остальные — блок по тексту):",
            f"Categories mapped by their messages ({mapped:,} of {total:,} messages take their "
            "category's block; the rest keep their text's):",
        ),
    )
    console.print(
        table(
            console,
            None,
            [
                tr("категория", "category"),
                tr("сообщений", "messages"),
                tr("большинство", "majority"),
                tr("доля", "share"),
                tr("следующий", "next"),
                tr("решение", "decision"),
                tr("почему", "why"),
            ],
            rows,
            drop=(4, 2, 3),
        )
    )
    say_wrapped(
        console,
        tr(
            "Чтобы сохранить или изменить это сопоставление, впишите эти строки в раздел [groups] "
            'файла curtool.toml (блок таксономии или "text" — категорию решает текст каждого сообщения):',
            "To keep or change this mapping, put these lines under [groups] in curtool.toml "
            '(a block of the taxonomy, or "text" to leave a category to each message\'s text):',
        ),
    )
    # soft wrap: a TOML line cut in two at the edge of an 80-column screen no longer parses
    console.print(groups_toml(voted), markup=False, highlight=False, soft_wrap=True)


def print_archive(console: Console, appended) -> None:
    """What ``curtool archive`` added, and what the archive now holds."""
    archive = appended.archive
    first, last = archive.span()
    span = f", {first:%Y-%m-%d} – {last:%Y-%m-%d}" if first is not None and last is not None else ""
    say_wrapped(
        console,
        tr(
            f"Архив {archive.path}: {fmt_int(archive.rows)} сообщений в {len(archive.parts)} частях "
            f"(месяцев: {len(archive.months)}), загрузок: {len(archive.loads)}{span}",
            f"Archive {archive.path}: {archive.rows:,} messages in {len(archive.parts)} parts "
            f"({len(archive.months)} months), {len(archive.loads)} loads{span}",
        ),
    )
    if appended.rows:
        say_wrapped(
            console,
            tr(
                f"Добавлено {fmt_int(appended.rows)} строк за {len(appended.months)} мес.; "
                f"помечены как копии: {fmt_int(appended.duplicates)} (из них повторов сообщений "
                f"из архива: {fmt_int(appended.against_archive)})",
                f"Added {appended.rows:,} rows in {len(appended.months)} months; marked as copies: "
                f"{appended.duplicates:,} (of messages archived before: {appended.against_archive:,})",
            ),
        )
    else:
        console.print(
            tr(
                "Ничего не добавлено: все файлы уже были в архиве",
                "Nothing added: every file was already in the archive",
            )
        )
