"""Recurring and systemic problems: what keeps coming back in a district, where and since when.

Definition (see :class:`RecurringSettings` and docs/recurring.md):

* a **recurring problem** is a group of messages of one district about one kind of
  problem (the classifier's kinds or the export's «Тема»; without kinds: one sector
  and similar words) at the same place (``address.place_table``: the export's address,
  coordinates within ``address.GEO_RADIUS_M``, or the address written in the text) with
  at least ``min_count`` messages in at least ``min_weeks`` distinct ISO weeks;
* a **systemic problem** is a wave of the same problem (similar texts) at
  ``systemic_min_places`` or more places of one district and sector;
* a problem is ``returned_after_resolved`` when a message of it was created
  after another message of it had been marked solved.

The package, one concept a module:

* ``settings`` — :class:`RecurringSettings`, the documented knobs;
* ``vectors`` — messages as TF-IDF word vectors, the place's own words removed;
* ``grouping`` — messages → groups: per place by kind and words (average linkage), or,
  without kinds, similar pairs inside blocks joined as connected components;
* ``problems`` — groups → :class:`Problem`: stable id, the definition's thresholds, label;
* this module — :func:`find_recurring` (the frame in, :class:`RecurringResult` out).

Ids are stable from run to run: ``P`` + a hash of district, sector, place key and the
group's signature, never of cluster numbers or row order; groups that get the same id
are one problem.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd
from scipy import sparse

from curtool.core import address, districts, errors
from curtool.core import columns as C
from curtool.core.columns import is_resolved_status
from curtool.core.reach import REACH_FIELDS, problem_reach
from curtool.core.recurring import grouping
from curtool.core.recurring.problems import Context, Problem, assemble, trend
from curtool.core.recurring.settings import RecurringSettings
from curtool.core.recurring.vectors import place_terms, vectorise, with_topic_terms

__all__ = [
    "Problem",
    "RecurringResult",
    "RecurringSettings",
    "find_recurring",
    "grouping",
    "match_district",
    "trend",
]

_EPOCH_MONDAY = np.datetime64("1970-01-05", "D")  # a Monday: week index = days since it // 7
# below this share of rows kept, the kept rows are copied out and analysed alone
_SUBSET_COPY_SHARE = 0.5
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
    C.AUDIENCE,
    C.ENGAGEMENT,
)
NO_DATES = "no message has a readable creation date, so recurrence over weeks cannot be judged"
NO_DATES_HINT = (
    "name the column that holds the creation date with --date-column "
    "(dates like 2026-11-23 or 23.11.2026 14:05)"
)


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
            for name in REACH_FIELDS:  # null: the export gives no such figure (never 0)
                rec[name] = _json_count(rec.get(name))
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
    :func:`curtool.core.classify.classify_detailed`) make a place's problems one kind of
    problem told in any words (:mod:`curtool.core.recurring.grouping`) instead of one
    sector and similar words.
    """
    settings = settings or RecurringSettings()
    if C.CREATED not in frame.columns:
        raise errors.CurtoolError(errors.NO_DATA, NO_DATES, NO_DATES_HINT)
    keep = np.ones(len(frame), dtype=bool)
    if C.DUPLICATE in frame.columns:
        keep &= ~frame[C.DUPLICATE].fillna(False).astype(bool).to_numpy()
    created = pd.to_datetime(frame[C.CREATED], errors="coerce")
    if keep.any() and not created[keep].notna().any():
        # silence here would read as "no recurring problems", which nobody has checked
        raise errors.CurtoolError(errors.NO_DATA, NO_DATES, NO_DATES_HINT)
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
    problems, members = _detect_districts(
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
    """The known district ``name`` means (see :func:`curtool.core.districts.match_district`), or an error."""
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
def _detect_districts(
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
    """:func:`_detect` run on each district alone, the results joined.

    A district's problems depend on its own messages only (and on ``last_day``, the data's
    last day): its word weights are its own.  So a drill-down is the region-wide run cut to
    the district, an export of another district added to the file changes nothing here, and
    districts can be analysed one at a time or on different machines
    (:mod:`curtool.app.distributed`) with the same answers.
    """
    codes, _ = pd.factorize(_column(work, C.DISTRICT))
    if active is not None:
        codes = np.where(active, codes, -1)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(codes.max() + 2 if len(codes) else 1))
    tables: list[pd.DataFrame] = []
    members: dict[str, np.ndarray] = {}
    for d in range(len(bounds) - 1):
        positions = order[bounds[d] : bounds[d + 1]]
        if not len(positions):
            continue
        part_places = np.full(len(positions), "", dtype=object)
        table, part_members = _detect(
            work.iloc[positions],
            sector.iloc[positions],
            created.iloc[positions],
            last_day,
            settings,
            part_places,
            None,
            kinds[positions] if kinds is not None else None,
            kind_vectors[positions] if kind_vectors is not None else None,
        )
        place_out[positions] = part_places
        if len(table):
            tables.append(table)
        members.update({pid: positions[p] for pid, p in part_members.items()})
    return rank_problems(tables), members


def rank_problems(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """Problem tables of several districts as one, in the order of a single run."""
    if not tables:
        return _empty_problems()
    table = pd.concat(tables, ignore_index=True) if len(tables) > 1 else tables[0]
    return table.sort_values(
        ["count", "weeks", "last_seen", "id"], ascending=[False, False, False, True], kind="stable"
    ).reset_index(drop=True)


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
    # the whole column, read where it lies: the candidates' texts are never copied out
    text = _text_series(work)
    district = _column(work, C.DISTRICT).iloc[rows].to_numpy().astype(str)
    sec = sector.iloc[rows].to_numpy().astype(str)
    place_key = places["place_key"].iloc[rows].to_numpy().astype(str)
    days = created.iloc[rows].to_numpy().astype("datetime64[D]")
    week = ((days - _EPOCH_MONDAY).astype(np.int64)) // 7

    vectors = vectorise(text, place_key, district, rows)
    if C.TOPIC in work.columns:
        vectors = with_topic_terms(vectors, _column(work, C.TOPIC).iloc[rows], settings.topic_weight)
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
        i, j, s = grouping.block_edges(X, block_codes, lowest, settings.min_count, top_n=None)
        known_same = (house_codes[i] == house_codes[j]) & (house_codes[i] >= 0)
        compatible = known_same | (house_codes[i] < 0) | (house_codes[j] < 0)
        # one known house is strong evidence of one problem: its texts may differ more
        edge = (known_same & (s >= settings.house_similarity)) | (compatible & (s >= settings.similarity))
        i, j, s = i[edge], j[edge], s[edge]
        place_groups = grouping.connected_groups(n, i, j, s, X, settings.similarity, settings.cohesion)
        place_groups = grouping.bisect(place_groups, X, settings.min_count, settings.split_similarity)
        place_groups = grouping.split_houses(place_groups, house_codes, X)

    # systemic: blocks of one district and sector, cut by four-week periods when large
    ds_codes, _ = pd.factorize(pd.Series(district) + "\x1f" + sec)
    sys_blocks = grouping.cut_large_blocks(ds_codes, week, settings.block_limit)
    i, j, s = grouping.block_edges(
        X,
        sys_blocks,
        settings.systemic_similarity,
        settings.systemic_min_places,
        top_n=settings.systemic_neighbours,
    )
    sys_groups = grouping.connected_groups(n, i, j, s, X, settings.systemic_similarity, settings.cohesion)

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
    context = Context(
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
        place_terms=place_terms(street_key, vectors.terms),
        kind=row_kinds,
    )
    place_problems = assemble(context, place_groups, systemic=False)
    sys_problems = assemble(context, sys_groups, systemic=True)

    # a recurring place problem that mostly lies inside a systemic one is marked systemic too
    if place_problems and sys_problems:
        in_systemic = np.zeros(n, dtype=bool)
        for prob in sys_problems:
            in_systemic[prob.members] = True
        for prob in place_problems:
            if in_systemic[prob.members].mean() >= 0.5:
                prob.systemic = True

    problems = place_problems + sys_problems
    if not problems:
        return empty, {}
    # work positions of each problem's messages; place problems first (a message takes its
    # place problem's id in `assignments`, a systemic id only where it has none)
    members = {p.id: rows[p.members] for p in problems}
    table = pd.DataFrame([p.record() for p in problems])
    # reach adds up over the problem's messages (their positions in work), as counts do
    reach = problem_reach(work, members)
    for name in reach.columns:
        table[name] = table["id"].map(reach[name]).astype(object)
    table = table.sort_values(
        ["count", "weeks", "last_seen", "id"], ascending=[False, False, False, True], kind="stable"
    ).reset_index(drop=True)
    return table[[*C.PROBLEM_FIELDS, C.PROBLEM_REPRESENTATIVE, C.PROBLEM_PLACES]], members


# --- small helpers ----------------------------------------------------------------------
def _empty_problems() -> pd.DataFrame:
    cols = list(C.PROBLEM_FIELDS) + [C.PROBLEM_REPRESENTATIVE, C.PROBLEM_PLACES]
    return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name].astype(object).where(frame[name].notna(), "")
    return pd.Series("", index=frame.index, dtype=object)


def _text_series(frame: pd.DataFrame) -> pd.Series:
    """The analysis text of every row of ``frame``, as it lies (Arrow text stays Arrow text)."""
    name = _text_column(frame)
    if name not in frame.columns:
        return pd.Series("", index=frame.index, dtype="str")
    return frame[name]


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


def _json_count(value: object) -> int | float | None:
    number = pd.to_numeric(pd.Series([value], dtype=object), errors="coerce").iloc[0]
    if pd.isna(number):
        return None
    return int(number) if float(number).is_integer() else float(number)


def _iso(value: object) -> str | None:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp, datetime, date)):
        return pd.Timestamp(value).date().isoformat()
    return str(value)


def _group_sectors(groups: pd.Series) -> pd.Series:
    """The export's «Группа тем» as sector blocks (the taxonomy's mapping), else as written.

    Sources name one group differently («ЖКХ» / «Жилищно-коммунальное хозяйство»);
    mapped to blocks, messages of one problem from two exports share a block.
    """
    try:
        from curtool.core.taxonomy import load_taxonomy

        taxonomy = load_taxonomy()
    except Exception:  # no taxonomy (or a broken one): blocks by the group as written
        return groups
    codes, uniques = pd.factorize(groups)
    mapped = np.array([taxonomy.map_group(u) or str(u) for u in uniques], dtype=object)
    return pd.Series(mapped[codes] if len(codes) else [], index=groups.index, dtype=object)


def _text_column(frame: pd.DataFrame) -> str:
    """The analysis text when the loader made one, else the text as written."""
    return C.CLEAN if C.CLEAN in frame.columns else C.TEXT
