"""Russian words for figures: plural forms, numbers as a letter writes them, weeks, changes."""

from __future__ import annotations

from datetime import date

MONTHS_GENITIVE = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)


def plural(n: int, one: str, few: str, many: str) -> str:
    """Russian noun form for ``n``: 1 сообщение, 2 сообщения, 5 сообщений."""
    n = abs(int(n))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def fmt_int(n: float) -> str:
    return f"{round(float(n)):,}".replace(",", "\u00a0")


def fmt_num(x: float, digits: int = 1) -> str:
    if x != x:
        return "—"
    return f"{x:,.{digits}f}".replace(",", "\u00a0").replace(".", ",")


def fmt_messages(n: int) -> str:
    return f"{fmt_int(n)} {plural(n, 'сообщение', 'сообщения', 'сообщений')}"


def format_period(start: date, end: date) -> str:
    """A week as written in a letter: «17–23 ноября 2026 г.», across months and years too."""
    if start.year != end.year:
        return (
            f"{start.day} {MONTHS_GENITIVE[start.month - 1]} {start.year} г. – "
            f"{end.day} {MONTHS_GENITIVE[end.month - 1]} {end.year} г."
        )
    if start.month != end.month:
        return (
            f"{start.day} {MONTHS_GENITIVE[start.month - 1]} – "
            f"{end.day} {MONTHS_GENITIVE[end.month - 1]} {end.year} г."
        )
    return f"{start.day}–{end.day} {MONTHS_GENITIVE[end.month - 1]} {end.year} г."


def change_words(current: float, reference: float) -> str:
    """«на 14% больше» / «на 5% меньше» / «столько же»; "" when there is nothing to compare."""
    if reference != reference or reference <= 0:
        return ""
    change = (current - reference) / reference
    pct = round(abs(change) * 100)
    if pct == 0:
        return "столько же"
    ratio = round(current / reference, 1)
    if ratio >= 2:  # «на 250% больше» reads worse than «в 3,5 раза больше»
        if ratio == int(ratio):
            return f"в {int(ratio)} {plural(int(ratio), 'раз', 'раза', 'раз')} больше"
        return f"в {fmt_num(ratio)} раза больше"
    return f"на {pct}% {'больше' if change > 0 else 'меньше'}"


def change_short(current: float, reference: float) -> str:
    """«+12% к среднему» / «−5% к среднему»; «раньше не было» against zero; "" without one."""
    if reference != reference:
        return ""
    if reference <= 0:
        return "раньше не было" if current else ""
    pct = round((current - reference) / reference * 100)
    return f"{'+' if pct > 0 else '−' if pct < 0 else '±'}{abs(pct)}% к среднему"
