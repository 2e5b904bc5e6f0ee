"""Which original column carries which canonical field (text, district, dates, …)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from curtool import errors
from curtool.columns import FIELD_ALIASES, option_for
from curtool.readers import _norm_header

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
    normal = {h: _norm_header(h) for h in headers}
    chosen: dict[str, str] = {}
    used: set[str] = set()
    for field, header in overrides.items():
        match = _find_header(header, headers)
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
            target = _norm_header(alias)
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
            target = _norm_header(alias)
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


def _find_header(name: str, headers: Sequence[str]) -> str | None:
    if name in headers:
        return name
    target = _norm_header(name)
    return next((h for h in headers if _norm_header(h) == target), None)


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
