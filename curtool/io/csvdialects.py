"""The CSV dialects curtool writes: separator, BOM, line ends and decimal mark, by name.

A CSV is opened by double-click far more often than it is read by a script, and what Excel
does on a double-click depends on the machine's regional settings.  Under Russian settings
the list separator is ``;`` and the decimal mark ``,``: a comma-separated file opens as one
column, and ``0.96`` stays text.  Without a BOM Excel reads UTF-8 as cp1251 (mojibake).  So the
default, ``excel-ru``, is what a Russian Excel opens as a table; the others are for an English
Excel and for scripts.

Dates and times stay ISO (``2026-09-14 10:00:00``) in every dialect: Excel reads ISO as a date
under any regional settings, where ``14.09.2026`` is a date only under Russian ones (and
``03.04.2026`` is 4 March under English ones); scripts and curtool read ISO back with no guess.
"""

from __future__ import annotations

from dataclasses import dataclass

from curtool.core import errors


@dataclass(frozen=True)
class CsvDialect:
    """How a CSV is written; every dialect quotes text cells ("…", a quote doubled inside)."""

    name: str
    delimiter: str
    bom: bool  # UTF-8 with a byte-order mark: how Excel knows the file is UTF-8
    eol: str
    decimal_comma: bool  # fractions written «0,96», as Russian regional settings read a number
    purpose: str

    @property
    def encoding(self) -> str:
        """The Python codec that reads the file back as written."""
        return "utf-8-sig" if self.bom else "utf-8"


DIALECTS: dict[str, CsvDialect] = {
    d.name: d
    for d in (
        CsvDialect("excel-ru", ";", True, "\r\n", True, "Excel с русскими региональными настройками"),
        CsvDialect("excel", ",", True, "\r\n", False, "Excel с английскими региональными настройками"),
        CsvDialect("unix", ",", False, "\n", False, "скрипты: pandas, csvkit, командная строка"),
        CsvDialect("tsv", "\t", False, "\n", False, "скрипты: значения через табуляцию"),
    )
}
DEFAULT_DIALECT = "excel-ru"


def csv_dialect(name: str | None, fail=None) -> CsvDialect:
    """The dialect called ``name`` (None: the default); an unknown name is ``bad-option``,
    or what ``fail(message, hint)`` makes of it (the config's ``bad-config``)."""
    if name is None:
        return DIALECTS[DEFAULT_DIALECT]
    found = DIALECTS.get(name.strip().lower())
    if found is not None:
        return found
    message = f"CSV dialect «{name}» is not known"
    hint = "use one of " + ", ".join(DIALECTS)
    if fail is not None:
        raise fail(message, hint)
    raise errors.CurtoolError(errors.BAD_OPTION, f"--csv-dialect: {message}", hint)
