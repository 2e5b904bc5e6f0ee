"""Which original column carries which canonical field (text, district, dates, …)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from curtool.core import errors
from curtool.core.columns import FIELD_ALIASES, option_for


def norm_header(value: object) -> str:
    """A header as compared with the known names: lower case, ё as е, punctuation as spaces."""
    text = str(value).strip().lower().replace("ё", "е")
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text).split())


# A header containing one of these words never carries the field, whatever else it says:
# «Общий текст первого ответа» is not the message, «Время с даты создания…» is not a date.
_EXCLUDE: dict[str, tuple[str, ...]] = {
    "text": ("ответ", "тема", "заголов", "причин", "примечан", "комментар исполн"),
    "id": ("автор", "пользоват", "исполнит", "url", "урл"),
    "district": ("регион", "кабинет"),
    "created": ("ответ", "окончан", "назначен", "время с", "оценк", "согласован"),
    "first_answer": ("текст", "время с", "назн"),
    "closed": ("время с", "причин"),
    "status": ("причин",),
    "url": ("автор", "блог", "аккаунт"),
    # «Время назначения последнего исполнителя», «Комментарий исполнителя» name no executor
    "executor": ("время", "дата", "назн", "коммент", "текст", "срок", "url", "урл", "аккаунт"),
    "audience": ("автор", "url", "урл"),
}


def map_columns(
    headers: Sequence[str],
    overrides: Mapping[str, str] | None = None,
    path: Path | None = None,
    origins: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """field -> original header.  Overrides must name an existing column; ``origins`` says
    where each override was written (an option, a config key), for the error."""
    overrides = {k: v for k, v in (overrides or {}).items() if v}
    normal = {h: norm_header(h) for h in headers}
    chosen: dict[str, str] = {}
    used: set[str] = set()
    for field, header in overrides.items():
        match = find_header(header, headers)
        if match is None:
            raise errors.CurtoolError(
                errors.NO_SUCH_COLUMN,
                f"there is no column «{header}» for {(origins or {}).get(field) or option_for(field)}",
                "columns seen: " + ", ".join(f"«{h}»" for h in headers),
                path=path,
            )
        chosen[field] = match
        used.add(match)
    # exact names first for every field, so «Тема» cannot steal «Текст инцидента» by containment
    for field, aliases in FIELD_ALIASES.items():
        if field in chosen:
            continue
        for alias in aliases:
            target = norm_header(alias)
            hit = next((h for h in headers if normal[h] == target and h not in used), None)
            if hit is not None:
                chosen[field] = hit
                used.add(hit)
                break
    for field, aliases in FIELD_ALIASES.items():
        if field in chosen:
            continue
        excluded = _EXCLUDE.get(field, ())
        for alias in aliases:
            target = norm_header(alias)
            if len(target) < 4:
                continue  # «мо», «id»: too short to look for inside other names
            hit = next(
                (
                    h
                    for h in headers
                    if h not in used and target in normal[h] and not any(x in normal[h] for x in excluded)
                ),
                None,
            )
            if hit is not None:
                chosen[field] = hit
                used.add(hit)
                break
    return chosen


def find_header(name: str, headers: Sequence[str]) -> str | None:
    """The header ``name`` means: itself, its spelling, or a position (``2``) or letter (``B``)."""
    if name in headers:
        return name
    target = norm_header(name)
    found = next((h for h in headers if norm_header(h) == target), None)
    if found is not None:
        return found
    index = column_index(name)
    return headers[index] if index is not None and index < len(headers) else None


def column_index(name: str) -> int | None:
    """0-based column of a position (``2`` → 1) or a spreadsheet letter (``B`` → 1, ``AA`` → 26)."""
    text = name.strip()
    if text.isdigit() and int(text) >= 1:
        return int(text) - 1
    if _LETTERS.fullmatch(text):
        index = 0
        for ch in text.upper():
            index = index * 26 + (ord(ch) - ord("A") + 1)
        return index - 1
    return None


def column_letter(index: int) -> str:
    """``0`` → ``A``, ``26`` → ``AA``: how a spreadsheet names the column."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


# --- a first line that is data, not names -----------------------------------------------------
_LETTERS = re.compile(r"[A-Za-z]{1,3}")
_DATE = re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")
_NUMBER = re.compile(r"^[-+]?\d+(?:[.,]\d+)?$")
_PROSE = re.compile(r"[,.!?;:]|\d")
_SAMPLE_ROWS = 50
# every known column name, normalised
KNOWN_HEADERS = {norm_header(alias) for aliases in FIELD_ALIASES.values() for alias in aliases}


def _kind(value: object) -> str:
    """What a cell looks like: a date, a number, a sentence, or a short label (as names are)."""
    text = "" if value is None else str(value).strip()
    if not text or text.lower() == "nan":
        return ""
    if _DATE.match(text):
        return "date"
    if _NUMBER.match(text):
        return "number"
    # a sentence has punctuation or figures; a long column name («Описание проблемы своими
    # словами») has neither
    if len(text.split()) >= 5 and _PROSE.search(text):
        return "sentence"
    return "label"


def known_names(headers: Sequence[str]) -> int:
    """How many headers are exactly a known column name (containment does not count: a
    message «…в Центральном районе…» contains «район» but names nothing)."""
    return sum(norm_header(h) in KNOWN_HEADERS for h in headers)


def first_line_is_data(cells: Sequence[str], frame: pd.DataFrame) -> bool:
    """True when the header line looks like the rows below it rather than like column names.

    Column names are short labels.  A header cell that is a date, a number or a whole
    sentence, standing over a column of the same kind, is a row of data; when such
    columns are at least a third of the filled header cells, the file has no header.
    A long real name («Время с даты создания инцидента…») stands over durations, not
    sentences, so it does not count.
    """
    if frame.empty:
        return False
    sample = frame.head(_SAMPLE_ROWS)
    filled = agreeing = 0
    for position, cell in enumerate(cells[: sample.shape[1]]):
        kind = _kind(cell)
        if not kind:
            continue
        filled += 1
        if kind == "label":
            continue
        below = [_kind(v) for v in sample.iloc[:, position].tolist()]
        below = [k for k in below if k]
        if below and sum(k == kind for k in below) >= 0.5 * len(below):
            agreeing += 1
    return agreeing >= 1 and agreeing * 3 >= filled


def require_text(mapping: Mapping[str, str], headers: Sequence[str], path: Path | None) -> None:
    if "text" not in mapping:
        shown = ", ".join(f"«{h}»" for h in headers[:15])
        more = f" and {len(headers) - 15} more" if len(headers) > 15 else ""
        raise errors.CurtoolError(
            errors.NO_TEXT_COLUMN,
            f"no message text column found among {shown}{more}",
            'name it with --text-column "<column>" or in curtool.toml [columns] text = …',
            path=path,
        )
