"""Dates as exports write them: ISO, dd.mm.yyyy[ HH:MM[:SS]], Excel serials, Russian month names.

A value that cannot be read becomes NaT and is reported; it is never guessed.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import numpy as np
import pandas as pd

# Tried in order on the values still unread; the first format that fits most rows wins early.
_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y",
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%d.%m.%y",
    "%d.%m.%y %H:%M",
    "%d/%m/%Y",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
)
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
# a time followed by its zone: «…21:10:48Z», «…21:10+03:00», «…21:10:48.5 +0300», «… UTC»
_ZONE_SUFFIX = re.compile(
    r"\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$", re.IGNORECASE
)
_SERIAL = re.compile(r"^\d{4,5}([.,]\d+)?$")
_MONTHS = {
    "янв": 1,
    "фев": 2,
    "мар": 3,
    "апр": 4,
    "мая": 5,
    "май": 5,
    "июн": 6,
    "июл": 7,
    "авг": 8,
    "сен": 9,
    "окт": 10,
    "ноя": 11,
    "дек": 12,
}
_RU_DATE = re.compile(
    r"^(\d{1,2})\s+([а-яё]+)\.?\s+(\d{4})(?:\s*г\.?)?(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$", re.I
)


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse a column; return (datetime64[ns] series, bool series: filled but unreadable)."""
    if len(values) > 1000:
        # exports repeat their timestamps: each distinct value is read once
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        if 0 < len(uniques) < len(values) // 2:
            parsed, bad = _parse_each(pd.Series(uniques, dtype=values.dtype))
            missing = codes < 0
            safe = np.where(missing, 0, codes)
            result = np.where(missing, np.datetime64("NaT", "ns"), parsed.to_numpy()[safe])
            flags = ~missing & bad.to_numpy()[safe]
            return (
                pd.Series(result, index=values.index, dtype="datetime64[ns]"),
                pd.Series(flags, index=values.index),
            )
    return _parse_each(values)


def _parse_each(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    result = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    if values.empty:
        return result, pd.Series(False, index=values.index)
    as_obj = values.astype(object)
    if pd.api.types.is_string_dtype(values):  # CSV columns: text only, skip the type probes
        is_native = is_number = pd.Series(False, index=values.index)
    else:
        is_native = as_obj.map(lambda v: isinstance(v, (datetime, date, pd.Timestamp)))
        is_number = as_obj.map(lambda v: isinstance(v, (int, float, np.number)) and not isinstance(v, bool))
    if is_native.any():
        native = as_obj[is_native]
        try:
            result[is_native] = _in_range(pd.to_datetime(native, errors="coerce"))
        except (
            OverflowError,
            pd.errors.OutOfBoundsDatetime,
        ):  # year 9999 in a cell: rare, so checked per value
            result[is_native] = _in_range(pd.to_datetime(native.map(_native_in_range), errors="coerce"))
    text = as_obj.where(~(is_native | is_number), "").astype(str).fillna("").str.strip()
    text = text.mask(text.str.lower().isin(("nan", "nat", "none", "null", "-")), "")
    if is_number.any():
        numbers = pd.to_numeric(as_obj[is_number], errors="coerce")
        result[is_number] = _from_serial(numbers)
    todo = (text != "") & result.isna()
    for fmt in _formats_by_fit(text[todo]):
        if not todo.any():
            break
        parsed = _in_range(pd.to_datetime(text[todo], format=fmt, errors="coerce"))
        hit = parsed.notna()
        if hit.any():
            result[parsed.index[hit]] = parsed[hit]
            todo[parsed.index[hit]] = False
    if todo.any():
        rest = text[todo]
        serial = rest.str.match(_SERIAL)
        if serial.any():
            numbers = pd.to_numeric(rest[serial].str.replace(",", "."), errors="coerce")
            result[numbers.index] = _from_serial(numbers)
        words = rest[~serial].map(_parse_russian)
        result[words.index] = _in_range(pd.to_datetime(words.map(_native_in_range), errors="coerce"))
        todo = (text != "") & result.isna()
    if todo.any():
        rest = text[todo]
        # Only a stamp that names its zone is converted (to Moscow time, where the centres
        # read the clock); a plain «2021-03-21T21:10:48.123» is the export's own wall time.
        # Read as UTC it moved Sunday-evening messages of a real portal export into the next
        # week and month.
        aware = rest.str.contains(_ZONE_SUFFIX)
        if (~aware).any():
            naive = _in_range(pd.to_datetime(rest[~aware], format="ISO8601", errors="coerce"))
            result[naive.index[naive.notna()]] = naive[naive.notna()]
        if aware.any():
            iso = pd.to_datetime(rest[aware], format="ISO8601", errors="coerce", utc=True)
            # out of range first: pandas 3.0 overflows converting year 1 to Moscow time
            day = pd.Timedelta(days=1)
            inside = (iso >= (_FIRST + day).tz_localize("UTC")) & (iso <= (_LAST - day).tz_localize("UTC"))
            iso = _in_range(iso.where(inside).dt.tz_convert("Europe/Moscow").dt.tz_localize(None))
            result[iso.index[iso.notna()]] = iso[iso.notna()]
    filled = (text != "") | is_native | is_number
    bad = filled & result.isna()
    return result.astype("datetime64[ns]"), bad


# What a datetime64[ns] column holds (1677-09-22 … 2262-04-11); pandas 3 parses «31.12.9999»
# at a coarser unit, and putting it into the column would stop the whole file.  A date
# outside is unreadable for us, flagged bad_date like any other.
_FIRST, _LAST = pd.Timestamp.min.ceil("D"), pd.Timestamp.max.floor("D")


def _in_range(parsed: pd.Series) -> pd.Series:
    """``parsed`` as datetime64[ns], NaT where the date lies outside what that can hold."""
    inside = parsed.notna() & (parsed >= _FIRST) & (parsed <= _LAST)
    return parsed.where(inside).astype("datetime64[ns]")


def _native_in_range(value: object) -> object:
    """A Python or pandas date outside the datetime64[ns] range becomes None before converting."""
    if isinstance(value, (datetime, date)) and not _FIRST.to_pydatetime() <= pd.Timestamp(value) <= _LAST:
        return None
    return value


def _formats_by_fit(text: pd.Series) -> list[str]:
    """Formats ordered by how many of a sample they read: a column is usually one format."""
    sample = text.head(200)
    if sample.empty:
        return list(_FORMATS)
    hits = {fmt: int(pd.to_datetime(sample, format=fmt, errors="coerce").notna().sum()) for fmt in _FORMATS}
    return sorted(_FORMATS, key=lambda f: -hits[f])


def _from_serial(numbers: pd.Series) -> pd.Series:
    """Excel serial day numbers (1900 system); out-of-range values stay unread."""
    plausible = numbers.where((numbers > 20_000) & (numbers < 80_000))
    return _EXCEL_EPOCH + pd.to_timedelta(plausible, unit="D")


def _parse_russian(value: str) -> datetime | None:
    match = _RU_DATE.match(value)
    if not match:
        return None
    day, month_word, year, hour, minute, second = match.groups()
    month = _MONTHS.get(month_word.lower()[:3])
    if month is None:
        return None
    try:
        return datetime(int(year), month, int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        return None
