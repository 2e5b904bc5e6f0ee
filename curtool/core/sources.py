"""Where the week's messages came from: the platform of each message (from its link or
its source text) and the shares of platforms and of the export's own source values."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from curtool.core import columns as C
from curtool.core.periods import Period, as_period

PLATFORM_VK = "ВКонтакте"
PLATFORM_OK = "Одноклассники"
PLATFORM_TG = "Telegram"
PLATFORM_POS = "ПОС"
PLATFORM_OTHER = "другое"
PLATFORM_NONE = "не указан"
_HOST = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*://)?(?:[^@/\s]*@)?([^/:?#\s]+)", re.I)
_SOURCE_HINTS = (
    (re.compile(r"вконтакт|\bvk\b|\bвк\b|vkontakte", re.I), PLATFORM_VK),
    (re.compile(r"одноклассн|\bok\b|\bок\b|odnoklassniki", re.I), PLATFORM_OK),
    (re.compile(r"телеграм|telegram|\btg\b", re.I), PLATFORM_TG),
    # ПОС reaches residents through its widget on official sites and its mobile app
    # («Госуслуги. Решаем вместе»), and exports name those channels, not «ПОС»
    (
        re.compile(
            r"\bпос\b|госуслуг|gosuslugi|платформа обратной связи|решаем вместе|виджет|widget"
            r"|мобильн\w* приложени|mobile app",
            re.I,
        ),
        PLATFORM_POS,
    ),
)


def platform_of(url: str, source: str = "") -> str:
    """The platform of one message: from its link's host, else from the source text."""
    match = _HOST.match(url or "")
    host = match.group(1).lower() if match and url and url.strip() else ""
    if host:
        host = host.removeprefix("www.").removeprefix("m.")
        if host in ("vk.com", "vk.ru", "vkontakte.ru") or host.endswith((".vk.com", ".vk.ru")):
            return PLATFORM_VK
        if host in ("ok.ru", "odnoklassniki.ru") or host.endswith(".ok.ru"):
            return PLATFORM_OK
        if host in ("t.me", "telegram.me", "telegram.org"):
            return PLATFORM_TG
        if "gosuslugi" in host or host.startswith("pos."):
            return PLATFORM_POS
    for pattern, name in _SOURCE_HINTS:
        if source and pattern.search(source):
            return name
    return PLATFORM_OTHER if (host or (source or "").strip()) else PLATFORM_NONE


def platforms(prepared: pd.DataFrame) -> pd.Series:
    """:func:`platform_of` per row, each distinct (url, source) pair once."""
    pairs = prepared[C.URL].astype(str) + "\x00" + prepared[C.SOURCE].astype(str)
    codes, uniques = pd.factorize(pairs)
    names = np.array([platform_of(*u.split("\x00", 1)) for u in uniques], dtype=object)
    return pd.Series(names[codes] if len(codes) else [], index=prepared.index, dtype=object)


def _shares(values: pd.Series, name: str) -> pd.DataFrame:
    counts = values.value_counts()
    total = int(counts.sum())
    table = pd.DataFrame({name: counts.index.astype(str), C.COUNT: counts.to_numpy(dtype="int64")})
    table[C.SHARE] = table[C.COUNT] / total if total else 0.0
    return table


def sources(prepared: pd.DataFrame, week: str | Period) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Messages of the week (or period) per platform and per ``_source`` value: (platforms, sources)."""
    sub = prepared[as_period(week).contains(prepared[C.CREATED])]
    by_platform = _shares(platforms(sub), C.PLATFORM)
    source = sub[C.SOURCE].astype(str).str.strip()
    by_source = _shares(source.where(source != "", PLATFORM_NONE), C.SOURCE)
    return by_platform, by_source
