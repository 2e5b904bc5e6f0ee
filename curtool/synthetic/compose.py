"""Composing one message text from independent parts, in the voices people really write in.

A message is opener × problem phrasing × place mention × details × closer, then a
style: typos, no punctuation, CAPS, emoji, HTML, line breaks, a link, personal
data.  Each part is drawn from its own pool, so even a few hundred messages about
one problem rarely repeat a text.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from curtool.synthetic import phrases as P
from curtool.synthetic.places import GOVERNOR_OPENERS, District, Locality


@dataclass(frozen=True)
class Place:
    district: District
    locality: Locality
    street: str = ""  # «ул. Пролетарская»; "" when the message names no street
    house: str = ""  # «12»; "" when no house


@dataclass
class Text:
    text: str
    flags: list[str]  # style marks recorded in the truth: emoji, html, url, phone, email, …


_NO_PLACE_WHERE = ("у нас", "в нашем поселке", "у нас в районе", "в нашем микрорайоне", "тут")
_NO_PLACE_ADDR = ("в нашем доме", "у нас", "в доме")
_NO_PLACE_STREET = ("нашей улице", "центральной улице", "нашей улице")
_CYR = re.compile(r"[а-яё]", re.I)


def address_phrase(place: Place, rng: random.Random) -> str:
    """The address as written inside a sentence: «по ул. Пролетарская, 12»."""
    if place.street and place.house:
        form = rng.randrange(5)
        if form == 0:
            return f"по адресу {place.street}, д. {place.house}"
        if form == 1:
            return f"({place.street}, {place.house})"
        return f"по {place.street}, {place.house}"
    if place.street:
        return f"на {place.street}"
    return place.locality.where


def place_sentence(place: Place, rng: random.Random) -> str:
    """A separate sentence naming the place, e.g. «Адрес: пгт Яблоновский, ул. Гагарина, 7.»."""
    loc = place.locality
    full = f"{loc.kind} {loc.name}"
    if place.street and place.house:
        forms = (
            f"Адрес: {full}, {place.street}, д. {place.house}.",
            f"Это {loc.where}, {place.street} {place.house}.",
            f"Находимся по адресу {place.street}, {place.house}.",
            f"{loc.name}, {place.street}, {place.house}.",
            f"Мы живем {loc.where}, {place.street}, дом {place.house}.",
            f"Адрес {place.street} д{place.house}",
            f"({loc.name}, {place.street}, {place.house})",
        )
    elif place.street:
        forms = (
            f"Это {loc.where}, {place.street}.",
            f"Речь про {place.street} ({loc.name}).",
            f"{loc.name}, {place.street}.",
            f"Улица: {place.street}, {full}.",
        )
    else:
        forms = (f"Пишу из {loc.name}.", f"Это {loc.where}.", f"{full}.", f"Мы {loc.where}.")
    return rng.choice(forms)


def fill(phrasing: str, place: Place | None, rng: random.Random) -> str:
    """Fill the placeholders of one phrasing for a place (or for no place)."""
    if "{" not in phrasing:
        return phrasing
    if place is None:
        where, addr, street = (
            rng.choice(_NO_PLACE_WHERE),
            rng.choice(_NO_PLACE_ADDR),
            rng.choice(_NO_PLACE_STREET),
        )
    else:
        where = place.locality.where
        addr = address_phrase(place, rng)
        street = place.street or rng.choice(_NO_PLACE_STREET)
    text = phrasing.format(where=where, addr=addr, street=street)
    return text[0].upper() + text[1:]


def _typos(text: str, rng: random.Random, rate: float) -> str:
    words = text.split(" ")
    for i, word in enumerate(words):
        if len(word) < 5 or not _CYR.search(word) or rng.random() > rate:
            continue
        j = rng.randrange(1, len(word) - 2)
        kind = rng.randrange(3)
        if kind == 0:  # swapped neighbours
            word = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
        elif kind == 1:  # dropped letter
            word = word[:j] + word[j + 1 :]
        else:  # doubled letter
            word = word[:j] + word[j] + word[j:]
        words[i] = word
    return " ".join(words)


def _phone(rng: random.Random) -> str:
    code = rng.choice(("918", "928", "988", "961", "905", "938"))
    a, b, c = rng.randrange(100, 1000), rng.randrange(10, 100), rng.randrange(10, 100)
    return rng.choice(
        (
            f"+7 ({code}) {a}-{b}-{c}",
            f"8{code}{a}{b}{c}",
            f"8-{code}-{a}-{b}-{c}",
            f"+7{code}{a}{b}{c}",
            f"тел. 8 {code} {a} {b} {c}",
        )
    )


def _email(rng: random.Random) -> str:
    name = rng.choice(P.NAMES) + rng.choice(("", ".", "_")) + str(rng.randrange(1, 1990))
    return f"{name}@{rng.choice(('mail.ru', 'yandex.ru', 'gmail.com', 'bk.ru', 'inbox.ru'))}"


def _profile(rng: random.Random) -> str:
    return rng.choice(
        (
            f"https://vk.com/id{rng.randrange(10**7, 9 * 10**8)}",
            f"vk.com/{rng.choice(P.NAMES)}{rng.randrange(10, 99)}",
            f"https://ok.ru/profile/{rng.randrange(10**11, 9 * 10**11)}",
            f"t.me/{rng.choice(P.NAMES)}_{rng.randrange(10, 99)}",
        )
    )


def _link(rng: random.Random) -> str:
    return rng.choice(
        (
            f"https://vk.com/video-{rng.randrange(10**7, 9 * 10**7)}_{rng.randrange(10**8, 9 * 10**8)}",
            f"https://t.me/maykop_online/{rng.randrange(1000, 99999)}",
            f"https://disk.yandex.ru/d/{rng.randrange(10**9, 9 * 10**9):x}",
            f"http://www.maikop.ru/{rng.choice(('news', 'documents', 'appeals'))}/",
            f"https://gosuslugi.ru/{rng.randrange(100000, 999999)}",
            f"https://youtu.be/{rng.randrange(10**10, 9 * 10**10):x}",
        )
    )


class Composer:
    """Writes message texts; all randomness comes from the ``random.Random`` it is given."""

    def __init__(self, rng: random.Random, *, emoji: bool = True) -> None:
        self.rng = rng
        self.emoji = emoji  # False for cp1251 files: Windows-1251 has no emoji

    def opener(self) -> str:
        r = self.rng.random()
        if r < 0.12:
            return self.rng.choice(GOVERNOR_OPENERS)
        if r < 0.55:
            return self.rng.choice(P.OPENERS_FORMAL)
        return self.rng.choice(P.OPENERS_SOCIAL)

    def details(self, sector: str, count: int) -> list[str]:
        pool = P.SECTOR_DETAILS[sector] + list(P.DETAILS)
        return self.rng.sample(pool, min(count, len(pool)))

    def compose(
        self,
        problem: P.Problem,
        place: Place | None,
        *,
        mention_place: float = 0.6,
        length: str | None = None,
    ) -> Text:
        """One message about ``problem`` at ``place``; ``length`` forces short/normal/long."""
        rng = self.rng
        flags: list[str] = []
        if length is None:
            r = rng.random()
            length = "short" if r < 0.08 else "long" if r > 0.91 else "normal"
        if length == "short":
            parts = [self._short(problem, place)]
            flags.append("short")
        else:
            parts = []
            if rng.random() < 0.6:
                parts.append(self.opener())
            core = fill(rng.choice(problem.phrasings), place, rng)
            second = [p for p in problem.phrasings if p != core]
            parts.append(core)
            named = place is not None and (
                (place.street and place.street in core) or place.locality.where in core
            )
            if place is not None and not named and rng.random() < mention_place:
                at = len(parts) - 1 + rng.randrange(2)  # before or after the phrasing
                parts.insert(at, place_sentence(place, rng))
            if length == "long":
                flags.append("long")
                if second and rng.random() < 0.7:
                    parts.append(fill(rng.choice(second), place, rng))
                story = rng.sample(P.STORY, rng.randrange(8, 16))
                parts.extend(story[: len(story) // 2])
                parts.extend(self.details(problem.sector, rng.randrange(2, 5)))
                parts.extend(story[len(story) // 2 :])
            else:
                count = rng.choices((0, 1, 2, 3, 4), weights=(6, 26, 38, 22, 8))[0]
                parts.extend(self.details(problem.sector, count))
                if count < 2 and rng.random() < 0.25 and second:
                    parts.append(fill(rng.choice(second), place, rng))
            if rng.random() < 0.6:
                parts.append(rng.choice(P.CLOSERS))
        return self._style(parts, flags)

    def _short(self, problem: P.Problem, place: Place | None) -> str:
        rng = self.rng
        if problem.shorts and rng.random() < 0.6:
            text = rng.choice(problem.shorts)
        else:
            text = fill(rng.choice(problem.phrasings), place, rng)
        if rng.random() < 0.3:
            text = rng.choice(P.COMMENT_PREFIXES) + text[0].lower() + text[1:]
        if place is not None and place.street and rng.random() < 0.3:
            text = f"{text} {place.street}"
        return text

    def _style(self, parts: list[str], flags: list[str]) -> Text:
        rng = self.rng
        sep = rng.choices((" ", "\n", "\n\n", "  "), weights=(70, 18, 8, 4))[0]
        if sep != " " and len(parts) > 1:
            flags.append("multiline")
        text = sep.join(p for p in parts if p)
        r = rng.random()
        if r < 0.12:
            text = _typos(text, rng, 0.12)
            flags.append("typos")
        r = rng.random()
        if r < 0.09:  # typed on a phone: no capitals, no punctuation
            text = re.sub(r"[.,!?;:«»()]", "", text).lower()
            flags.append("no_punctuation")
        elif r < 0.12:
            text = text.upper()
            flags.append("caps")
        elif r < 0.2:
            text = re.sub(r"[.!]$", "!!!", text) if text[-1:] in ".!" else text + "!!"
        if rng.random() < 0.04:
            text = f"{text} {rng.choice(('Видео', 'Фото', 'Подробнее', 'Смотрите'))}: {_link(rng)}"
            flags.append("url")
        if rng.random() < 0.035:
            kind = rng.choice(("phone", "email", "profile"))
            value = {"phone": _phone, "email": _email, "profile": _profile}[kind](rng)
            lead = rng.choice(("Мой телефон", "Связь со мной", "Пишите", "Контакт", "Звоните"))
            text = f"{text} {lead}: {value}"
            flags.append(kind)
        if self.emoji and rng.random() < 0.13:
            marks = "".join(rng.choices(P.EMOJI, k=rng.randrange(1, 4)))
            text = f"{marks} {text}" if rng.random() < 0.3 else f"{text} {marks}"
            flags.append("emoji")
        if rng.random() < 0.05:
            text = self._html(text)
            flags.append("html")
        return Text(text, flags)

    def _html(self, text: str) -> str:
        rng = self.rng
        text = text.replace('"', "&quot;").replace("«", "&laquo;").replace("»", "&raquo;")
        if rng.random() < 0.5:
            text = text.replace("\n", "<br>").replace(". ", ".<br>", 2)
        text = text.replace(" ", "&nbsp;", rng.randrange(1, 3))
        return f"<p>{text}</p>" if rng.random() < 0.6 else text.replace(", ", ",<br />", 1)
