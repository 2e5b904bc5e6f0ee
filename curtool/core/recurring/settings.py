"""What counts as a recurring or systemic problem: every number a documented knob."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from curtool.core import address


@dataclass(frozen=True)
class RecurringSettings:
    """What counts as a recurring / systemic problem; every number is a documented knob."""

    min_count: int = 3  # messages in a group at least
    min_weeks: int = 2  # distinct ISO weeks with a message at least
    similarity: float = 0.25  # cosine of stem TF-IDF vectors for two messages to be "about the same"
    house_similarity: float = 0.2  # … when both name the same house (a precise place: more tolerance)
    cohesion: float = 0.35  # chain guard: every member's cosine to its group's centre at least
    systemic_min_places: int = 8  # places of one district for a systemic problem
    systemic_similarity: float = 0.3  # stricter: systemic groups span a whole district
    systemic_neighbours: int = 10  # similar messages kept per message when looking for systemic ones
    growth_ratio: float = 1.5  # trend: late weekly mean ≥ ratio × early → growing (≤ 1/ratio → fading)
    min_trend_change: float = 0.5  # … and the means differ by at least this many messages a week
    block_limit: int = 6000  # systemic blocks larger than this are cut by four-week periods
    systemic_window_weeks: int = 2  # a systemic wave: this many consecutive ISO weeks …
    systemic_burst: float = 3.0  # … with this many times the group's usual messages for that time
    split_similarity: float = 0.3  # a group whose two halves' centres are less alike is two problems
    topic_weight: float = 0.7  # weight of the export's «Тема» beside the text (0: ignore it)
    # with the classifier's kinds (recurring.grouping): a place's messages are one problem when
    # kind_weight × cos(kinds) + (1 − kind_weight) × cos(words) averages at least kind_similarity
    kind_weight: float = 0.5
    kind_similarity: float = 0.3

    def describe(self, kinds: bool = True) -> str:
        """The definition as one sentence for the outputs (``kinds``: as the CLI finds them,
        by kind of problem; else by sector and similar words)."""
        if kinds:
            place = (
                f"Повторяющаяся проблема — не меньше {self.min_count} сообщений одного района об "
                f"одном виде проблемы (вид — по тексту или «Тема» выгрузки; сходство видов и текстов "
                f"в среднем ≥ {self.kind_similarity:.2f}) в одном месте (адрес выгрузки, точки в "
                f"пределах {address.GEO_RADIUS_M:g} м или адрес из текста), поступивших не меньше чем в "
            )
        else:
            place = (
                f"Повторяющаяся проблема — не меньше {self.min_count} сообщений одного района и сектора "
                f"об одном и том же (сходство текстов ≥ {self.similarity:.2f}, у одного дома ≥ "
                f"{self.house_similarity:.2f}) в одном месте "
                f"(адрес выгрузки, координаты или адрес из текста), поступивших не меньше чем в "
            )
        return (
            place + f"{self.min_weeks} разные ISO-недели; системная — одна и та же проблема (сходство ≥ "
            f"{self.systemic_similarity:.2f}) в {self.systemic_min_places} и более местах района "
            f"за {self.systemic_window_weeks} "
            f"{plural(self.systemic_window_weeks, 'неделю', 'недели', 'недель')} подряд, "
            f"в {self.systemic_burst:g} раза чаще "
            f"обычного для неё. «Вернулась после решения» — новое сообщение "
            f"пришло позже сообщения со статусом «Решено». Тренд: средняя за неделю во второй "
            f"половине срока против первой (рост — в {self.growth_ratio:g} раза и больше)."
        )

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def plural(n: int, one: str, few: str, many: str) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many
