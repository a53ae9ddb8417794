"""Schemathesis hooks for the contract test (loaded through scripts/schemathesis.toml).

Schemathesis' positive cases must be requests the server has to accept. Some of ServiceCircle's rules cannot be said
in OpenAPI for query parameters (or only awkwardly for bodies): one of region and bbox, to not before from, a place
that exists, an OSM opening_hours text that parses, a boundary that overlaps its region. Without these hooks every
such request would count as "schema-valid request rejected" although a 400 is the documented answer.

Only POSITIVE cases are changed, and each change keeps the case valid under the document; negative cases go out as
generated. Each rule below is the one the server documents in openapi.json (operation or parameter descriptions).
The changes are made in `before_call`, right before a request is sent, so that every phase (examples, coverage,
fuzzing, stateful) gets them. SC_HOOK_DEBUG=/path/to/file logs every positive request as changed.
"""
import datetime
import re
import json
import os
import urllib.parse
import urllib.request

import schemathesis

BASE_URL = os.environ.get("SC_SCHEMATHESIS_BASE_URL", "http://127.0.0.1:8080")

# Known-good values from the seed data (the caller's question of the README: 黄陂区前川街道).
KNOWN_PLACE = "黄陂区前川街道"
KNOWN_REGION = "420116"
# A reference date of each coverage window's kind in the seed calendar (2026: Wednesday, Saturday, Sunday, National Day).
WINDOW_DATES = {"weekday_daytime": "2026-03-04", "weekday_evening": "2026-03-04", "weekday_lunch": "2026-03-04",
                "saturday": "2026-03-07", "sunday": "2026-03-08", "holiday": "2026-10-01"}
# A boundary inside 黄陂区's bounding box (GeoJSON order: lon, lat).
BOUNDARY = {"type": "Polygon", "coordinates": [[[114.30, 30.80], [114.45, 30.80], [114.45, 30.95], [114.30, 30.95], [114.30, 30.80]]]}
OPENING_HOURS = "Mo-Fr 08:30-12:00,13:30-17:30; Sa 09:00-12:00"
CSV_IMPORT = ("code,name,kind,address,province,city,district,district_code,phone,lat,lon,operating_state,businesses,hours\r\n"
              "ST-IMPORT-1,测试上牌点,ebike_plate_point,黄陂区前川街道,湖北省,武汉市,黄陂区,420116,,30.88,114.37,active,"
              "ebike_registration,Mo-Fr 09:00-17:00\r\n")
GEOJSON_IMPORT = {"type": "FeatureCollection", "features": [{"type": "Feature",
    "geometry": {"type": "Point", "coordinates": [114.37, 30.88]},
    "properties": {"code": "ST-IMPORT-2", "name": "测试上牌点二", "kind": "ebike_plate_point", "province": "湖北省", "city": "武汉市",
                   "district": "黄陂区", "district_code": "420116", "businesses": ["ebike_registration"],
                   "hours": "Mo-Fr 09:00-17:00"}}]}

_cache = {}


def _get_json(path):
    if path not in _cache:
        try:
            with urllib.request.urlopen(BASE_URL + path, timeout=10) as r:
                _cache[path] = json.loads(r.read())
        except Exception:  # the hook must never break the run: fall back to the fixed values
            _cache[path] = None
    return _cache[path]


def known_place_id():
    body = _get_json("/v1/places?q=" + urllib.parse.quote(KNOWN_PLACE) + "&limit=1")
    try:
        return body["candidates"][0]["id"]
    except (TypeError, KeyError, IndexError):
        return None


def known_regions():
    body = _get_json("/v1/regions")
    try:
        return {r["code"] for r in body["items"]}
    except (TypeError, KeyError):
        return {KNOWN_REGION}


def _positive(case):
    meta = getattr(case, "meta", None)
    if meta is None:
        return False
    mode = meta.generation.mode
    return str(getattr(mode, "value", mode)).lower() == "positive"


def _date(s):
    try:
        return datetime.date.fromisoformat(str(s))
    except ValueError:
        return None


def _op(context):
    op = context.operation
    return op.method.upper(), op.path


@schemathesis.hook
def before_call(context, case, kwargs):
    # Right before the request goes out, in every phase (generation-time hooks miss cases that later phases derive
    # or that values from earlier responses fill in).
    if _positive(case):
        _within_rules(context, case)
    if _positive(case) or not _negative(case):
        _entity_tags(case)


def _negative(case):
    meta = getattr(case, "meta", None)
    if meta is None:
        return False
    mode = meta.generation.mode
    return str(getattr(mode, "value", mode)).lower() == "negative"


_ETAG = re.compile(r'^[ \t]*(W/)?"[^"]*"([ \t]*,[ \t]*(W/)?"[^"]*")*[ \t]*$')


def _entity_tags(case):
    # The document gives If-Match a pattern (a list of entity tags) and the server answers 400 to anything else, but
    # schemathesis' coverage phase sends some non-matching header values as "valid" data: make those well formed.
    headers = case.headers
    if not headers:
        return
    for name in list(headers.keys()):
        if str(name).lower() == "if-match" and not _ETAG.match(str(headers[name])):
            headers[name] = '"0-0"'


def _within_rules(context, case):
    method, path = _op(context)
    q = dict(case.query) if isinstance(case.query, dict) else {}
    body = json.loads(json.dumps(case.body)) if isinstance(case.body, dict) else None
    if method == "GET" and path == "/v1/nearest":
        _nearest(q)
    elif method == "GET" and path == "/v1/calendar":
        _ordered_dates(q, "from", "to", max_days=1095)
    elif method == "GET" and path == "/v1/ask":
        # place_id answers a place question: only an issued id is valid (any other is a 400 by design).
        if "place_id" in q:
            pid = known_place_id()
            if pid is None:
                q.pop("place_id", None)
            else:
                q["place_id"] = pid
    elif method == "GET" and path == "/v1/business-types/{code}/guide":
        # city must be a code of the national list and outlet an existing outlet (any other is a 400 by design).
        if "city" in q:
            q["city"] = KNOWN_REGION
        if "outlet" in q:
            q["outlet"] = 1
    elif method == "GET" and path.startswith("/v1/coverage"):
        _coverage(q)
    elif method == "GET" and path in ("/v1/outlets", "/v1/outlets/{id}/history"):
        # A cursor is opaque: only one this service issued is valid (any other is a 400 by design).
        q.pop("cursor", None)
    elif method in ("POST", "PUT", "PATCH") and path in ("/v1/outlets", "/v1/outlets/{id}") and body is not None:
        _outlet_body(body)
    elif method == "POST" and path == "/v1/outlets/{id}/exceptions" and body is not None:
        _exception_body(body)
    elif method == "POST" and path == "/v1/reports/{id}/resolve" and body is not None:
        # history_id must name an entry of the report's outlet (any other is a 400 by design): not generated.
        body.pop("history_id", None)
    elif method == "GET" and path == "/v1/reports":
        q.pop("cursor", None)
    elif method == "PUT" and path == "/v1/regions/{code}/boundary":
        case.path_parameters = dict(case.path_parameters or {}, code=KNOWN_REGION)
        body = json.loads(json.dumps(BOUNDARY))
    elif method == "POST" and path == "/v1/imports":
        _import(case)
        return case
    if isinstance(case.query, dict) and q != case.query:
        case.query = q
    if body is not None and body != case.body:
        case.body = body
    if os.environ.get("SC_HOOK_DEBUG"):
        with open(os.environ["SC_HOOK_DEBUG"], "a") as f:
            f.write(f"SENT {method} {path} query={case.query} body={str(case.body)[:300]}\n")
    return case


def _nearest(q):
    # Located by exactly one of: lat+lon (with coordsys), place (text that matches a place), place_id (an issued id).
    if "place" in q or "place_id" in q:
        for k in ("lat", "lon", "coordsys"):
            q.pop(k, None)
        pid = known_place_id() if "place_id" in q else None
        if pid is not None and "place" not in q:
            q["place_id"] = pid
        else:
            q.pop("place_id", None)
            q["place"] = KNOWN_PLACE
    else:
        q.setdefault("lat", 30.8744)
        q.setdefault("lon", 114.3742)


def _ordered_dates(q, a, b, max_days):
    da, db = _date(q.get(a)), _date(q.get(b))
    if da and db:
        if db < da:
            da, db = db, da
        if (db - da).days > max_days:
            db = da + datetime.timedelta(days=30)
        q[a], q[b] = da.isoformat(), db.isoformat()


def _coverage(q):
    # Area: exactly one of region (a known code) and bbox (ordered, at most 2.5° each way).
    if "region" in q:
        q.pop("bbox", None)
        if q["region"] not in known_regions():
            q["region"] = KNOWN_REGION
    elif "bbox" in q and isinstance(q["bbox"], list) and len(q["bbox"]) == 4:
        w, s, e, n = (float(x) for x in q["bbox"])
        w, e = sorted((max(-180.0, min(180.0, w)), max(-180.0, min(180.0, e))))
        s, n = sorted((max(-90.0, min(90.0, s)), max(-90.0, min(90.0, n))))
        e = min(e, w + 2.5) if e > w else min(180.0, w + 0.1)
        n = min(n, s + 2.5) if n > s else min(90.0, s + 0.1)
        if w >= e:
            w = e - 0.1
        if s >= n:
            s = n - 0.1
        q["bbox"] = [w, s, e, n]
    else:
        q.pop("bbox", None)
        q["region"] = KNOWN_REGION
    # Candidate sites: exclude names ids of this query's candidates, which the schema cannot know (an unknown one is a
    # 400 naming exclude); a lattice finer than 2 km over a whole city or a 2.5° box exceeds the 20,000-candidate cap.
    q.pop("exclude", None)
    c = q.get("candidates")
    if isinstance(c, str) and c.startswith("grid:") and c[5:].isdigit() and int(c[5:]) < 2000:
        q["candidates"] = "grid:2000"
    # Time: exactly one of at and during; date only with during, and of the window's kind.
    if "at" in q:
        q.pop("during", None)
        q.pop("date", None)
    else:
        q.setdefault("during", "weekday_daytime")
        if "date" in q or q["during"] == "holiday":
            q["date"] = WINDOW_DATES.get(q["during"], "2026-03-04")


def _outlet_body(body):
    # verified_at: a real date-time or date, not in the future (a random string of the right shape may be neither).
    if body.get("verified_at") is not None:
        body["verified_at"] = "2026-01-15"
    # hours and opening_hours: one of them (both only when they agree, as in a fetched outlet); the text must parse.
    if "hours" in body and body.get("hours") is not None:
        body.pop("opening_hours", None)
    elif "opening_hours" in body:
        body["opening_hours"] = OPENING_HOURS
    hours = body.get("hours")
    if isinstance(hours, dict):
        _hours(hours)


def _intervals(intervals):
    """Each interval starts before it ends and none overlaps another of the same list."""
    fixed = []
    for iv in intervals if isinstance(intervals, list) else []:
        if isinstance(iv, list) and len(iv) == 2:
            a, b = sorted(iv)
            if a == b or a == "24:00":
                continue
            fixed.append([a, b])
    fixed.sort()
    out = []
    for a, b in fixed:
        if out and a < out[-1][1]:
            continue
        out.append([a, b])
    intervals[:] = out


def _hours(hours):
    # Two rules naming the same day selector must not overlap: keep each selector in one rule only.
    seen, kept = set(), []
    for rule in hours.get("rules") or []:
        if not isinstance(rule, dict):
            continue
        days = {d for d in rule.get("days") or [] if isinstance(d, str)}
        if days & seen:
            continue
        seen |= days
        if isinstance(rule.get("intervals"), list):
            _intervals(rule["intervals"])
            if not rule["intervals"]:
                rule["intervals"].append(["09:00", "17:00"])
        kept.append(rule)
    if isinstance(hours.get("rules"), list):
        hours["rules"] = kept
    ids = set()
    for e in hours.get("exceptions") or []:
        if isinstance(e, dict):
            _exception_body(e)
            # Exception ids are unique within an outlet: a repeated one loses its id (the server gives it one).
            if isinstance(e.get("id"), str):
                if e["id"] in ids:
                    del e["id"]
                else:
                    ids.add(e["id"])


def _exception_body(body):
    # from ≤ to, at most ten years apart; intervals ordered and disjoint.
    _ordered_dates(body, "from", "to", max_days=3650)
    if isinstance(body.get("intervals"), list):
        _intervals(body["intervals"])


def _import(case):
    # The file must be a catalogue the import reads (the format follows ?format=, else the Content-Type).
    q = case.query if isinstance(case.query, dict) else {}
    fmt = q.get("format") or ("csv" if (case.media_type or "").startswith("text/csv") else "geojson")
    if fmt == "csv":
        case.media_type = "text/csv"
        case.body = CSV_IMPORT
    else:
        case.media_type = "application/geo+json"
        case.body = json.loads(json.dumps(GEOJSON_IMPORT))
    case.query = dict(q, format=fmt)
