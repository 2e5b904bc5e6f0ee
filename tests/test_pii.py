"""Masking phones, e-mails and profile links."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from curtool.core.pii import EMAIL_MASK, PHONE_MASK, PROFILE_MASK, mask_series, mask_text


@pytest.mark.parametrize(
    "phone",
    [
        "+7 (918) 123-45-67",
        "+7(918)1234567",
        "+79181234567",
        "8-918-123-45-67",
        "89181234567",
        "8 (861) 234-56-78",
        "8 918 123 45 67",
        "(918) 123-45-67",
        "918 123 45 67",
        "234-56-78",
    ],
)
def test_phone_formats_are_masked(phone: str) -> None:
    assert mask_text(f"звоните {phone}, спросите Ивана") == f"звоните {PHONE_MASK}, спросите Ивана"


@pytest.mark.parametrize(
    "text",
    [
        "дом 12, кв. 45, подъезд 3",
        "с 2026-11-23 нет света",
        "смета 1 500 000 рублей",
        "ИНН 231234567890",
        "лицевой счёт 123456789",
        "автобус 105, рейс в 7:45",
    ],
)
def test_numbers_that_are_not_phones_stay(text: str) -> None:
    assert mask_text(text) == text


def test_email_is_masked() -> None:
    assert mask_text("пишите ivan.petrov-1@mail.ru или мне") == f"пишите {EMAIL_MASK} или мне"


@pytest.mark.parametrize(
    "link",
    [
        "https://vk.com/id12345678",
        "vk.com/ivan_petrov",
        "https://m.vk.com/id79181234567",
        "https://ok.ru/profile/571234567890",
        "t.me/ivanpetrov",
        "https://www.instagram.com/ivan.petrov/",
    ],
)
def test_profile_links_are_masked(link: str) -> None:
    masked = mask_text(f"мой профиль {link} пишите")
    assert masked == f"мой профиль {PROFILE_MASK} пишите"


def test_community_post_links_are_kept() -> None:
    text = (
        "пост https://vk.com/wall-123456_789, канал https://t.me/maykop_news/5412 и группа ok.ru/group/5555"
    )
    assert mask_text(text) == text


def test_mask_series_keeps_index_missing_values_and_repeats() -> None:
    values = pd.Series(["тел 89181234567", None, "тел 89181234567", "без данных"], index=[10, 11, 12, 13])
    masked = mask_series(values)
    assert list(masked.index) == [10, 11, 12, 13]
    assert masked[10] == masked[12] == f"тел {PHONE_MASK}"
    assert masked[11] is None or (isinstance(masked[11], float) and np.isnan(masked[11]))
    assert masked[13] == "без данных"
