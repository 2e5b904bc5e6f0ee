"""Console rendering for the CLI: rich tables on a terminal, plain text elsewhere."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from rich import box
from rich.console import Console
from rich.table import Table

from curtool.core import columns as C
from curtool.core.text import blank
from curtool.io.loader import Dataset


def make_console(stderr: bool = False, quiet: bool = False) -> Console:
    # markup off: every string printed holds text written by the public (messages, addresses,
    # title rows, categories), and «[/url]» in one of them must print as written, not crash
    # the command after its output file was written; emphasis is given by style= instead
    console = Console(stderr=stderr, quiet=quiet, highlight=False, soft_wrap=False, markup=False)
    if not console.is_terminal:
        # width fixed when piped, so cron mail and CliRunner output do not wrap at 80 columns
        console = Console(
            stderr=stderr,
            quiet=quiet,
            highlight=False,
            width=160,
            no_color=True,
            soft_wrap=False,
            markup=False,
        )
    return console


def table(console: Console, title: str | None, headers: Sequence[str], rows: Iterable[Sequence]) -> Table:
    """A table that reads well in a terminal and as plain text in a log or e-mail."""
    t = Table(
        title=title,
        box=box.SIMPLE_HEAD if console.is_terminal else box.ASCII2,
        title_justify="left",
        show_edge=console.is_terminal,
    )
    cells = [[_cell(v) for v in row] for row in rows]
    for i, header in enumerate(headers):
        longest = max((len(r[i]) for r in cells if i < len(r)), default=0)
        short_column = longest <= 24
        # short columns keep their full width; long text columns give way and are cut with "…"
        t.add_column(
            header,
            justify="right" if i and _numeric_header(header) else "left",
            overflow="ellipsis",
            no_wrap=True,
            min_width=max(len(header), longest) if short_column else 12,
        )
    for row in cells:
        t.add_row(*row)
    return t


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


def print_inspect(console: Console, data: Dataset) -> None:
    for report in data.files:
        console.print(str(report.path), style="bold")
        how = [f"format: {report.format}"]
        if report.encoding:
            how.append(f"encoding: {report.encoding}")
        if report.separator:
            how.append(f"separator: {'TAB' if report.separator == chr(9) else report.separator!r}")
        if len(report.sheets_read) > 1:
            names = ", ".join(f"«{s}»" for s in report.sheets_read)
            how.append(f"sheets: {names} (of {len(report.sheets)})")
        elif report.sheet:
            how.append(f"sheet: «{report.sheet}» (of {len(report.sheets)})")
        how.append(f"header on line {report.header_row}")
        console.print("  " + ", ".join(how))
        for title in report.title_rows:
            console.print(f"  title row skipped: {short(title, 90)}")
        rows = [(field, header) for field, header in report.mapping.items()]
        console.print(table(console, "  column mapping", ["field", "column"], rows))
        console.print(f"  rows: {report.rows:,}")
        if report.issues:
            issue_rows = [(code, n, C.ISSUE_DESCRIPTIONS.get(code, "")) for code, n in report.issues.items()]
            console.print(table(console, "  rows flagged", ["reason", "rows", "what it means"], issue_rows))
        for line, column, value in report.bad_dates[:5]:
            console.print(f"  unreadable date on line {line}, column «{column}»: {value!r}")
        if report.ragged_lines:
            lines = ", ".join(map(str, report.ragged_lines[:10]))
            console.print(f"  ragged rows on lines: {lines}")
    msgs = data.frame.loc[~data.frame[C.DUPLICATE], [C.DISTRICT, C.DISTRICT_RAW]]
    first, last = data.date_range()
    console.print(
        f"Total: {len(data.frame):,} rows, {len(msgs):,} messages after duplicates"
        + (f", created {first:%Y-%m-%d} – {last:%Y-%m-%d}" if first is not None else "")
    )
    counts = msgs[C.DISTRICT].replace("", "(не указан)").value_counts()
    raw_counts = msgs.groupby(C.DISTRICT)[C.DISTRICT_RAW].nunique()
    rows = [
        (name, n, int(raw_counts.get(name if name != "(не указан)" else "", 0))) for name, n in counts.items()
    ]
    console.print(
        table(console, "Districts (after normalisation)", ["district", "сообщений", "spellings"], rows)
    )
    if data.unknown_districts:
        names = ", ".join(f"«{k}» ({v})" for k, v in list(data.unknown_districts.items())[:10])
        console.print(f"Not in the gazetteer: {names}")


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
            console, "Messages by sector", ["sector", "сообщений", "доля", "given", "mean conf."], table_rows
        )
    )
    if C.PROBLEM_KIND in result.columns:
        kinds = pd.Series(result[C.PROBLEM_KIND].to_numpy()[keep])
        top = kinds[kinds != ""].value_counts().head(10)
        if len(top):
            rows_k = [(k, int(n), f"{n / total:.1%}") for k, n in top.items()]
            console.print(table(console, "Top problem kinds", ["kind", "сообщений", "доля"], rows_k))
    if C.NEEDS_REVIEW in result.columns:
        review = int(result[C.NEEDS_REVIEW].to_numpy()[keep].sum())
        console.print(
            f"На проверку человеку: {review:,} сообщ. ({review / total:.1%}) — модель не уверена "
            "(needs_review = True)"
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
                console, f"Least confident {len(low)}", ["id", "sector", "conf.", "text", "evidence"], shown
            )
        )


def print_evaluation(console: Console, result, title: str) -> None:
    """Per-class precision/recall/F1, the averages, and the biggest confusions."""
    rows = [
        (label, f"{r.precision:.2f}", f"{r.recall:.2f}", f"{r.f1:.2f}", int(r.support))
        for label, r in result.per_class.iterrows()
    ]
    console.print(table(console, f"Evaluation: {title}", ["label", "precision", "recall", "F1", "n"], rows))
    line = f"macro-F1 {result.macro_f1:.3f}   accuracy {result.accuracy:.3f}"
    if result.lenient_accuracy is not None:
        line += f"   lenient accuracy {result.lenient_accuracy:.3f}"
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
        console.print(table(console, "Most frequent confusions", ["true", "predicted", "n"], pairs[:8]))


def print_recurring(console: Console, result, settings, top: int = 10, reach: bool = False) -> None:
    """Problems grouped by district, ranked, with their place and trend (and, ranked by
    ``reach``, their engagement and audience)."""
    problems = result.problems
    console.print(settings.describe())
    if reach:
        console.print("Порядок: по вовлечённости, затем по аудитории (по сумме по сообщениям проблемы).")
    if problems.empty:
        console.print("No recurring problems under this definition.")
        return
    trend_words = {"growing": "растёт", "stable": "стабильно", "fading": "затухает"}
    for district, group in problems.groupby("district", sort=False):
        rows = []
        for _, p in group.head(top).iterrows():
            flags = []
            if p["returned_after_resolved"]:
                flags.append("после «Решено»")
            if p["systemic"]:
                flags.append("системная")
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
        more = f" (showing {top} of {len(group)})" if len(group) > top else ""
        headers = (
            ["id", "sector", "problem and place", "сообщений", "недель", "seen", "trend", "flags"]
            if not reach
            else ["id", "problem and place", "сообщений", "вовлечённость", "аудитория"]
        )
        console.print(
            table(console, f"{district or '(район не указан)'}: {len(group)} problems{more}", headers, rows)
        )


def _count(value: object) -> str:
    """A reach figure as a whole number with thin groups, or «нет данных» as it stands."""
    number = pd.to_numeric(pd.Series([value], dtype=object), errors="coerce").iloc[0]
    return f"{number:,.0f}".replace(",", " ") if pd.notna(number) else str(value or "нет данных")


def print_report(console: Console, report) -> None:
    """The weekly summary: the sentences, then the heat map's top cells and the surges."""
    marker = f", {report.marker}" if getattr(report, "marker", "") else ""
    console.print(f"Неделя {report.week} ({report.period}{marker})", style="bold")
    for line in report.summary_lines:
        console.print(f"• {line}")
    heat = report.heat.counts if hasattr(report.heat, "counts") else None
    if heat is not None and not heat.empty:
        long = heat.stack()
        long = long[long > 0].sort_values(ascending=False).head(10)
        rows = [(d, s, int(n)) for (d, s), n in long.items()]
        console.print(
            table(console, "Тепловая карта: крупнейшие ячейки", ["район", "сектор", "сообщений"], rows)
        )
    if report.surges is not None and not report.surges.empty:
        cols = [C.DISTRICT, C.SECTOR, C.COUNT, C.BASELINE]
        rows = [tuple(r[c] for c in cols) for _, r in report.surges.head(10).iterrows()]
        console.print(table(console, "Всплески", ["район", "сектор", "сообщений", "база"], rows))
    print_executors(console, getattr(report, "executors", None))


def print_executors(console: Console, executors: pd.DataFrame | None, top: int = 5) -> None:
    """The executors most behind (the workbook's ranking), in a table that fits 80 columns."""
    if executors is None or len(executors) < 2:
        return
    from curtool.core import response as rtimes

    def figure(value: object) -> str:
        return "н/д" if isinstance(value, str) else f"{value:.0f}"

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
            "Исполнители: больше всего просрочек (н/д — нет данных)",
            ["исполнитель", "сообщений", "ответ позже", "открыто", "медиана, ч"],
            rows,
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

    name = ", ".join(f"«{h}»" for h in headers) or "the group column"
    by_config = [r for r in mapping.rules if r.why == categories.BY_CONFIG]
    voted = mapping.voted
    known = f"{name}: {mapping.known} of {mapping.distinct} categories are «Группа тем» of the taxonomy"
    if mapping.taxonomy_vocabulary:
        head = f"{known}; they set their block"
    else:
        head = f"{known}: a foreign vocabulary, no name is trusted, each category is mapped by its messages"
    if by_config:
        head += f"; {len(by_config)} are mapped in the config's [groups]"
    console.print(head, markup=False, soft_wrap=True)
    if not voted:
        return
    rows = [
        (
            short(r.category, 50),
            r.messages,
            r.majority,
            "" if r.share != r.share else f"{r.share:.0%}",
            f"{r.second} {r.second_share:.0%}" if r.second else "",
            r.decision,
            f"{r.why} «{r.swallowed}»" if r.swallowed else r.why,
        )
        for r in voted
    ]
    mapped = sum(r.messages for r in voted if r.block)
    total = sum(r.messages for r in voted) or 1
    console.print(
        table(
            console,
            f"Categories mapped by their messages ({mapped:,} of {total:,} messages take their "
            "category's block; the rest keep their text's)",
            ["category", "сообщений", "majority", "доля", "next", "decision", "why"],
            rows,
        )
    )
    console.print(
        "To keep or change this mapping, put these lines under [groups] in curtool.toml "
        '(a block of the taxonomy, or "text" to leave a category to each message\'s text):',
        markup=False,
        soft_wrap=True,
    )
    console.print(groups_toml(voted), markup=False, highlight=False)


def print_archive(console: Console, appended) -> None:
    """What ``curtool archive`` added, and what the archive now holds."""
    archive = appended.archive
    first, last = archive.span()
    console.print(
        f"Archive {archive.path}: {archive.rows:,} messages in {len(archive.parts)} parts "
        f"({len(archive.months)} months), {len(archive.loads)} loads"
        + (f", {first:%Y-%m-%d} – {last:%Y-%m-%d}" if first is not None and last is not None else "")
    )
    if appended.rows:
        console.print(
            f"Added {appended.rows:,} rows in {len(appended.months)} months; marked as copies: "
            f"{appended.duplicates:,} (of messages archived before: {appended.against_archive:,})"
        )
    else:
        console.print("Nothing added: every file was already in the archive")
