"""The ground truth of the sample exports (truth.json): every row's true sector, problem and
place, the planted problems and surges, weekly totals (the layout is in the package docstring).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict

from curtool.core import columns as C
from curtool.synthetic import phrases as P
from curtool.synthetic import places as G
from curtool.synthetic.builder import CSV_NAME, WEEKS, XLSX_NAME, Msg, SampleBuilder, week_label
from curtool.synthetic.layouts import IM_HEADER_ROW, fmt_iso


def truth_message(m: Msg, file: str, row: int, exact: bool) -> dict:
    dup_of, dup_file = None, None
    flags = [f for f in m.flags if f not in ("group_given",)]
    if exact:
        dup_of, dup_file = m.id, file
        flags = [*flags, "exact_duplicate"]
    elif isinstance(m.duplicate_of, Msg):
        dup_of, dup_file = m.duplicate_of.id, m.duplicate_file
    return {
        "file": file,
        "id": m.id,
        "row": row,
        "sector": m.sector,
        "issue": m.problem.key,
        "problem": m.planted,
        "district": m.place.district.name,
        "locality": m.place.locality.name,
        "street": m.place.street,
        "house": m.place.house,
        "created": fmt_iso(m.created) or None,
        "week": week_label(m.created.date()) if m.created else None,
        "duplicate_of": dup_of,
        "duplicate_file": dup_file,
        "flags": sorted(set(flags)),
    }


def truth_document(builder: SampleBuilder, rows: list[dict]) -> dict:
    unique = [r for r in rows if r["duplicate_of"] is None and r["week"]]
    counts: dict[tuple[str, str, str], int] = {}
    for r in unique:
        key = (r["district"], r["sector"], r["week"])
        counts[key] = counts.get(key, 0) + 1
    surges = []
    surge_issues: dict[tuple[str, str, str], Counter] = defaultdict(Counter)
    for r in unique:
        if "surge" in r["flags"]:
            surge_issues[(r["district"], r["sector"], r["week"])][r["issue"]] += 1
    for s in builder.surges:
        before = [w for w in WEEKS if w < s["week"]]
        base = [counts.get((s["district"], s["sector"], w), 0) for w in before]
        surges.append(
            {
                **s,
                "count": counts.get((s["district"], s["sector"], s["week"]), 0),
                "baseline_weeks": before,
                "baseline_mean": round(sum(base) / len(base), 2),
                "baseline_counts": base,
                "planted_issues": dict(sorted(surge_issues[(s["district"], s["sector"], s["week"])].items())),
            }
        )
    problems = []
    for p in builder.problems:
        msgs = p.pop("_msgs")
        resolved = p.pop("_resolved")
        weeks = sorted({week_label(m.created.date()) for m in msgs})
        first_place = msgs[0].place
        lat, lon = (None, None)
        if not p["systemic"]:
            lat, lon = G.coordinates(first_place.locality, first_place.street, first_place.house)
        problems.append(
            {
                **p,
                "lat": lat,
                "lon": lon,
                "message_ids": [{"file": m.file, "id": m.id} for m in msgs],
                "weeks": weeks,
                "first_seen": fmt_iso(min(m.created for m in msgs)),
                "last_seen": fmt_iso(max(m.created for m in msgs)),
                "returned_after_resolved": resolved is not None,
                "resolved_message": None
                if resolved is None
                else {"file": resolved.file, "id": resolved.id, "closed": fmt_iso(resolved.closed)},
                "places": p.get("places", []),
            }
        )
    weekly: dict[str, dict] = {}
    noise = _background_noise(rows)
    for w in WEEKS:
        in_week = [r for r in rows if r["week"] == w]
        weekly[w] = {
            "rows": {f: sum(r["file"] == f for r in in_week) for f in (XLSX_NAME, CSV_NAME)},
            "messages": sum(r["duplicate_of"] is None for r in in_week),
            "by_sector": {
                s: sum(r["duplicate_of"] is None and r["sector"] == s for r in in_week) for s in C.SECTORS
            },
        }
    files = {
        XLSX_NAME: {
            "kind": "incident_management",
            "rows": sum(r["file"] == XLSX_NAME for r in rows),
            "sheet": "Инциденты",
            "title_rows": 2,
            "header_row": IM_HEADER_ROW,
            "id_column": "ID",
            "text_column": "Текст инцидента",
            "district_column": "Муниципалитет",
            "date_format": "%Y-%m-%d %H:%M:%S",
        },
        CSV_NAME: {
            "kind": "pos",
            "rows": sum(r["file"] == CSV_NAME for r in rows),
            "encoding": "cp1251",
            "separator": ";",
            "id_column": "Номер сообщения",
            "text_column": "Текст сообщения",
            "district_column": "Муниципальное образование",
            "date_format": "%d.%m.%Y %H:%M",
        },
    }
    return {
        "region": G.REGION,
        "seed_note": "regenerate with: python -m curtool.synthetic",
        "weeks": list(WEEKS),
        "files": files,
        "sectors": list(C.SECTORS),
        "group_sector": P.GROUP_SECTOR,
        "district_variants": G.VARIANTS,
        "messages": rows,
        "problems": problems,
        "surges": surges,
        "weekly_totals": weekly,
        "background_spread": noise,
    }


def _background_noise(rows: list[dict]) -> list[dict]:
    """Where unplanted messages about one issue spread widest over two weeks of a district.

    Background messages never share a place, but a busy district naturally gets the
    same complaint from several places in a fortnight; a systemic detector should rank
    the planted S.. problems above these.  The ten widest cells, most places first.
    """
    places: dict[tuple[str, str, str], set] = defaultdict(set)
    index = {w: i for i, w in enumerate(WEEKS)}
    for r in rows:
        if r["problem"] or r["duplicate_of"] or not r["week"]:
            continue
        spot = (r["locality"], r["street"], r["house"]) if r["street"] else r["id"]
        i = index[r["week"]]
        for first in (i - 1, i):
            if 0 <= first < len(WEEKS) - 1:
                places[(r["district"], r["issue"], WEEKS[first])].add(spot)
    cells = sorted(places.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:10]
    return [
        {"district": d, "issue": issue, "weeks": [w, WEEKS[index[w] + 1]], "places": len(spots)}
        for (d, issue, w), spots in cells
    ]


def dump_truth(truth: dict) -> str:
    """JSON with one message per line: small, diff-friendly, still plain JSON."""
    lines = ["{"]
    keys = list(truth)
    for i, key in enumerate(keys):
        value = truth[key]
        comma = "," if i < len(keys) - 1 else ""
        name = json.dumps(key, ensure_ascii=False)
        if isinstance(value, list) and value and isinstance(value[0], dict):
            lines.append(f" {name}: [")
            for j, item in enumerate(value):
                tail = "," if j < len(value) - 1 else ""
                lines.append("  " + json.dumps(item, ensure_ascii=False) + tail)
            lines.append(f" ]{comma}")
        else:
            lines.append(f" {name}: {json.dumps(value, ensure_ascii=False)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"
