"""Masking personal data in public text: phone numbers, e-mail addresses, profile links.

Used when a report leaves the centre (``--mask-pii``): the districts need the
message, not the author's phone.  Masking is deliberately greedy on profile
links (a false mask costs a click, a missed one leaks a person) but keeps links
to community walls and groups, which identify a page, not a person.
"""

from __future__ import annotations

import re

import pandas as pd

PHONE_MASK = "[телефон]"
EMAIL_MASK = "[e-mail]"
PROFILE_MASK = "[профиль]"

_SEP = r"[ \t\-.]?"
# +7 / 8 / 7 prefix, a 3-digit code (maybe in brackets), then 3-2-2 digits
_PHONE_PREFIXED = (
    r"(?:\+\s?7|(?<![\d+])[78])"
    + _SEP
    + r"\(?\s?\d{3}\s?\)?"
    + _SEP
    + r"\d{3}"
    + _SEP
    + r"\d{2}"
    + _SEP
    + r"\d{2}(?!\d)"
)
# a mobile number written without the country prefix: (918) 123-45-67, 918 123 45 67
_PHONE_MOBILE = r"(?<![\d+])\(?9\d{2}\)?" + _SEP + r"\d{3}" + _SEP + r"\d{2}" + _SEP + r"\d{2}(?!\d)"
# a 7-digit city number only with its dashes (123-45-67): bare 7 digits are too often not phones
_PHONE_CITY = r"(?<![\d\-])\d{3}-\d{2}-\d{2}(?![\d\-])"
PHONE = re.compile("|".join((_PHONE_PREFIXED, _PHONE_MOBILE, _PHONE_CITY)))

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zа-я]{2,}", re.I)

_SCHEME = r"(?:https?://)?(?:www\.|m\.)?"
_PATH = r"[^\s\"'<>()\[\],;]+"
# Community pages (club…, public…, wall-…) are not people; everything else on vk.com may be.
_VK_COMMUNITY = r"(?:club\d|public\d|wall-\d|event\d|topic-\d|photo-\d|video-\d|board\d|page-\d)"
PROFILE = re.compile(
    "|".join(
        (
            _SCHEME + r"vk\.(?:com|ru)/(?!" + _VK_COMMUNITY + r")" + _PATH,
            _SCHEME + r"ok\.ru/profile/" + _PATH,
            # a numbered post (t.me/channel/123) is a public channel's, not a person's
            _SCHEME + r"(?:t|telegram)\.me/(?![\w]+/\d+(?![\w/]))" + _PATH,
            _SCHEME + r"(?:instagram\.com|instagr\.am)/" + _PATH,
            _SCHEME + r"(?:facebook\.com|fb\.com)/" + _PATH,
        )
    ),
    re.I,
)

# Cheap pre-tests (plain substring search): the regexes above cost 20–100 µs a text,
# and most texts hold no link, no "@" and no run of three digits.
_PROFILE_HINTS = ("vk.", "ok.ru/", "t.me/", "telegram.me/", "instagr", "facebook.", "fb.com/")
_DIGITS = re.compile(r"\d{3}")


def mask_text(value: object) -> str:
    """One text with phones, e-mails and profile links replaced by «[телефон]» etc."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = str(value)
    lower = text.lower()
    # Profiles first: vk.com/id79181234567 must not become a half-masked phone.
    if any(hint in lower for hint in _PROFILE_HINTS):
        text = PROFILE.sub(PROFILE_MASK, text)
    if "@" in text:
        text = EMAIL.sub(EMAIL_MASK, text)
    if _DIGITS.search(text):
        text = PHONE.sub(PHONE_MASK, text)
    return text


def mask_series(values: pd.Series) -> pd.Series:
    """:func:`mask_text` over a column, each distinct value once; NaN stays NaN."""
    present = values.notna()
    as_text = values[present].astype(str)
    uniques = pd.unique(as_text)
    mapping = {u: mask_text(u) for u in uniques}
    out = values.astype(object).copy()
    out[present] = as_text.map(mapping).to_numpy(dtype=object)
    return out
