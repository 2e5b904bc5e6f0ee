"""The problem-state file beside the weekly reports (``curtool-state.json``): read with every
check a damaged or foreign file needs, written atomically.

JSON, versioned (:data:`FORMAT`, :data:`VERSION`)::

    {"format": "curtool-problem-state", "version": 1, "written": "2026-12-03T14:00:00",
     "problems": {"P1a2b…": {"district": …, "sector": …, "kind": …, "place": "<hash>",
                             "systemic": false, "aliases": […], "messages": […], "parent": ""}},
     "periods": [{"label": "2026-W47", "start": "2026-11-16", "end": "2026-11-22",
                  "problems": {"P1a2b…": {"status": "continuing", "in_period": 2, "count": 9,
                                          "last_seen": "2026-11-20", "id": "P1a2b…", "into": ""}}}]}

Ids, keys, names of districts and kinds, counts and dates only: never a message's text or an
address (the place is a hash, see :func:`curtool.core.problemstate.place_hash`).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from curtool.core import errors
from curtool.core.problemstate import STATUSES, Entry, ProblemState, Snapshot, StatePeriod, Tracked
from curtool.io.output import atomic_path

FORMAT = "curtool-problem-state"
VERSION = 1
DEFAULT_NAME = "curtool-state.json"
_HINT = "move it aside to start the state afresh, name another file with --state, or run with --no-state"


def default_path(output: str | Path) -> Path:
    """The state file beside a report: ``<output folder>/curtool-state.json``."""
    return Path(output).parent / DEFAULT_NAME


def read_state(path: str | Path) -> ProblemState:
    """The state in ``path``; an absent file is an empty state (the first run)."""
    path = Path(path)
    if not path.exists():
        return ProblemState()
    try:
        raw = json.loads(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise errors.CurtoolError(
            errors.BAD_STATE, f"cannot read the problem-state file: {exc.strerror or exc}", _HINT, path=path
        ) from None
    except (UnicodeDecodeError, ValueError):
        raise _damaged(path, "is not a JSON problem-state file") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise _damaged(path, "is not a curtool problem-state file")
    version = raw.get("version")
    if not isinstance(version, int) or version > VERSION or version < 1:
        raise errors.CurtoolError(
            errors.BAD_STATE,
            f"the problem-state file has version {version!r}; this curtool reads version {VERSION}",
            "use the curtool that wrote it, or " + _HINT,
            path=path,
        )
    try:
        return _state(raw)
    except (KeyError, TypeError, ValueError, AttributeError):
        raise _damaged(path, "is a damaged problem-state file") from None


def write_state(state: ProblemState, path: str | Path) -> Path:
    """Write ``state`` to ``path`` atomically (a failed write leaves the old file)."""
    path = Path(path)
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "written": datetime.now().isoformat(timespec="seconds"),
        "problems": {
            key: {
                "district": t.district,
                "sector": t.sector,
                "kind": t.kind,
                "place": t.place,
                "systemic": t.systemic,
                "aliases": sorted(t.aliases),
                "messages": sorted(t.messages),
                "parent": t.parent,
            }
            for key, t in sorted(state.problems.items())
        },
        "periods": [
            {
                "label": s.period.label,
                "start": s.period.start.isoformat(),
                "end": s.period.end.isoformat(),
                "problems": {
                    key: {
                        "status": e.status,
                        "in_period": e.in_period,
                        "count": e.count,
                        "last_seen": e.last_seen.isoformat() if e.last_seen else None,
                        "id": e.id,
                        "into": e.into,
                    }
                    for key, e in sorted(s.entries.items())
                },
            }
            for s in state.snapshots
        ],
    }
    try:
        with atomic_path(path) as tmp:
            tmp.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    except OSError as exc:
        raise errors.CurtoolError(
            errors.OUTPUT_FAILED,
            f"cannot write the problem-state file: {exc.strerror or exc}",
            "check that the folder is writable, or name another file with --state",
            path=path,
        ) from None
    return path


def _damaged(path: Path, what: str) -> errors.CurtoolError:
    return errors.CurtoolError(errors.BAD_STATE, what, _HINT, path=path)


def _state(raw: dict) -> ProblemState:
    problems = {}
    for key, t in _mapping(raw["problems"]).items():
        problems[str(key)] = Tracked(
            key=str(key),
            district=_str(t.get("district", "")),
            sector=_str(t.get("sector", "")),
            kind=_str(t.get("kind", "")),
            place=_str(t.get("place", "")),
            systemic=bool(t.get("systemic", False)),
            aliases={_str(a) for a in _list(t.get("aliases", []))},
            messages={_str(m) for m in _list(t.get("messages", []))},
            parent=_str(t.get("parent", "")),
        )
    snapshots = []
    for s in _list(raw["periods"]):
        period = StatePeriod(_str(s["label"]), date.fromisoformat(s["start"]), date.fromisoformat(s["end"]))
        if period.end < period.start:
            raise ValueError("period ends before it starts")
        entries = {}
        for key, e in _mapping(s["problems"]).items():
            status = _str(e["status"])
            if status not in STATUSES:
                raise ValueError(f"unknown status {status}")
            last = e.get("last_seen")
            entries[str(key)] = Entry(
                status=status,
                in_period=int(e.get("in_period", 0)),
                count=int(e.get("count", 0)),
                last_seen=date.fromisoformat(last) if last else None,
                id=_str(e.get("id", "")),
                into=_str(e.get("into", "")),
            )
        snapshots.append(Snapshot(period, entries))
    snapshots.sort(key=lambda s: s.period.start)
    return ProblemState(problems, snapshots)


def _mapping(value: object) -> dict:
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise TypeError("expected an object of objects")
    return value


def _list(value: object) -> list:
    if not isinstance(value, list):
        raise TypeError("expected a list")
    return value


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("expected text")
    return value
