"""GeoJSON in and out (RFC 7946): the map's points (``--geojson``), the districts' outlines a
user gives (``report --districts``) and those outlines written back with the period's counts.

Positions are ``[longitude, latitude]`` (RFC 7946 §3.1.1), text is UTF-8 as is
(``ensure_ascii=False``), every file is written atomically.  A districts file that is not a
FeatureCollection of named Polygons/MultiPolygons is one ``corrupt-file`` line.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import NoReturn

import pandas as pd

from curtool.core import errors
from curtool.core import geopoints as G
from curtool.core.districtmap import MESSAGES, PER_10K, Choropleth, DistrictShape
from curtool.io.output import atomic_path

# Property keys looked for, in this order, when the user names none (--districts-name-field)
NAME_FIELDS = (
    "name",
    "NAME",
    "Name",
    "name:ru",
    "name_ru",
    "NAME_RU",
    "district",
    "District",
    "DISTRICT",
    "район",
    "Район",
    "РАЙОН",
    "municipality",
    "NL_NAME_2",
    "NAME_2",
    "NL_NAME_1",
    "NAME_1",
    "title",
)
MAX_DISTRICTS_BYTES = 200 * 1024 * 1024  # a districts file is an outline per district, not a planet


def _number(value: object) -> float | None:
    if value is None or value is pd.NaT:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _text(value: object) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _iso(value: object) -> str | None:
    stamp = pd.to_datetime(value, errors="coerce") if not isinstance(value, pd.Timestamp) else value
    if stamp is None or pd.isna(stamp):
        return None
    return stamp.isoformat()


def _day(value: object) -> str | None:
    """A problem's first or last day: a date, as the recurring JSON writes it."""
    stamp = _iso(value)
    return None if stamp is None else stamp[:10]


def _point(lat: float, lon: float) -> dict:
    # 7 decimals ≈ 1 cm: more says nothing and makes the file larger
    return {"type": "Point", "coordinates": [round(float(lon), 7), round(float(lat), 7)]}


def feature_collection(points: G.MapPoints, name: str = "") -> dict:
    """The placed messages and problems as one FeatureCollection; what was not placed is counted
    in the foreign member ``curtool`` (RFC 7946 §6.1), so the file says what it leaves out."""
    features = []
    for rec in points.placed_problems().to_dict("records"):
        features.append(
            {
                "type": "Feature",
                "geometry": _point(rec[G.LAT], rec[G.LON]),
                "properties": {
                    "layer": "problem",
                    "id": _text(rec["id"]),
                    "label": _text(rec["label"]),
                    "district": _text(rec["district"]),
                    "sector": _text(rec["sector"]),
                    "count": int(_number(rec["count"]) or 0),
                    "weeks": int(_number(rec["weeks"]) or 0),
                    "first_seen": _day(rec["first_seen"]),
                    "last_seen": _day(rec["last_seen"]),
                    "systemic": bool(rec["systemic"]) if rec["systemic"] not in ("", None) else False,
                    "located": rec[G.LOCATED],
                },
            }
        )
    for rec in points.placed_messages().to_dict("records"):
        features.append(
            {
                "type": "Feature",
                "geometry": _point(rec[G.LAT], rec[G.LON]),
                "properties": {
                    "layer": "message",
                    "id": _text(rec["id"]),
                    "district": _text(rec["district"]),
                    "sector": _text(rec["sector"]),
                    "kind": _text(rec["kind"]),
                    "created": _iso(rec["created"]),
                    "problem_id": _text(rec["problem_id"]),
                    "status": _text(rec["status"]),
                    "located": rec[G.LOCATED],
                },
            }
        )
    out: dict = {"type": "FeatureCollection"}
    if name:
        out["name"] = name
    out["curtool"] = {
        "messages": len(points.messages),
        "placed_by_point": points.by_point,
        "placed_by_address": points.by_address,
        "unplaced": points.unplaced,
        "problems": len(points.problems),
        "problems_placed": points.problems_placed,
        "coordinates_swapped": points.swapped,
        "coordinates_invalid": points.invalid,
    }
    out["features"] = features
    return out


def _write(data: dict, path: Path, what: str) -> Path:
    try:
        with atomic_path(path) as tmp:
            tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    except OSError as exc:
        raise errors.CurtoolError(
            errors.OUTPUT_FAILED,
            f"cannot write {what}: {exc.strerror or exc}",
            "check that the folder is writable and has free space",
            path=path,
        ) from exc
    return path


def write_geojson(points: G.MapPoints, path: str | Path, name: str = "") -> Path:
    """The map's points as a GeoJSON file at ``path``, written atomically."""
    return _write(feature_collection(points, name), Path(path), "the GeoJSON")


def districts_collection(choro: Choropleth, period: str = "") -> dict:
    """The user's outlines, their own properties kept, with the period's counts added."""
    features = []
    for shape, rec in zip(choro.shapes, choro.table.to_dict("records"), strict=True):
        props = dict(shape.feature.get("properties") or {})
        props["curtool_district"] = rec["district"] or None
        props["period"] = period or None
        props["messages"] = _count(rec[MESSAGES])
        rate = _number(rec[PER_10K])
        props["per_10000"] = None if rate is None else round(rate, 2)
        for sector in choro.sectors:
            props[sector] = _count(rec[sector])
        features.append({"type": "Feature", "geometry": shape.feature.get("geometry"), "properties": props})
    return {"type": "FeatureCollection", "features": features}


def _count(value: object) -> int | None:
    number = _number(value)
    return None if number is None else int(number)


def write_districts(choro: Choropleth, path: str | Path, period: str = "") -> Path:
    """The districts with the period's counts, for QGIS or an online map, written atomically."""
    return _write(districts_collection(choro, period), Path(path), "the districts GeoJSON")


# --- reading the user's districts ---------------------------------------------------------------
def _bad(
    path: Path, message: str, hint: str = "give a GeoJSON FeatureCollection of district polygons"
) -> NoReturn:
    raise errors.CurtoolError(errors.CORRUPT_FILE, message, hint, path=path)


def read_districts(path: str | Path, name_field: str | None = None) -> tuple[list[DistrictShape], str]:
    """The outlines of a districts GeoJSON and the property that names them (``name_field``,
    or the first of :data:`NAME_FIELDS` every feature has)."""
    path = Path(path)
    if not path.is_file():
        raise errors.CurtoolError(
            errors.FILE_NOT_FOUND,
            "the districts file does not exist",
            "check the --districts path",
            path=path,
        )
    if path.stat().st_size > MAX_DISTRICTS_BYTES:
        raise errors.CurtoolError(
            errors.TOO_LARGE,
            "the districts file is larger than 200 MB",
            "simplify the outlines (e.g. mapshaper -simplify) and try again",
            path=path,
        )
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError:
        _bad(path, "the districts file is not UTF-8 text", "save the GeoJSON as UTF-8")
    except (json.JSONDecodeError, RecursionError) as exc:
        _bad(path, f"the districts file is not valid JSON ({getattr(exc, 'msg', 'too deeply nested')})")
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        _bad(path, "the districts file is not a GeoJSON FeatureCollection")
    features = data.get("features")
    if not isinstance(features, list) or not features:
        _bad(path, "the districts file has no features")
    field = name_field or _name_field(features)
    if field is None:
        _bad(
            path,
            "the districts have no name property (name, district, район …)",
            "name it with --districts-name-field",
        )
    shapes = []
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            _bad(path, f"feature {number} of the districts file is not a GeoJSON Feature")
        props = feature.get("properties") or {}
        if not isinstance(props, dict) or field not in props:
            raise errors.CurtoolError(
                errors.BAD_OPTION,
                f"feature {number} of the districts file has no property {field!r}",
                "name the property that holds the district with --districts-name-field",
                path=path,
            )
        rings = _rings(feature.get("geometry"))
        if rings is None:
            _bad(path, f"feature {number} of the districts file is not a Polygon or MultiPolygon")
        shapes.append(DistrictShape(_text(props[field]).strip(), rings, feature))  # type: ignore[arg-type]
    return shapes, field


def _name_field(features: list) -> str | None:
    props = [f.get("properties") if isinstance(f, dict) else None for f in features]
    props = [p for p in props if isinstance(p, dict)]
    for key in NAME_FIELDS:
        if props and all(isinstance(p.get(key), str) and p.get(key, "").strip() for p in props):
            return key
    return None


def _rings(geometry: object) -> list[list[tuple[float, float]]] | None:
    """The outer ring of every polygon (holes are no part of an outline drawn on a chart)."""
    if not isinstance(geometry, dict):
        return None
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        polygons = [coords]
    elif kind == "MultiPolygon":
        polygons = coords if isinstance(coords, list) else None
    else:
        return None
    if not isinstance(polygons, list) or not polygons:
        return None
    rings = []
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon or not isinstance(polygon[0], list):
            return None
        ring = []
        for position in polygon[0]:
            if not isinstance(position, list) or len(position) < 2:
                return None
            lon, lat = _number(position[0]), _number(position[1])
            if lon is None or lat is None or abs(lat) > 90 or abs(lon) > 180:
                return None
            ring.append((lon, lat))
        if len(ring) < 4:
            return None
        rings.append(ring)
    return rings
