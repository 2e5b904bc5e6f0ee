"""Every column name curtool reads, derives or writes, in one place.

Derived analysis columns start with ``_`` so they can never collide with an
export's own columns; the loader keeps every original column untouched beside
them.  Writers drop ``_`` columns and add the public output columns below.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from typing import TYPE_CHECKING

from curtool.core import resources

if TYPE_CHECKING:
    import pandas as pd

# --- derived analysis columns (added by the loader) ---------------------------
ID = "_id"  # the message id: the export's id column, else "<row>" (1-based data row)
ROW = "_row"  # 1-based data row number inside its source file (header excluded)
LINE = "_line"  # 1-based line (CSV) or sheet row (Excel) where the row starts in its file
FILE = "_file"  # source file name (no directory)
TEXT = "_text"  # the message text as written (str, "" where empty)
CLEAN = "_clean"  # text for analysis: no HTML, entities, URLs, stray quote; single spaces
DISTRICT = "_district"  # canonical district name ("" where unknown)
DISTRICT_RAW = "_district_raw"  # district as written in the export
LOCALITY = "_locality"
STREET = "_street"
HOUSE = "_house"
ADDRESS = "_address"  # the export's own address, composed from its address fields
LAT = "_lat"  # float, NaN where absent
LON = "_lon"
CREATED = "_created"  # datetime64[ns], NaT where absent or unreadable
FIRST_ANSWER = "_first_answer"
CLOSED = "_closed"
GROUP = "_group"  # the export's own «Группа тем»
TOPIC = "_topic"  # the export's own «Тема»
STATUS = "_status"  # outcome: «Итог» / status
SOURCE = "_source"  # platform / source system
URL = "_url"  # link to the post
# bool: the row's file has a first-answer (closing) date column; a row of a file without one
# says nothing about answers, so it never counts as answered late or left open
HAS_FIRST_ANSWER = "_has_first_answer"
HAS_CLOSED = "_has_closed"
EXECUTOR = "_executor"  # the executor as written ("" where none)
AUDIENCE = "_audience"  # float: the post's audience («Аудитория»), NaN where absent
ENGAGEMENT = "_engagement"  # float: the post's engagement («Вовлеченность»), NaN where absent
ISSUES = "_issues"  # row issue codes joined by ";" ("" where the row is clean)
DUPLICATE = "_duplicate"  # bool: a copy of an earlier row (kept out of the analysis)
DUPLICATE_OF = "_duplicate_of"  # str: on a duplicate, «file, строка N[, id X]» (N: its _row) of the original
ID_GIVEN = "_id_given"  # bool: the export gave this row's id (else _id is its row number)
LAYOUT = "_layout"  # str: a signature of which original columns the row's file fills
COPIES = "_copies"  # int: on a kept row, how many rows (itself included) carry this message

# --- public output columns -----------------------------------------------------
SOURCE_FILE = "source_file"
ROW_NUMBER = "row_number"
LINE_NUMBER = "line"
ROW_ISSUES = "row_issues"
DUPLICATE_OF_COLUMN = "duplicate_of"  # on a duplicate row: «file, строка N[, id X]» of the row it repeats
SECTOR = "sector"
SECTOR_CONFIDENCE = "sector_confidence"
SECTOR_EVIDENCE = "sector_evidence"
SECTOR_SOURCE = "sector_source"  # "given" | "config" | "category" | "model"
PROBLEM_KIND = "problem_kind"  # the kind of problem under the sector (taxonomy [[kind]])
PROBLEM_KIND_CONFIDENCE = "problem_kind_confidence"
NEEDS_REVIEW = "needs_review"  # bool: the model's confidence is under the review threshold
PROBLEM_ID = "problem_id"

OUTPUT_COLUMNS = (
    SECTOR,
    SECTOR_CONFIDENCE,
    SECTOR_EVIDENCE,
    SECTOR_SOURCE,
    PROBLEM_KIND,
    PROBLEM_KIND_CONFIDENCE,
    NEEDS_REVIEW,
)

# --- canonical fields and the export headers that carry them -------------------
# The loader maps a field to the first original column whose normalised header
# (lower case, ё→е, punctuation and spaces squeezed) equals one of these, then
# falls back to "contains" matches.  Order matters: the most specific first.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "text": (
        "текст инцидента",
        "текст сообщения",
        "текст обращения",
        "текст жалобы",
        "текст поста",
        "текст комментария",
        "текст",
        "сообщение",
        "обращение",
        "содержание обращения",
        "содержание",
        "описание",
        "суть обращения",
        "text",
        "message",
        "body text",
        "content",
    ),
    "id": (
        "id",
        "номер инцидента",
        "номер сообщения",
        "номер обращения",
        "ид",
        "идентификатор",
        "№",
        "номер",
        "message id",
        "incident id",
    ),
    "district": (
        "муниципалитет",
        "муниципальное образование",
        "муниципальный район",
        "городской округ",
        "район",
        "мо",
        "отдел",
        "district",
        "municipality",
    ),
    "locality": ("населенный пункт", "нас пункт", "город", "поселение", "locality", "city"),
    "street": ("улица", "street"),
    "house": ("дом", "номер дома", "house"),
    "address": ("адрес", "адрес проблемы", "место", "address", "location"),
    "lat": ("широта", "lat", "latitude"),
    "lon": ("долгота", "lon", "lng", "longitude"),
    "created": (
        "дата создания",
        "дата поступления",
        "дата обращения",
        "дата сообщения",
        "дата публикации",
        "дата регистрации",
        "создано",
        "дата",
        "created",
        "date",
    ),
    "first_answer": (
        "общее время первого ответа",
        "дата первого ответа",
        "время первого ответа",
        "дата ответа",
        "first answer",
    ),
    "closed": (
        "дата окончания",
        "дата закрытия",
        "дата решения",
        "дата исполнения",
        "закрыто",
        "closed",
    ),
    "group": ("группа тем", "группа", "категория", "рубрика", "group", "category"),
    "topic": ("тема", "подкатегория", "topic", "subcategory"),
    "status": ("итог", "статус", "результат", "текущий шаг инцидента", "status", "outcome"),
    "source": ("источник", "платформа", "соцсеть", "канал", "source", "platform"),
    "url": ("урл поста", "ссылка", "ссылка на пост", "url поста", "url", "link"),
    "executor": (
        "исполнитель",
        "ответственный",
        "ответственное лицо",
        "ответственный исполнитель",
        "орган власти",
        "ответственный орган",
        "executor",
        "assignee",
    ),
    "audience": ("аудитория", "охват", "audience", "reach"),
    "engagement": ("вовлеченность", "вовлечение", "engagement"),
}

# The fields a command-line option can name, and that option: the one place both the CLI
# and the error messages take them from («--date-column», not «--created-column»).
COLUMN_OPTIONS: dict[str, str] = {
    "text": "--text-column",
    "id": "--id-column",
    "district": "--district-column",
    "created": "--date-column",
    "address": "--address-column",
    "lat": "--lat-column",
    "lon": "--lon-column",
    "group": "--group-column",
    "topic": "--topic-column",
    "executor": "--executor-column",
    "audience": "--audience-column",
    "engagement": "--engagement-column",
}


def option_for(field: str) -> str:
    """How a user names ``field``: its option, or its key in curtool.toml when it has none."""
    return COLUMN_OPTIONS.get(field, f"[columns] {field} in curtool.toml")


# Field name -> derived column it fills.
FIELD_COLUMNS: dict[str, str] = {
    "text": TEXT,
    "id": ID,
    "district": DISTRICT_RAW,
    "locality": LOCALITY,
    "street": STREET,
    "house": HOUSE,
    "address": ADDRESS,
    "lat": LAT,
    "lon": LON,
    "created": CREATED,
    "first_answer": FIRST_ANSWER,
    "closed": CLOSED,
    "group": GROUP,
    "topic": TOPIC,
    "status": STATUS,
    "source": SOURCE,
    "url": URL,
    "executor": EXECUTOR,
    "audience": AUDIENCE,
    "engagement": ENGAGEMENT,
}

DATE_FIELDS = ("created", "first_answer", "closed")
NUMBER_FIELDS = ("audience", "engagement")  # counts of a post: «1 234», «1,2K» read as numbers

# Row issue codes: stable, documented in README; never rename one.
ISSUE_EMPTY_TEXT = "empty_text"
ISSUE_RAGGED_ROW = "ragged_row"
ISSUE_BAD_DATE = "bad_date"
ISSUE_DUPLICATE = "duplicate"
ISSUE_UNKNOWN_DISTRICT = "unknown_district"
ISSUE_BAD_COORDINATES = "bad_coordinates"
# set by the report only: a row without a creation date belongs to no week (the loader keeps it)
ISSUE_NO_DATE = "no_date"
ISSUE_SWALLOWED_ROWS = "swallowed_rows"

ISSUE_DESCRIPTIONS: dict[str, str] = {
    ISSUE_EMPTY_TEXT: "пустой текст сообщения",
    ISSUE_RAGGED_ROW: "в строке больше или меньше полей, чем в заголовке",
    ISSUE_BAD_DATE: "дату не удалось прочитать",
    ISSUE_NO_DATE: "нет даты создания: сообщение не попадает ни в одну неделю",
    ISSUE_DUPLICATE: "повтор сообщения, уже учтённого выше",
    ISSUE_UNKNOWN_DISTRICT: "район не найден в справочнике",
    ISSUE_BAD_COORDINATES: "координаты вне допустимого диапазона",
    ISSUE_SWALLOWED_ROWS: "незакрытая кавычка слила строки файла в одну запись "
    "(строки, похожие на строки таблицы, разделены обратно)",
}

# Outcomes that mean the export considered the problem solved.
RESOLVED_STATUSES = ("решено", "решен", "выполнено", "исполнено", "resolved", "done")


def is_resolved_status(status: pd.Series) -> pd.Series:
    """True where the export's outcome says solved («Решено», «выполнено», …)."""
    import pandas as pd

    if status.empty:  # str.partition of an empty column has no column 0 to take
        return pd.Series(False, index=status.index, dtype=bool)
    norm = status.fillna("").astype(str).str.strip().str.lower().str.replace("ё", "е")
    first_word = norm.str.partition(" ")[0]
    resolved = set(RESOLVED_STATUSES)
    return norm.isin(resolved) | first_word.str.rstrip(".,;:!").isin(resolved)


def _taxonomy_blocks() -> tuple[tuple[str, ...], str]:
    """The blocks, in report order, and the catch-all block, from the shipped taxonomy file:
    the one place they are named (curtool.core.taxonomy checks the file; this only reads names)."""
    data = tomllib.loads(resources.taxonomy_text())
    return tuple(b["name"] for b in data["block"]), data.get("other", "Прочее")


SECTORS, OTHER_SECTOR = _taxonomy_blocks()

# --- weekly report (aggregate.py, response.py, report.py / workbook.py) ----------
# Keys of the report's analysis frames; workbook.py maps them to Russian headers.
WEEK = "_week"  # ISO week label «2026-W47» of _created ("" where _created is NaT)
PLATFORM = "platform"  # ВКонтакте / Одноклассники / Telegram / ПОС / другое
COUNT = "count"
SHARE = "share"
BASELINE = "baseline"  # mean weekly count over the weeks before the report week
BASELINE_WEEKS = "baseline_weeks"
CHANGE = "change"
RATIO = "ratio"
P_VALUE = "p_value"
THRESHOLD = "threshold"
POPULATION = "population"
NO_DISTRICT = "район не указан"  # shown where _district is ""


def sector_order(values: Iterable[str]) -> list[str]:
    """The twelve sectors in their fixed order, then any other label found."""
    extra = sorted(set(values) - set(SECTORS))
    return list(SECTORS) + extra


def district_order(values: Iterable[str]) -> list[str]:
    """Districts alphabetically, «район не указан» last."""
    names = sorted(set(values) - {NO_DISTRICT}, key=lambda s: s.lower().replace("ё", "е"))
    return names + ([NO_DISTRICT] if NO_DISTRICT in set(values) else [])


# --- recurring problems (curtool.core.recurring) ---------------------------------------
# Columns of RecurringResult.problems; the same names are the keys of its JSON.
PROBLEM_FIELDS = (
    "id",
    "district",
    "sector",
    "kind",
    "label",
    "place",
    "count",
    "weeks",
    "first_seen",
    "last_seen",
    "trend",
    "returned_after_resolved",
    "systemic",
    "audience",  # sum of its messages' «Аудитория»; «нет данных» where none of them has one
    "engagement",  # sum of its messages' «Вовлеченность»; likewise
    "message_ids",
)
PROBLEM_REPRESENTATIVE = "representative"  # the most central message (table only, not JSON)
PROBLEM_PLACES = "places"  # distinct places of the problem (table only, not JSON)
# Columns the weekly report adds to the problems of its week (report.py / workbook.py).
PROBLEM_NEW = "new"  # first seen within the report week
PROBLEM_IN_WEEK = "in_week"  # its messages within the report week
TRENDS = ("growing", "stable", "fading")
# Columns of RecurringResult.messages_frame (the workbook's messages sheet).
MESSAGE_FIELDS = ("problem_id", "id", "date", "district", "place", "text")
