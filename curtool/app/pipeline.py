"""Whole jobs, from loaded exports to results: the Python API the CLI wraps.

Each function takes a loaded :class:`curtool.io.loader.Dataset` and plain options and
returns data; nothing here prints or writes a file.  Warnings a user must see (an
export that stops before the report week ends, a week without messages) are
returned with the result, so the CLI, a cron log and a notebook all get them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from curtool.core import columns as C
from curtool.core import errors
from curtool.core import response as rtimes
from curtool.core import weeks as wk
from curtool.core.categories import CategoryMap
from curtool.core.classify import Classification
from curtool.core.recurring import RecurringSettings, find_recurring
from curtool.core.report import Report, build_report
from curtool.io.loader import Dataset


def classify_frame_with_categories(
    frame: pd.DataFrame,
    model_path: str | Path | None = None,
    taxonomy_path: str | Path | None = None,
    use_given: bool = True,
    groups: Mapping[str, str] | None = None,
    groups_source: str | Path | None = None,
) -> tuple[pd.DataFrame, CategoryMap | None]:
    """Sector columns for every row of a loaded frame (see :func:`curtool.core.classify.classify`),
    and how the export's categories were mapped.

    ``groups`` is the config's ``[groups]`` (category -> block or ``text``); its blocks
    are checked against the taxonomy in use, and an error names ``groups_source``.
    """
    done = classify_frame_detailed(frame, model_path, taxonomy_path, use_given, groups, groups_source)
    return done.table, done.categories


def classify_frame_detailed(
    frame: pd.DataFrame,
    model_path: str | Path | None = None,
    taxonomy_path: str | Path | None = None,
    use_given: bool = True,
    groups: Mapping[str, str] | None = None,
    groups_source: str | Path | None = None,
) -> Classification:
    """:func:`classify_frame_with_categories`, with each row's likeliest kinds as vectors
    (what recurring problems compare)."""
    from curtool.core.classify import classify_detailed
    from curtool.io.modelfile import load_model
    from curtool.io.taxonomyfile import load_taxonomy

    model = load_model(model_path)
    taxonomy = load_taxonomy(taxonomy_path)
    if groups:
        from curtool.app.config import check_groups

        check_groups(dict(groups), taxonomy, groups_source)
    return classify_detailed(frame, model, use_given=use_given, taxonomy=taxonomy, groups=groups)


@dataclass
class ReportRun:
    """The report of one week and what the user must be told about it."""

    report: Report
    warnings: list[str] = field(default_factory=list)
    categories: CategoryMap | None = None  # how the export's own categories were mapped


def require_dates(data: Dataset) -> None:
    """A weekly report needs creation dates: say which file lacks the column, and how to name it."""
    if "created" in data.known_fields():
        return
    names = ", ".join(f"«{n}»" for n in C.FIELD_ALIASES["created"][:3])
    raise errors.CurtoolError(
        errors.NO_DATA,
        "no column of creation dates, so messages cannot be put into weeks",
        f"name the date column with --date-column (looked for {names} …)",
        path=data.files[0].path,
    )


def run_report(
    data: Dataset,
    *,
    week: str | None = None,
    today: date | None = None,
    weeks_back: int = 8,
    population: pd.DataFrame | None = None,
    deadlines: dict | rtimes.Deadlines | None = None,
    mask_pii: bool = False,
    model: str | Path | None = None,
    taxonomy: str | Path | None = None,
    use_given: bool = True,
    recurring_settings: RecurringSettings | None = None,
    groups: Mapping[str, str] | None = None,
    groups_source: str | Path | None = None,
) -> ReportRun:
    """The weekly report of ``data``, built only from what was known at the end of the week.

    The week is resolved first and the frame cut at its end before anything is
    classified or grouped, so a past week's recurring problems, open messages and
    category mapping never depend on messages that came later.
    """
    require_dates(data)
    today = today or date.today()
    frame = data.frame
    resolved = wk.resolve_week(frame, week, today)
    span = wk.data_span(frame)  # of the whole export: the cut below ends at the week
    cut = wk.until_week_end(frame, resolved)
    # the report shows sector, confidence, kind and review; a million evidence strings need not stay
    done = classify_frame_detailed(cut, model, taxonomy, use_given, groups, groups_source)
    categories, vectors = done.categories, done.kind_vectors
    classified = done.table[[C.SECTOR, C.SECTOR_CONFIDENCE, C.PROBLEM_KIND, C.NEEDS_REVIEW]]
    del done  # a million evidence strings need not stay while problems are found
    found = find_recurring(
        cut,
        classified[C.SECTOR],
        recurring_settings or RecurringSettings(),
        kinds=classified[C.PROBLEM_KIND],
        kind_vectors=vectors,
    )
    report = build_report(
        cut,
        classified,
        found,
        week=resolved,
        today=today,
        weeks_back=weeks_back,
        population=population,
        deadlines=deadlines,
        mask_pii=mask_pii,
        known_fields=data.known_fields(),
        span=span,
    )
    return ReportRun(report, [*data.warnings, *data_warnings(report)], categories)


def data_warnings(report: Report) -> list[str]:
    """What a cron job must flag: a week the export does not cover, a week without messages."""
    if report.data_end is None:
        return [f"week {report.week} has no messages; the export has no dated message at all"]
    end = f"{report.data_end:%Y-%m-%d}"
    if report.totals.count == 0:
        if report.data_start is not None and report.data_start > report.week_end:
            return [
                f"week {report.week} has no messages; the export begins on "
                f"{report.data_start:%Y-%m-%d} (its last message is from {end})"
            ]
        return [f"week {report.week} has no messages; the export's last message is from {end}"]
    if report.partial:
        return [f"week {report.week} is incomplete: the export's last message is from {end}"]
    return []
