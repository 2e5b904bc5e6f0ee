"""Message text for analysis: HTML, entities, links and stray quotes removed; never the output text."""

from __future__ import annotations

import html
import re

import pandas as pd

_TAG = re.compile(r"<\s*(br|p|div|li|tr|h\d)\b[^>]*>|<\s*/\s*(p|div|li|tr|h\d)\s*>", re.I)
_ANY_TAG = re.compile(r"<[^<>]{0,400}>")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.I)
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-f]+|[a-z]+);?", re.I)


def _needs_cleaning(text: str) -> bool:
    # Plain substring tests run at memchr speed; most messages need no regex at all.
    return (
        "<" in text
        or "&" in text
        or "http" in text
        or "www" in text
        or "WWW" in text
        or "  " in text
        or "\n" in text
        or "\t" in text
        or "\r" in text
        or "\xa0" in text
        or text[:1] in ("'", " ")
        or text[-1:] == " "
    )


def clean_text(value: object) -> str:
    """One message's analysis text: no HTML, no entities, no URLs, no leading ', single spaces."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = str(value)
    if not _needs_cleaning(text):
        return text
    if "<" in text:
        text = _TAG.sub(" ", text)
        text = _ANY_TAG.sub(" ", text)
    if "&" in text and _ENTITY.search(text):
        text = html.unescape(text)
    if "http" in text or "www" in text or "WWW" in text or "HTTP" in text:
        text = _URL.sub(" ", text)
    # str.split() knows every Unicode space (\xa0 included) and beats a regex here
    text = " ".join(text.split())
    if text.startswith("'"):  # Инцидент Менеджмент often starts the text with a stray quote
        text = text.lstrip("'").lstrip()
    return text


def clean_series(values: pd.Series) -> pd.Series:
    """:func:`clean_text` over a column (Arrow-backed text out)."""
    as_object = values.astype(object).where(values.notna(), "")
    return pd.Series([clean_text(v) for v in as_object], index=values.index, dtype="str")
