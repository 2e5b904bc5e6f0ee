"""Recurring and systemic problems: what keeps coming back in a district, where and since when.

Definition (see :class:`RecurringSettings` and docs/recurring.md):

* a **recurring problem** is a group of messages of one district and one sector
  about the same problem (texts similar above a threshold) at the same place
  (``address.place_table``: the export's address, coordinates, or the address
  written in the text) with at least ``min_count`` messages in at least
  ``min_weeks`` distinct ISO weeks;
* a **systemic problem** is the same kind of problem (similar texts) at
  ``systemic_min_places`` or more places of one district and sector;
* a problem is ``returned_after_resolved`` when a message of it was created
  after another message of it had been marked solved (``_status`` in
  ``columns.RESOLVED_STATUSES``; the solving time is ``_closed``, else ``_created``).

How it scales: texts are turned into TF-IDF vectors of Snowball stems (the
place's own words removed, so the place cannot make two different problems look
alike); similar pairs are looked for only inside blocks (district × sector ×
place for recurring problems, district × sector × four-week period for systemic
ones), never in a dense n × n matrix; pairs above the threshold become groups by
``scipy.sparse.csgraph.connected_components``, and a group whose members do not
all sit close to its centre (a chain A~B~C with A far from C) is split again
with a stricter threshold.

Ids are stable from run to run: ``P`` + a hash of district, sector, place key
and the group's signature (its strongest stem), never of cluster numbers or row
order; groups that get the same id are one problem.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from curtool import address, districts, errors
from curtool import columns as C
from curtool.aggregate import is_resolved_status
from curtool.recurring import grouping

_EPOCH_MONDAY = np.datetime64("1970-01-05", "D")  # a Monday: week index = days since it // 7
_TOKEN = re.compile(r"[а-я]{3,}|\x01")
_SEP = "\x01"
_IDF_PRIOR_DOCS = 1000
# below this share of rows kept, the kept rows are copied out and analysed alone
_SUBSET_COPY_SHARE = 0.5
_TOPIC_TERM = "тема:"
_USED_COLUMNS = (
    C.ID,
    C.TEXT,
    C.CLEAN,
    C.DISTRICT,
    C.LOCALITY,
    C.STREET,
    C.HOUSE,
    C.ADDRESS,
    C.LAT,
    C.LON,
    C.CREATED,
    C.CLOSED,
    C.STATUS,
    C.TOPIC,
)
_NO_DATES = "no message has a readable creation date, so recurrence over weeks cannot be judged"
_NO_DATES_HINT = (
    "name the column that holds the creation date with --date-column "
    "(dates like 2026-11-23 or 23.11.2026 14:05)"
)
SIGNATURE_MESSAGES = 5  # a problem's signature is read from its first five messages

# Words that say nothing about which problem a message is about (stemmed at use).
_STOP_WORDS = """
все как так его она они оно что это этот эта эти того тот там тут уже еще нет даже
только или для при про над под без перед после через когда где куда чтобы если
было был были будет быть есть может можно нужно надо очень просто также который
которые которая свой наш ваш мой мне нам нас вас вам меня себя себе всех всего весь
здравствуйте добрый день вечер утро пожалуйста спасибо уважаемый уважаемая уважаемые
прошу просим помогите помочь помощь обратите внимание разобраться принять меры
ситуация ситуации проблема проблемы вопрос вопросу вопроса обращение обращаюсь
жители житель жителей жительница ответ ответа никто ничего ничем никак сколько
можно опять снова который уже год года месяц неделю недели дня дней раз
улица улице улицы ул дом дома доме дому подъезд кв квартира адрес адресу
глава главы района района город городе администрация администрации
прилагаю приложение фото фотографию фотографии фотография хотя дали сих пор данный данная
данные данного данном также связи этом этой этого нашего нашей наша наши
сказали сказал сейчас должна должен должны должно нужно нужна нужен сделать сделали
"""


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
            f"{_plural(self.systemic_window_weeks, 'неделю', 'недели', 'недель')} подряд, "
            f"в {self.systemic_burst:g} раза чаще "
            f"обычного для неё. «Вернулась после решения» — новое сообщение "
            f"пришло позже сообщения со статусом «Решено». Тренд: средняя за неделю во второй "
            f"половине срока против первой (рост — в {self.growth_ratio:g} раза и больше)."
        )

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


@dataclass
class RecurringResult:
    """Problems found (one row each, ranked) and the problem id of every frame row."""

    problems: pd.DataFrame
    assignments: pd.Series
    settings: RecurringSettings = field(default_factory=RecurringSettings)
    places: pd.Series | None = None  # readable place of every frame row ("" where none)
    # frame positions of each problem's messages (ids can repeat across files; positions cannot)
    positions: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def to_json_dict(self) -> dict[str, list[dict[str, object]]]:
        out = []
        for rec in self.problems[list(C.PROBLEM_FIELDS)].to_dict("records"):
            rec["first_seen"] = _iso(rec["first_seen"])
            rec["last_seen"] = _iso(rec["last_seen"])
            rec["count"] = int(rec["count"])
            rec["weeks"] = int(rec["weeks"])
            rec["returned_after_resolved"] = bool(rec["returned_after_resolved"])
            rec["systemic"] = bool(rec["systemic"])
            rec["message_ids"] = [str(v) for v in rec["message_ids"]]
            out.append(rec)
        return {"problems": out}

    def messages_frame(self, frame: pd.DataFrame) -> pd.DataFrame:
        """One row per message of a problem: problem id, message id, date, district, place, text.

        A message of a systemic problem that also belongs to a recurring one at
        its place is listed under both ids.
        """
        names = C.MESSAGE_FIELDS
        if self.problems.empty:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in names})
        ids = _column(frame, C.ID).astype(str)
        index_of = pd.Series(np.arange(len(frame)), index=ids.to_numpy())
        index_of = index_of[~index_of.index.duplicated()]
        if self.places is not None and self.places.index.equals(frame.index):
            places = self.places  # computed by find_recurring for this very frame
        else:
            places = address.place_table(frame, _text_column(frame))["place"]
        text = _column(frame, C.TEXT)
        created = frame[C.CREATED] if C.CREATED in frame.columns else pd.Series(pd.NaT, index=frame.index)
        district = _column(frame, C.DISTRICT)
        same_frame = self.places is not None and self.places.index.equals(frame.index)
        rows = []
        for pid, mids in zip(self.problems["id"], self.problems["message_ids"], strict=True):
            if same_frame and pid in self.positions:
                found = [int(p) for p in self.positions[pid]]
            else:
                found = [index_of.get(str(mid)) for mid in mids]
            for pos in found:
                if pos is None:
                    continue
                rows.append(
                    (
                        pid,
                        ids.iloc[pos],
                        created.iloc[pos],
                        district.iloc[pos],
                        places.iloc[pos],
                        text.iloc[pos],
                    )
                )
        out = pd.DataFrame(rows, columns=list(names))
        out[names[2]] = pd.to_datetime(out[names[2]])
        return out


# --- public entry point -------------------------------------------------------------
def find_recurring(
    frame: pd.DataFrame,
    sectors: pd.Series | None = None,
    settings: RecurringSettings | None = None,
    *,
    district: str | None = None,
    since: object = None,
    until: object = None,
    kinds: pd.Series | None = None,
    kind_vectors: sparse.csr_matrix | None = None,
) -> RecurringResult:
    """Recurring and systemic problems of ``frame`` (rows with ``_duplicate`` are skipped).

    ``sectors`` is the classifier's sector per row (indexed like ``frame``);
    without it the export's ``_group`` is the sector, or everything is one block.
    ``district`` keeps one district (matched tolerantly; unknown → CurtoolError
    ``unknown-district``); ``since``/``until`` keep messages created on or
    between those dates (inclusive).  ``kinds`` (each row's kind of problem) and
    ``kind_vectors`` (each row's likeliest kinds, rows × kinds, unit length; from
    :func:`curtool.classify.classify_detailed`) make a place's problems one kind of
    problem told in any words (:mod:`curtool.recurring.grouping`) instead of one
    sector and similar words.
    """
    settings = settings or RecurringSettings()
    if C.CREATED not in frame.columns:
        raise errors.CurtoolError(errors.NO_DATA, _NO_DATES, _NO_DATES_HINT)
    keep = np.ones(len(frame), dtype=bool)
    if C.DUPLICATE in frame.columns:
        keep &= ~frame[C.DUPLICATE].fillna(False).astype(bool).to_numpy()
    created = pd.to_datetime(frame[C.CREATED], errors="coerce")
    if keep.any() and not created[keep].notna().any():
        # silence here would read as "no recurring problems", which nobody has checked
        raise errors.CurtoolError(errors.NO_DATA, _NO_DATES, _NO_DATES_HINT)
    keep &= created.notna().to_numpy()
    if since is not None:
        keep &= (created >= _day(since)).to_numpy()
    if until is not None:
        keep &= (created < _day(until) + pd.Timedelta(days=1)).to_numpy()
    districts = _column(frame, C.DISTRICT)
    name = None
    if district is not None:
        # the district's problems are found over every district and then selected: word
        # weights and the data's last week depend on all messages, and a drill-down that
        # differed from the region-wide run (on a portal file 293 vs 296 problems, one of
        # them 19 messages against 30) would not be the same problem list
        name = match_district(district, districts[districts != ""].unique().tolist())
    # only the columns this stage reads: a loaded frame also carries every original column
    used = [c for c in _USED_COLUMNS if c in frame.columns]
    if C.CLEAN in used and C.TEXT in used:  # the text as written is read only without _clean
        used.remove(C.TEXT)
    if sectors is not None:
        sector = sectors.reindex(frame.index).astype(object).where(lambda s: s.notna(), "")
    elif C.GROUP in frame.columns:
        sector = _group_sectors(_column(frame, C.GROUP))
    else:
        sector = pd.Series("", index=frame.index, dtype=object)
    last_day = created[keep].max() if keep.any() else pd.NaT
    if until is not None:
        last_day = _day(until)
    if keep.sum() >= _SUBSET_COPY_SHARE * len(keep):
        # most rows stay (a weekly run drops duplicates and undated rows): the frame is
        # read where it is, as copying a million rows' text costs more than a gigabyte
        work, active, kept_positions = frame[used], keep, np.arange(len(frame))
    else:
        # one district or a short period: analysing a small copy is faster
        work, active, kept_positions = frame.loc[keep, used], None, np.flatnonzero(keep)
        sector, created = sector[keep], created[keep]
    work_kinds = work_vectors = None
    if kind_vectors is not None and kind_vectors.shape[0] == len(frame):
        work_vectors = kind_vectors if active is not None else kind_vectors[kept_positions]
        kind_names = (
            kinds.reindex(frame.index).astype(object).where(lambda v: v.notna(), "").to_numpy()
            if kinds is not None
            else np.full(len(frame), "", dtype=object)
        )
        work_kinds = kind_names if active is not None else kind_names[kept_positions]
    work_places = np.full(len(work), "", dtype=object)
    problems, members = _detect(
        work, sector.astype(str), created, last_day, settings, work_places, active, work_kinds, work_vectors
    )
    place_all = np.full(len(frame), "", dtype=object)
    place_all[kept_positions] = work_places
    if active is not None:
        place_all[~active] = ""
    places = pd.Series(place_all, index=frame.index, dtype=object)
    assigned = np.full(len(frame), "", dtype=object)
    for pid, positions in members.items():
        target = kept_positions[positions]
        free = target[assigned[target] == ""]
        assigned[free] = pid
    assignments = pd.Series(assigned, index=frame.index, dtype=object)
    positions = {pid: kept_positions[pos] for pid, pos in members.items()}
    if name is not None:
        problems, assignments, places, positions = _only_district(
            name, districts, problems, assignments, places, positions
        )
    return RecurringResult(
        problems=problems,
        assignments=assignments,
        settings=settings,
        places=places,
        positions=positions,
    )


def _only_district(
    name: str,
    districts: pd.Series,
    problems: pd.DataFrame,
    assignments: pd.Series,
    places: pd.Series,
    positions: dict[str, np.ndarray],
) -> tuple[pd.DataFrame, pd.Series, pd.Series, dict[str, np.ndarray]]:
    """The region-wide result cut to one district: its problems, its messages' assignments."""
    other = (districts != name).to_numpy()
    assignments = assignments.mask(other, "")
    places = places.mask(other, "")
    problems = problems[problems["district"].astype(str) == name].reset_index(drop=True)
    kept = set(problems["id"].astype(str))
    positions = {pid: pos for pid, pos in positions.items() if pid in kept}
    return problems, assignments, places, positions


def match_district(name: str, known: list[str]) -> str:
    """The known district ``name`` means (see :func:`curtool.districts.match_district`), or an error."""
    from rapidfuzz import fuzz, process

    found = districts.match_district(name, known)
    if found is not None:
        return found
    close = process.extract(name, known, scorer=fuzz.WRatio, limit=3) if known else []
    names = ", ".join(f"«{c[0]}»" for c in close)
    raise errors.CurtoolError(
        errors.UNKNOWN_DISTRICT,
        f"district «{name}» is not in the data",
        f"the closest known: {names}" if names else "the data names no districts",
    )


# --- detection -----------------------------------------------------------------------
def _detect(
    work: pd.DataFrame,
    sector: pd.Series,
    created: pd.Series,
    last_day: pd.Timestamp,
    settings: RecurringSettings,
    place_out: np.ndarray,
    active: np.ndarray | None = None,
    kinds: np.ndarray | None = None,
    kind_vectors: sparse.csr_matrix | None = None,
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Problems of ``work`` and the work positions of their messages; fills ``place_out``.

    ``active`` (a mask over ``work``) keeps only those rows as candidates; None keeps all.
    """
    empty = _empty_problems()
    if work.empty:
        return empty, {}
    places = address.place_table(work, _text_column(work), lenders=active)
    place_out[:] = places["place"].to_numpy()
    has_place = (places["place_key"] != "").to_numpy()
    if active is not None:
        has_place = has_place & active
    if not has_place.any():
        return empty, {}
    rows = np.flatnonzero(has_place)
    # by mask, not by position: a positional pick on a chunked text column copies all of it
    text = _text_values(work, has_place)
    district = _column(work, C.DISTRICT).iloc[rows].to_numpy().astype(str)
    sec = sector.iloc[rows].to_numpy().astype(str)
    place_key = places["place_key"].iloc[rows].to_numpy().astype(str)
    days = created.iloc[rows].to_numpy().astype("datetime64[D]")
    week = ((days - _EPOCH_MONDAY).astype(np.int64)) // 7

    vectors = _vectorise(text, place_key, district)
    if C.TOPIC in work.columns:
        vectors = _with_topics(vectors, _column(work, C.TOPIC).iloc[rows], settings.topic_weight)
    X = vectors.matrix
    n = X.shape[0]

    # recurring: blocks of one district, sector and street; houses must agree where both are known
    street_key = places["street_key"].iloc[rows].to_numpy().astype(str)
    house_key = places["house_key"].iloc[rows].to_numpy().astype(str)
    house_codes, _ = pd.factorize(house_key)
    house_codes = np.where(house_key == "", -1, house_codes)
    block_codes, _ = pd.factorize(pd.Series(district) + "\x1f" + sec + "\x1f" + street_key)
    row_kinds = kinds[rows].astype(object) if kinds is not None else np.full(n, "", dtype=object)
    if kind_vectors is not None:
        # one kind of problem at one place, in any words: the sector is no key
        place_codes, _ = pd.factorize(pd.Series(district) + "\x1f" + place_key)
        row_vectors = kind_vectors[rows]
        if C.TOPIC in work.columns:
            # the export's own topic is the kind where it has one (a portal's reason, a «Тема»)
            row_vectors, row_kinds = grouping.with_topics(
                row_vectors, row_kinds, _column(work, C.TOPIC).iloc[rows].to_numpy()
            )
        place_groups = grouping.group_places(
            place_codes,
            X,
            row_vectors,
            kind_weight=settings.kind_weight,
            similarity=settings.kind_similarity,
            min_count=settings.min_count,
        )
    else:
        lowest = min(settings.similarity, settings.house_similarity)
        i, j, s = _block_edges(X, block_codes, lowest, settings.min_count, top_n=None)
        known_same = (house_codes[i] == house_codes[j]) & (house_codes[i] >= 0)
        compatible = known_same | (house_codes[i] < 0) | (house_codes[j] < 0)
        # one known house is strong evidence of one problem: its texts may differ more
        edge = (known_same & (s >= settings.house_similarity)) | (compatible & (s >= settings.similarity))
        i, j, s = i[edge], j[edge], s[edge]
        place_groups = _groups(n, i, j, s, X, settings.similarity, settings.cohesion)
        place_groups = _bisect(place_groups, X, settings.min_count, settings.split_similarity)
        place_groups = _split_houses(place_groups, house_codes, X)

    # systemic: blocks of one district and sector, cut by four-week periods when large
    ds_codes, _ = pd.factorize(pd.Series(district) + "\x1f" + sec)
    sys_blocks = _cut_large_blocks(ds_codes, week, settings.block_limit)
    i, j, s = _block_edges(
        X,
        sys_blocks,
        settings.systemic_similarity,
        settings.systemic_min_places,
        top_n=settings.systemic_neighbours,
    )
    sys_groups = _groups(n, i, j, s, X, settings.systemic_similarity, settings.cohesion)

    ids = (
        _column(work, C.ID).iloc[rows].astype(str).to_numpy().astype(object)
        if C.ID in work.columns
        else np.array([str(v) for v in work.index[rows]], dtype=object)
    )
    created_ns = created.iloc[rows].to_numpy().astype("datetime64[ns]").astype(np.int64)
    # the report's rule, so its «вернулись после решения» and resolved counts agree
    resolved = is_resolved_status(_column(work, C.STATUS).iloc[rows]).to_numpy(dtype=bool)
    solved_at = created_ns.copy()
    if C.CLOSED in work.columns:
        closed = pd.to_datetime(work[C.CLOSED].iloc[rows], errors="coerce").to_numpy()
        has_closed = ~pd.isna(closed)
        solved_at[has_closed] = closed[has_closed].astype("datetime64[ns]").astype(np.int64)
    solved_at = np.where(resolved, solved_at, np.iinfo(np.int64).max)
    context = _Context(
        rows=rows,
        ids=ids,
        text=text,
        district=district,
        sector=sec,
        place_key=place_key,
        place=places["place"].iloc[rows].to_numpy().astype(object),
        week=week,
        days=days,
        created_ns=created_ns,
        solved_at=solved_at,
        X=X,
        vectors=vectors,
        last_week=_week_of(last_day),
        settings=settings,
        street_key=street_key,
        house_key=house_key,
        place_terms=_place_terms(street_key, vectors.terms),
        kind=row_kinds,
    )
    place_problems = _problems_from_groups(context, place_groups, systemic=False)
    sys_problems = _problems_from_groups(context, sys_groups, systemic=True)

    # a recurring place problem that mostly lies inside a systemic one is marked systemic too
    if place_problems and sys_problems:
        in_systemic = np.zeros(n, dtype=bool)
        for prob in sys_problems:
            in_systemic[prob["_members"]] = True
        for prob in place_problems:
            if in_systemic[prob["_members"]].mean() >= 0.5:
                prob["systemic"] = True

    problems = place_problems + sys_problems
    if not problems:
        return empty, {}
    # work positions of each problem's messages; place problems first (a message takes its
    # place problem's id in `assignments`, a systemic id only where it has none)
    members = {p["id"]: rows[p["_members"]] for p in problems}
    table = pd.DataFrame([{k: v for k, v in p.items() if not k.startswith("_")} for p in problems])
    table = table.sort_values(
        ["count", "weeks", "last_seen", "id"], ascending=[False, False, False, True], kind="stable"
    ).reset_index(drop=True)
    return table[[*C.PROBLEM_FIELDS, C.PROBLEM_REPRESENTATIVE, C.PROBLEM_PLACES]], members


@dataclass
class _Vectors:
    matrix: sparse.csr_matrix  # one L2-normalised row per candidate message
    terms: list[str]  # stem of each column
    words: list[str]  # the most frequent word form of each column (for labels)


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("russian")


@lru_cache(maxsize=1)
def _stop_stems() -> frozenset[str]:
    words = [w.replace("ё", "е") for w in _STOP_WORDS.split()]
    return frozenset(_stemmer().stemWords(words)) | frozenset(words)


def _vectorise(text: pd.Series, place_key: np.ndarray, district: np.ndarray, chunk: int = 20_000) -> _Vectors:
    """TF-IDF (sublinear tf, smooth idf) of Snowball stems, each message's place words removed.

    Built by hand over distinct texts: one regex pass over a chunk of joined
    texts, ``pd.factorize`` for the words, one stemmer call per new word; about
    5× faster than a per-text analyser in ``TfidfVectorizer``.
    """
    # factorised as Arrow text: only one chunk of distinct texts is ever held as Python strings
    values = text.fillna("") if text.dtype == "str" else text.astype(object).where(text.notna(), "")
    codes, uniques = pd.factorize(values)
    del values
    stemmer = _stemmer()
    stop = _stop_stems()
    word_term: dict[str, int] = {}
    stem_term: dict[str, int] = {}
    word_count: dict[str, int] = {}
    rows_parts, cols_parts = [], []
    for start in range(0, len(uniques), chunk):
        part = uniques[start : start + chunk]
        joined = (_SEP.join(str(t).replace(_SEP, " ") for t in part) + _SEP).lower().replace("ё", "е")
        tokens = np.array(_TOKEN.findall(joined), dtype=object)
        tok_codes, tok_uniques = pd.factorize(tokens)
        is_sep = tok_uniques == _SEP
        sep_code = int(np.flatnonzero(is_sep)[0]) if is_sep.any() else -1
        sep_mask = tok_codes == sep_code
        doc = np.cumsum(sep_mask) - sep_mask + start
        new = [w for w in tok_uniques if w not in word_term and w != _SEP]
        for w, st in zip(new, stemmer.stemWords(new), strict=True):
            if st in stop or w in stop:
                word_term[w] = -1
                continue
            tid = stem_term.get(st)
            if tid is None:
                tid = stem_term[st] = len(stem_term)
            word_term[w] = tid
        counts = np.bincount(tok_codes, minlength=len(tok_uniques))
        for w, c in zip(tok_uniques, counts, strict=True):
            if w != _SEP and word_term[w] >= 0:
                word_count[w] = word_count.get(w, 0) + int(c)
        lookup = np.array([word_term.get(w, -1) for w in tok_uniques], dtype=np.int64)
        term = lookup[tok_codes]
        ok = ~sep_mask & (term >= 0)
        rows_parts.append(doc[ok].astype(np.int32))
        cols_parts.append(term[ok].astype(np.int32))
    n_terms = max(len(stem_term), 1)
    r = np.concatenate(rows_parts) if rows_parts else np.empty(0, np.int32)
    c = np.concatenate(cols_parts) if cols_parts else np.empty(0, np.int32)
    tf = sparse.csr_matrix((np.ones(len(r), np.float32), (r, c)), shape=(len(uniques), n_terms))
    tf.sum_duplicates()
    tf.data = 1.0 + np.log(tf.data)
    df = np.bincount(tf.indices, minlength=n_terms)
    # idf as if a thousand unseen texts were there too: in a small export every word
    # weighs about the same instead of the few shared words counting for nothing
    idf = (np.log((1.0 + len(uniques) + _IDF_PRIOR_DOCS) / (1.0 + df)) + 1.0).astype(np.float32)
    # very common stems (in more than a third of texts) carry no problem
    idf[df > max(len(uniques) / 3, 50)] = 0.0
    tf.data *= idf[tf.indices]
    del r, c, rows_parts, cols_parts
    matrix = tf[codes]  # one row per message (texts repeat)
    del tf

    # the message's own place (settlement, street, district) must not make two texts alike
    terms = [""] * n_terms
    for st, tid in stem_term.items():
        terms[tid] = st
    pk_codes, pk_uniques = pd.factorize(pd.Series(place_key) + "|" + pd.Series(district))
    place_pairs = []
    for code, key in enumerate(pk_uniques):
        parts = re.split(r"[|\s]+", str(key).lower().replace("ё", "е"))
        words = [p for p in parts if len(p) >= 3 and p.isalpha()]
        ids = {stem_term.get(p) for p in words} | {stem_term.get(stemmer.stemWord(p)) for p in words}
        place_pairs.extend(code * n_terms + t for t in ids if t is not None)
    if place_pairs:
        # zero, in place, every entry whose (place, term) pair names the row's own place;
        # a slice of rows at a time against the sorted pairs, so no array is as long as the matrix
        pairs = np.unique(np.asarray(place_pairs, dtype=np.int64))
        indptr = matrix.indptr
        for start in range(0, matrix.shape[0], 100_000):
            stop = min(start + 100_000, matrix.shape[0])
            lo, hi = indptr[start], indptr[stop]
            row_of = np.repeat(np.arange(start, stop), np.diff(indptr[start : stop + 1]))
            keys = pk_codes[row_of].astype(np.int64) * n_terms + matrix.indices[lo:hi]
            found = np.minimum(np.searchsorted(pairs, keys), len(pairs) - 1)
            own = pairs[found] == keys
            matrix.data[lo:hi][own] = 0.0
        matrix.eliminate_zeros()
    _normalise_rows(matrix)

    best_word: dict[int, tuple[int, str]] = {}
    for w, cnt in word_count.items():
        tid = word_term[w]
        if tid >= 0 and (tid not in best_word or cnt > best_word[tid][0]):
            best_word[tid] = (cnt, w)
    words = [best_word.get(t, (0, terms[t]))[1] for t in range(n_terms)]
    return _Vectors(matrix=matrix, terms=terms, words=words)


def _place_terms(street_keys: np.ndarray, terms: list[str]) -> frozenset[int]:
    """Columns of ``terms`` that are a word of some street or settlement key (``d|loc|street``)."""
    names: set[str] = set()
    for key in pd.unique(street_keys):
        parts = str(key).split("|")
        if len(parts) >= 3 and not parts[1].startswith("geo:"):
            words = re.split(r"[\s×]+", parts[1] + " " + parts[2])
            names.update(w for w in words if len(w) >= 3 and w.isalpha())
    return frozenset(t for t, term in enumerate(terms) if term in names)


def _normalise_rows(matrix: sparse.csr_matrix) -> None:
    """Scale each row of a CSR matrix to unit length, in place (empty rows stay empty)."""
    starts = np.minimum(matrix.indptr[:-1], max(matrix.nnz - 1, 0))
    sq = np.add.reduceat(matrix.data.astype(np.float64) ** 2, starts) if matrix.nnz else None
    lengths = np.diff(matrix.indptr)
    norms = np.ones(matrix.shape[0], dtype=np.float64)
    if sq is not None:
        norms = np.where(lengths > 0, np.sqrt(sq), 1.0)
        norms[norms == 0] = 1.0
    matrix.data /= np.repeat(norms, lengths).astype(matrix.data.dtype)


def _dot_with_rows(rows: sparse.csr_matrix, table: sparse.csr_matrix, which: np.ndarray) -> np.ndarray:
    """``rows[k] · table[which[k]]`` for every k without copying a table row per k.

    A group's centre can hold thousands of terms; repeating it for each member
    (``table[which]``) would cost members × centre-size memory.  Instead each
    non-zero of ``rows`` looks its partner value up in the sorted keys of ``table``.
    """
    table = sparse.csr_matrix(table)
    table.sort_indices()
    n_cols = np.int64(table.shape[1])
    table_keys = np.repeat(np.arange(table.shape[0], dtype=np.int64), np.diff(table.indptr)) * n_cols
    table_keys += table.indices
    out = np.zeros(rows.shape[0], dtype=np.float32)
    if len(table_keys) == 0:
        return out
    # a slice of rows at a time: the lookups are as long as the slice, not the whole matrix
    for start in range(0, rows.shape[0], 100_000):
        stop = min(start + 100_000, rows.shape[0])
        lo, hi = rows.indptr[start], rows.indptr[stop]
        row_of = np.repeat(np.arange(stop - start), np.diff(rows.indptr[start : stop + 1]))
        keys = which[start + row_of].astype(np.int64) * n_cols + rows.indices[lo:hi]
        pos = np.minimum(np.searchsorted(table_keys, keys), len(table_keys) - 1)
        values = np.where(table_keys[pos] == keys, table.data[pos], 0.0)
        out[start:stop] = np.bincount(row_of, weights=rows.data[lo:hi] * values, minlength=stop - start)
    return out


def _ragged_arange(lengths: np.ndarray) -> np.ndarray:
    """Concatenated ``arange(k)`` for every k in ``lengths``."""
    total = int(lengths.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    return np.arange(total, dtype=np.int64) - starts


def _cut_large_blocks(codes: np.ndarray, week: np.ndarray, limit: int) -> np.ndarray:
    """Blocks larger than ``limit`` cut into four-week periods (then into date-ordered slices)."""
    sizes = np.bincount(codes)
    if sizes.max(initial=0) <= limit:
        return codes
    period = week // 4
    big = sizes[codes] > limit
    base = codes.astype(np.int64) * 100_000
    key = np.where(big, base + (period - period.min()), base - 1)
    out, _ = pd.factorize(key)
    sizes = np.bincount(out)
    if sizes.max() <= limit:
        return out
    # still too big: slices of at most `limit` rows in date order inside each block
    order = np.lexsort((week, out))
    pos = np.empty_like(order)
    pos[order] = np.arange(len(order))
    first = np.zeros(len(sizes) + 1, dtype=np.int64)
    first[1:] = np.cumsum(sizes)
    slice_no = (pos - first[out]) // limit
    final, _ = pd.factorize(out.astype(np.int64) * 10_000 + slice_no)
    return final


_THREADS = max(1, min(os.cpu_count() or 1, 8))


def _block_edges(
    X: sparse.csr_matrix,
    blocks: np.ndarray,
    threshold: float,
    min_size: int,
    top_n: int | None,
    small: int = 300,
    pair_batch: int = 400_000,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs (i < j) of one block with cosine ≥ ``threshold``; blocks under ``min_size`` skipped."""
    sizes = np.bincount(blocks)
    order = np.argsort(blocks, kind="stable")
    sorted_blocks = blocks[order]
    starts = np.zeros(len(sizes) + 1, dtype=np.int64)
    starts[1:] = np.cumsum(sizes)
    out_i, out_j, out_s = [], [], []

    # small blocks: every pair, scored in vectorised batches of rows (bounded memory)
    small_rows = (sizes[sorted_blocks] >= max(min_size, 2)) & (sizes[sorted_blocks] <= small)
    pos = np.flatnonzero(small_rows)
    if len(pos):
        local = pos - starts[sorted_blocks[pos]]
        partners = sizes[sorted_blocks[pos]] - 1 - local
        cum = np.cumsum(partners)
        cuts = np.searchsorted(cum, np.arange(pair_batch, int(cum[-1]) + pair_batch, pair_batch))
        lo = 0
        for hi in np.unique(np.append(cuts, len(pos))):
            if hi <= lo:
                continue
            seg, seg_partners = pos[lo:hi], partners[lo:hi]
            lo = hi
            a = np.repeat(seg, seg_partners)
            b = a + 1 + _ragged_arange(seg_partners)
            ia, ib = order[a], order[b]
            sim = np.asarray(X[ia].multiply(X[ib]).sum(axis=1)).ravel()
            keep = sim >= threshold
            out_i.append(ia[keep].astype(np.int32))
            out_j.append(ib[keep].astype(np.int32))
            out_s.append(sim[keep].astype(np.float32))

    # large blocks: sparse products, chunk by chunk (or top-n neighbours for systemic search)
    for blk in np.flatnonzero(sizes > small):
        members = order[starts[blk] : starts[blk + 1]]
        Xb = X[members]
        if top_n is not None:
            from sparse_dot_topn import sp_matmul_topn

            prod = sp_matmul_topn(
                Xb, Xb.T.tocsr(), top_n=top_n + 1, threshold=threshold, n_threads=_THREADS
            ).tocoo()
            keep = prod.row < prod.col
            # top-n is not symmetric: a pair found from either side is an edge (as i < j)
            keep = prod.row != prod.col
            lo_, hi_ = np.minimum(prod.row, prod.col)[keep], np.maximum(prod.row, prod.col)[keep]
            out_i.append(members[lo_].astype(np.int32))
            out_j.append(members[hi_].astype(np.int32))
            out_s.append(prod.data[keep].astype(np.float32))
            continue
        from sparse_dot_topn import sp_matmul_topn

        XbT = Xb.T.tocsr()
        for c0 in range(0, len(members), 2000):
            # every pair above the threshold (top_n = block size), on all cores
            prod = sp_matmul_topn(
                Xb[c0 : c0 + 2000],
                XbT,
                top_n=len(members),
                threshold=threshold * 0.999,
                n_threads=_THREADS,
            ).tocoo()
            keep = (prod.data >= threshold) & (prod.row + c0 < prod.col)
            out_i.append(members[prod.row[keep] + c0].astype(np.int32))
            out_j.append(members[prod.col[keep]].astype(np.int32))
            out_s.append(prod.data[keep].astype(np.float32))
    if not out_i:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.float32)
    return np.concatenate(out_i), np.concatenate(out_j), np.concatenate(out_s).astype(np.float32)


def _groups(
    n: int,
    i: np.ndarray,
    j: np.ndarray,
    sim: np.ndarray,
    X: sparse.csr_matrix,
    threshold: float,
    cohesion: float,
    rounds: int = 4,
    step: float = 0.08,
) -> np.ndarray:
    """Group label per row (-1 alone): connected components, chains split with stricter thresholds."""
    labels = np.full(n, -1, dtype=np.int64)
    if len(i) == 0:
        return labels
    current = threshold
    active_i, active_j, active_s = i, j, sim
    todo = np.ones(n, dtype=bool)  # rows whose grouping is not settled yet
    next_label = 0
    for round_no in range(rounds + 1):
        graph = sparse.coo_matrix((np.ones(len(active_i), np.int8), (active_i, active_j)), shape=(n, n))
        _, comp = connected_components(graph, directed=False)
        in_edges = np.zeros(n, dtype=bool)
        in_edges[active_i] = True
        in_edges[active_j] = True
        comp = np.where(in_edges & todo, comp, -1)
        member_sim = _centre_similarity(X, comp)
        weak_comp = np.unique(comp[(comp >= 0) & (member_sim < cohesion)])
        is_weak = np.isin(comp, weak_comp) & (comp >= 0)
        settled = (comp >= 0) & ~is_weak
        if round_no == rounds:
            # last round: drop the loose members, keep the cohesive core of each group
            settled = (comp >= 0) & (member_sim >= cohesion)
            is_weak[:] = False
        codes, _ = pd.factorize(comp[settled])
        labels[settled] = codes + next_label
        next_label += codes.max() + 1 if len(codes) else 0
        todo = is_weak
        if not todo.any():
            break
        current += step
        keep = todo[active_i] & todo[active_j] & (active_s >= current) & (comp[active_i] == comp[active_j])
        active_i, active_j, active_s = active_i[keep], active_j[keep], active_s[keep]
        if len(active_i) == 0:
            break
    # groups of one (a member whose partners all left) are not groups
    sizes = np.bincount(labels[labels >= 0], minlength=max(next_label, 1))
    labels[(labels >= 0) & (sizes[np.maximum(labels, 0)] < 2)] = -1
    return labels


def _bisect(labels: np.ndarray, X: sparse.csr_matrix, min_size: int, split_similarity: float) -> np.ndarray:
    """Split groups that are two problems held together by a bridge (a «dumbbell»).

    A group of at least ``2 × min_size`` messages is cut in two around its two
    most different members (each message joins the closer one); the cut is kept
    when both halves have ``min_size`` messages and the halves' centres are less
    similar than ``split_similarity`` (one problem's halves stay far above it).
    Halves are tried again, so a group can fall into several problems.
    """
    labels = labels.copy()
    if min_size < 1:
        return labels
    next_label = int(labels.max(initial=-1)) + 1
    sizes = np.bincount(labels[labels >= 0]) if (labels >= 0).any() else np.empty(0, np.int64)
    queue = [int(g) for g in np.flatnonzero(sizes >= 2 * min_size)]
    members_of = {g: np.flatnonzero(labels == g) for g in queue} if queue else {}
    while queue:
        g = queue.pop()
        members = members_of.pop(g)
        Xm = X[members]
        centre = np.asarray(Xm.sum(axis=0)).ravel()
        a = int(np.argmin(Xm @ centre))
        to_a = np.asarray((Xm @ Xm[a].T).todense()).ravel()
        b = int(np.argmin(to_a))
        to_b = np.asarray((Xm @ Xm[b].T).todense()).ravel()
        side = to_a >= to_b
        if side.sum() < min_size or (~side).sum() < min_size:
            continue
        ca = np.asarray(Xm[side].sum(axis=0)).ravel()
        cb = np.asarray(Xm[~side].sum(axis=0)).ravel()
        denom = float(np.linalg.norm(ca) * np.linalg.norm(cb)) or 1.0
        if float(ca @ cb) / denom >= split_similarity:
            continue
        labels[members[~side]] = next_label
        for label, part in ((g, members[side]), (next_label, members[~side])):
            if len(part) >= 2 * min_size:
                members_of[label] = part
                queue.append(label)
        next_label += 1
    return labels


def _split_houses(labels: np.ndarray, house_codes: np.ndarray, X: sparse.csr_matrix) -> np.ndarray:
    """One known house per place group: a group that chained several is split by house.

    Pairs must agree on the house where both know it, but a message naming only
    the street can still bridge «Ленина, 5» and «Ленина, 7» into one component.
    Each known house becomes its own group, and every message without a house
    joins the house whose messages' centre its text is closest to.
    """
    labels = labels.copy()
    known = (labels >= 0) & (house_codes >= 0)
    if not known.any():
        return labels
    pairs = np.unique(np.stack([labels[known], house_codes[known]]), axis=1)
    n_houses = np.bincount(pairs[0], minlength=int(labels.max()) + 1)
    multi = n_houses[np.maximum(labels, 0)] > 1
    rows = np.flatnonzero((labels >= 0) & multi)
    if len(rows) == 0:
        return labels
    rows = rows[np.argsort(labels[rows], kind="stable")]
    bounds = np.flatnonzero(np.diff(labels[rows])) + 1
    next_label = int(labels.max()) + 1
    for members in np.split(rows, bounds):
        houses = house_codes[members]
        has = houses >= 0
        codes, _ = pd.factorize(houses[has])  # a multi-house group: at least two known houses
        codes_all = np.empty(len(members), dtype=np.int64)
        codes_all[has] = codes
        loose = members[~has]
        if len(loose):
            centres = _normalised(
                _indicator(codes, np.arange(has.sum()), int(codes.max()) + 1, int(has.sum()))
                @ X[members[has]]
            )
            codes_all[~has] = np.asarray((X[loose] @ centres.T).todense()).argmax(axis=1).ravel()
        # the first house keeps the group's label, the others get new ones
        labels[members] = np.where(codes_all == 0, labels[members[0]], next_label + codes_all - 1)
        next_label += int(codes.max())
    return labels


def _centre_similarity(X: sparse.csr_matrix, labels: np.ndarray) -> np.ndarray:
    """Cosine of each labelled row to its group's mean vector (NaN-free; 1.0 for unlabelled)."""
    out = np.ones(X.shape[0], dtype=np.float32)
    rows = np.flatnonzero(labels >= 0)
    if len(rows) == 0:
        return out
    codes, _ = pd.factorize(labels[rows])
    ind = sparse.csr_matrix(
        (np.ones(len(rows), np.float32), (codes, rows)), shape=(codes.max() + 1, X.shape[0])
    )
    centres = (ind @ X).tocsr()
    norms = np.sqrt(np.asarray(centres.multiply(centres).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    centres = (sparse.diags((1.0 / norms).astype(np.float32)) @ centres).tocsr()
    out[rows] = _dot_with_rows(X[rows], centres, codes)
    return out


@dataclass
class _Context:
    """Per candidate message (rows with a place): arrays the problem assembly reads."""

    rows: np.ndarray  # positions in the analysed frame
    ids: np.ndarray
    text: pd.Series  # the candidates' texts, read by position for the representatives
    district: np.ndarray
    sector: np.ndarray
    place_key: np.ndarray
    place: np.ndarray
    week: np.ndarray
    days: np.ndarray
    created_ns: np.ndarray
    solved_at: np.ndarray  # when a «Решено» message was solved (int64 max where not solved)
    X: sparse.csr_matrix
    vectors: _Vectors
    last_week: int
    settings: RecurringSettings
    street_key: np.ndarray
    house_key: np.ndarray
    # terms that name a street or settlement somewhere in the data: the place is shown
    # beside the label, so the label keeps to what the problem is
    place_terms: frozenset[int] = frozenset()
    kind: np.ndarray | None = None  # each row's kind of problem ("" unknown)


def _problems_from_groups(ctx: _Context, labels: np.ndarray, *, systemic: bool) -> list[dict]:
    """Groups → problems: signature, stable id, merge by id, the definition's thresholds, fields."""
    st = ctx.settings
    grouped = np.flatnonzero(labels >= 0)
    if len(grouped) == 0:
        return []
    codes, _ = pd.factorize(labels[grouped])
    n_groups = int(codes.max()) + 1
    signature = _signatures(ctx, grouped, codes, n_groups)
    place_part = np.array([""] * n_groups, dtype=object)
    if not systemic:
        place_part = _group_place_keys(ctx, grouped, codes, n_groups)
    first = grouped[np.unique(codes, return_index=True)[1]]
    keys = (
        pd.Series(ctx.district[first], dtype=object)
        + "\x1f"
        + pd.Series(ctx.sector[first], dtype=object)
        + "\x1f"
        + pd.Series(place_part, dtype=object)
        + "\x1f"
        + pd.Series(signature, dtype=object)
    )
    merged, key_uniques = pd.factorize(keys)
    prob = merged[codes]  # problem number of each grouped row
    n_prob = len(key_uniques)

    # the definition, vectorised over all candidate problems
    if systemic:
        sel, ok = _bursts(ctx, grouped, prob, n_prob)
    else:
        count = np.bincount(prob, minlength=n_prob)
        pw = np.unique(np.stack([prob, ctx.week[grouped]]), axis=1)
        weeks = np.bincount(pw[0], minlength=n_prob)
        ok = (count >= st.min_count) & (weeks >= st.min_weeks)
        sel = ok[prob]
    if not ok.any():
        return []
    grouped, prob = grouped[sel], prob[sel]
    keep_codes, keep_uniques = pd.factorize(prob)
    key_uniques = np.asarray(key_uniques)[keep_uniques]
    prob = keep_codes
    n_prob = len(key_uniques)

    centres = _normalised(_indicator(prob, grouped, n_prob, ctx.X.shape[0]) @ ctx.X)
    centrality = _dot_with_rows(ctx.X[grouped], centres, prob)
    order = np.lexsort((ctx.rows[grouped], ctx.days[grouped], prob))
    grouped, prob, centrality = grouped[order], prob[order], centrality[order]
    bounds = np.flatnonzero(np.diff(prob)) + 1
    starts = np.concatenate([[0], bounds])
    ends = np.concatenate([bounds, [len(prob)]])
    # earliest «Решено» of each problem, then: did any message come after it?
    first_solved = np.full(n_prob, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_solved, prob, ctx.solved_at[grouped])
    last_created = np.full(n_prob, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(last_created, prob, ctx.created_ns[grouped])
    returned = last_created > first_solved

    problems = []
    for p in range(n_prob):
        members = grouped[starts[p] : ends[p]]
        district, sector, place_key, sig = str(key_uniques[p]).split("\x1f")
        pid = (
            "P"
            + hashlib.blake2b(
                "|".join(("systemic" if systemic else "place", district, sector, place_key, sig)).encode(),
                digest_size=5,
            ).hexdigest()
        )
        rep = members[int(np.argmax(centrality[starts[p] : ends[p]]))]
        week_min = int(ctx.week[members].min())
        counts = np.bincount(ctx.week[members] - week_min, minlength=max(ctx.last_week - week_min + 1, 1))
        # most frequent first, ties by name: the readable place never depends on row order
        places = sorted(Counter(ctx.place[members].tolist()).items(), key=lambda kv: (-kv[1], kv[0]))
        if systemic:
            shown = "; ".join(name for name, _ in places[:3])
            k = len(places)
            place = f"{shown}; … ({k} {_plural(k, 'место', 'места', 'мест')})" if k > 3 else shown
        else:
            place = str(places[0][0])
        words = _top_words(centres, p, ctx.vectors.words, ctx.place_terms)
        kind = _majority_kind(ctx, members)
        where = place if not district or systemic else f"{place} ({district})"
        if kind and not systemic:
            label = f"{kind} — {where}"
        elif kind:
            label = f"{kind}: {', '.join(words)} — {place}" if words else f"{kind} — {place}"
        else:
            label = f"{', '.join(words)} — {place}" if words else place
        problems.append(
            {
                "id": pid,
                "district": district,
                "sector": sector,
                "kind": kind,
                "label": label,
                "place": place,
                "count": len(members),
                "weeks": len(np.unique(ctx.week[members])),
                "first_seen": pd.Timestamp(ctx.days[members].min()),
                "last_seen": pd.Timestamp(ctx.days[members].max()),
                "trend": trend(counts, st.growth_ratio, st.min_trend_change),
                "returned_after_resolved": bool(returned[p]),
                "systemic": systemic,
                "message_ids": ctx.ids[members].tolist(),
                C.PROBLEM_REPRESENTATIVE: str(ctx.text.iloc[rep]),
                C.PROBLEM_PLACES: len(places),
                "_members": members,
            }
        )
    return problems


def _majority_kind(ctx: _Context, members: np.ndarray) -> str:
    """The commonest kind of a problem's messages ("" when none is known)."""
    if ctx.kind is None:
        return ""
    named = [k for k in ctx.kind[members].tolist() if k]
    if not named:
        return ""
    counts = Counter(named)
    return min(counts, key=lambda k: (-counts[k], k))


def _bursts(
    ctx: _Context, grouped: np.ndarray, prob: np.ndarray, n_prob: int
) -> tuple[np.ndarray, np.ndarray]:
    """Systemic test: the busiest window of ``systemic_window_weeks`` weeks of each group.

    A group is systemic when that window holds at least ``min_count`` messages
    from at least ``systemic_min_places`` places and at least ``systemic_burst``
    times the messages the group's own weekly rate outside the window predicts
    (so a problem that is always spread over a big district is not systemic,
    a wave of it is).  Returns which grouped rows fall in a systemic window and
    which groups are systemic.
    """
    st = ctx.settings
    width = max(st.systemic_window_weeks, 1)
    first_week = int(ctx.week.min())
    span = max(ctx.last_week - first_week + 1, width)
    weekly = np.zeros((n_prob, span + 1), dtype=np.int64)
    np.add.at(weekly, (prob, np.clip(ctx.week[grouped] - first_week, 0, span)), 1)
    weekly = weekly[:, :span]
    sums = np.cumsum(np.pad(weekly, ((0, 0), (1, 0))), axis=1)
    windows = sums[:, width:] - sums[:, :-width]  # messages in each window of `width` weeks
    # the latest of equally busy windows: the one an analyst acts on
    start = windows.shape[1] - 1 - np.argmax(windows[:, ::-1], axis=1)
    in_window = windows[np.arange(n_prob), start]
    outside = weekly.sum(axis=1) - in_window
    rate = outside / max(span - width, 1)
    expected = rate * width
    wk = ctx.week[grouped] - first_week
    inside = (wk >= start[prob]) & (wk < start[prob] + width)
    _, place_codes = np.unique(ctx.place_key[grouped], return_inverse=True)
    pairs = np.unique(np.stack([prob[inside], place_codes.ravel()[inside]]), axis=1)
    n_places = np.bincount(pairs[0], minlength=n_prob)
    ok = (in_window >= st.min_count) & (n_places >= st.systemic_min_places)
    ok &= in_window >= st.systemic_burst * expected
    return inside & ok[prob], ok


def _indicator(group: np.ndarray, rows: np.ndarray, n_groups: int, n_rows: int) -> sparse.csr_matrix:
    return sparse.csr_matrix((np.ones(len(rows), np.float32), (group, rows)), shape=(n_groups, n_rows))


def _normalised(matrix: sparse.spmatrix) -> sparse.csr_matrix:
    matrix = sparse.csr_matrix(matrix)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return (sparse.diags((1.0 / norms).astype(np.float32)) @ matrix).tocsr().astype(np.float32)


def _signatures(ctx: _Context, grouped: np.ndarray, codes: np.ndarray, n_groups: int) -> list[str]:
    """A group's signature: what its earliest messages are about, for ids that stay put.

    Read from the group's first ``SIGNATURE_MESSAGES`` messages (by date, then id), so
    messages of later weeks never change it: the export's «Тема» when at least
    half of them carry one (the most common; ties alphabetical), else the stem
    found in most of them (ties alphabetical).  Never the cluster number or row order.
    """
    order = np.lexsort((ctx.ids[grouped].astype(str), ctx.created_ns[grouped], codes))
    sorted_codes = codes[order]
    starts = np.searchsorted(sorted_codes, np.arange(n_groups))
    rank = np.arange(len(order)) - starts[sorted_codes]
    early = order[rank < SIGNATURE_MESSAGES]
    rows, groups = grouped[early], codes[early]
    present = ctx.X[rows].copy()
    present.data[:] = 1.0
    df = (_indicator(groups, np.arange(len(rows)), n_groups, len(rows)) @ present).tocsr()
    sizes = np.bincount(groups, minlength=n_groups)
    terms = ctx.vectors.terms
    out = []
    for g in range(n_groups):
        lo, hi = df.indptr[g], df.indptr[g + 1]
        idx, cnt = df.indices[lo:hi], df.data[lo:hi]
        topics = [(-c, terms[t]) for t, c in zip(idx, cnt, strict=True) if terms[t].startswith(_TOPIC_TERM)]
        if topics and -min(topics)[0] * 2 >= sizes[g]:
            out.append(min(topics)[1])
            continue
        words = [
            (-c, terms[t]) for t, c in zip(idx, cnt, strict=True) if not terms[t].startswith(_TOPIC_TERM)
        ]
        out.append(min(words)[1] if words else "")
    return out


def _top_words(
    centres: sparse.csr_matrix, row: int, words: list[str], skip: frozenset[int] = frozenset(), k: int = 3
) -> list[str]:
    """The ``k`` heaviest words of a group centre, leaving out ``skip`` (names of places)."""
    lo, hi = centres.indptr[row], centres.indptr[row + 1]
    data, idx = centres.data[lo:hi], centres.indices[lo:hi]
    out = []
    for t in idx[np.argsort(-data, kind="stable")]:
        if t in skip:
            continue
        if words[t] and words[t] not in out:
            out.append(words[t])
        if len(out) == k:
            break
    return out


def _group_place_keys(ctx: _Context, grouped: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """A group's place: its street key and its most common known house (ties: the smallest)."""
    frame = pd.DataFrame({"g": codes, "street": ctx.street_key[grouped], "house": ctx.house_key[grouped]})
    streets = frame.groupby(["g", "street"]).size().reset_index(name="n")
    streets = streets.sort_values(["g", "n", "street"], ascending=[True, False, True])
    street = streets.drop_duplicates("g").set_index("g")["street"]
    houses = frame[frame["house"] != ""].groupby(["g", "house"]).size().reset_index(name="n")
    houses = houses.sort_values(["g", "n", "house"], ascending=[True, False, True])
    house = houses.drop_duplicates("g").set_index("g")["house"]
    out = street.reindex(range(n_groups)).fillna("").to_numpy().astype(object)
    known = house.reindex(range(n_groups)).fillna("").to_numpy().astype(object)
    geo = np.array(["|geo:" in k for k in out], dtype=bool)
    return np.where(geo, out, out + "|" + known)


def _with_topics(vectors: _Vectors, topics: pd.Series, weight: float) -> _Vectors:
    """Append the export's «Тема» as one more feature: messages an operator filed alike sit closer."""
    names = topics.astype(str).str.strip().str.lower().to_numpy()
    has = names != ""
    if weight <= 0 or not has.any():
        return vectors
    codes, uniques = pd.factorize(names[has])
    rows = np.flatnonzero(has)
    extra = sparse.csr_matrix(
        (np.full(len(rows), weight, np.float32), (rows, codes)), shape=(len(names), len(uniques))
    )
    matrix = _normalised(sparse.hstack([vectors.matrix, extra], format="csr"))
    terms = vectors.terms + [f"{_TOPIC_TERM}{u}" for u in uniques]
    words = vectors.words + [""] * len(uniques)
    return _Vectors(matrix=matrix, terms=terms, words=words)


def trend(weekly: np.ndarray | list[int], ratio: float = 1.5, min_change: float = 0.5) -> str:
    """growing / stable / fading from weekly counts, the problem's first week to the data's last.

    The weeks are cut in two halves (the middle week of an odd number is left
    out); the late half's mean against the early half's mean: growing when
    late ≥ ratio × early and late − early ≥ ``min_change``, fading when
    early ≥ ratio × late and early − late ≥ ``min_change``, stable otherwise.
    """
    counts = np.asarray(weekly, dtype=float)
    half = len(counts) // 2
    if half == 0:
        return "stable"
    early, late = counts[:half].mean(), counts[len(counts) - half :].mean()
    if late >= ratio * early and late - early >= min_change:
        return "growing"
    if early >= ratio * late and early - late >= min_change:
        return "fading"
    return "stable"


# --- small helpers ----------------------------------------------------------------------
def _empty_problems() -> pd.DataFrame:
    cols = list(C.PROBLEM_FIELDS) + [C.PROBLEM_REPRESENTATIVE, C.PROBLEM_PLACES]
    return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name].astype(object).where(frame[name].notna(), "")
    return pd.Series("", index=frame.index, dtype=object)


def _text_values(frame: pd.DataFrame, rows: np.ndarray) -> pd.Series:
    """The analysis text of the ``rows`` mask, as Arrow text when it is (no Python string per row)."""
    name = _text_column(frame)
    if name not in frame.columns:
        return pd.Series("", index=frame.index[rows], dtype="str")
    values = frame[name]
    if values.dtype != "str":
        return _column(frame, name)[rows]
    return values[rows].fillna("")


def _day(value: object) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise errors.CurtoolError(
            errors.BAD_OPTION, f"«{value}» is not a date", "write dates as YYYY-MM-DD"
        ) from exc
    if stamp is pd.NaT:
        raise errors.CurtoolError(errors.BAD_OPTION, f"«{value}» is not a date", "write dates as YYYY-MM-DD")
    return stamp.tz_localize(None).normalize() if stamp.tzinfo else stamp.normalize()


def _week_of(day: pd.Timestamp) -> int:
    if day is pd.NaT or day is None or (isinstance(day, float) and math.isnan(day)):
        return 0
    return int((np.datetime64(pd.Timestamp(day).date(), "D") - _EPOCH_MONDAY).astype(np.int64) // 7)


def _iso(value: object) -> str | None:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp, datetime, date)):
        return pd.Timestamp(value).date().isoformat()
    return str(value)


def _plural(n: int, one: str, few: str, many: str) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def _group_sectors(groups: pd.Series) -> pd.Series:
    """The export's «Группа тем» as sector blocks (the taxonomy's mapping), else as written.

    Sources name one group differently («ЖКХ» / «Жилищно-коммунальное хозяйство»);
    mapped to blocks, messages of one problem from two exports share a block.
    """
    try:
        from curtool.taxonomy import load_taxonomy

        taxonomy = load_taxonomy()
    except Exception:  # no taxonomy (or a broken one): blocks by the group as written
        return groups
    codes, uniques = pd.factorize(groups)
    mapped = np.array([taxonomy.map_group(u) or str(u) for u in uniques], dtype=object)
    return pd.Series(mapped[codes] if len(codes) else [], index=groups.index, dtype=object)


def _text_column(frame: pd.DataFrame) -> str:
    """The analysis text when the loader made one, else the text as written."""
    return C.CLEAN if C.CLEAN in frame.columns else C.TEXT
