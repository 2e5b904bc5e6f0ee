"""Problem state between reports: which recurring problems are new, still open, gone quiet or back.

A weekly run compares its problems with what the previous report said about them
(:class:`ProblemState`, kept in a file by :mod:`curtool.io.statefile`) and returns a
:class:`Dynamics`: each problem's status, the problems that went quiet, the sentence for
the letter, and the state to keep.  Nothing here reads or writes a file.

Statuses (:data:`LABELS`):

* «новая» — not known to any earlier report, with a message in the last :data:`QUIET_PERIODS`
  periods;
* «продолжается» — known and open: it had a message within the last :data:`QUIET_PERIODS`
  periods (a recurring problem comes back every few weeks, so one silent week is no end);
* «затихла» — known, no message for :data:`QUIET_PERIODS` periods;
* «вернулась» — quiet in the state, and a message came since the previous report.

A problem is matched across runs by its id (the recurring stage's ids are hashes of
district, sector, place and the group's earliest messages: on a growing export about 96 %
of them stay put from week to week), else by the messages it shares with a known problem
(a group that changed shape keeps most of its messages), else by district, kind and place.
When a problem splits, the part that keeps most messages carries the old problem on and
the other part inherits its status; when problems merge, the absorbed ones are marked
merged, never «затихла».

The state holds no text: problem ids, message ids, district, sector and kind names, a hash
of the place, counts and dates.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from curtool.core import columns as C
from curtool.core import periods as P

if TYPE_CHECKING:
    from curtool.core.report import Report

NEW = "new"
CONTINUING = "continuing"
QUIET = "quiet"
BACK = "back"
OPEN = "open"  # the first run: known from now on, nothing to compare it with
MERGED = "merged"  # absorbed into another problem of the same run
STATUSES = (NEW, CONTINUING, QUIET, BACK, OPEN, MERGED)
LABELS = {NEW: "новая", CONTINUING: "продолжается", QUIET: "затихла", BACK: "вернулась", OPEN: "", MERGED: ""}
# a problem's history also names the first run's «учтена» and a merge
HISTORY_WORDS = {**LABELS, OPEN: "учтена", MERGED: "слилась с другой"}

# Four periods (a month of weekly reports) without a message: a recurring problem is one with
# messages in at least two weeks, and on a portal's problems most gaps between weeks with a
# message are one to three weeks, so a shorter pause would call quiet what is only between
# two of its messages, and a longer one would keep a solved problem «open» past a monthly letter.
QUIET_PERIODS = 4
HISTORY = 8  # statuses shown in a problem's short history
MAX_SNAPSHOTS = 156  # three years of weekly runs; older periods are dropped from the file

STATE_COLUMN = "state"  # the report's recurring table: each problem's status, in Russian


@dataclass(frozen=True)
class StatePeriod:
    """A reported period as the state file keeps it: its label («2026-W47», «2026-11») and first
    and last day (both included); :class:`curtool.core.periods.Period` is the report's own."""

    label: str
    start: date
    end: date

    @property
    def kind(self) -> str:
        """week, month, quarter or range: a weekly run compares with weeks only, a monthly with
        months, so weekly and monthly reports can share one folder and one state file."""
        return P.kind_of(self.label)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass
class Tracked:
    """What the state knows of a problem to find it again: ids, keys and message ids, no text."""

    key: str  # the id it was first reported under
    district: str = ""
    sector: str = ""
    kind: str = ""
    place: str = ""  # a hash of district and place
    systemic: bool = False
    aliases: set[str] = field(default_factory=set)  # report ids it has carried
    messages: set[str] = field(default_factory=set)
    parent: str = ""  # the problem it split from


@dataclass
class Entry:
    """A problem in one period's snapshot."""

    status: str
    in_period: int = 0  # its messages in the period
    count: int = 0  # its messages up to the period's end
    last_seen: date | None = None
    id: str = ""  # its id in that period's report ("" when the report did not list it)
    into: str = ""  # the problem it merged into


@dataclass
class Snapshot:
    """What one run said: every known problem's entry at the end of its period."""

    period: StatePeriod
    entries: dict[str, Entry] = field(default_factory=dict)


@dataclass
class ProblemState:
    """Known problems and one snapshot per reported period, oldest first."""

    problems: dict[str, Tracked] = field(default_factory=dict)
    snapshots: list[Snapshot] = field(default_factory=list)

    def before(self, period: StatePeriod) -> Snapshot | None:
        """The latest snapshot of a period that began before ``period``: what a run of it
        compares with (so re-running a week, or running an older one, never compares with itself
        or with the future)."""
        earlier = [
            s for s in self.snapshots if s.period.kind == period.kind and s.period.start < period.start
        ]
        return max(earlier, key=lambda s: s.period.start) if earlier else None

    def history(self, key: str, limit: int = HISTORY) -> list[tuple[str, str]]:
        """(period label, status) of a problem, oldest first, the last ``limit`` of them."""
        out = [(s.period.label, s.entries[key].status) for s in self.snapshots if key in s.entries]
        return out[-limit:]

    def first_reported(self, key: str) -> str:
        seen = self.history(key, limit=len(self.snapshots) or 1)
        return seen[0][0] if seen else ""

    def last_active(self, key: str) -> str:
        active = [s.period.label for s in self.snapshots if key in s.entries and s.entries[key].in_period > 0]
        return active[-1] if active else ""


@dataclass(frozen=True)
class Current:
    """One problem of this run, as the state compares it."""

    id: str
    district: str
    sector: str
    kind: str
    place: str  # hash
    systemic: bool
    messages: frozenset[str]
    in_period: int
    count: int
    last_seen: date | None


@dataclass
class Gone:
    """A problem that went quiet in this period (listed even when this run's table lacks it)."""

    key: str
    id: str
    district: str
    sector: str
    kind: str
    last_seen: date | None
    count: int


@dataclass
class Dynamics:
    """The outcome of one comparison: statuses, the problems that went quiet, the new state."""

    period: StatePeriod
    previous: StatePeriod | None  # the period compared with (None: the first run)
    statuses: dict[str, str]  # this run's problem id → status
    gone_quiet: list[Gone]
    state: ProblemState
    updated: bool = True  # False: the export does not cover the period; keep the old state
    keys: dict[str, str] = field(default_factory=dict)  # this run's problem id → its key in the state
    quiet_periods: int = QUIET_PERIODS

    def history(self, pid: str = "", key: str = "") -> str:
        """«2026-W45 новая → 2026-W46 продолжается»: the last statuses of this run's problem
        ``pid`` (or of the state's problem ``key``)."""
        key = key or self.keys.get(pid, pid)
        steps = [(label, HISTORY_WORDS.get(status, "")) for label, status in self.state.history(key)]
        return " → ".join(f"{label} {word}".strip() for label, word in steps if word)

    def first_reported(self, pid: str = "", key: str = "") -> str:
        return self.state.first_reported(key or self.keys.get(pid, pid))

    @property
    def first(self) -> bool:
        return self.previous is None

    def counts(self) -> dict[str, int]:
        shown = Counter(self.statuses.values())
        return {
            NEW: shown[NEW],
            CONTINUING: shown[CONTINUING],
            QUIET: len(self.gone_quiet),
            BACK: shown[BACK],
        }

    def sentence(self) -> str:
        """The line of the letter and of the console."""
        if not self.updated:
            return "Состояние проблем не обновлено: выгрузка не охватывает этот период."
        if self.first:
            return "Состояние проблем начато: сравнивать не с чем — следующий отчёт покажет динамику."
        n = self.counts()
        assert self.previous is not None
        return (
            f"Динамика проблем с отчёта {self.previous.label}: новых — {n[NEW]}, "
            f"продолжаются — {n[CONTINUING]}, затихли — {n[QUIET]}, вернулись — {n[BACK]}."
        )


# --- this run's problems --------------------------------------------------------------------
def place_hash(district: str, place: str) -> str:
    """The place as a key that holds no address: a hash of the district and place, spelling
    differences of case and spaces left out."""
    text = " ".join(f"{district}\x1f{place}".lower().split())
    return hashlib.blake2b(text.encode(), digest_size=6).hexdigest() if place.strip() else ""


def currents(problems: pd.DataFrame, in_period: Mapping[str, int]) -> list[Current]:
    """This run's problems from the recurring stage's table (message ids as lists) and the
    count of each one's messages in the period."""
    out = []
    for rec in problems.to_dict("records"):
        pid = str(rec.get("id", ""))
        mids = rec.get("message_ids")
        if isinstance(mids, str):
            mids = [m for m in mids.split("; ") if m]
        last = pd.to_datetime(rec.get("last_seen"), errors="coerce")
        district = _text(rec.get("district"))
        out.append(
            Current(
                id=pid,
                district=district,
                sector=_text(rec.get("sector")),
                kind=_text(rec.get("kind")),
                place=place_hash(district, _text(rec.get("place"))),
                systemic=bool(rec.get("systemic", False)),
                messages=frozenset(str(m) for m in (mids if mids is not None else [])),
                in_period=int(in_period.get(pid, 0)),
                count=int(rec.get("count", 0) or 0),
                last_seen=None if pd.isna(last) else last.date(),
            )
        )
    return out


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


# --- the comparison -------------------------------------------------------------------------
def quiet_since(period: StatePeriod, quiet_periods: int = QUIET_PERIODS) -> date:
    """A problem whose last message is before this day has been silent ``quiet_periods`` periods
    (the period itself included)."""
    return period.end + timedelta(days=1) - timedelta(days=quiet_periods * period.days)


def compare(
    previous: ProblemState | None,
    problems: Iterable[Current],
    period: StatePeriod,
    *,
    quiet_periods: int = QUIET_PERIODS,
    covered: bool = True,
) -> Dynamics:
    """This run's problems against the state: statuses, what went quiet, and the state to keep.

    ``previous`` is the state as read (None or empty: the first run).  The comparison is with
    the latest snapshot *before* ``period``, and the returned state has this period's snapshot
    replaced or inserted, so a re-run gives the same statuses and an older period leaves the
    newer snapshots as they were.  ``covered`` False (the export ends before the period) leaves
    the state unchanged: silence there is missing data, not a quiet problem.
    """
    state = previous or ProblemState()
    problems = list(problems)
    prior = state.before(period)
    if not covered:
        return Dynamics(
            period,
            prior.period if prior else None,
            {p.id: "" for p in problems},
            [],
            state,
            False,
            quiet_periods=quiet_periods,
        )
    quiet_day = quiet_since(period, quiet_periods)

    def silent(last: date | None) -> bool:
        return last is None or last < quiet_day

    known = prior.entries if prior is not None else {}
    candidates = {k for k, e in known.items() if e.status != MERGED and k in state.problems}
    match = _match(problems, candidates, state.problems)

    # a split: the part with the best claim carries the problem on, the others inherit its status
    owner: dict[str, Current] = {}
    for p in sorted(problems, key=lambda p: (-match[p.id][1], -len(p.messages), p.id)):
        key = match[p.id][0]
        if key and key not in owner:
            owner[key] = p
    key_of: dict[str, str] = {}
    for p in problems:
        key = match[p.id][0]
        key_of[p.id] = key if key and owner[key] is p else p.id

    entries: dict[str, Entry] = {}
    statuses: dict[str, str] = {}
    gone: list[Gone] = []
    since = prior.period.end if prior is not None else None
    for p in problems:
        inherited = match[p.id][0]
        before = known[inherited].status if inherited else ""
        if prior is None:
            status = QUIET if silent(p.last_seen) else OPEN
        elif not inherited:
            # first met already silent (an old problem the grouping shows now): quiet, not news
            status = QUIET if silent(p.last_seen) else NEW
        elif before == QUIET:
            fresh = p.in_period > 0 or (p.last_seen is not None and since is not None and p.last_seen > since)
            status = BACK if fresh else QUIET
        elif silent(p.last_seen):
            status = QUIET
            gone.append(Gone(key_of[p.id], p.id, p.district, p.sector, p.kind, p.last_seen, p.count))
        else:
            status = CONTINUING
        statuses[p.id] = status
        key = key_of[p.id]
        if key in entries:  # two of this run's problems under one key: the busier entry stays
            continue
        entries[key] = Entry(status, p.in_period, p.count, p.last_seen, p.id)

    # known problems this run does not list: merged into one that took their messages, or aging
    owned = set(owner)
    by_message: dict[str, str] = {}
    systemic_of: dict[str, bool] = {}
    for p in problems:
        systemic_of.setdefault(key_of[p.id], p.systemic)
        for m in p.messages:
            by_message.setdefault(m, key_of[p.id])
    for key in sorted(candidates - owned):
        old = known[key]
        tracked = state.problems[key]
        takers = Counter(by_message[m] for m in tracked.messages if m in by_message)
        takers = Counter({k: n for k, n in takers.items() if systemic_of[k] == tracked.systemic})
        # a quiet problem stays quiet (it may come back); only an open one is absorbed, so that it
        # does not turn «затихла» while its messages go on under another id
        if takers and old.status != QUIET:
            into = min(takers, key=lambda k: (-takers[k], k))
            entries[key] = Entry(MERGED, 0, old.count, old.last_seen, "", into)
            continue
        status = old.status if old.status == QUIET else CONTINUING
        if status != QUIET and silent(old.last_seen):
            status = QUIET
            gone.append(
                Gone(
                    key,
                    old.id or key,
                    tracked.district,
                    tracked.sector,
                    tracked.kind,
                    old.last_seen,
                    old.count,
                )
            )
        entries[key] = Entry(status, 0, old.count, old.last_seen, "")

    problems_out = {
        k: replace(v, aliases=set(v.aliases), messages=set(v.messages)) for k, v in state.problems.items()
    }
    for p in problems:
        key = key_of[p.id]
        tracked = problems_out.get(key)
        if tracked is None:
            parent = match[p.id][0] if match[p.id][0] != key else ""
            tracked = Tracked(key, p.district, p.sector, p.kind, p.place, p.systemic, parent=parent)
            problems_out[key] = tracked
        tracked.aliases.add(p.id)
        tracked.messages |= p.messages
        if not tracked.place:
            tracked.place = p.place
    # by label: a quarter and its first month begin on the same day, yet are two snapshots
    snapshots = [s for s in state.snapshots if s.period.label != period.label]
    snapshots.append(Snapshot(period, entries))
    snapshots.sort(key=lambda s: s.period.start)
    snapshots = snapshots[-MAX_SNAPSHOTS:]
    return Dynamics(
        period,
        prior.period if prior is not None else None,
        statuses,
        gone,
        ProblemState(problems_out, snapshots),
        keys=key_of,
        quiet_periods=quiet_periods,
    )


def _match(
    problems: list[Current], candidates: set[str], tracked: Mapping[str, Tracked]
) -> dict[str, tuple[str, float]]:
    """Each of this run's problems → (the known problem it continues, how sure: id > shared
    messages > place), or ("", 0)."""
    by_alias: dict[str, str] = {}
    by_message: dict[str, list[str]] = {}
    by_place: dict[tuple, list[str]] = {}
    for key in sorted(candidates):
        t = tracked[key]
        for alias in sorted(t.aliases | {key}):
            by_alias.setdefault(alias, key)
        for m in t.messages:
            by_message.setdefault(m, []).append(key)
        if t.place and not t.systemic:
            by_place.setdefault((t.district, t.kind or t.sector, t.place), []).append(key)
    out: dict[str, tuple[str, float]] = {}
    for p in problems:
        if p.id in by_alias and tracked[by_alias[p.id]].systemic == p.systemic:
            out[p.id] = (by_alias[p.id], float("inf"))
            continue
        shared = Counter(
            k for m in p.messages for k in by_message.get(m, ()) if tracked[k].systemic == p.systemic
        )
        if shared:
            best = min(shared, key=lambda k: (-shared[k], k))
            out[p.id] = (best, float(shared[best]))
            continue
        same_place = by_place.get((p.district, p.kind or p.sector, p.place), []) if not p.systemic else []
        out[p.id] = (same_place[0], 0.5) if same_place else ("", 0.0)
    return out


# --- the report -------------------------------------------------------------------------------
def period_of(report: Report) -> StatePeriod:
    return StatePeriod(report.week, report.week_start, report.week_end)


def track(report: Report, problems: pd.DataFrame, previous: ProblemState | None) -> Dynamics:
    """Compare the report's problems with the state and show the outcome in the report: a status
    column on its recurring table and the sentence in its letter (after the problems' line)."""
    table = (
        report.recurring if report.recurring is not None else pd.DataFrame(columns=["id", C.PROBLEM_IN_WEEK])
    )
    in_period = dict(zip(table["id"].astype(str), table[C.PROBLEM_IN_WEEK].astype(int), strict=True))
    dynamics = compare(previous, currents(problems, in_period), period_of(report), covered=not report.stale)
    if report.recurring is not None:
        shown = report.recurring.copy()
        # the first run compares with nothing: its open problems get no word, its long-silent ones
        # are «затихла» (that much the data says alone)
        labels = {pid: LABELS.get(s, "") for pid, s in dynamics.statuses.items()}
        shown.insert(0, STATE_COLUMN, shown["id"].astype(str).map(labels).fillna(""))
        report.recurring = shown
    lines = report.summary_lines
    at = next((i + 1 for i, line in enumerate(lines) if line.startswith("Повторяющихся проблем")), None)
    if at is None:
        at = (
            len(lines) - len(report.notes)
            if report.notes and lines[-len(report.notes) :] == report.notes
            else len(lines)
        )
    lines.insert(at, dynamics.sentence())
    report.dynamics = dynamics
    return dynamics
