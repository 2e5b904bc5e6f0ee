"""The report's letter: the week in sentences and its key figures, from a built report.

:func:`summary_lines` and :func:`key_figures` read a :class:`curtool.core.report.Report`
(``build_report`` fills them in); a figure the export cannot support is :data:`NO_DATA`,
never a number.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from curtool.core import columns as C
from curtool.core import response as rtimes
from curtool.core.comparison import change
from curtool.core.executors import worst as worst_executor
from curtool.core.reach import top_reach
from curtool.core.wording import change_short, change_words, fmt_int, fmt_messages, fmt_num, plural

if TYPE_CHECKING:
    from curtool.core.report import Report

# Keys of the key-figures table (workbook.py maps them to Russian headers).
LABEL = "label"
VALUE = "value"
KIND = "kind"  # how a key figure is formatted: int / pct / hours / float / text
PARTIAL_WEEK = "неполная неделя"
NO_DATA = rtimes.NO_DATA
NEW, IN_WEEK = C.PROBLEM_NEW, C.PROBLEM_IN_WEEK


def _short(text: str, limit: int) -> str:
    """Cut at a word boundary with «…» so a sentence stays readable."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;: ") + "…"


def _top_with_change(counts: pd.Series, baseline: pd.Series, n: int = 3) -> str:
    parts = []
    for name, value in counts[counts > 0].sort_values(ascending=False, kind="stable").head(n).items():
        change = change_short(float(value), float(baseline.get(name, np.nan)))
        parts.append(f"{name} — {fmt_int(value)}" + (f" ({change})" if change else ""))
    return ", ".join(parts)


def summary_lines(report: Report) -> list[str]:
    t = report.totals
    words = report.reported.words
    lines: list[str] = []
    end = f"{report.data_end:%d.%m.%Y}" if report.data_end else ""
    if report.partial:
        edges = []
        if report.data_start is not None and report.data_start > report.week_start:
            edges.append(f"начинается {report.data_start:%d.%m.%Y}")
        if report.data_end is not None and report.data_end < report.week_end:
            edges.append(f"заканчивается {end}")
        lines.append(
            f"{words.partial.capitalize()}: выгрузка {' и '.join(edges)}, "
            f"поэтому сравнения с полными {words.full_plural} не приводятся."
        )
    previous = _previous_count(report)
    if t.count == 0:
        first = f"За {words.noun} {report.period} сообщений не поступило"
        if report.data_end is None:
            first += ": в выгрузке нет датированных сообщений"
        elif report.stale:
            first += f": выгрузка заканчивается раньше ({end})"
        elif report.data_start is not None and report.data_start > report.week_end:
            first += (
                f": выгрузка начинается позже ({report.data_start:%d.%m.%Y}, последнее сообщение — {end})"
            )
        elif previous:
            first += f" ({words.earlier} — {fmt_int(previous)})"
        return [*lines, first + ".", *report.notes]
    first = f"За {words.noun} {report.period} поступило {fmt_messages(t.count)}"
    vs_prev = "" if previous is None else change_words(t.count, previous)
    if vs_prev:
        compare = f"{vs_prev}, чем" if vs_prev != "столько же" else "столько же, сколько"
        first += f", {compare} {words.earlier} ({fmt_int(previous)})"
    elif previous == 0:
        first += f", {words.earlier} сообщений не было"
    elif not report.partial:
        first += f", {words.earlier} — {NO_DATA}"
    vs_base = "" if report.partial else change_words(t.count, t.baseline)
    if vs_base and t.baseline_weeks:
        weeks = f"{t.baseline_weeks} {plural(t.baseline_weeks, *words.baseline_forms)}"
        compare = f"{vs_base}, чем" if vs_base != "столько же" else "столько же, сколько"
        first += f"; {compare} в среднем за {weeks} ({fmt_num(t.baseline)})"
    lines.append(first + ".")
    line = _year_ago_line(report)
    if line:
        lines.append(line)

    heat = report.heat
    sector_counts = heat.counts.sum(axis=0)
    # without a covered earlier week there is no baseline (a sum of NaN would read as 0)
    sector_base = heat.baseline.sum(axis=0, min_count=1)
    if report.partial:  # part of a week against whole ones would read as a fall
        sector_base = sector_base * np.nan
    lines.append("Больше всего сообщений по секторам: " + _top_with_change(sector_counts, sector_base) + ".")
    if C.PROBLEM_KIND in report.messages and len(report.messages):
        kinds = report.messages[C.PROBLEM_KIND].astype(str)
        top = kinds[kinds != ""].value_counts().head(5)
        if len(top):
            lines.append("Чаще всего: " + ", ".join(f"{k} — {n}" for k, n in top.items()) + ".")
    if C.NEEDS_REVIEW in report.messages:
        review = int((report.messages[C.NEEDS_REVIEW] == "да").sum())
        if review:
            lines.append(
                f"На проверку человеку: {review} сообщ. (модель не уверена в секторе; "
                "столбец «На проверку» листа сообщений)."
            )
    district_counts = heat.counts.sum(axis=1).drop(C.NO_DISTRICT, errors="ignore")
    district_base = heat.baseline.sum(axis=1, min_count=1)
    if report.partial:
        district_base = district_base * np.nan
    if (district_counts > 0).any():
        lines.append("Больше всего — из районов: " + _top_with_change(district_counts, district_base) + ".")
    if heat.rate is not None:
        rate = heat.rate.sum(axis=1).dropna()
        rate = rate[rate > 0].sort_values(ascending=False)
        if len(rate):
            top = ", ".join(f"{name} — {fmt_num(v)}" for name, v in rate.head(3).items())
            lines.append(f"Больше всего на 10 000 жителей: {top}.")

    if len(report.surges):
        items = [
            f"{r[C.DISTRICT]}, {r[C.SECTOR]} — {fmt_messages(r[C.COUNT])} "
            f"при обычных {fmt_num(r[C.BASELINE])} {words.per}"
            for _, r in report.surges.head(5).iterrows()
        ]
        more = len(report.surges) - len(items)
        tail = f" и ещё {more}" if more > 0 else ""
        lines.append(f"Всплески ({len(report.surges)}): " + "; ".join(items) + tail + ".")
    else:
        lines.append("Значимых всплесков по районам и секторам нет.")

    problems = report.recurring
    if problems is not None and len(problems):
        n_new = int(problems[NEW].sum())
        n_sys = int(problems["systemic"].sum())
        n_ret = int(problems["returned_after_resolved"].sum())
        line = (
            f"Повторяющихся проблем: {fmt_int(len(problems))}, из них новых за {words.noun} — {n_new}, "
            f"системных — {n_sys}, вернувшихся после решения — {n_ret}."
        )
        attention = problems[problems[NEW] | problems["systemic"] | problems["returned_after_resolved"]]
        attention = attention[attention[IN_WEEK] > 0] if (attention[IN_WEEK] > 0).any() else attention
        items = []
        for _, r in attention.sort_values("count", ascending=False, kind="stable").head(3).iterrows():
            # the label usually names the place already; the district is enough beside it
            label = _short(str(r["label"]).strip() or str(r["sector"]), 90)
            district = str(r["district"]).strip()
            week_part = f", за {words.noun} — {int(r[IN_WEEK])}" if r[IN_WEEK] else ""
            items.append(
                f"{r['id']} «{label}»"
                + (f" ({district})" if district else "")
                + f" — {fmt_messages(int(r['count']))}{week_part}"
            )
        if items:
            line += " Требуют внимания: " + "; ".join(items) + "."
        lines.append(line)
        top = top_reach(problems)
        if top is not None:
            label = _short(str(top["label"]).strip() or str(top["sector"]), 90)
            district = str(top["district"]).strip()
            lines.append(
                f"Наибольший охват — у проблемы {top['id']} «{label}»"
                + (f" ({district})" if district else "")
                + f": вовлечённость {_reach(top['engagement'])}, аудитория {_reach(top['audience'])}."
            )

    total_rt = report.response_by_sector.iloc[-1]
    if report.missing_dates:
        lines.append(
            "Сроки ответа: нет данных — в выгрузке нет столбца: " + ", ".join(report.missing_dates) + "."
        )
    if "first_answer" not in missing_fields(report) and total_rt[rtimes.RT_ANSWERED]:
        line = f"Медиана времени до первого ответа — {fmt_num(total_rt[rtimes.RT_FIRST_MEDIAN])} ч"
        overdue = total_rt[rtimes.RT_FIRST_OVERDUE]
        if overdue == overdue:
            line += f", позже срока ответ дан или не дан на {round(overdue * 100)}% сообщений"
        lines.append(line + ".")
    line = _executor_line(report)
    if line:
        lines.append(line)
    if "closed" not in missing_fields(report) and t.closed:
        line = f"За {words.noun} закрыто {fmt_messages(t.closed)}"
        if t.resolved:
            line += f", из них с итогом «решено» — {fmt_int(t.resolved)}"
        lines.append(line + ".")
    return lines + report.notes


def _previous_count(report: Report) -> int | None:
    """The previous period's count when it is compared (the export covers it whole and the
    report period is complete), else None."""
    if report.partial:
        return None
    if report.comparison is None:  # a Report made by hand: the week before, as counted
        return report.totals.previous
    return report.comparison.previous_count


def _year_ago_line(report: Report) -> str:
    """«Годом ранее (…) — N сообщений; сейчас на X% больше.», or «нет данных» when the export
    does not cover that period whole; nothing for a partial period (said once above)."""
    comparison = report.comparison
    if report.partial or comparison is None:
        return ""
    then = comparison.year_ago
    if then is None:
        return f"Годом ранее: {NO_DATA} (в прошлом году нет недели с таким номером)."
    head = f"Годом ранее ({then.dates})"
    count = comparison.year_ago_count
    if count is None:
        start = f"{report.data_start:%d.%m.%Y}" if report.data_start else ""
        why = f" — выгрузка начинается {start}" if start else ""
        return f"{head}: {NO_DATA}{why}."
    if count == 0:
        return f"{head} сообщений не было."
    vs = change_words(report.totals.count, count)
    tail = f"; сейчас {vs}" if vs and vs != "столько же" else "; сейчас столько же" if vs else ""
    return f"{head} поступило {fmt_messages(count)}{tail}."


def _reach(value: object) -> str:
    number = pd.to_numeric(pd.Series([value], dtype=object), errors="coerce").iloc[0]
    return fmt_int(number) if number == number else NO_DATA


def _executor_line(report: Report) -> str:
    """Who is most behind: the top of the executors' ranking, with its overdue figures."""
    table = report.executors
    if table is None:
        return "Сроки по исполнителям: нет данных — в выгрузке нет столбца исполнителя."
    missing = missing_fields(report)
    if {"first_answer", "closed"} <= missing:
        return ""
    top = worst_executor(table)
    if top is None:
        return f"Просроченных ответов и закрытий у исполнителей за {report.reported.words.noun} нет."
    parts = []
    n = int(top[rtimes.RT_MESSAGES])
    if "first_answer" not in missing:
        parts.append(
            f"ответ позже срока или не дан — {fmt_int(top[rtimes.RT_FIRST_OVERDUE_N])} "
            f"из {fmt_int(n)} {plural(n, 'сообщения', 'сообщений', 'сообщений')} "
            + ("недели" if report.reported.kind == "week" else "периода")
        )
    if "closed" not in missing:
        parts.append(f"открыто с истёкшим сроком — {fmt_int(top[rtimes.RT_OPEN_OVERDUE])}")
    return f"Больше всего просрочек — у исполнителя «{top[C.EXECUTOR]}»: " + ", ".join(parts) + "."


def missing_fields(report: Report) -> set[str]:
    return {f for f, name in rtimes.DATE_FIELDS.items() if name in report.missing_dates}


def key_figures(report: Report) -> pd.DataFrame:
    """Label, value, kind; a value the export cannot support is :data:`NO_DATA`."""
    t = report.totals
    rt = report.response_by_sector.iloc[-1]
    missing = missing_fields(report)
    # a partial week against full ones would read as a fall that did not happen
    compare = not report.partial
    words = report.reported.words
    previous = _previous_count(report)
    comparison = report.comparison
    year_ago = comparison.year_ago_count if comparison is not None and compare else None

    def known(value: object, field: str) -> object:
        return NO_DATA if field in missing else value

    rows: list[tuple[str, object, str]] = [
        (f"Сообщений за {words.noun}" + (f" ({words.partial})" if report.partial else ""), t.count, "int"),
        (words.earlier[0].upper() + words.earlier[1:], NO_DATA if previous is None else previous, "int"),
        (f"В среднем за {t.baseline_weeks} пред. {words.short}", t.baseline, "float"),
        ("Изменение " + words.previous_to, change(t.count, previous), "pct"),
        ("Изменение к среднему", t.change_baseline if compare else NO_DATA, "pct"),
        ("Годом ранее", NO_DATA if year_ago is None else year_ago, "int"),
        ("Изменение к году ранее", change(t.count, year_ago), "pct"),
        (f"Закрыто за {words.noun}", known(t.closed, "closed"), "int"),
        ("из них решено", known(t.resolved, "closed"), "int"),
        ("Получили первый ответ", known(t.answered, "first_answer"), "int"),
        ("Медиана до первого ответа, ч", rt[rtimes.RT_FIRST_MEDIAN], "hours"),
        ("90% ответов быстрее, ч", rt[rtimes.RT_FIRST_P90], "hours"),
        ("Доля с нарушением срока ответа", rt[rtimes.RT_FIRST_OVERDUE], "pct"),
        ("Медиана до закрытия, ч", rt[rtimes.RT_CLOSE_MEDIAN], "hours"),
        ("Открыто с истёкшим сроком", rt[rtimes.RT_OPEN_OVERDUE], "int"),
        ("Всплесков", len(report.surges), "int"),
    ]
    if report.recurring is not None:
        rows.append(("Повторяющихся проблем", len(report.recurring), "int"))
        rows.append(("из них новых", int(report.recurring[NEW].sum()), "int"))
    rows.append(("Строк с замечаниями", len(report.rejected), "int"))
    rows = [(label, NO_DATA if _is_nan(value) else value, kind) for label, value, kind in rows]
    return pd.DataFrame(rows, columns=[LABEL, VALUE, KIND])


def _is_nan(value: object) -> bool:
    return isinstance(value, (float, np.floating)) and value != value
